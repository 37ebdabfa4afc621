// sFlow decoder (collector/sflow_decoder.hpp) against byte-exact datagrams
// built in tests/collector/sflow_test_util.hpp: v5 flow samples with raw
// Ethernet headers (IPv4 TCP, IPv6 UDP, VLAN, MPLS), expanded samples,
// sampled IPv4/IPv6/Ethernet records, extended switch/router/gateway,
// counter samples, v2/v4 datagrams, sequence numbers.
#include "collector/sflow_decoder.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "tests/collector/sflow_test_util.hpp"

namespace xacct::collector {
namespace {

using namespace xacct::tests::sflow;  // NOLINT
using tests::Bytes;
using tests::Ip4;
using tests::Ip6;
using userspace::FlowRecord;
using userspace::IpAddress;
using userspace::RecordBatch;

IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress ip;
  ip.bytes[10] = ip.bytes[11] = 0xff;
  ip.bytes[12] = a;
  ip.bytes[13] = b;
  ip.bytes[14] = c;
  ip.bytes[15] = d;
  return ip;
}

IpAddress v6(std::uint8_t last) {
  IpAddress ip;
  ip.is_v6 = true;
  ip.bytes[0] = 0x20;
  ip.bytes[1] = 0x01;
  ip.bytes[2] = 0x0d;
  ip.bytes[3] = 0xb8;
  ip.bytes[15] = last;
  return ip;
}

struct Decoded {
  DecodeResult res;
  RecordBatch recs;
};

class SflowDecoderTest : public ::testing::Test {
 protected:
  Decoded decode(const Bytes& b, IpAddress exporter = v4(203, 0, 113, 1)) {
    Datagram d;
    d.data = b;
    d.exporter = exporter;
    d.exporter_port = 6343;
    d.arrival_ns = 1700000000123456789;
    Decoded r;
    r.res = dec_->decode(d, r.recs);
    EXPECT_EQ(r.res.records, r.recs.size());
    return r;
  }
  std::uint64_t stat(const std::string& name) {
    for (const auto& [n, v] : stats_.snapshot()) {
      if (n == name) return v;
    }
    return 0;
  }

