// NetFlow v9 decoding against byte-exact vectors: templates, options
// templates (sampling), data, sequence gaps, data before its template.
#include <gtest/gtest.h>

#include "collector/netflow_decoder.hpp"
#include "tests/collector/nf_test_util.hpp"
#include "tests/collector/nf_vectors.hpp"

namespace xacct::collector {
namespace {

using tests::nf::datagram;
using tests::nf::v4;

constexpr std::int64_t kS = 1'000'000'000;

TEST(NfV9, TemplateOptionsAndData) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  const auto bytes = tests::nf::v9_full();
  ASSERT_EQ(bytes.size(), 268u);
  userspace::RecordBatch out;
  DecodeResult res = dec->decode(datagram(bytes, "192.0.2.254", 7), out);
  EXPECT_EQ(res.records, 2u);
  EXPECT_EQ(res.options_records, 1u);
  EXPECT_EQ(res.decode_errors, 0u);
  EXPECT_EQ(res.template_misses, 0u);
  EXPECT_EQ(dec->template_count(), 2u);
  ASSERT_EQ(out.size(), 2u);

  const auto& a = out[0];
  EXPECT_EQ(a.src_host, v4("10.0.0.1"));
  EXPECT_EQ(a.dst_host, v4("10.0.1.1"));
  EXPECT_EQ(a.src_port, 12345);
  EXPECT_EQ(a.dst_port, 80);
  EXPECT_EQ(a.proto, 6);
  EXPECT_EQ(a.tcp_flags, 0x1a);
  EXPECT_EQ(a.tos, 0);
  EXPECT_EQ(a.in_iface, 3u);
  EXPECT_EQ(a.out_iface, 7u);
  EXPECT_EQ(a.packets, 3u);
  EXPECT_EQ(a.bytes, 1500u);
  EXPECT_EQ(a.flows, 1u);
  EXPECT_EQ(a.first_ns, 1699999990 * kS);  // unix_secs - (sysUptime - first) / 1000
  EXPECT_EQ(a.last_ns, 1699999999 * kS);
  EXPECT_EQ(a.src_as, 65001u);
  EXPECT_EQ(a.dst_as, 65002u);
  EXPECT_EQ(a.src_mask, 24);
  EXPECT_EQ(a.dst_mask, 24);
  EXPECT_EQ(a.peer_dst_ip, v4("10.255.0.1"));
  EXPECT_EQ(a.mpls_label_top, 16001u);
  EXPECT_EQ(a.mpls_label_bottom, 16001u);
  EXPECT_EQ(a.mpls_stack_depth, 1);
  EXPECT_EQ(a.mpls_label_stack_len, 1);
  EXPECT_EQ(a.mpls_label_stack[0], 16001u);
  EXPECT_EQ(a.sampling_rate, 100u);  // sampler 1 from the options record
  EXPECT_EQ(a.fwd_status, 0x40);
  EXPECT_EQ(a.etype, 0x0800);
  EXPECT_EQ(a.peer_src_ip, v4("192.0.2.254"));
  EXPECT_EQ(a.arrival_ns, 7);
  EXPECT_EQ(a.export_ns, 1700000000 * kS);
  EXPECT_EQ(a.export_proto_version, 9);
  EXPECT_EQ(a.export_proto_seqno, 2u);
  EXPECT_EQ(a.export_proto_sysid, 4242u);

  const auto& b = out[1];
  EXPECT_EQ(b.src_host, v4("10.0.0.2"));
  EXPECT_EQ(b.dst_port, 5353);
  EXPECT_EQ(b.proto, 17);
  EXPECT_EQ(b.tos, 0xb8);
  EXPECT_EQ(b.packets, 10u);
  EXPECT_EQ(b.bytes, 1000u);
  EXPECT_EQ(b.first_ns, 1700000000 * kS);
  EXPECT_EQ(b.last_ns, 1700000000 * kS);
  EXPECT_EQ(b.src_mask, 16);
  EXPECT_EQ(b.dst_mask, 32);
  EXPECT_EQ(b.mpls_stack_depth, 0);  // all-zero label = none
  EXPECT_EQ(b.sampling_rate, 0u);    // sampler 2 never announced

