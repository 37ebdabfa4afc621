// See ip_prefix.hpp.
#include "userspace/maps/ip_prefix.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <string>

namespace xacct::maps {

using userspace::IpAddress;
using userspace::make_error;
using userspace::Result;

Family family_of(const IpAddress& a) {
  if (a.is_v6) return Family::kV6;
  if ((a.bytes[10] == 0xff && a.bytes[11] == 0xff) || a.bytes[12] != 0 || a.bytes[13] != 0 ||
      a.bytes[14] != 0 || a.bytes[15] != 0) {
    return Family::kV4;
  }
  return Family::kNone;
}

Result<IpAddress> parse_ip(std::string_view text) {
  const std::string s(text);
  IpAddress a;
  if (s.find(':') != std::string::npos) {
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return make_error("bad IPv6 address '" + s + "'");
    a.is_v6 = true;
    return a;
  }
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data() + 12) != 1) return make_error("bad IP address '" + s + "'");
  a.bytes[10] = 0xff;
  a.bytes[11] = 0xff;
  return a;
}

void mask_address(IpAddress& a, unsigned bits) {
  const unsigned first = a.is_v6 ? 0 : 12;  // IPv4: only the last 4 bytes
  const unsigned width = a.is_v6 ? 128 : 32;
  if (bits >= width) return;
  for (unsigned i = 0; i < width / 8; ++i) {
    const unsigned byte_start = i * 8;
    std::uint8_t& b = a.bytes[first + i];
    if (byte_start >= bits) {
      b = 0;
    } else if (byte_start + 8 > bits) {
      b = static_cast<std::uint8_t>(b & (0xff << (8 - (bits - byte_start))));
    }
  }
}

bool IpPrefix::contains(const IpAddress& a) const {
  if (family_of(a) != family) return false;
  IpAddress masked = a;
  mask_address(masked, length);
  return masked.bytes == addr.bytes;
}

Result<IpPrefix> parse_prefix(std::string_view text) {
  const std::size_t slash = text.find('/');
  auto ip = parse_ip(text.substr(0, slash));
  if (!ip) return ip.error();
  IpPrefix p;
  p.addr = ip.value();
  p.family = p.addr.is_v6 ? Family::kV6 : Family::kV4;
  const unsigned width = p.addr.is_v6 ? 128 : 32;
  unsigned len = width;
  if (slash != std::string_view::npos) {
    std::string_view l = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(l.data(), l.data() + l.size(), len);
    if (l.empty() || ec != std::errc{} || end != l.data() + l.size() || len > width) {
      return make_error("bad prefix length '" + std::string(l) + "' in '" + std::string(text) + "' (0.." +
                        std::to_string(width) + ")");
    }
  }
  p.length = static_cast<std::uint8_t>(len);
  mask_address(p.addr, len);
  return p;
}

}  // namespace xacct::maps
