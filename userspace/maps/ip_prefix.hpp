// Addresses and prefixes as the map files write them ("192.0.2.0/24",
// "2001:db8::/32", a bare address = a host route), over FlowRecord's
// IpAddress (IPv4 stored IPv4-mapped). Prefix lengths count bits of the
// address's own family: 0..32 for IPv4, 0..128 for IPv6.
#pragma once

#include <cstdint>
#include <string_view>

#include "userspace/flow_record.hpp"
#include "userspace/result.hpp"

namespace xacct::maps {

enum class Family : std::uint8_t { kNone, kV4, kV6 };

// kNone: the all-zero "unknown" address of a record that has none (non-IP
// frames, no exporter).
Family family_of(const userspace::IpAddress& a);

// "192.0.2.1" / "2001:db8::1"; IPv4 comes back IPv4-mapped.
userspace::Result<userspace::IpAddress> parse_ip(std::string_view text);

// Clears the host bits beyond `bits` (of the address's family; more than
// the family has = keep all). An IPv4 address keeps its ::ffff: prefix.
void mask_address(userspace::IpAddress& a, unsigned bits);

struct IpPrefix {
  userspace::IpAddress addr;  // host bits cleared
  std::uint8_t length = 0;
  Family family = Family::kNone;

  bool contains(const userspace::IpAddress& a) const;
};

// "a.b.c.d/len", "v6/len"; without "/len" a host prefix (/32, /128).
// Host bits set in the address are cleared, as pmacct does.
userspace::Result<IpPrefix> parse_prefix(std::string_view text);

}  // namespace xacct::maps
