// Builders of sFlow datagrams for the decoder's tests, fuzz seeds and the
// benchmark: every byte is written explicitly in XDR (big-endian words,
// opaque data padded to 4 bytes), following sflow_version_5.txt and RFC 3176.
// Frames inside raw header records come from tests/bpf/frame_builder.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "tests/bpf/frame_builder.hpp"

namespace xacct::tests::sflow {

using xacct::tests::Bytes;

class Xdr {
 public:
  Xdr& u32(std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b_.push_back(static_cast<std::uint8_t>(v >> s));
    return *this;
  }
  Xdr& u64(std::uint64_t v) {
    u32(static_cast<std::uint32_t>(v >> 32));
    return u32(static_cast<std::uint32_t>(v));
  }
  Xdr& raw(const Bytes& b) {
    b_.insert(b_.end(), b.begin(), b.end());
    return *this;
  }
  // opaque: bytes then zero padding to a multiple of 4.
  Xdr& opaque(const Bytes& b) {
    raw(b);
    while (b_.size() % 4 != 0) b_.push_back(0);
    return *this;
  }
  Xdr& addr4(const Ip4& a) {
    u32(1);
    return raw(Bytes(a.begin(), a.end()));
  }
  Xdr& addr6(const Ip6& a) {
    u32(2);
    return raw(Bytes(a.begin(), a.end()));
  }
  const Bytes& bytes() const { return b_; }
  operator Bytes() const { return b_; }  // NOLINT: builder convenience

