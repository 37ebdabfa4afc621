// nf_fuzz_input.hpp: input layout of the NetFlow/IPFIX fuzz targets
// (nf_v5, nf_v9, nf_ipfix) and its encoder for the seed generators.
//
// An input is a sequence of datagrams, each [2-byte big-endian length]
// [bytes], so that one input can carry a template datagram and the data
// datagrams that use it (decoder state across datagrams is where the bugs
// are). Each target overwrites the version field of every datagram with its
// own version, so its fuzzing time goes to its decoder. Datagrams "arrive"
// one second apart, so buffered data sets also expire (timeout 2 s).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xacct::tests::fuzz {

inline std::vector<std::uint8_t> encode_nf_input(const std::vector<std::vector<std::uint8_t>>& datagrams) {
  std::vector<std::uint8_t> out;
  for (const auto& d : datagrams) {
    out.push_back(static_cast<std::uint8_t>(d.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(d.size()));
    out.insert(out.end(), d.begin(), d.end());
  }
  return out;
}

}  // namespace xacct::tests::fuzz
