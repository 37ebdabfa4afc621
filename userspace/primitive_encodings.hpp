// Value renderers of the primitives whose text is more than a number:
// addresses, MACs, TCP flags, forwarding status, MPLS label stacks, and the
// JSON array/string encodings pmacct added after 1.7.7
// (tcpflags_encode_as_array, fwd_status_encode_as_string,
// mpls_label_stack_encode_as_array; see pmacct's CONFIG-KEYS):
//   tcp_flags         "26"                  or ["ACK", "PSH", "SYN"]
//   fwd_status        "64"                  or "FORWARDED Unknown" (RFC 7270 §4.12)
//   mpls_label_stack  "16001_24002"         or ["0-16001", "1-24002"]
// The JSON functions append a complete JSON value (quotes or brackets
// included); the others append bare text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "userspace/flow_record.hpp"

namespace xacct::userspace {

void append_ip(const IpAddress& ip, std::string& out);
// append_ip as a string: for log lines and counter names.
std::string ip_text(const IpAddress& ip);
// The text inet_ntop() gives (glibc: lowercase hex, the first longest run of
// two or more zero words as "::", ::a.b.c.d and ::ffff:a.b.c.d for IPv4-
// compatible/mapped addresses), written at `out` without a terminating NUL;
// returns the end. inet_ntop costs a sprintf per word; this is on the purge
// path of every address printed. `out` needs kIpTextMax bytes.
inline constexpr std::size_t kIpTextMax = 48;
char* format_ipv4(const std::uint8_t* addr4, char* out);
char* format_ipv6(const std::uint8_t* addr16, char* out);
void append_mac(const MacAddress& mac, std::string& out);
// An address no input set (all zero, no family): pmacct prints "" for it.
bool ip_is_unset(const IpAddress& ip);

// TCP flag names, URG first as pmacct lists them, for the low six bits.
// pmacct prints [] whenever ECE or CWR is set; here those two bits are
// ignored and the other six still listed.
void append_tcp_flags_json_array(std::uint8_t flags, std::string& out);

// RFC 7270 §4.12 text of a forwardingStatus value: "FORWARDED Unknown",
// "DROPPED ACL deny", ...; a reason code without a name gives its status
// class ("DROPPED Unclassified").
std::string_view fwd_status_name(std::uint8_t status);

// A route distinguisher (FlowRecord::mpls_vpn_rd: its 8 wire bytes as a
// big-endian integer) as pmacct prints it: "<type>:<admin>:<number>",
// "0:65512:1", "1:192.0.2.1:5", "2:4200000000:7"; 0 (none) is "0:0:0".
void append_route_distinguisher(std::uint64_t rd, std::string& out);

// Labels joined by '_' ("16001_24002"; "" for none).
void append_mpls_label_stack(std::span<const std::uint32_t> labels, std::string& out);
// ["0-16001", "1-24002"] ([] for none).
void append_mpls_label_stack_json_array(std::span<const std::uint32_t> labels, std::string& out);

}  // namespace xacct::userspace
