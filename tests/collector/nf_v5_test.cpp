// NetFlow v5 decoding against a byte-exact vector (tests/collector/nf_vectors.hpp).
#include <gtest/gtest.h>

#include "collector/netflow_decoder.hpp"
#include "tests/collector/nf_test_util.hpp"
#include "tests/collector/nf_vectors.hpp"

namespace xacct::collector {
namespace {

using tests::nf::datagram;
using tests::nf::v4;

constexpr std::int64_t kS = 1'000'000'000;
constexpr std::int64_t kMs = 1'000'000;

TEST(NfV5, DecodesEveryField) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  const auto bytes = tests::nf::v5_two_records();
  ASSERT_EQ(bytes.size(), 24u + 2 * 48u);
  userspace::RecordBatch out;
  DecodeResult res = dec->decode(datagram(bytes, "192.0.2.254", 42), out);
  EXPECT_EQ(res.records, 2u);
  EXPECT_EQ(res.decode_errors, 0u);
  EXPECT_EQ(res.sequence_gaps, 0u);
  ASSERT_EQ(out.size(), 2u);

  const auto& a = out[0];
  EXPECT_EQ(a.src_host, v4("10.0.0.1"));
  EXPECT_EQ(a.dst_host, v4("10.0.1.1"));
  EXPECT_EQ(a.peer_dst_ip, userspace::IpAddress{});  // nexthop only with use_ip_next_hop
  EXPECT_EQ(a.in_iface, 3u);
  EXPECT_EQ(a.out_iface, 7u);
  EXPECT_EQ(a.packets, 3u);
  EXPECT_EQ(a.bytes, 1500u);
  EXPECT_EQ(a.flows, 1u);
  // export 1700000000.5 s, sysUptime 100000: first 10 s and last 1 s earlier
  EXPECT_EQ(a.first_ns, 1699999990 * kS + 500 * kMs);
  EXPECT_EQ(a.last_ns, 1699999999 * kS + 500 * kMs);
  EXPECT_EQ(a.src_port, 12345);
  EXPECT_EQ(a.dst_port, 80);
  EXPECT_EQ(a.tcp_flags, 0x1a);
  EXPECT_EQ(a.proto, 6);
  EXPECT_EQ(a.tos, 0);
  EXPECT_EQ(a.src_as, 65001u);
  EXPECT_EQ(a.dst_as, 65002u);
  EXPECT_EQ(a.src_mask, 24);
  EXPECT_EQ(a.dst_mask, 24);
  EXPECT_EQ(a.etype, 0x0800);
  EXPECT_EQ(a.sampling_rate, 100u);
  EXPECT_EQ(a.peer_src_ip, v4("192.0.2.254"));
  EXPECT_EQ(a.arrival_ns, 42);
  EXPECT_EQ(a.export_ns, 1700000000 * kS + 500 * kMs);
  EXPECT_EQ(a.export_proto_version, 5);
  EXPECT_EQ(a.export_proto_seqno, 1000u);
  EXPECT_EQ(a.export_proto_sysid, 7u);

  const auto& b = out[1];
  EXPECT_EQ(b.src_host, v4("192.0.2.1"));
  EXPECT_EQ(b.dst_host, v4("198.51.100.1"));
  EXPECT_EQ(b.proto, 1);
  EXPECT_EQ(b.src_port, 0);
  EXPECT_EQ(b.dst_port, 0x0800);  // ICMP type 8 code 0
  EXPECT_EQ(b.tcp_flags, 0);      // not TCP
  EXPECT_EQ(b.tos, 0x10);
  EXPECT_EQ(b.packets, 1u);
  EXPECT_EQ(b.bytes, 84u);
  // first = 0xffffff00 before a wrap to 100000: 100256 ms old, no underflow
  EXPECT_EQ(b.first_ns, 1700000000 * kS + 500 * kMs - 100256 * kMs);
  // last = 100500 > sysUptime 100000: 500 ms after the export time
  EXPECT_EQ(b.last_ns, 1700000001 * kS);
}

TEST(NfV5, NextHopWithUseIpNextHop) {
  userspace::Stats stats;
  NetflowOptions o;
  o.use_ip_next_hop = true;
  auto dec = make_netflow_decoder(o, stats);
  const auto bytes = tests::nf::v5_two_records();
  userspace::RecordBatch out;
  dec->decode(datagram(bytes), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].peer_dst_ip, v4("10.255.0.1"));
}