  userspace::Stats stats_;
  SflowOptions opt_;
  std::unique_ptr<DatagramDecoder> dec_ = make_sflow_decoder(opt_, stats_);
};

TEST_F(SflowDecoderTest, V5HeaderIpv4Tcp) {
  FlowSampleSpec s;
  Decoded r = decode(v5_datagram(kAgent, 17, 99, 5000, {flow_sample(s, {header_record(1, 104, 4, frame_ipv4_tcp())})}));
  ASSERT_EQ(r.recs.size(), 1u);
  EXPECT_EQ(r.res.decode_errors, 0u);
  const FlowRecord& f = r.recs[0];
  EXPECT_EQ(f.src_host, v4(10, 1, 1, 1));
  EXPECT_EQ(f.dst_host, v4(10, 2, 2, 2));
  EXPECT_EQ(f.proto, 6);
  EXPECT_EQ(f.src_port, 1111);
  EXPECT_EQ(f.dst_port, 80);
  EXPECT_EQ(f.tcp_flags, 0x12);
  EXPECT_EQ(f.tos, 0x28);
  EXPECT_EQ(f.etype, 0x0800);
  EXPECT_EQ(f.src_mac, kMacA);
  EXPECT_EQ(f.dst_mac, kMacB);
  EXPECT_EQ(f.packets, 1u);
  EXPECT_EQ(f.bytes, 104u);  // frame_length, as sfacctd
  EXPECT_EQ(f.sampling_rate, 1000u);
  EXPECT_EQ(f.in_iface, 3u);
  EXPECT_EQ(f.out_iface, 9u);
  EXPECT_EQ(f.peer_src_ip, v4(192, 0, 2, 77));  // agent, not the UDP source
  EXPECT_EQ(f.export_proto_version, 5);
  EXPECT_EQ(f.export_proto_seqno, 99u);
  EXPECT_EQ(f.export_proto_sysid, 17u);
  EXPECT_EQ(f.arrival_ns, 1700000000123456789);
  EXPECT_EQ(f.first_ns, 0);
  EXPECT_EQ(f.vlan, 0);
  EXPECT_EQ(f.mpls_stack_depth, 0);
  EXPECT_EQ(stat("collector.sflow.agent.192.0.2.77:17.datagrams"), 1u);
  EXPECT_EQ(stat("collector.sflow.agent.192.0.2.77:17.flow_samples"), 1u);
}

TEST_F(SflowDecoderTest, V5HeaderIpv6Udp) {
  FlowSampleSpec s;
  s.rate = 512;
  Decoded r = decode(v5_datagram(kAgent, 0, 1, 5000, {flow_sample(s, {header_record(1, 130, 4, frame_ipv6_udp())})}));
  ASSERT_EQ(r.recs.size(), 1u);
  const FlowRecord& f = r.recs[0];
  EXPECT_EQ(f.src_host, v6(1));
  EXPECT_EQ(f.dst_host, v6(2));
  EXPECT_TRUE(f.src_host.is_v6);
  EXPECT_EQ(f.proto, 17);
  EXPECT_EQ(f.src_port, 1000);
  EXPECT_EQ(f.dst_port, 2000);
  EXPECT_EQ(f.tcp_flags, 0);
  EXPECT_EQ(f.tos, 0xb8);
  EXPECT_EQ(f.etype, 0x86dd);
  EXPECT_EQ(f.bytes, 130u);
  EXPECT_EQ(f.sampling_rate, 512u);
}

TEST_F(SflowDecoderTest, V5VlanHeaderAndExtendedSwitch) {
  FlowSampleSpec s;
  // Header tag only: vlan/cos from the 802.1Q tag.
  Decoded a = decode(v5_datagram(kAgent, 0, 1, 5000, {flow_sample(s, {header_record(1, 70, 4, frame_vlan_icmp())})}));
  ASSERT_EQ(a.recs.size(), 1u);
  EXPECT_EQ(a.recs[0].vlan, 100);
  EXPECT_EQ(a.recs[0].cos, 3);
  EXPECT_EQ(a.recs[0].proto, 1);
  EXPECT_EQ(a.recs[0].dst_port, 0);  // ICMP: no ports, as pmacct
  EXPECT_EQ(a.recs[0].out_vlan, 0);
  // Extended switch: input VLAN/priority win, out_vlan from the output side.
  Decoded b = decode(v5_datagram(kAgent, 0, 2, 5000,
                             {flow_sample(s, {header_record(1, 70, 4, frame_vlan_icmp()), switch_record(300, 6, 200, 5)})}));
  ASSERT_EQ(b.recs.size(), 1u);
  EXPECT_EQ(b.recs[0].vlan, 300);
  EXPECT_EQ(b.recs[0].cos, 6);
  EXPECT_EQ(b.recs[0].out_vlan, 200);
  // Input VLAN 0 in the record: the header's tag stays.
  Decoded c = decode(v5_datagram(kAgent, 0, 3, 5000,
                             {flow_sample(s, {switch_record(0, 0, 200, 5), header_record(1, 70, 4, frame_vlan_icmp())})}));
  ASSERT_EQ(c.recs.size(), 1u);
  EXPECT_EQ(c.recs[0].vlan, 100);
  EXPECT_EQ(c.recs[0].cos, 3);
  EXPECT_EQ(c.recs[0].out_vlan, 200);
  // No tag anywhere but an output VLAN: vlan = output VLAN (sfacctd).
  Decoded d = decode(v5_datagram(kAgent, 0, 4, 5000,
                             {flow_sample(s, {header_record(1, 104, 4, frame_ipv4_tcp()), switch_record(0, 0, 200, 5)})}));
  ASSERT_EQ(d.recs.size(), 1u);
  EXPECT_EQ(d.recs[0].vlan, 200);
  EXPECT_EQ(d.recs[0].cos, 5);
}

TEST_F(SflowDecoderTest, V5MplsHeader) {
  FlowSampleSpec s;
  Decoded r = decode(v5_datagram(kAgent, 0, 1, 5000, {flow_sample(s, {header_record(1, 100, 4, frame_mpls_udp())})}));
  ASSERT_EQ(r.recs.size(), 1u);
  const FlowRecord& f = r.recs[0];
  EXPECT_EQ(f.mpls_label_top, 16001u);
  EXPECT_EQ(f.mpls_label_bottom, 24002u);  // not 1.7.7's 262422 (spec/primitives.md §5)
  EXPECT_EQ(f.mpls_stack_depth, 2);
  EXPECT_EQ(f.mpls_label_stack_len, 2);
  EXPECT_EQ(f.mpls_label_stack[0], 16001u);
  EXPECT_EQ(f.mpls_label_stack[1], 24002u);
  EXPECT_EQ(f.src_host, v4(10, 1, 1, 1));
  EXPECT_EQ(f.dst_port, 2222);
  EXPECT_EQ(f.bytes, 100u);
  // The same packet sampled with header protocol MPLS (13): no Ethernet.
  const Bytes mpls_frame = frame_mpls_udp();
  const Bytes no_eth(mpls_frame.begin() + 14, mpls_frame.end());
  Decoded m = decode(v5_datagram(kAgent, 0, 2, 5000, {flow_sample(s, {header_record(13, 86, 0, no_eth)})}));
  ASSERT_EQ(m.recs.size(), 1u);
  EXPECT_EQ(m.recs[0].mpls_label_top, 16001u);
  EXPECT_EQ(m.recs[0].mpls_label_bottom, 24002u);
  EXPECT_EQ(m.recs[0].src_port, 1111);
  // Header protocol IPv4 (11).
  const Bytes tcp_frame = frame_ipv4_tcp();
  const Bytes ip_only(tcp_frame.begin() + 14, tcp_frame.end());
  Decoded i = decode(v5_datagram(kAgent, 0, 3, 5000, {flow_sample(s, {header_record(11, 60, 0, ip_only)})}));
  ASSERT_EQ(i.recs.size(), 1u);
  EXPECT_EQ(i.recs[0].dst_port, 80);
  EXPECT_EQ(i.recs[0].src_mac, userspace::MacAddress{});
}

TEST_F(SflowDecoderTest, V5ExpandedSampleInterfaces) {
  FlowSampleSpec s;
  // Expanded: the value is a whole word (beyond 30 bits); output discarded.
  Decoded r = decode(v5_datagram(kAgent, 1, 4, 5000,
                             {expanded_flow_sample(s, 0, 0x12345678, 1, 0x102, {header_record(1, 104, 4, frame_ipv4_tcp())})}));
  ASSERT_EQ(r.recs.size(), 1u);
  EXPECT_EQ(r.recs[0].in_iface, 0x12345678u);
  EXPECT_EQ(r.recs[0].out_iface, 0u);
  EXPECT_EQ(stat("collector.sflow.discarded_samples"), 1u);
  // Compact: format 2 (multiple interfaces) reads 0; format 0 low 30 bits.
  s.input = 0x3ffffffe;
  s.output = (2u << 30) | 3;
  Decoded c = decode(v5_datagram(kAgent, 1, 5, 5000, {flow_sample(s, {header_record(1, 104, 4, frame_ipv4_tcp())})}));
  ASSERT_EQ(c.recs.size(), 1u);
  EXPECT_EQ(c.recs[0].in_iface, 0x3ffffffeu);
  EXPECT_EQ(c.recs[0].out_iface, 0u);
}

TEST_F(SflowDecoderTest, V5SampledIpv4RouterGateway) {
  FlowSampleSpec s;
  const Ip6 nh{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe};
  Decoded r = decode(v5_datagram(
      kAgent, 0, 1, 5000,
      {flow_sample(s, {ipv4_record(1500, 6, {10, 9, 9, 9}, {10, 8, 8, 8}, 443, 55000, 0x18, 0x10),
                       router_record({10, 0, 0, 254}, 24, 16),
                       gateway_record(nh, 65000, 65001, 65002, {65010, 65020, 65030}, {0xfde80001}, 100)})}));
  ASSERT_EQ(r.recs.size(), 1u);
  const FlowRecord& f = r.recs[0];
  EXPECT_EQ(f.src_host, v4(10, 9, 9, 9));
  EXPECT_EQ(f.dst_host, v4(10, 8, 8, 8));
  EXPECT_EQ(f.src_port, 443);
  EXPECT_EQ(f.dst_port, 55000);
  EXPECT_EQ(f.tcp_flags, 0x18);
  EXPECT_EQ(f.tos, 0x10);
  EXPECT_EQ(f.bytes, 1500u);
  EXPECT_EQ(f.etype, 0x0800);
  EXPECT_EQ(f.src_mask, 24);
  EXPECT_EQ(f.dst_mask, 16);
  EXPECT_EQ(f.src_as, 65001u);
  EXPECT_EQ(f.peer_src_as, 65002u);
  EXPECT_EQ(f.dst_as, 65030u);       // last AS of the path
  EXPECT_EQ(f.peer_dst_as, 65010u);  // first AS of the path
  IpAddress bgp_nh;
  bgp_nh.is_v6 = true;
  std::memcpy(bgp_nh.bytes.data(), nh.data(), 16);
  EXPECT_EQ(f.peer_dst_ip, bgp_nh);
}

TEST_F(SflowDecoderTest, IpNextHopOnlyWithUseIpNextHop) {
  FlowSampleSpec s;
  const Bytes dg = v5_datagram(
      kAgent, 0, 1, 5000,
      {flow_sample(s, {ipv4_record(60, 17, {10, 9, 9, 9}, {10, 8, 8, 8}, 1, 2, 0, 0), router_record({10, 0, 0, 254}, 24, 16)})});
  Decoded a = decode(dg);
  ASSERT_EQ(a.recs.size(), 1u);
  EXPECT_EQ(a.recs[0].peer_dst_ip, IpAddress{});
  opt_.use_ip_next_hop = true;
  dec_ = make_sflow_decoder(opt_, stats_);
  Decoded b = decode(dg);
  ASSERT_EQ(b.recs.size(), 1u);
  EXPECT_EQ(b.recs[0].peer_dst_ip, v4(10, 0, 0, 254));
}

TEST_F(SflowDecoderTest, V5Ipv6AgentSampledIpv6AndEthernetRecords) {
  FlowSampleSpec s;
  const Ip6 a6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x77};
  const Ip6 s6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  const Ip6 d6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  Decoded r = decode(v5_datagram6(a6, 2, 5, 5000,
                              {flow_sample(s, {ipv6_record(1280, 6, s6, d6, 53, 5353, 0x02, 0x20),
                                               ethernet_record(1298, kMacA, kMacB, 0x86dd)})}));
  ASSERT_EQ(r.recs.size(), 1u);
  const FlowRecord& f = r.recs[0];
  EXPECT_EQ(f.peer_src_ip, v6(0x77));
  EXPECT_EQ(f.export_proto_sysid, 2u);
  EXPECT_EQ(f.src_host, v6(1));
  EXPECT_EQ(f.dst_host, v6(2));
  EXPECT_EQ(f.tcp_flags, 0x02);
  EXPECT_EQ(f.tos, 0x20);
  EXPECT_EQ(f.bytes, 1280u);  // the IPv6 record's length; the Ethernet one only when nothing else
  EXPECT_EQ(f.src_mac, kMacA);
  EXPECT_EQ(f.dst_mac, kMacB);
}