  auto sm = dec->sampler(v4("192.0.2.254"), 9, 4242, 1);
  ASSERT_TRUE(sm.has_value());
  EXPECT_EQ(sm->interval, 100u);
  EXPECT_EQ(sm->algorithm, 2);
}

TEST(NfV9, SequenceGapsCountDatagrams) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  userspace::RecordBatch out;
  auto full = tests::nf::v9_full();
  auto later = tests::nf::v9_data_seq5();
  EXPECT_EQ(dec->decode(datagram(full), out).sequence_gaps, 0u);
  DecodeResult res = dec->decode(datagram(later), out);
  EXPECT_EQ(res.sequence_gaps, 2u);  // seq 3 and 4 lost
  EXPECT_EQ(res.records, 1u);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].export_proto_seqno, 5u);
  EXPECT_EQ(out[2].sampling_rate, 100u);  // options kept per exporter
}

TEST(NfV9, TemplatesArePerExporterAndSourceId) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  userspace::RecordBatch out;
  dec->decode(datagram(tests::nf::v9_full(), "192.0.2.1"), out);
  // Same source id, other exporter: template unknown there.
  DecodeResult res = dec->decode(datagram(tests::nf::v9_data_seq5(), "192.0.2.2"), out);
  EXPECT_EQ(res.records, 0u);
  EXPECT_EQ(res.template_misses, 1u);
  // Same exporter, other source id.
  auto other = tests::nf::v9_data_seq5();
  other[19] = 0x93;
  res = dec->decode(datagram(other, "192.0.2.1"), out);
  EXPECT_EQ(res.template_misses, 1u);
  EXPECT_EQ(out.size(), 2u);
}

TEST(NfV9, DataBeforeTemplateIsDecodedWhenTheTemplateArrives) {
  userspace::Stats stats;
  NetflowOptions o;
  o.pending_timeout_ns = 10 * kS;
  auto dec = make_netflow_decoder(o, stats);
  userspace::RecordBatch out;
  const std::int64_t t0 = 1'800'000'000 * kS;
  DecodeResult res = dec->decode(datagram(tests::nf::v9_data_seq5(), "192.0.2.1", t0), out);
  EXPECT_EQ(res.records, 0u);
  EXPECT_EQ(res.template_misses, 1u);
  EXPECT_TRUE(out.empty());
  res = dec->decode(datagram(tests::nf::v9_full(), "192.0.2.1", t0 + 1 * kS), out);
  EXPECT_EQ(res.records, 3u);  // 1 buffered + 2 of this datagram
  ASSERT_EQ(out.size(), 3u);
  // The buffered record comes after the datagram's own ones (decoded once
  // the whole message, options included, is read) and keeps its own header
  // (seq 5) and arrival time.
  EXPECT_EQ(out[0].export_proto_seqno, 2u);
  EXPECT_EQ(out[2].export_proto_seqno, 5u);
  EXPECT_EQ(out[2].arrival_ns, t0);
  EXPECT_EQ(out[2].bytes, 1500u);
  EXPECT_EQ(out[2].sampling_rate, 100u);  // the options of the template's datagram apply
  EXPECT_EQ(stats.counter("collector.netflow.pending_buffered").value(), 1u);
  EXPECT_EQ(stats.counter("collector.netflow.pending_decoded").value(), 1u);
  EXPECT_EQ(stats.counter("collector.netflow.pending_expired").value(), 0u);
}

