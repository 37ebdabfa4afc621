// See primitive_encodings.hpp.
#include "userspace/primitive_encodings.hpp"

#include <arpa/inet.h>

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

void append_ip(const IpAddress& ip, std::string& out) {
  char buf[INET6_ADDRSTRLEN];
  if (ip.is_v6) {
    if (inet_ntop(AF_INET6, ip.bytes.data(), buf, sizeof buf) == nullptr) buf[0] = '\0';
    out += buf;
    return;
  }
  // IPv4 lives in the last 4 bytes (IPv4-mapped), also for the all-zero
  // "unknown" address, which pmacct prints as 0.0.0.0.
  for (std::size_t i = 12; i < 16; ++i) {
    if (i > 12) out += '.';
    out += std::to_string(ip.bytes[i]);
  }
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