TEST_F(SflowDecoderTest, CounterSamples) {
  std::vector<SflowCounters> seen;
  opt_.on_counters = [&seen](const SflowCounters& c) { seen.push_back(c); };
  dec_ = make_sflow_decoder(opt_, stats_);
  Decoded r = decode(v5_datagram(kAgent, 3, 42, 5000,
                             {counter_sample(7, 3, {generic_counters(3, 123456789012, 987654321), ethernet_counters()}),
                              expanded_counter_sample(8, 0, 4, {generic_counters(4, 1, 2)}),
                              counter_sample(9, 5, {ethernet_counters()})}));
  EXPECT_EQ(r.recs.size(), 0u);
  EXPECT_EQ(r.res.options_records, 3u);
  EXPECT_EQ(r.res.decode_errors, 0u);
  ASSERT_EQ(seen.size(), 2u);  // the third has no generic block
  EXPECT_EQ(seen[0].agent, v4(192, 0, 2, 77));
  EXPECT_EQ(seen[0].sub_agent_id, 3u);
  EXPECT_EQ(seen[0].datagram_seqno, 42u);
  EXPECT_EQ(seen[0].sample_seqno, 7u);
  EXPECT_EQ(seen[0].source_id_index, 3u);
  EXPECT_EQ(seen[0].if_index, 3u);
  EXPECT_EQ(seen[0].if_speed, 1000000000u);
  EXPECT_EQ(seen[0].in_octets, 123456789012u);
  EXPECT_EQ(seen[0].out_octets, 987654321u);
  EXPECT_EQ(seen[0].in_ucast_pkts, 10u);
  EXPECT_EQ(seen[0].in_unknown_protos, 15u);
  EXPECT_EQ(seen[0].out_errors, 24u);
  EXPECT_EQ(seen[1].source_id_index, 4u);
  EXPECT_EQ(seen[1].in_octets, 1u);
  EXPECT_EQ(stat("collector.sflow.agent.192.0.2.77:3.counter_samples"), 3u);
  // A generic record shorter than 88 bytes is malformed.
  Bytes short_generic = tlv(1, Bytes(84, 0));
  Decoded bad = decode(v5_datagram(kAgent, 3, 43, 5000, {counter_sample(10, 3, {short_generic})}));
  EXPECT_EQ(bad.res.options_records, 0u);
  EXPECT_EQ(bad.res.decode_errors, 1u);
}

