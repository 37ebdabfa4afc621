// nf_seeds.hpp: seed corpus of the NetFlow/IPFIX fuzz targets, from the
// unit tests' byte-exact vectors (tests/collector/nf_vectors.hpp): each
// vector alone, template datagrams followed by data-only ones, data before
// its template, and a few truncations.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/collector/nf_recorded_vectors.hpp"
#include "tests/collector/nf_vectors.hpp"
#include "tests/fuzz/nf_fuzz_input.hpp"

namespace xacct::tests::fuzz {

inline int write_nf_seeds(int argc, char** argv, int version) {
  namespace fs = std::filesystem;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SEED_DIR\n", argv[0]);
    return 2;
  }
  const fs::path dir = argv[1];
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (!fs::create_directories(dir, ec) && ec) {
    std::fprintf(stderr, "nf seeds: create %s: %s\n", dir.c_str(), ec.message().c_str());
    return 1;
  }
  using Dgrams = std::vector<std::vector<std::uint8_t>>;
  std::vector<std::pair<std::string, Dgrams>> seeds;
  if (version == 5) {
    auto v5 = nf::v5_two_records();
    seeds.push_back({"v5", {v5}});
    seeds.push_back({"v5_twice", {v5, v5}});
    seeds.push_back({"v5_cut", {std::vector<std::uint8_t>(v5.begin(), v5.begin() + 60)}});
    seeds.push_back({"softflowd_v5", nf::recorded::softflowd_v5()});
  } else if (version == 9) {
    auto full = nf::v9_full();
    auto later = nf::v9_data_seq5();
    seeds.push_back({"v9_full", {full}});
    seeds.push_back({"v9_full_then_data", {full, later}});
    seeds.push_back({"v9_data_before_template", {later, full}});
    seeds.push_back({"v9_cut", {std::vector<std::uint8_t>(full.begin(), full.begin() + 150)}});
    seeds.push_back({"softflowd_v9", nf::recorded::softflowd_v9()});
    seeds.push_back({"nfprobe_v9", nf::recorded::nfprobe_v9()});
  } else {
    auto basic = nf::ipfix_basic();
    auto options = nf::ipfix_options();
    auto frame = nf::ipfix_frame();
    seeds.push_back({"ipfix_basic", {basic}});
    seeds.push_back({"ipfix_options", {basic, options}});
    seeds.push_back({"ipfix_frame", {frame}});
    seeds.push_back({"ipfix_all", {basic, options, frame, basic}});
    seeds.push_back({"softflowd_ipfix", nf::recorded::softflowd_ipfix()});
    seeds.push_back({"nfprobe_ipfix", nf::recorded::nfprobe_ipfix()});
  }
  for (const auto& [name, dgrams] : seeds) {
    const auto bytes = encode_nf_input(dgrams);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::fprintf(stderr, "nf seeds: write %s/%s failed\n", dir.c_str(), name.c_str());
      return 1;
    }
  }
  std::printf("nf seeds: %zu seeds in %s\n", seeds.size(), dir.c_str());
  return 0;
}

}  // namespace xacct::tests::fuzz
