// bgp_message_seeds.cpp: writes the seed corpus of fuzz_bgp_message into
// argv[1]: each byte-exact message of the codec's unit tests
// (tests/bgp/bgp_wire_vectors.hpp) under each session flag byte the fuzz
// target reads (4-byte AS, ADD-PATH), plus one stream of all of them.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/bgp/bgp_wire_vectors.hpp"

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
    std::fprintf(stderr, "bgp_message_seeds: create %s: %s\n", dir.c_str(), ec.message().c_str());
    return 1;
  }
  int n = 0;
  auto write = [&](unsigned char flags, const xacct::tests::bgp::Bytes& v) {
    std::ofstream out(dir / ("bgp-" + std::to_string(n++)), std::ios::binary | std::ios::trunc);
    out.put(static_cast<char>(flags));
    out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size()));
    return static_cast<bool>(out);
  };
  xacct::tests::bgp::Bytes stream;
  for (const auto& v : xacct::tests::bgp::all_vectors()) {
    for (unsigned char flags : {0, 1, 6, 7}) {
      if (!write(flags, v)) return 1;
    }
    stream.insert(stream.end(), v.begin(), v.end());
  }
  return write(0, stream) ? 0 : 1;
}
