// Header samples of the eBPF datapath become FlowRecords through the libpcap
// input's decoder (probe/sample_record.hpp): labels, MACs, cos and VLAN from
// the frame, the sample's metadata on top, counters scaled by the weight.
#include "probe/sample_record.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "tests/bpf/frame_builder.hpp"

namespace xacct::probe {
namespace {

using tests::Bytes;
using tests::FrameBuilder;
using tests::Ipv4Header;
using userspace::Direction;
using userspace::FlowRecord;
using userspace::RecordFeed;

constexpr tests::Mac kDst{0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
constexpr tests::Mac kSrc{0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
constexpr std::int64_t kOffset = 1'700'000'000'000'000'000;

xacct_sample make_sample(const Bytes& frame, std::uint32_t weight = 1, std::uint32_t n = 1) {
  xacct_sample s{};
  s.ts_ns = 5'000'000'000;
  s.obs_id = 3;
  s.direction = XACCT_DIR_IN;
  s.cap_len = static_cast<std::uint16_t>(std::min<std::size_t>(frame.size(), XACCT_SAMPLE_MAX));
  s.wire_len = static_cast<std::uint32_t>(frame.size());
  s.gso_segs = 1;
  s.sampling_n = n;
  s.sample_pool = 1234;
  s.weight = weight;
  std::memcpy(s.data, frame.data(), s.cap_len);
  return s;
}

// Ethernet, MPLS 16001 / 24002, IPv4 UDP with 100 payload bytes.
Bytes mpls_udp_frame() {
  Ipv4Header ip;
  ip.proto = 17;
  ip.tos = 0x20;
  return FrameBuilder()
      .eth(kDst, kSrc, 0x8847)
      .mpls(16001, false, 5)
      .mpls(24002, true)
      .ipv4(ip)
      .udp(40010, 5010)
      .payload(100)
      .build()
      .bytes;
}

const ObsPoint kPoint{3, 7, "veth0"};

TEST(SampleRecord, MplsLabelsMacsAndSampleMetadata) {
  Bytes frame = mpls_udp_frame();
  xacct_sample s = make_sample(frame, 1, 1);
  xacct_pkt pkt{};
  FlowRecord r;
  ASSERT_EQ(sample_to_record(s, sizeof s, kPoint, kOffset, pkt, r), SampleDecode::kRecord);
  EXPECT_EQ(r.mpls_label_top, 16001u);
  EXPECT_EQ(r.mpls_label_bottom, 24002u);
  EXPECT_EQ(r.mpls_stack_depth, 2);
  EXPECT_EQ(r.mpls_label_stack_len, 2);
  EXPECT_EQ(r.mpls_label_stack[0], 16001u);
  EXPECT_EQ(r.mpls_label_stack[1], 24002u);
  EXPECT_TRUE(std::equal(kSrc.begin(), kSrc.end(), r.src_mac.begin()));
  EXPECT_TRUE(std::equal(kDst.begin(), kDst.end(), r.dst_mac.begin()));
  EXPECT_EQ(r.etype, 0x0800);
  EXPECT_EQ(r.src_port, 40010);
  EXPECT_EQ(r.dst_port, 5010);
  EXPECT_EQ(r.proto, 17);
  EXPECT_EQ(r.tos, 0x20);
  EXPECT_EQ(r.direction, Direction::kIn);
  EXPECT_EQ(r.in_iface, 7u);
  EXPECT_EQ(r.out_iface, 0u);
  EXPECT_EQ(r.obs_id, 3u);
  EXPECT_EQ(r.sampling_rate, 1u);
  EXPECT_EQ(r.feed, RecordFeed::kEbpfSample);
  EXPECT_EQ(r.flows, 0u);
  EXPECT_EQ(r.packets, 1u);
  EXPECT_EQ(r.bytes, 20u + 8 + 100);  // IP total length
  EXPECT_EQ(r.first_ns, kOffset + 5'000'000'000);
  EXPECT_EQ(r.last_ns, r.first_ns);
}

TEST(SampleRecord, WeightScalesCountersAndRateIsCarried) {
  Bytes frame = mpls_udp_frame();
  xacct_sample s = make_sample(frame, 3, 100);
  s.direction = XACCT_DIR_OUT;
  xacct_pkt pkt{};
  FlowRecord r;
  ASSERT_EQ(sample_to_record(s, sizeof s, kPoint, 0, pkt, r), SampleDecode::kRecord);
  EXPECT_EQ(r.packets, 3u);
  EXPECT_EQ(r.bytes, 3u * 128);
  EXPECT_EQ(r.sampling_rate, 100u);
  EXPECT_EQ(r.direction, Direction::kOut);
  EXPECT_EQ(r.out_iface, 7u);
  EXPECT_EQ(r.in_iface, 0u);
}

TEST(SampleRecord, GsoSampleCountsOneWirePacket) {
  // A 10-segment TCP skb: 20 + 20 header bytes per segment, 14000 payload.
  Ipv4Header ip;
  ip.proto = 6;
  Bytes frame = FrameBuilder().eth(kDst, kSrc, 0x0800).ipv4(ip).tcp(1, 2, 0x10).payload(14000).build().bytes;
  xacct_sample s = make_sample(frame, 1, 64);
  s.gso_segs = 10;
  xacct_pkt pkt{};
  FlowRecord r;
  ASSERT_EQ(sample_to_record(s, sizeof s, kPoint, 0, pkt, r), SampleDecode::kRecord);
  EXPECT_EQ(r.packets, 1u);
  // All segments: 14000 + 10 * 40 bytes of L3; one of them: a tenth.
  EXPECT_EQ(r.bytes, (14000u + 10 * 40) / 10);
}

TEST(SampleRecord, OffloadedTagIsTheOuterVlanAndCos) {
  Bytes frame = mpls_udp_frame();
  xacct_sample s = make_sample(frame);
  s.vlan_tci = XACCT_SAMPLE_VLAN_PRESENT | (5u << 13) | 100u;
  xacct_pkt pkt{};
  FlowRecord r;
  ASSERT_EQ(sample_to_record(s, sizeof s, kPoint, 0, pkt, r), SampleDecode::kRecord);
  EXPECT_EQ(r.vlan, 100);
  EXPECT_EQ(r.cos, 5);

  // In-band tag, no offload: the parser's outer tag.
  Ipv4Header ip;
  ip.proto = 17;
  Bytes tagged = FrameBuilder().eth(kDst, kSrc, 0x8100).vlan(200, 3, 0x0800).ipv4(ip).udp(1, 2).build().bytes;
  s = make_sample(tagged);
  FlowRecord r2;
  ASSERT_EQ(sample_to_record(s, sizeof s, kPoint, 0, pkt, r2), SampleDecode::kRecord);
  EXPECT_EQ(r2.vlan, 200);
  EXPECT_EQ(r2.cos, 3);
}

TEST(SampleRecord, NonIpAndBadSamplesGiveNoRecord) {
  Bytes arp = FrameBuilder().eth(kDst, kSrc, 0x0806).payload(28).build().bytes;
  xacct_sample s = make_sample(arp);
  xacct_pkt pkt{};
  FlowRecord r;
  EXPECT_EQ(sample_to_record(s, sizeof s, kPoint, 0, pkt, r), SampleDecode::kNotIp);

  s = make_sample(mpls_udp_frame());
  FlowRecord r2;
  EXPECT_EQ(sample_to_record(s, sizeof s - 1, kPoint, 0, pkt, r2), SampleDecode::kBad);
  s.cap_len = XACCT_SAMPLE_MAX + 1;
  EXPECT_EQ(sample_to_record(s, sizeof s, kPoint, 0, pkt, r2), SampleDecode::kBad);
  s = make_sample(mpls_udp_frame(), 0);
  EXPECT_EQ(sample_to_record(s, sizeof s, kPoint, 0, pkt, r2), SampleDecode::kBad);

  // Cut inside the IP header (snaplen 20 of an MPLS frame): nothing to count by.
  s = make_sample(mpls_udp_frame());
  s.cap_len = 30;
  EXPECT_EQ(sample_to_record(s, sizeof s, kPoint, 0, pkt, r2), SampleDecode::kNotIp);
}

}  // namespace
}  // namespace xacct::probe
