// packet_parse_input.hpp: how a fuzz input of fuzz_packet_parse maps to a call
// of the packet parser, shared by the target and its seed generator.
//
// Byte 0, bit 0, picks the entry point:
//   0: xacct_parse_ether(bytes 1..end)
//   1: xacct_parse_l3(bytes 3..end) with the ethertype in bytes 1-2 (big
//      endian), so the fuzzer also explores ethertypes (0 = guess, VLAN, MPLS).
// The other bits of byte 0 are ignored. Inputs too short for their header
// parse an empty frame (missing ethertype bytes count as 0).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xacct::tests::fuzz {

struct ParseInput {
  bool l3 = false;
  std::uint16_t ethertype = 0;  // l3 only
  const std::uint8_t* frame = nullptr;
  std::size_t size = 0;
};

inline ParseInput decode_parse_input(const std::uint8_t* data, std::size_t size) {
  ParseInput in;
  if (size == 0) return in;
  in.l3 = (data[0] & 1) != 0;
  std::size_t header = in.l3 ? 3 : 1;
  if (in.l3) {
    unsigned hi = size > 1 ? data[1] : 0u;
    unsigned lo = size > 2 ? data[2] : 0u;
    in.ethertype = static_cast<std::uint16_t>(hi << 8 | lo);
  }
  if (size > header) {
    in.frame = data + header;
    in.size = size - header;
  }
  return in;
}

inline std::vector<std::uint8_t> encode_ether_input(const std::vector<std::uint8_t>& frame) {
  std::vector<std::uint8_t> in{0};
  in.insert(in.end(), frame.begin(), frame.end());
  return in;
}

inline std::vector<std::uint8_t> encode_l3_input(std::uint16_t ethertype, const std::vector<std::uint8_t>& frame) {
  std::vector<std::uint8_t> in{1, static_cast<std::uint8_t>(ethertype >> 8), static_cast<std::uint8_t>(ethertype)};
  in.insert(in.end(), frame.begin(), frame.end());
  return in;
}

}  // namespace xacct::tests::fuzz
