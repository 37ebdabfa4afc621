// Drained datapath entries -> FlowRecord, per the contract in TEAM.md.
#include "probe/flow_convert.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace xacct::probe {
namespace {

using userspace::Direction;

xacct_flow_key v4_key(std::uint8_t proto, std::uint16_t sport, std::uint16_t dport) {
  xacct_flow_key k;
  std::memset(&k, 0, sizeof(k));
  const std::uint8_t src[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 18, 0, 1};
  const std::uint8_t dst[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 18, 0, 2};
  std::memcpy(k.src_addr, src, 16);
  std::memcpy(k.dst_addr, dst, 16);
  k.proto = proto;
  k.src_port = sport;
  k.dst_port = dport;
  k.obs_id = 3;
  return k;
}

xacct_flow_value value(std::uint64_t packets, std::uint64_t bytes) {
  xacct_flow_value v;
  std::memset(&v, 0, sizeof(v));
  v.packets = packets;
  v.bytes = bytes;
  v.first_ns = 1000;
  v.last_ns = 5000;
  v.tcp_flags = 0x1b;
  return v;
}

const ObsPoint kPoint{3, 42, "eth0"};

TEST(FlowConvert, TcpIngressCarriesPortsFlagsAndInIface) {
  xacct_flow_key k = v4_key(6, 40000, 443);
  k.dscp_tos = 0xb8;
  k.vlan = 100;
  auto r = to_flow_record(k, value(7, 1234), kPoint, 1'700'000'000'000'000'000);
  EXPECT_EQ(r.direction, Direction::kIn);
  EXPECT_EQ(r.in_iface, 42u);
  EXPECT_EQ(r.out_iface, 0u);
  EXPECT_EQ(r.obs_id, 3u);
  EXPECT_EQ(r.src_port, 40000);
  EXPECT_EQ(r.dst_port, 443);
  EXPECT_EQ(r.proto, 6);
  EXPECT_EQ(r.tos, 0xb8);
  EXPECT_EQ(r.vlan, 100);
  EXPECT_EQ(r.tcp_flags, 0x1b);
  EXPECT_EQ(r.etype, 0x0800);
  EXPECT_FALSE(r.src_host.is_v6);
  EXPECT_EQ(r.src_host.bytes[12], 198);
  EXPECT_EQ(r.dst_host.bytes[15], 2);
  EXPECT_EQ(r.packets, 7u);
  EXPECT_EQ(r.bytes, 1234u);
  EXPECT_EQ(r.flows, 1u);
  // Exact eBPF flows: only the plugins that do not take header samples.
  EXPECT_EQ(r.feed, userspace::RecordFeed::kEbpfFlow);
  EXPECT_EQ(r.first_ns, 1'700'000'000'000'001'000);
  EXPECT_EQ(r.last_ns, 1'700'000'000'000'005'000);
  EXPECT_FALSE(r.overflow);
}

TEST(FlowConvert, EgressSetsOutIface) {
  xacct_flow_key k = v4_key(17, 1, 2);
  k.flags = XACCT_KF_DIR_OUT;
  auto r = to_flow_record(k, value(1, 100), kPoint, 0);
  EXPECT_EQ(r.direction, Direction::kOut);
  EXPECT_EQ(r.out_iface, 42u);
  EXPECT_EQ(r.in_iface, 0u);
}

TEST(FlowConvert, IcmpHasNoPorts) {
  xacct_flow_key k = v4_key(1, 0, 8 << 8);  // echo request in dst_port
  auto r = to_flow_record(k, value(5, 420), kPoint, 0);
  EXPECT_EQ(r.src_port, 0);
  EXPECT_EQ(r.dst_port, 0);
  EXPECT_EQ(r.proto, 1);
}

TEST(FlowConvert, Ipv6) {
  xacct_flow_key k = v4_key(132, 5000, 6000);
  k.src_addr[0] = 0x20;
  k.src_addr[1] = 0x01;
  k.flags = XACCT_KF_IPV6;
  auto r = to_flow_record(k, value(1, 60), kPoint, 0);
  EXPECT_TRUE(r.src_host.is_v6);
  EXPECT_TRUE(r.dst_host.is_v6);
  EXPECT_EQ(r.etype, 0x86dd);
  EXPECT_EQ(r.src_port, 5000);  // SCTP has ports
}

TEST(FlowConvert, NonIpCarriesEthertypeOnly) {
  xacct_flow_key k;
  std::memset(&k, 0, sizeof(k));
  k.flags = XACCT_KF_NONIP;
  k.dst_port = 0x0806;
  auto r = to_flow_record(k, value(2, 56), kPoint, 0);
  EXPECT_EQ(r.etype, 0x0806);
  EXPECT_EQ(r.dst_port, 0);
  EXPECT_EQ(r.proto, 0);
  EXPECT_EQ(r.packets, 2u);
  EXPECT_EQ(r.bytes, 56u);
}

TEST(FlowConvert, OverflowRecordHasOnlyIfaceAndCounters) {
  auto r = overflow_record(kPoint, XACCT_DIR_OUT, 2808, 359424);
  EXPECT_TRUE(r.overflow);
  EXPECT_EQ(r.direction, Direction::kOut);
  EXPECT_EQ(r.out_iface, 42u);
  EXPECT_EQ(r.packets, 2808u);
  EXPECT_EQ(r.bytes, 359424u);
  EXPECT_EQ(r.flows, 0u);
  EXPECT_EQ(r.feed, userspace::RecordFeed::kEbpfFlow);
  EXPECT_EQ(r.proto, 0);
  EXPECT_EQ(r.src_host, userspace::IpAddress{});
}

}  // namespace
}  // namespace xacct::probe
