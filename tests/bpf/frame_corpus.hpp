// frame_corpus.hpp: the test frames of the packet parser, one function per
// header combination, and corpus() that lists them all. The unit tests
// (packet_parse_test.cpp) assert exact fields per frame and loop over every
// truncation of every corpus frame; the BPF check (parse_bpf_check.cpp) runs
// the same corpus through the eBPF build of the parser and compares.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/bpf/frame_builder.hpp"

namespace xacct::tests::frames {

inline const Mac kDstMac{0x02, 0x0a, 0x0b, 0x0c, 0x0d, 0x02};
inline const Mac kSrcMac{0x02, 0x0a, 0x0b, 0x0c, 0x0d, 0x01};
inline const Ip4 kSrc4{198, 18, 0, 1};
inline const Ip4 kDst4{198, 18, 0, 2};
inline const Ip6 kSrc6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
inline const Ip6 kDst6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

constexpr std::uint16_t kEthIpv4 = 0x0800;
constexpr std::uint16_t kEthIpv6 = 0x86dd;
constexpr std::uint16_t kEthArp = 0x0806;
constexpr std::uint16_t kEth8021Q = 0x8100;
constexpr std::uint16_t kEth8021AD = 0x88a8;
constexpr std::uint16_t kEthQinQ = 0x9100;
constexpr std::uint16_t kEthMpls = 0x8847;
constexpr std::uint16_t kEthMplsMc = 0x8848;

constexpr std::uint8_t kTcp = 6;
constexpr std::uint8_t kUdp = 17;
constexpr std::uint8_t kIcmp = 1;
constexpr std::uint8_t kIcmp6 = 58;
constexpr std::uint8_t kSctp = 132;
constexpr std::uint8_t kGre = 47;
constexpr std::uint8_t kHopOpts = 0;
constexpr std::uint8_t kRouting = 43;
constexpr std::uint8_t kFragment = 44;
constexpr std::uint8_t kAh = 51;
constexpr std::uint8_t kNoNext = 59;
constexpr std::uint8_t kDstOpts = 60;

inline FrameBuilder eth(std::uint16_t ethertype) {
  FrameBuilder b;
  b.eth(kDstMac, kSrcMac, ethertype);
  return b;
}

// ---- IPv4 ----
inline Frame v4_tcp() {
  return eth(kEthIpv4).ipv4({.proto = kTcp, .tos = 0xb8, .ttl = 63}).tcp(40000, 443, 0x18).payload(100).build();
}
inline Frame v4_tcp_options() {  // 12 bytes of TCP options
  return eth(kEthIpv4).ipv4({.proto = kTcp}).tcp(40001, 80, 0x02, 8).build();
}
inline Frame v4_udp() {
  return eth(kEthIpv4).ipv4({.proto = kUdp, .tos = 0x01, .ttl = 1}).udp(5353, 53).payload(32).build();
}
inline Frame v4_icmp() {  // echo request
  return eth(kEthIpv4).ipv4({.proto = kIcmp}).icmp(8, 0).payload(56).build();
}
inline Frame v4_icmp_unreach() {  // port unreachable: type 3 code 3
  return eth(kEthIpv4).ipv4({.proto = kIcmp}).icmp(3, 3).payload(28).build();
}
inline Frame v4_sctp() {
  return eth(kEthIpv4).ipv4({.proto = kSctp}).sctp(2905, 3868).payload(16).build();
}
inline Frame v4_gre() {  // a protocol without ports
  return eth(kEthIpv4).ipv4({.proto = kGre}).mark().payload(24).build();
}
inline Frame v4_options_udp() {  // IHL 7: 8 bytes of options (router alert + NOPs)
  return eth(kEthIpv4)
      .ipv4({.proto = kUdp, .options = {0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00}})
      .udp(1000, 2000)
      .payload(4)
      .build();
}
inline Frame v4_options_max_tcp() {  // IHL 15: 40 bytes of options
  return eth(kEthIpv4).ipv4({.proto = kTcp, .options = Bytes(40, 0x01)}).tcp(1, 2, 0x10).build();
}
inline Frame v4_frag_first() {
  return eth(kEthIpv4).ipv4({.proto = kUdp, .more_fragments = true}).udp(4000, 4001).payload(1472).build();
}
inline Frame v4_frag_middle() {
  return eth(kEthIpv4)
      .ipv4({.proto = kUdp, .more_fragments = true, .frag_offset = 185})
      .payload(1480, 0x11)
      .build();
}
inline Frame v4_frag_last() {
  return eth(kEthIpv4).ipv4({.proto = kTcp, .frag_offset = 370}).payload(100, 0x06).build();
}
inline Frame v4_dont_fragment() {  // DF alone is not a fragment
  return eth(kEthIpv4).ipv4({.proto = kUdp, .dont_fragment = true}).udp(7, 9).build();
}
// Short IP packet padded to the Ethernet minimum: the padding is not a TCP header.
inline Frame v4_padded_no_l4() {
  return eth(kEthIpv4).ipv4({.proto = kTcp, .total_length = 20}).payload(26, 0).build();
}

// ---- IPv6 ----
inline Frame v6_tcp() {
  return eth(kEthIpv6)
      .ipv6({.next = kTcp, .traffic_class = 0xb9, .flow_label = 0x12345, .hop_limit = 255})
      .tcp(50000, 22, 0x11)
      .payload(10)
      .build();
}
inline Frame v6_udp() {
  return eth(kEthIpv6).ipv6({.next = kUdp}).udp(546, 547).payload(50).build();
}
inline Frame v6_icmp6() {  // echo request
  return eth(kEthIpv6).ipv6({.next = kIcmp6}).icmp(128, 0).payload(56).build();
}
inline Frame v6_sctp() {
  return eth(kEthIpv6).ipv6({.next = kSctp}).sctp(36412, 36412).build();
}
inline Frame v6_hopopts() {  // MLD-style router alert in a hop-by-hop header
  return eth(kEthIpv6).ipv6({.next = kHopOpts}).ipv6_ext(kIcmp6).icmp(143, 0).payload(20).build();
}
inline Frame v6_routing() {  // 24-byte routing header (one segment)
  return eth(kEthIpv6).ipv6({.next = kRouting}).ipv6_ext(kUdp, 2).udp(1, 2).build();
}
inline Frame v6_dstopts() {
  return eth(kEthIpv6).ipv6({.next = kDstOpts}).ipv6_ext(kTcp, 1).tcp(3, 4, 0x04).build();
}
inline Frame v6_ah() {  // 24-byte AH (12-byte ICV)
  return eth(kEthIpv6).ipv6({.next = kAh}).ipv6_ah(kTcp, 4).tcp(5, 6, 0x01).payload(8).build();
}
inline Frame v6_frag_first() {
  return eth(kEthIpv6).ipv6({.next = kFragment}).ipv6_frag(kUdp, 0, true).udp(7, 8).payload(1400).build();
}
inline Frame v6_frag_non_first() {
  return eth(kEthIpv6).ipv6({.next = kFragment}).ipv6_frag(kUdp, 175, false).payload(600, 0x22).build();
}
inline Frame v6_frag_atomic() {  // offset 0, M 0: not a fragment (RFC 6946)
  return eth(kEthIpv6).ipv6({.next = kFragment}).ipv6_frag(kUdp, 0, false).udp(9, 10).build();
}
inline Frame v6_no_next() {
  return eth(kEthIpv6).ipv6({.next = kNoNext}).mark().payload(8, 0).build();
}
inline Frame v6_dstopts_no_next() {
  return eth(kEthIpv6).ipv6({.next = kDstOpts}).ipv6_ext(kNoNext).build();
}
// Six extension headers: hop-by-hop (16), dstopts (8), routing (24), fragment
// (first), AH (24), dstopts (8), then TCP.
inline Frame v6_ext_chain() {
  return eth(kEthIpv6)
      .ipv6({.next = kHopOpts})
      .ipv6_ext(kDstOpts, 1)
      .ipv6_ext(kRouting)
      .ipv6_ext(kFragment, 2)
      .ipv6_frag(kAh, 0, true)
      .ipv6_ah(kDstOpts)
      .ipv6_ext(kTcp)
      .tcp(443, 55555, 0x10)
      .payload(30)
      .build();
}
// `count` destination options headers (8 bytes each), then UDP.
inline Frame v6_dstopts_chain(int count) {
  FrameBuilder b = eth(kEthIpv6);
  b.ipv6({.next = kDstOpts});
  for (int i = 0; i < count; ++i) b.ipv6_ext(i + 1 < count ? kDstOpts : kUdp);
  b.udp(11, 12);
  if (count > 8) b.needed(14 + 40 + 8 * 8);  // the parser stops after XACCT_IPV6_EXT_MAX
  return b.build();
}
// Jumbogram-style payload length 0: headers bounded by the frame only.
inline Frame v6_payload_length_zero() {
  return eth(kEthIpv6).ipv6({.next = kHopOpts, .payload_length = 0}).ipv6_ext(kTcp).tcp(1, 2, 0x10).build();
}

// ---- VLAN ----
inline Frame vlan1_v4_udp() {
  return eth(kEth8021Q).vlan(100, 3, kEthIpv4).ipv4({.proto = kUdp}).udp(1111, 2222).payload(10).build();
}
inline Frame vlan2_ad_v6_tcp() {  // 802.1ad outer 200 (PCP 5), 802.1Q inner 300
  return eth(kEth8021AD)
      .vlan(200, 5, kEth8021Q)
      .vlan(300, 1, kEthIpv6)
      .ipv6({.next = kTcp})
      .tcp(8080, 8081, 0x02)
      .build();
}
inline Frame vlan2_qinq9100_v4_icmp() {  // old 0x9100 outer TPID
  return eth(kEthQinQ).vlan(4094, 7, kEth8021Q).vlan(1, 0, kEthIpv4).ipv4({.proto = kIcmp}).icmp(0, 0).build();
}
inline Frame vlan3_v4() {  // a third tag is beyond XACCT_VLAN_MAX
  return eth(kEth8021AD)
      .vlan(10, 0, kEth8021Q)
      .vlan(20, 0, kEth8021Q)
      .vlan(30, 0, kEthIpv4)
      .ipv4({.proto = kUdp})
      .udp(1, 2)
      .needed(22)
      .build();
}

// ---- MPLS ----
inline Frame mpls1_v4_udp() {
  return eth(kEthMpls).mpls(16001, true).ipv4({.proto = kUdp}).udp(1111, 2222).build();
}
inline Frame mpls2_v6_udp() {
  return eth(kEthMpls).mpls(16001, false, 5, 255).mpls(24002, true).ipv6({.next = kUdp}).udp(3333, 4444).build();
}
// Labels 100/200/300: pmacct 1.7.7 reports a bottom label read from the IP header.
inline Frame mpls3_v4_tcp() {
  return eth(kEthMpls).mpls(100, false).mpls(200, false).mpls(300, true).ipv4({.proto = kTcp}).tcp(5, 6, 0x10).build();
}
inline Frame mpls3_v6_icmp6() {
  return eth(kEthMpls)
      .mpls(0xfffff, false)
      .mpls(0, false)
      .mpls(3, true)
      .ipv6({.next = kIcmp6})
      .icmp(129, 0)
      .build();
}
inline Frame mpls_mc_v4_udp() {
  return eth(kEthMplsMc).mpls(777, true).ipv4({.proto = kUdp}).udp(5, 5).build();
}
inline Frame mpls_max_labels_v4() {  // exactly XACCT_MPLS_MAX labels
  FrameBuilder b = eth(kEthMpls);
  for (std::uint32_t i = 1; i <= 8; ++i) b.mpls(1000 + i, i == 8);
  return b.ipv4({.proto = kUdp}).udp(9, 9).build();
}
inline Frame vlan_mpls_v4_udp() {
  return eth(kEth8021Q).vlan(42, 2, kEthMpls).mpls(299, false).mpls(300, true).ipv4({.proto = kUdp}).udp(1, 2).build();
}
// Ethernet pseudowire with a control word: first nibble 0, not IP.
inline Frame mpls_pw_control_word() {
  return eth(kEthMpls)
      .mpls(500, true)
      .u32(0)  // control word
      .eth(kDstMac, kSrcMac, kEthIpv4)
      .payload(46)
      .needed(19)  // 14 + 4 + the first byte after the stack
      .build();
}
inline Frame mpls_no_bottom() {  // 9 labels, none bottom-of-stack within the first 8
  FrameBuilder b = eth(kEthMpls);
  for (std::uint32_t i = 0; i < 9; ++i) b.mpls(100 + i, i == 8);
  return b.ipv4({.proto = kUdp}).udp(1, 2).needed(14 + 8 * 4).build();
}

// ---- not IP ----
inline Frame arp_request() {
  FrameBuilder b = eth(kEthArp);
  b.u16(1).u16(0x0800).u8(6).u8(4).u16(1);  // Ethernet/IPv4, request
  b.raw(Bytes(kSrcMac.begin(), kSrcMac.end())).raw({198, 18, 0, 1}).raw(Bytes(6, 0)).raw({198, 18, 0, 2});
  return b.payload(18, 0).needed(14).build();
}
inline Frame vlan_arp() {
  return eth(kEth8021Q).vlan(7, 6, kEthArp).payload(28, 0).build();
}
inline Frame llc_8023() {  // 802.3 length field + LLC (STP)
  return eth(0x0026).u8(0x42).u8(0x42).u8(0x03).needed(14).payload(35, 0).build();
}

// ---- malformed ----
inline Frame v4_ihl_below_5() {
  return eth(kEthIpv4).ipv4({.proto = kUdp, .ihl = 4}).udp(1, 2).needed(34).build();
}
// IHL 15 but the frame ends after 20 bytes of IP header (a snaplen cut).
inline Frame v4_ihl_beyond_frame() {
  return eth(kEthIpv4).ipv4({.proto = kTcp, .ihl = 15, .total_length = 100}).needed(74).build();
}
inline Frame v4_total_below_ihl() {
  return eth(kEthIpv4).ipv4({.proto = kUdp, .options = Bytes(8, 1), .total_length = 24}).udp(1, 2).needed(34).build();
}
inline Frame v4_bad_version() {  // ethertype IPv4, version 6
  return eth(kEthIpv4).ipv4({.proto = kUdp, .version = 6}).udp(1, 2).needed(34).build();
}
inline Frame v6_bad_version() {  // ethertype IPv6, version 4
  return eth(kEthIpv6).ipv6({.next = kUdp, .version = 4}).udp(1, 2).needed(54).build();
}
inline Frame v4_tcp_doff_below_5() {
  return eth(kEthIpv4).ipv4({.proto = kTcp}).tcp(80, 81, 0x02, 4).build();
}
// doff 15 but the IP packet holds 20 bytes of TCP (the options are padding).
inline Frame v4_tcp_doff_beyond_packet() {
  return eth(kEthIpv4).ipv4({.proto = kTcp, .total_length = 40}).tcp(80, 81, 0x02, 15).build();
}
inline Frame v6_ext_payload_too_short() {  // payload length 8, hop-by-hop of 16
  return eth(kEthIpv6).ipv6({.next = kHopOpts, .payload_length = 8}).ipv6_ext(kUdp, 1).udp(1, 2).needed(54).build();
}

enum class Entry { kEther, kL3 };

struct CorpusFrame {
  std::string name;
  Frame frame;
  Entry entry = Entry::kEther;
  std::uint16_t ethertype = 0;  // for Entry::kL3
};

// The same frame without its 14-byte Ethernet header, for xacct_parse_l3.
inline Frame strip_ethernet(Frame f) {
  f.bytes.erase(f.bytes.begin(), f.bytes.begin() + 14);
  f.needed -= 14;
  return f;
}

inline std::vector<CorpusFrame> corpus() {
  std::vector<CorpusFrame> c = {
      {"v4_tcp", v4_tcp()},
      {"v4_tcp_options", v4_tcp_options()},
      {"v4_udp", v4_udp()},
      {"v4_icmp", v4_icmp()},
      {"v4_icmp_unreach", v4_icmp_unreach()},
      {"v4_sctp", v4_sctp()},
      {"v4_gre", v4_gre()},
      {"v4_options_udp", v4_options_udp()},
      {"v4_options_max_tcp", v4_options_max_tcp()},
      {"v4_frag_first", v4_frag_first()},
      {"v4_frag_middle", v4_frag_middle()},
      {"v4_frag_last", v4_frag_last()},
      {"v4_dont_fragment", v4_dont_fragment()},
      {"v4_padded_no_l4", v4_padded_no_l4()},
      {"v6_tcp", v6_tcp()},
      {"v6_udp", v6_udp()},
      {"v6_icmp6", v6_icmp6()},
      {"v6_sctp", v6_sctp()},
      {"v6_hopopts", v6_hopopts()},
      {"v6_routing", v6_routing()},
      {"v6_dstopts", v6_dstopts()},
      {"v6_ah", v6_ah()},
      {"v6_frag_first", v6_frag_first()},
      {"v6_frag_non_first", v6_frag_non_first()},
      {"v6_frag_atomic", v6_frag_atomic()},
      {"v6_no_next", v6_no_next()},
      {"v6_dstopts_no_next", v6_dstopts_no_next()},
      {"v6_ext_chain", v6_ext_chain()},
      {"v6_dstopts_chain_8", v6_dstopts_chain(8)},
      {"v6_dstopts_chain_9", v6_dstopts_chain(9)},
      {"v6_payload_length_zero", v6_payload_length_zero()},
      {"vlan1_v4_udp", vlan1_v4_udp()},
      {"vlan2_ad_v6_tcp", vlan2_ad_v6_tcp()},
      {"vlan2_qinq9100_v4_icmp", vlan2_qinq9100_v4_icmp()},
      {"vlan3_v4", vlan3_v4()},
      {"mpls1_v4_udp", mpls1_v4_udp()},
      {"mpls2_v6_udp", mpls2_v6_udp()},
      {"mpls3_v4_tcp", mpls3_v4_tcp()},
      {"mpls3_v6_icmp6", mpls3_v6_icmp6()},
      {"mpls_mc_v4_udp", mpls_mc_v4_udp()},
      {"mpls_max_labels_v4", mpls_max_labels_v4()},
      {"vlan_mpls_v4_udp", vlan_mpls_v4_udp()},
      {"mpls_pw_control_word", mpls_pw_control_word()},
      {"mpls_no_bottom", mpls_no_bottom()},
      {"arp_request", arp_request()},
      {"vlan_arp", vlan_arp()},
      {"llc_8023", llc_8023()},
      {"v4_ihl_below_5", v4_ihl_below_5()},
      {"v4_ihl_beyond_frame", v4_ihl_beyond_frame()},
      {"v4_total_below_ihl", v4_total_below_ihl()},
      {"v4_bad_version", v4_bad_version()},
      {"v6_bad_version", v6_bad_version()},
      {"v4_tcp_doff_below_5", v4_tcp_doff_below_5()},
      {"v4_tcp_doff_beyond_packet", v4_tcp_doff_beyond_packet()},
      {"v6_ext_payload_too_short", v6_ext_payload_too_short()},
      {"l3_v4_udp", strip_ethernet(v4_udp()), Entry::kL3, kEthIpv4},
      {"l3_v6_ext_chain", strip_ethernet(v6_ext_chain()), Entry::kL3, kEthIpv6},
      {"l3_mpls2_v6_udp", strip_ethernet(mpls2_v6_udp()), Entry::kL3, kEthMpls},
      {"l3_vlan1_v4_udp", strip_ethernet(vlan1_v4_udp()), Entry::kL3, kEth8021Q},
      {"l3_guess_v4_tcp", strip_ethernet(v4_tcp()), Entry::kL3, 0},
      {"l3_guess_v6_icmp6", strip_ethernet(v6_icmp6()), Entry::kL3, 0},
  };
  return c;
}

}  // namespace xacct::tests::frames