TEST_F(SflowDecoderTest, V4DatagramFlowAndCounterSamples) {
  std::vector<SflowCounters> seen;
  opt_.on_counters = [&seen](const SflowCounters& c) { seen.push_back(c); };
  dec_ = make_sflow_decoder(opt_, stats_);
  const std::vector<Bytes> all = all_vectors();
  Decoded r = decode(all[6]);  // v4: header + switch + gateway, then a counter sample
  EXPECT_EQ(r.res.decode_errors, 0u);
  EXPECT_EQ(r.res.options_records, 1u);
  ASSERT_EQ(r.recs.size(), 1u);
  const FlowRecord& f = r.recs[0];
  EXPECT_EQ(f.export_proto_version, 4);
  EXPECT_EQ(f.export_proto_seqno, 10u);
  EXPECT_EQ(f.export_proto_sysid, 0u);
  EXPECT_EQ(f.src_host, v4(10, 1, 1, 1));
  EXPECT_EQ(f.dst_port, 80);
  EXPECT_EQ(f.bytes, 104u);
  EXPECT_EQ(f.vlan, 10);
  EXPECT_EQ(f.cos, 1);
  EXPECT_EQ(f.out_vlan, 20);
  EXPECT_EQ(f.src_as, 65001u);
  EXPECT_EQ(f.peer_src_as, 65002u);
  EXPECT_EQ(f.peer_dst_as, 65010u);
  EXPECT_EQ(f.dst_as, 65020u);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].in_octets, 5000u);
  EXPECT_EQ(seen[0].out_octets, 6000u);
}

