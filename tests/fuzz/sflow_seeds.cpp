// sflow_seeds.cpp: writes the seed corpus of fuzz_sflow into argv[1]: every
// byte-exact datagram of the decoder's unit tests
// (tests/collector/sflow_test_util.hpp: v5 headers IPv4/IPv6/VLAN/MPLS,
// expanded samples, sampled records, extended switch/router/gateway,
// counter samples, v2 and v4 datagrams).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/collector/sflow_test_util.hpp"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SEED_DIR\n", argv[0]);
    return 2;
  }
  const fs::path dir = argv[1];
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (!fs::create_directories(dir, ec) && ec) {
    std::fprintf(stderr, "sflow_seeds: create %s: %s\n", dir.c_str(), ec.message().c_str());
    return 1;
  }
  int n = 0;
  for (const auto& v : xacct::tests::sflow::all_vectors()) {
    std::ofstream out(dir / ("sflow-" + std::to_string(n++)), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size()));
    if (!out) return 1;
  }
  return 0;
}
