// packet_parse_seeds.cpp: writes the seed corpus of fuzz_packet_parse into the
// directory given as argv[1] (run at build time, see CMakeLists.txt): every
// frame of the parser's unit-test corpus (tests/bpf/frame_corpus.hpp) through
// its own entry point, and every Ethernet frame once more through the L3 entry
// point (Ethernet header stripped, its ethertype in the input header), so the
// fuzzer starts from each header combination on both entry points.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/bpf/frame_corpus.hpp"
#include "tests/fuzz/packet_parse_input.hpp"

namespace {

bool write_seed(const std::filesystem::path& dir, const std::string& name, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  using namespace xacct::tests::frames;
  using namespace xacct::tests::fuzz;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SEED_DIR\n", argv[0]);
    return 2;
  }
  const fs::path dir = argv[1];
  std::error_code ec;
  fs::remove_all(dir, ec);  // no stale seeds from an older corpus
  if (!fs::create_directories(dir, ec) && ec) {
    std::fprintf(stderr, "packet_parse_seeds: create %s: %s\n", dir.c_str(), ec.message().c_str());
    return 1;
  }
  int written = 0;
  for (const CorpusFrame& c : corpus()) {
    bool ok = c.entry == Entry::kEther ? write_seed(dir, c.name, encode_ether_input(c.frame.bytes))
                                       : write_seed(dir, c.name, encode_l3_input(c.ethertype, c.frame.bytes));
    if (ok && c.entry == Entry::kEther && c.frame.bytes.size() >= 14) {
      const auto& b = c.frame.bytes;
      auto ethertype = static_cast<std::uint16_t>(b[12] << 8 | b[13]);
      ok = write_seed(dir, c.name + "_as_l3", encode_l3_input(ethertype, strip_ethernet(c.frame).bytes));
      ++written;
    }
    if (!ok) {
      std::fprintf(stderr, "packet_parse_seeds: write %s/%s failed\n", dir.c_str(), c.name.c_str());
      return 1;
    }
    ++written;
  }
  std::printf("packet_parse_seeds: %d seeds in %s\n", written, dir.c_str());
  return 0;
}