TEST_F(SflowDecoderTest, V2DatagramFlatAsPathAndRouter) {
  opt_.use_ip_next_hop = true;
  dec_ = make_sflow_decoder(opt_, stats_);
  Decoded r = decode(all_vectors()[7]);
  EXPECT_EQ(r.res.decode_errors, 0u);
  ASSERT_EQ(r.recs.size(), 1u);
  const FlowRecord& f = r.recs[0];
  EXPECT_EQ(f.export_proto_version, 2);
  EXPECT_EQ(f.mpls_label_top, 16001u);
  EXPECT_EQ(f.mpls_label_bottom, 24002u);
  EXPECT_EQ(f.peer_dst_as, 65010u);
  EXPECT_EQ(f.dst_as, 65030u);
  EXPECT_EQ(f.src_mask, 8);
  EXPECT_EQ(f.dst_mask, 24);
  EXPECT_EQ(f.peer_dst_ip, v4(10, 0, 0, 1));
}

TEST_F(SflowDecoderTest, V4OutputMultipleInterfaces) {
  FlowSampleSpec s;
  s.output = 0x80000002;
  Decoded r = decode(v4_datagram(4, kAgent, 1, 5000, {v4_flow_sample(s, 104, frame_ipv4_tcp(), {})}));
  ASSERT_EQ(r.recs.size(), 1u);
  EXPECT_EQ(r.recs[0].out_iface, 0u);
  EXPECT_EQ(r.recs[0].in_iface, 3u);
}

