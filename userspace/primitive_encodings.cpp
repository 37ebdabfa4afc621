// See primitive_encodings.hpp.
#include "userspace/primitive_encodings.hpp"

#include <algorithm>

namespace xacct::userspace {
namespace {

struct FwdStatusName {
  std::uint8_t code;
  std::string_view name;
};

// RFC 7270 §4.12: status in the two high bits, reason code in the rest.
constexpr FwdStatusName kFwdStatus[] = {
    {64, "FORWARDED Unknown"},
    {65, "FORWARDED Fragmented"},
    {66, "FORWARDED Not Fragmented"},
    {128, "DROPPED Unknown"},
    {129, "DROPPED ACL deny"},
    {130, "DROPPED ACL drop"},
    {131, "DROPPED Unroutable"},
    {132, "DROPPED Adjacency"},
    {133, "DROPPED Fragmentation and DF set"},
    {134, "DROPPED Bad header checksum"},
    {135, "DROPPED Bad total Length"},
    {136, "DROPPED Bad header length"},
    {137, "DROPPED bad TTL"},
    {138, "DROPPED Policer"},
    {139, "DROPPED WRED"},
    {140, "DROPPED RPF"},
    {141, "DROPPED For us"},
    {142, "DROPPED Bad output interface"},
    {143, "DROPPED Hardware"},
    {192, "CONSUMED Unknown"},
    {193, "CONSUMED Punt Adjacency"},
    {194, "CONSUMED Incomplete Adjacency"},
    {195, "CONSUMED For us"},
};

}  // namespace

char* format_ipv4(const std::uint8_t* a, char* out) {
  for (int i = 0; i < 4; ++i) {
    if (i > 0) *out++ = '.';
    const unsigned v = a[i];
    if (v >= 100) {
      *out++ = static_cast<char>('0' + v / 100);
      *out++ = static_cast<char>('0' + v / 10 % 10);
    } else if (v >= 10) {
      *out++ = static_cast<char>('0' + v / 10);
    }
    *out++ = static_cast<char>('0' + v % 10);
  }
  return out;
}

char* format_ipv6(const std::uint8_t* a, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned words[8];
  for (int i = 0; i < 8; ++i) words[i] = static_cast<unsigned>(a[2 * i]) << 8 | a[2 * i + 1];
  // The longest run of zero words (the first of equal runs), compressed to
  // "::" when it is at least two words long: glibc's choice (RFC 5952 4.2).
  int best_base = -1, best_len = 0, cur_base = -1, cur_len = 0;
  for (int i = 0; i < 8; ++i) {
    if (words[i] == 0) {
      if (cur_base < 0) cur_base = i, cur_len = 0;
      ++cur_len;
      continue;
    }
    if (cur_base >= 0 && cur_len > best_len) best_base = cur_base, best_len = cur_len;
    cur_base = -1;
  }
  if (cur_base >= 0 && cur_len > best_len) best_base = cur_base, best_len = cur_len;
  if (best_len < 2) best_base = -1;
  for (int i = 0; i < 8; ++i) {
    if (best_base >= 0 && i >= best_base && i < best_base + best_len) {
      if (i == best_base) *out++ = ':';
      continue;
    }
    if (i != 0) *out++ = ':';
    // IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) forms.
    if (i == 6 && best_base == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
      return format_ipv4(a + 12, out);
    }
    const unsigned w = words[i];
    if (w >= 0x1000) *out++ = kHex[w >> 12];
    if (w >= 0x100) *out++ = kHex[(w >> 8) & 0xf];
    if (w >= 0x10) *out++ = kHex[(w >> 4) & 0xf];
    *out++ = kHex[w & 0xf];
  }
  if (best_base >= 0 && best_base + best_len == 8) *out++ = ':';
  return out;
}

void append_ip(const IpAddress& ip, std::string& out) {
  char buf[kIpTextMax];
  // IPv4 lives in the last 4 bytes (IPv4-mapped), also for the all-zero
  // "unknown" address, which pmacct prints as 0.0.0.0.
  const char* end = ip.is_v6 ? format_ipv6(ip.bytes.data(), buf) : format_ipv4(ip.bytes.data() + 12, buf);
  out.append(buf, static_cast<std::size_t>(end - buf));
}

std::string ip_text(const IpAddress& ip) {
  std::string out;
  append_ip(ip, out);
  return out;
}

void append_mac(const MacAddress& mac, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < mac.size(); ++i) {
    if (i > 0) out += ':';
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xf];
  }
}

bool ip_is_unset(const IpAddress& ip) {
  return !ip.is_v6 && std::all_of(ip.bytes.begin(), ip.bytes.end(), [](std::uint8_t b) { return b == 0; });
}

void append_tcp_flags_json_array(std::uint8_t flags, std::string& out) {
  static constexpr std::string_view kNames[] = {"URG", "ACK", "PSH", "RST", "SYN", "FIN"};
  out += '[';
  bool first = true;
  for (std::size_t i = 0; i < std::size(kNames); ++i) {
    if ((flags & (0x20 >> i)) == 0) continue;
    if (!first) out += ", ";
    first = false;
    out += '"';
    out += kNames[i];
    out += '"';
  }
  out += ']';
}

std::string_view fwd_status_name(std::uint8_t status) {
  for (const FwdStatusName& n : kFwdStatus) {
    if (n.code == status) return n.name;
  }
  switch (status >> 6) {
    case 0: return "UNKNOWN Unclassified";
    case 1: return "FORWARDED Unclassified";
    case 2: return "DROPPED Unclassified";
    default: return "CONSUMED Unclassified";
  }
}

void append_mpls_label_stack(std::span<const std::uint32_t> labels, std::string& out) {
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += '_';
    out += std::to_string(labels[i]);
  }
}

void append_mpls_label_stack_json_array(std::span<const std::uint32_t> labels, std::string& out) {
  out += '[';
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += '"' + std::to_string(i) + '-' + std::to_string(labels[i]) + '"';
  }
  out += ']';
}

void append_route_distinguisher(std::uint64_t rd, std::string& out) {
  const std::uint64_t type = rd >> 48;
  const std::uint64_t value = rd & 0xffffffffffffull;
  out += std::to_string(type);
  out += ':';
  if (type == 1) {  // IPv4 : 2-byte number
    const std::uint64_t v4 = value >> 16;
    out += std::to_string(v4 >> 24 & 0xff) + "." + std::to_string(v4 >> 16 & 0xff) + "." +
           std::to_string(v4 >> 8 & 0xff) + "." + std::to_string(v4 & 0xff);
    out += ':';
    out += std::to_string(value & 0xffff);
  } else if (type == 2) {  // 4-byte ASN : 2-byte number
    out += std::to_string(value >> 16);
    out += ':';
    out += std::to_string(value & 0xffff);
  } else {  // 0: 2-byte ASN : 4-byte number (unknown types laid out alike)
    out += std::to_string(value >> 32);
    out += ':';
    out += std::to_string(value & 0xffffffffu);
  }
}

}  // namespace xacct::userspace
