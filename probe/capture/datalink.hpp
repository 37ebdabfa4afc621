// Datalinks of libpcap input: what precedes the network header of a frame,
// per pcap_datalink() value, and the one call that strips it and hands the
// rest to the shared packet parser (bpf/packet_parse.h, also used by the eBPF
// datapath): xacct_parse_ether for Ethernet, xacct_parse_l3 for the others.
// No other parsing happens here; the link headers are a few fixed fields.
//
//   DLT_EN10MB      Ethernet, with 802.1Q/802.1ad tags and MPLS (the parser)
//   DLT_LINUX_SLL   Linux cooked v1: 16 bytes, protocol = ethertype; libpcap
//                   puts a stripped VLAN tag back before the protocol field
//   DLT_LINUX_SLL2  Linux cooked v2: 20 bytes, also the interface index
//   DLT_RAW         raw IPv4/IPv6, version from the first nibble (savefiles:
//                   LINKTYPE_RAW 101, which libpcap maps to DLT_RAW 12)
//   DLT_IPV4/IPV6   raw IP of one version (228, 229)
//   DLT_NULL        BSD loopback: 4-byte address family in the byte order of
//                   the host that captured (either order accepted)
//   DLT_LOOP        OpenBSD loopback: the same, in network byte order
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bpf/packet_parse.h"
#include "userspace/flow_record.hpp"

namespace xacct::capture {

enum class Datalink : std::uint8_t { kEthernet, kLinuxSll, kLinuxSll2, kRawIp, kIpv4, kIpv6, kNull, kLoop };

// From a pcap_datalink() value; nullopt for datalinks xacct does not decode.
std::optional<Datalink> datalink_from_dlt(int dlt);
// "EN10MB", "LINUX_SLL", ... (libpcap's names without DLT_).
std::string_view to_string(Datalink dl);
// "105 (IEEE802_11)": for errors about a datalink number.
std::string describe_dlt(int dlt);

// What a link header says beyond the parser's fields.
struct LinkInfo {
  std::uint32_t ifindex = 0;  // DLT_LINUX_SLL2: the interface the packet was seen on; else 0
};

// Link header sizes.
inline constexpr std::size_t kSllHeaderLen = 16;
inline constexpr std::size_t kSll2HeaderLen = 20;
inline constexpr std::size_t kNullHeaderLen = 4;

// Parses one frame of `caplen` bytes. `pkt` is always fully written; the
// return value is pkt.status (XACCT_PARSE_*): a frame that ends inside the
// link header is TRUNCATED, a link header that names something else than IP,
// VLAN or MPLS (an address family other than IPv4/IPv6, an 802.2/802.3 cooked
// protocol) is NON_IP. Offsets in `pkt` (l3_offset, l4_offset) count from the
// start of the frame, link header included. Cooked captures carry the
// sender's link address: it becomes src_mac when it is 6 bytes long.
int parse_frame(Datalink dl, const std::uint8_t* data, std::size_t caplen, xacct_pkt& pkt, LinkInfo& link);

}  // namespace xacct::capture