TEST_F(SflowDecoderTest, SequenceGapsPerAgentAndSubAgent) {
  FlowSampleSpec s;
  auto dg = [&](std::uint32_t sub, std::uint32_t seq, std::uint32_t uptime) {
    return v5_datagram(kAgent, sub, seq, uptime, {flow_sample(s, {header_record(1, 104, 4, frame_ipv4_tcp())})});
  };
  EXPECT_EQ(decode(dg(0, 1, 1000)).res.sequence_gaps, 0u);
  EXPECT_EQ(decode(dg(0, 2, 1001)).res.sequence_gaps, 0u);
  EXPECT_EQ(decode(dg(0, 5, 1002)).res.sequence_gaps, 2u);   // 3, 4 lost
  EXPECT_EQ(decode(dg(0, 5, 1002)).res.sequence_gaps, 0u);   // duplicate
  EXPECT_EQ(decode(dg(0, 4, 1002)).res.sequence_gaps, 0u);   // late
  EXPECT_EQ(decode(dg(0, 6, 1003)).res.sequence_gaps, 0u);   // continues after 5
  EXPECT_EQ(decode(dg(1, 100, 1003)).res.sequence_gaps, 0u);  // other sub agent: own series
  EXPECT_EQ(decode(dg(1, 103, 1004)).res.sequence_gaps, 2u);
  EXPECT_EQ(decode(dg(0, 1, 10)).res.sequence_gaps, 0u);     // restart: uptime went back
  EXPECT_EQ(decode(dg(0, 3, 11)).res.sequence_gaps, 1u);
  // Same agent behind another UDP source: its own series.
  EXPECT_EQ(decode(dg(0, 500, 11), v4(203, 0, 113, 9)).res.sequence_gaps, 0u);
  EXPECT_EQ(decode(dg(0, 0x7ffffff0, 12)).res.sequence_gaps, 0u);  // jump > kMaxSequenceGap: resync
  EXPECT_EQ(decode(dg(0, 0x7ffffff2, 13)).res.sequence_gaps, 1u);
  EXPECT_EQ(decode(dg(0, 3, 14)).res.sequence_gaps, 0u);  // far behind: late, ignored
  EXPECT_EQ(decode(dg(2, 0xfffffffe, 14)).res.sequence_gaps, 0u);
  EXPECT_EQ(decode(dg(2, 1, 15)).res.sequence_gaps, 2u);  // wraps: 0xffffffff and 0 lost
  EXPECT_EQ(stat("collector.sflow.agent.192.0.2.77:0.sequence_gaps"), 4u);
  EXPECT_EQ(stat("collector.sflow.agent.192.0.2.77:1.sequence_gaps"), 2u);
  EXPECT_EQ(stat("collector.sflow.agent.192.0.2.77:2.sequence_gaps"), 2u);
}

