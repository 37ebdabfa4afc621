// Big-endian loads and addresses from network bytes: the one definition
// every decoder's bounds-checked reader builds on (NetFlow/IPFIX
// collector/nf_bytes.hpp, sFlow collector/sflow_xdr.hpp, BGP
// bgp/bgp_wire_reader.hpp, BMP bgp/bmp_reader.hpp). The callers check
// bounds; these only load.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#include "userspace/flow_record.hpp"

namespace xacct::userspace::wire {

inline std::uint16_t load_be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(static_cast<unsigned>(p[0]) << 8 | p[1]);
}
inline std::uint32_t load_be32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}
inline std::uint64_t load_be64(const std::uint8_t* p) {
  return static_cast<std::uint64_t>(load_be32(p)) << 32 | load_be32(p + 4);
}

// Sets `a` to the IPv4-mapped address at p. Two 8-byte stores of words
// built in registers: a zeroed temporary patched by 2- and 4-byte stores
// and then copied as 16 bytes made the copy wait for those stores to reach
// the cache (a failed store-to-load forward, twice per flow record).
inline void set_ipv4(IpAddress& a, const std::uint8_t* p) {
  std::uint32_t v4;
  std::memcpy(&v4, p, 4);
  std::uint64_t words[2];
  if constexpr (std::endian::native == std::endian::little) {
    words[0] = 0;
    words[1] = 0xffff0000ull | static_cast<std::uint64_t>(v4) << 32;
  } else {
    words[0] = 0;
    words[1] = 0x0000ffff00000000ull | v4;
  }
  std::memcpy(a.bytes.data(), words, 16);
  a.is_v6 = false;
}
inline IpAddress ipv4_address(const std::uint8_t* p) {
  IpAddress a;
  set_ipv4(a, p);
  return a;
}
inline IpAddress ipv6_address(const std::uint8_t* p) {
  IpAddress a;
  std::memcpy(a.bytes.data(), p, 16);
  a.is_v6 = true;
  return a;
}

}  // namespace xacct::userspace::wire