TEST(NfV5, SequenceGapsCountLostRecords) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  auto bytes = tests::nf::v5_two_records();
  userspace::RecordBatch out;
  EXPECT_EQ(dec->decode(datagram(bytes), out).sequence_gaps, 0u);
  // next expected: 1002. Send 1010: 8 records lost.
  bytes[19] = 0xf2;  // 0x3f2 = 1010
  EXPECT_EQ(dec->decode(datagram(bytes), out).sequence_gaps, 8u);
  // backwards (reordered / restarted exporter): resync, not counted
  bytes[19] = 0x00;  // 0x300 = 768
  EXPECT_EQ(dec->decode(datagram(bytes), out).sequence_gaps, 0u);
  bytes[18] = 0x03;
  bytes[19] = 0x02;  // 770 = 768 + 2: in order
  EXPECT_EQ(dec->decode(datagram(bytes), out).sequence_gaps, 0u);
  // A different engine id is another domain with its own sequence.
  bytes[21] = 9;
  bytes[19] = 0x77;
  EXPECT_EQ(dec->decode(datagram(bytes), out).sequence_gaps, 0u);
  EXPECT_EQ(out.back().export_proto_sysid, 9u);
}

TEST(NfV5, SysUptimeWrapBothWays) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  auto bytes = tests::nf::v5_two_records();
  // sysUptime 5 ms (just wrapped), first 0xfffffff0 (21 ms old), last 0 (5 ms old)
  bytes[4] = bytes[5] = bytes[6] = 0;
  bytes[7] = 5;
  const std::size_t r = 24;
  for (int i = 0; i < 4; ++i) bytes[r + 24 + i] = 0xff;
  bytes[r + 27] = 0xf0;
  for (int i = 0; i < 4; ++i) bytes[r + 28 + i] = 0;
  userspace::RecordBatch out;
  dec->decode(datagram(bytes), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].first_ns, 1700000000 * kS + 500 * kMs - 21 * kMs);
  EXPECT_EQ(out[0].last_ns, 1700000000 * kS + 500 * kMs - 5 * kMs);
}

TEST(NfV5, ExportTimeZeroGivesUnknownNotNegative) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  auto bytes = tests::nf::v5_two_records();
  for (int i = 8; i < 16; ++i) bytes[i] = 0;  // unix_secs = unix_nsecs = 0
  userspace::RecordBatch out;
  dec->decode(datagram(bytes), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].first_ns, 0);
  EXPECT_EQ(out[1].last_ns, 500 * kMs);
}

TEST(NfV5, TimeSecsCountsUptimeInSeconds) {
  userspace::Stats stats;
  NetflowOptions o;
  o.time_secs = true;  // nfacctd_time_secs
  auto dec = make_netflow_decoder(o, stats);
  userspace::RecordBatch out;
  dec->decode(datagram(tests::nf::v5_two_records()), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].first_ns, 1700000000 * kS + 500 * kMs - 10000 * kS);  // 100000 - 90000 seconds
  EXPECT_EQ(out[0].last_ns, 1700000000 * kS + 500 * kMs - 1000 * kS);
}

TEST(NfV5, CountBeyondDatagramIsDropped) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  auto bytes = tests::nf::v5_two_records();
  bytes[3] = 3;  // 3 records announced, 2 present
  userspace::RecordBatch out;
  DecodeResult res = dec->decode(datagram(bytes), out);
  EXPECT_EQ(res.records, 0u);
  EXPECT_EQ(res.decode_errors, 1u);
  EXPECT_TRUE(out.empty());
  // count 1 with 2 present: the extra bytes are ignored
  bytes[3] = 1;
  res = dec->decode(datagram(bytes), out);
  EXPECT_EQ(res.records, 1u);
  EXPECT_EQ(res.decode_errors, 0u);
}

}  // namespace
}  // namespace xacct::collector