TEST_F(SflowDecoderTest, NonIpHeaderGivesNoRecordArpDoes) {
  FlowSampleSpec s;
  const Bytes lldp = tests::FrameBuilder().eth(kMacB, kMacA, 0x88cc).payload(40).build().bytes;
  const Bytes arp = tests::FrameBuilder().eth(kMacB, kMacA, 0x0806).payload(28).build().bytes;
  Decoded r = decode(v5_datagram(kAgent, 0, 1, 5000,
                             {flow_sample(s, {header_record(1, 64, 4, lldp)}), flow_sample(s, {header_record(1, 64, 4, arp)})}));
  EXPECT_EQ(r.res.decode_errors, 0u);
  ASSERT_EQ(r.recs.size(), 1u);
  EXPECT_EQ(r.recs[0].etype, 0x0806);
  EXPECT_EQ(r.recs[0].src_mac, kMacA);
  EXPECT_EQ(r.recs[0].bytes, 64u);
  EXPECT_EQ(stat("collector.sflow.non_ip_samples"), 1u);
}

TEST_F(SflowDecoderTest, UnknownSamplesAndRecordsAreSkipped) {
  FlowSampleSpec s;
  Decoded r = decode(v5_datagram(kAgent, 0, 1, 5000,
                             {tlv((4413u << 12) | 1, Bytes(12, 0xee)),  // enterprise sample
                              tlv(5, Bytes(16, 0)),                      // drop notification
                              flow_sample(s, {tlv((9u << 12) | 1, Bytes(8, 1)), tlv(1006, Bytes(20, 0)),
                                              header_record(1, 104, 4, frame_ipv4_tcp())})}));
  EXPECT_EQ(r.res.decode_errors, 0u);
  ASSERT_EQ(r.recs.size(), 1u);
  EXPECT_EQ(r.recs[0].dst_port, 80);
  EXPECT_EQ(stat("collector.sflow.unknown_samples"), 1u);
  EXPECT_EQ(stat("collector.sflow.dropped_samples"), 1u);
}

TEST_F(SflowDecoderTest, MalformedDatagramsAreCounted) {
  FlowSampleSpec s;
  const Bytes good = flow_sample(s, {header_record(1, 104, 4, frame_ipv4_tcp())});
  EXPECT_EQ(decode(Bytes{}).res.decode_errors, 1u);
  EXPECT_EQ(decode(Xdr().u32(9).u32(1).u32(0)).res.decode_errors, 1u);  // version 9
  // Agent address type 3.
  EXPECT_EQ(decode(Xdr().u32(5).u32(3).u32(0).u32(0).u32(1).u32(1).u32(1)).res.decode_errors, 1u);
  // Sample count 2^32-1 with one sample: one record, one error, no hang.
  Bytes many = v5_datagram(kAgent, 0, 1, 5000, {good});
  many[24] = many[25] = many[26] = many[27] = 0xff;
  Decoded r = decode(many);
  EXPECT_EQ(r.recs.size(), 1u);
  EXPECT_EQ(r.res.decode_errors, 1u);
  // A bad sample between two good ones: the others still decode (v5 framing).
  Bytes bad_record = flow_sample(s, {tlv(1, Xdr().u32(1).u32(104).u32(4).u32(5000))});  // header longer than record
  Decoded m = decode(v5_datagram(kAgent, 0, 2, 5000, {good, bad_record, good}));
  EXPECT_EQ(m.recs.size(), 2u);
  EXPECT_EQ(m.res.decode_errors, 1u);
  // Record length past its sample.
  Bytes overlong = good;
  overlong[8 + 32 + 7] = 0xff;  // low byte of the first record's length
  Decoded o = decode(v5_datagram(kAgent, 0, 3, 5000, {overlong}));
  EXPECT_EQ(o.recs.size(), 0u);
  EXPECT_EQ(o.res.decode_errors, 1u);
  // Router record with a mask > 128.
  Decoded k = decode(v5_datagram(kAgent, 0, 4, 5000, {flow_sample(s, {router_record({1, 2, 3, 4}, 200, 8)})}));
  EXPECT_EQ(k.recs.size(), 0u);
  EXPECT_EQ(k.res.decode_errors, 1u);
  EXPECT_EQ(stat("collector.sflow.agent.192.0.2.77:0.decode_errors"), 4u);
}

