// IP protocol names as pmacct prints them in ip_proto ("tcp", "udp", "icmp",
// "ipv6-icmp", ...): a static table (the IANA keywords pmacct 1.7.7 ships),
// so formatting a record never calls getprotobynumber(). Numbers without a
// name print as decimal, and 0 prints as "0".
#pragma once

#include <cstdint>
#include <string_view>

namespace xacct::userspace {

// The name pmacct prints for `proto`, or an empty view when it prints the
// number instead.
std::string_view ip_proto_name(std::uint8_t proto);

}  // namespace xacct::userspace