 private:
  Bytes b_;
};

// type, length, body (a v5 sample or a v5 flow/counter record).
inline Bytes tlv(std::uint32_t type, const Bytes& body) {
  return Xdr().u32(type).u32(static_cast<std::uint32_t>(body.size())).raw(body);
}

inline Bytes v5_datagram(const Ip4& agent, std::uint32_t sub_id, std::uint32_t seq, std::uint32_t uptime,
                         const std::vector<Bytes>& samples) {
  Xdr x;
  x.u32(5).addr4(agent).u32(sub_id).u32(seq).u32(uptime).u32(static_cast<std::uint32_t>(samples.size()));
  for (const Bytes& s : samples) x.raw(s);
  return x;
}

inline Bytes v5_datagram6(const Ip6& agent, std::uint32_t sub_id, std::uint32_t seq, std::uint32_t uptime,
                          const std::vector<Bytes>& samples) {
  Xdr x;
  x.u32(5).addr6(agent).u32(sub_id).u32(seq).u32(uptime).u32(static_cast<std::uint32_t>(samples.size()));
  for (const Bytes& s : samples) x.raw(s);
  return x;
}

struct FlowSampleSpec {
  std::uint32_t seq = 1;
  std::uint32_t source_type = 0;
  std::uint32_t source_index = 3;
  std::uint32_t rate = 1000;
  std::uint32_t pool = 4000;
  std::uint32_t drops = 0;
  std::uint32_t input = 3;   // compact: format << 30 | value
  std::uint32_t output = 9;
};

// Flow sample (type 1): compact source id and interfaces.
inline Bytes flow_sample(const FlowSampleSpec& s, const std::vector<Bytes>& records) {
  Xdr x;
  x.u32(s.seq).u32(s.source_type << 24 | s.source_index).u32(s.rate).u32(s.pool).u32(s.drops);
  x.u32(s.input).u32(s.output).u32(static_cast<std::uint32_t>(records.size()));
  for (const Bytes& r : records) x.raw(r);
  return tlv(1, x);
}

// Expanded flow sample (type 3): interfaces as format + value words.
inline Bytes expanded_flow_sample(const FlowSampleSpec& s, std::uint32_t in_format, std::uint32_t in_value,
                                  std::uint32_t out_format, std::uint32_t out_value,
                                  const std::vector<Bytes>& records) {
  Xdr x;
  x.u32(s.seq).u32(s.source_type).u32(s.source_index).u32(s.rate).u32(s.pool).u32(s.drops);
  x.u32(in_format).u32(in_value).u32(out_format).u32(out_value).u32(static_cast<std::uint32_t>(records.size()));
  for (const Bytes& r : records) x.raw(r);
  return tlv(3, x);
}

// Raw packet header record (format 1).
inline Bytes header_record(std::uint32_t protocol, std::uint32_t frame_length, std::uint32_t stripped,
                           const Bytes& header) {
  return tlv(1, Xdr()
                    .u32(protocol)
                    .u32(frame_length)
                    .u32(stripped)
                    .u32(static_cast<std::uint32_t>(header.size()))
                    .opaque(header));
}

inline Bytes ethernet_record(std::uint32_t length, const Mac& src, const Mac& dst, std::uint32_t type) {
  return tlv(2, Xdr().u32(length).opaque(Bytes(src.begin(), src.end())).opaque(Bytes(dst.begin(), dst.end())).u32(type));
}

inline Bytes ipv4_record(std::uint32_t length, std::uint32_t proto, const Ip4& src, const Ip4& dst,
                         std::uint32_t sport, std::uint32_t dport, std::uint32_t flags, std::uint32_t tos) {
  return tlv(3, Xdr()
                    .u32(length)
                    .u32(proto)
                    .raw(Bytes(src.begin(), src.end()))
                    .raw(Bytes(dst.begin(), dst.end()))
                    .u32(sport)
                    .u32(dport)
                    .u32(flags)
                    .u32(tos));
}

inline Bytes ipv6_record(std::uint32_t length, std::uint32_t proto, const Ip6& src, const Ip6& dst,
                         std::uint32_t sport, std::uint32_t dport, std::uint32_t flags, std::uint32_t prio) {
  return tlv(4, Xdr()
                    .u32(length)
                    .u32(proto)
                    .raw(Bytes(src.begin(), src.end()))
                    .raw(Bytes(dst.begin(), dst.end()))
                    .u32(sport)
                    .u32(dport)
                    .u32(flags)
                    .u32(prio));
}

inline Bytes switch_record(std::uint32_t in_vlan, std::uint32_t in_prio, std::uint32_t out_vlan, std::uint32_t out_prio) {
  return tlv(1001, Xdr().u32(in_vlan).u32(in_prio).u32(out_vlan).u32(out_prio));
}

inline Bytes router_record(const Ip4& next_hop, std::uint32_t src_mask, std::uint32_t dst_mask) {
  return tlv(1002, Xdr().addr4(next_hop).u32(src_mask).u32(dst_mask));
}

// Extended gateway (v5): BGP next hop, own AS, source AS, source peer AS,
// one AS_SEQUENCE segment, communities, local pref.
inline Bytes gateway_record(const Ip6& next_hop, std::uint32_t as, std::uint32_t src_as, std::uint32_t src_peer_as,
                            const std::vector<std::uint32_t>& path, const std::vector<std::uint32_t>& communities,
                            std::uint32_t local_pref) {
  Xdr x;
  x.addr6(next_hop).u32(as).u32(src_as).u32(src_peer_as);
  x.u32(path.empty() ? 0 : 1);
  if (!path.empty()) {
    x.u32(2).u32(static_cast<std::uint32_t>(path.size()));
    for (std::uint32_t a : path) x.u32(a);
  }
  x.u32(static_cast<std::uint32_t>(communities.size()));
  for (std::uint32_t c : communities) x.u32(c);
  x.u32(local_pref);
  return tlv(1003, x);
}

// Generic interface counters (counter record 1, 88 bytes).
inline Bytes generic_counters(std::uint32_t if_index, std::uint64_t in_octets, std::uint64_t out_octets) {
  Xdr x;
  x.u32(if_index).u32(6).u64(1000000000).u32(1).u32(3).u64(in_octets);
  x.u32(10).u32(11).u32(12).u32(13).u32(14).u32(15).u64(out_octets);
  x.u32(20).u32(21).u32(22).u32(23).u32(24).u32(0);
  return tlv(1, x);
}

// Ethernet interface counters (counter record 2, 52 bytes).
inline Bytes ethernet_counters() {
  Xdr x;
  for (std::uint32_t i = 0; i < 13; ++i) x.u32(i);
  return tlv(2, x);
}

inline Bytes counter_sample(std::uint32_t seq, std::uint32_t source_index, const std::vector<Bytes>& records) {
  Xdr x;
  x.u32(seq).u32(source_index).u32(static_cast<std::uint32_t>(records.size()));
  for (const Bytes& r : records) x.raw(r);
  return tlv(2, x);
}

inline Bytes expanded_counter_sample(std::uint32_t seq, std::uint32_t type, std::uint32_t index,
                                     const std::vector<Bytes>& records) {
  Xdr x;
  x.u32(seq).u32(type).u32(index).u32(static_cast<std::uint32_t>(records.size()));
  for (const Bytes& r : records) x.raw(r);
  return tlv(4, x);
}

// Frames used by several tests.
inline const Mac kMacA{0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
inline const Mac kMacB{0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
inline const Ip4 kAgent{192, 0, 2, 77};

// Ethernet/IPv4/TCP 10.1.1.1:1111 -> 10.2.2.2:80, SYN|ACK, 40 L3 bytes + 20 payload.
inline Bytes frame_ipv4_tcp() {
  Ipv4Header ip;
  ip.src = {10, 1, 1, 1};
  ip.dst = {10, 2, 2, 2};
  ip.proto = 6;
  ip.tos = 0x28;
  return FrameBuilder().eth(kMacB, kMacA, 0x0800).ipv4(ip).tcp(1111, 80, 0x12).payload(20).build().bytes;
}

// Ethernet/IPv6/UDP 2001:db8::1:1000 -> 2001:db8::2:2000.
inline Bytes frame_ipv6_udp() {
  Ipv6Header ip;
  ip.next = 17;
  ip.traffic_class = 0xb8;
  return FrameBuilder().eth(kMacB, kMacA, 0x86dd).ipv6(ip).udp(1000, 2000).payload(32).build().bytes;
}

// Ethernet/802.1Q vid 100 pcp 3/IPv4/ICMP echo.
inline Bytes frame_vlan_icmp() {
  Ipv4Header ip;
  ip.src = {10, 3, 3, 3};
  ip.dst = {10, 4, 4, 4};
  ip.proto = 1;
  return FrameBuilder().eth(kMacB, kMacA, 0x8100).vlan(100, 3, 0x0800).ipv4(ip).icmp(8, 0).payload(8).build().bytes;
}

// Ethernet/MPLS 16001/24002/IPv4/UDP 10.1.1.1:1111 -> 10.2.2.2:2222.
inline Bytes frame_mpls_udp() {
  Ipv4Header ip;
  ip.src = {10, 1, 1, 1};
  ip.dst = {10, 2, 2, 2};
  ip.proto = 17;
  return FrameBuilder()
      .eth(kMacB, kMacA, 0x8847)
      .mpls(16001, false)
      .mpls(24002, true)
      .ipv4(ip)
      .udp(1111, 2222)
      .payload(10)
      .build()
      .bytes;
}

// sFlow v2/v4 (RFC 3176): samples have no length.
inline Bytes v4_datagram(std::uint32_t version, const Ip4& agent, std::uint32_t seq, std::uint32_t uptime,
                         const std::vector<Bytes>& samples) {
  Xdr x;
  x.u32(version).addr4(agent).u32(seq).u32(uptime).u32(static_cast<std::uint32_t>(samples.size()));
  for (const Bytes& s : samples) x.raw(s);
  return x;
}

// v2/v4 flow sample with a raw header (tag 1: protocol, frame length,
// header length, header) and the given extended blocks (tag + data).
inline Bytes v4_flow_sample(const FlowSampleSpec& s, std::uint32_t frame_length, const Bytes& header,
                            const std::vector<Bytes>& extended) {
  Xdr x;
  x.u32(1).u32(s.seq).u32(s.source_type << 24 | s.source_index).u32(s.rate).u32(s.pool).u32(s.drops);
  x.u32(s.input).u32(s.output);
  x.u32(1).u32(1).u32(frame_length).u32(static_cast<std::uint32_t>(header.size())).opaque(header);
  x.u32(static_cast<std::uint32_t>(extended.size()));
  for (const Bytes& e : extended) x.raw(e);
  return x;
}

// v2/v4 counter sample, ethernet counters (version 2: generic 88 + 52 bytes).
inline Bytes v4_counter_sample(std::uint32_t seq, std::uint32_t if_index) {
  Xdr x;
  x.u32(2).u32(seq).u32(if_index).u32(20).u32(2);
  const Bytes generic = generic_counters(if_index, 5000, 6000);
  x.raw(Bytes(generic.begin() + 8, generic.end()));  // without the v5 tag/length
  for (std::uint32_t i = 0; i < 13; ++i) x.u32(i);
  return x;
}

// Every kind of datagram the tests decode, for truncation/corruption sweeps
// and fuzz seeds.
inline std::vector<Bytes> all_vectors() {
  FlowSampleSpec s;
  std::vector<Bytes> v;
  v.push_back(v5_datagram(kAgent, 17, 99, 5000, {flow_sample(s, {header_record(1, 104, 4, frame_ipv4_tcp())})}));
  v.push_back(v5_datagram(kAgent, 0, 1, 5000, {flow_sample(s, {header_record(1, 130, 4, frame_ipv6_udp())})}));
  v.push_back(v5_datagram(kAgent, 0, 2, 5000,
                          {flow_sample(s, {header_record(1, 70, 4, frame_vlan_icmp()), switch_record(100, 3, 200, 5)})}));
  v.push_back(v5_datagram(kAgent, 0, 3, 5000, {flow_sample(s, {header_record(1, 100, 4, frame_mpls_udp())})}));
  v.push_back(v5_datagram(
      kAgent, 1, 4, 5000,
      {expanded_flow_sample(s, 0, 0x12345678, 1, 0x102, {header_record(1, 104, 4, frame_ipv4_tcp())}),
       flow_sample(s, {ipv4_record(1500, 6, {10, 9, 9, 9}, {10, 8, 8, 8}, 443, 55000, 0x18, 0x10),
                       router_record({10, 0, 0, 254}, 24, 16),
                       gateway_record(Ip6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe}, 65000, 65001,
                                      65002, {65010, 65020, 65030}, {0xfde80001, 0xffffff01}, 100)})}));
  v.push_back(v5_datagram6(Ip6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x77}, 2, 5, 5000,
                           {flow_sample(s, {ipv6_record(1280, 17, Ip6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                                      0, 0, 1},
                                                        Ip6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
                                                        53, 5353, 0, 0),
                                            ethernet_record(1298, kMacA, kMacB, 0x86dd)}),
                            counter_sample(7, 3, {generic_counters(3, 123456789012, 987654321), ethernet_counters()}),
                            expanded_counter_sample(8, 0, 4, {generic_counters(4, 1, 2)})}));
  v.push_back(v4_datagram(4, kAgent, 10, 5000,
                          {v4_flow_sample(s, 104, frame_ipv4_tcp(),
                                          {Xdr().u32(1).u32(10).u32(1).u32(20).u32(2),  // switch
                                           Xdr().u32(3).u32(65000).u32(65001).u32(65002).u32(1).u32(2).u32(2)
                                               .u32(65010).u32(65020).u32(1).u32(0xfde80001).u32(100)}),  // gateway v4
                           v4_counter_sample(3, 3)}));
  v.push_back(v4_datagram(2, kAgent, 11, 5000,
                          {v4_flow_sample(s, 100, frame_mpls_udp(),
                                          {Xdr().u32(3).u32(65000).u32(65001).u32(65002).u32(2).u32(65010).u32(65030),
                                           Xdr().u32(2).addr4({10, 0, 0, 1}).u32(8).u32(24)})}));
  return v;
}

}  // namespace xacct::tests::sflow