TEST_F(SflowDecoderTest, EveryTruncationIsCountedNeverCrashes) {
  std::size_t cuts = 0;
  for (const Bytes& full : all_vectors()) {
    const Decoded whole = decode(full);
    ASSERT_EQ(whole.res.decode_errors, 0u);
    for (std::size_t n = 0; n < full.size(); ++n) {
      Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
      cut.shrink_to_fit();  // ASan sees reads past the cut
      const Decoded r = decode(cut);
      EXPECT_EQ(r.res.decode_errors, 1u) << "cut at " << n << " of " << full.size();
      EXPECT_LE(r.recs.size(), whole.recs.size());
      EXPECT_LE(r.res.options_records, whole.res.options_records);
      ++cuts;
    }
  }
  EXPECT_GT(cuts, 2000u);
}

TEST_F(SflowDecoderTest, RandomCorruptionsNeverCrash) {
  std::uint64_t state = 0x9e3779b97f4a7c15ull;
  auto rnd = [&state]() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const std::vector<Bytes> all = all_vectors();
  std::uint64_t records = 0, errors = 0;
  for (int i = 0; i < 30000; ++i) {
    Bytes b = all[rnd() % all.size()];
    const int flips = 1 + static_cast<int>(rnd() % 4);
    for (int f = 0; f < flips; ++f) b[rnd() % b.size()] = static_cast<std::uint8_t>(rnd());
    const Decoded r = decode(b, v4(203, 0, 113, static_cast<std::uint8_t>(rnd())));
    EXPECT_LE(r.recs.size(), 4u);
    records += r.recs.size();
    errors += r.res.decode_errors;
  }
  // Both outcomes occur: corruptions in addresses/ports still decode, in
  // lengths and counts they are counted.
  EXPECT_GT(records, 1000u);
  EXPECT_GT(errors, 1000u);
}

TEST_F(SflowDecoderTest, AgentTableIsBounded) {
  opt_.max_agents = 2;
  dec_ = make_sflow_decoder(opt_, stats_);
  FlowSampleSpec s;
  for (std::uint8_t a = 1; a <= 4; ++a) {
    Decoded r = decode(v5_datagram({192, 0, 2, a}, 0, 1, 5000, {flow_sample(s, {header_record(1, 104, 4, frame_ipv4_tcp())})}));
    EXPECT_EQ(r.recs.size(), 1u);  // decoded all the same
  }
  EXPECT_EQ(stat("collector.sflow.untracked_agents"), 2u);
  EXPECT_EQ(stat("collector.sflow.agent.192.0.2.2:0.datagrams"), 1u);
  EXPECT_EQ(stat("collector.sflow.agent.192.0.2.3:0.datagrams"), 0u);
}

}  // namespace
}  // namespace xacct::collector