TEST(NfV9, BufferedDataExpires) {
  userspace::Stats stats;
  NetflowOptions o;
  o.pending_timeout_ns = 2 * kS;
  auto dec = make_netflow_decoder(o, stats);
  userspace::RecordBatch out;
  const std::int64_t t0 = 1'800'000'000 * kS;
  dec->decode(datagram(tests::nf::v9_data_seq5(), "192.0.2.1", t0), out);
  DecodeResult res = dec->decode(datagram(tests::nf::v9_full(), "192.0.2.1", t0 + 3 * kS), out);
  EXPECT_EQ(res.records, 2u);
  EXPECT_EQ(stats.counter("collector.netflow.pending_expired").value(), 1u);
  EXPECT_EQ(stats.counter("collector.netflow.pending_decoded").value(), 0u);
}

TEST(NfV9, BufferIsBoundedInBytes) {
  userspace::Stats stats;
  NetflowOptions o;
  // two 54-byte sets fit (with their bookkeeping), the third pushes out the first
  o.pending_max_bytes = 2 * (54 + kNetflowPendingSetOverhead) + 10;
  auto dec = make_netflow_decoder(o, stats);
  userspace::RecordBatch out;
  for (int i = 0; i < 3; ++i) dec->decode(datagram(tests::nf::v9_data_seq5()), out);
  EXPECT_EQ(stats.counter("collector.netflow.pending_buffered").value(), 3u);
  EXPECT_EQ(stats.counter("collector.netflow.pending_dropped").value(), 1u);
  DecodeResult res = dec->decode(datagram(tests::nf::v9_full()), out);
  EXPECT_EQ(res.records, 2u + 2u);
  EXPECT_EQ(stats.counter("collector.netflow.pending_decoded").value(), 2u);
}

TEST(NfV9, InterfaceNamesDefaultSamplingAndExporterFromOptions) {
  tests::nf::Writer w;
  w.u16(9).u16(5).u32(100000).u32(1700000000).u32(1).u32(7);
  auto t = w.begin_set(1);
  w.u16(260).u16(4).u16(4).u16(2).u16(4).u16(82).u16(16);  // scope interface; name
  w.u16(261).u16(4).u16(12).u16(1).u16(4).u16(34).u16(4).u16(35).u16(1).u16(130).u16(4).u16(0).u16(0);
  w.end_set(t, 4);
  auto o1 = w.begin_set(260);
  w.u32(5).str("xe-0/0/5").bytes(std::vector<std::uint8_t>(8, 0));
  w.end_set(o1, 4);
  auto o2 = w.begin_set(261);
  w.u32(0).u32(512).u8(2).ip4("203.0.113.1");
  w.end_set(o2, 4);
  auto dt = w.begin_set(0);
  w.u16(262).u16(2).u16(1).u16(4).u16(10).u16(2);
  w.end_set(dt);
  auto d = w.begin_set(262);
  w.u32(1000).u16(5);
  w.end_set(d, 4);
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  userspace::RecordBatch out;
  DecodeResult res = dec->decode(datagram(w.data(), "192.0.2.50"), out);
  EXPECT_EQ(res.decode_errors, 0u);
  EXPECT_EQ(res.options_records, 2u);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].sampling_rate, 512u);  // no sampler id: the exporter's default
  EXPECT_EQ(out[0].peer_src_ip,
            v4("203.0.113.1"));  // system-scoped IE 130 used (pmacct 1.7.7 bug not copied)
  EXPECT_EQ(out[0].in_iface, 5u);
  EXPECT_EQ(dec->interface_name(v4("192.0.2.50"), 9, 7, 5), std::optional<std::string>("xe-0/0/5"));
  auto sm = dec->sampler(v4("192.0.2.50"), 9, 7, 0, true);
  ASSERT_TRUE(sm.has_value());
  EXPECT_EQ(sm->interval, 512u);
  EXPECT_EQ(sm->algorithm, 2);
}

TEST(NfV9, TrailingZeroPaddingIsNotAnError) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  auto bytes = tests::nf::v9_full();
  bytes.insert(bytes.end(), 6, 0);
  userspace::RecordBatch out;
  DecodeResult res = dec->decode(datagram(bytes), out);
  EXPECT_EQ(res.records, 2u);
  EXPECT_EQ(res.decode_errors, 0u);
}

}  // namespace
}  // namespace xacct::collector
