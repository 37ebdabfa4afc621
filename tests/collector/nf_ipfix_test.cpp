// IPFIX decoding: enterprise and variable-length fields, reduced-size
// encoding, NTP times, options (sampling, interface names, exporter
// address, system init time), frame sections through the packet parser,
// withdrawal, data before template.
#include <gtest/gtest.h>

#include "collector/netflow_decoder.hpp"
#include "tests/collector/nf_test_util.hpp"
#include "tests/collector/nf_vectors.hpp"

namespace xacct::collector {
namespace {

using tests::nf::datagram;
using tests::nf::IpfixWriter;
using tests::nf::v4;
using tests::nf::v6;

constexpr std::int64_t kS = 1'000'000'000;
constexpr std::int64_t kMs = 1'000'000;
constexpr userspace::MacAddress kMac1{2, 0, 0, 0, 0, 1};
constexpr userspace::MacAddress kMac2{2, 0, 0, 0, 0, 2};

TEST(NfIpfix, TemplatesEnterpriseAndVariableLengthFields) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  const auto bytes = tests::nf::ipfix_basic();
  userspace::RecordBatch out;
  DecodeResult res = dec->decode(datagram(bytes, "192.0.2.9", 5), out);
  EXPECT_EQ(res.records, 3u);
  EXPECT_EQ(res.decode_errors, 0u);
  ASSERT_EQ(out.size(), 3u);

  const auto& a = out[0];
  EXPECT_EQ(a.src_host, v4("198.18.1.1"));
  EXPECT_EQ(a.dst_host, v4("198.18.2.1"));
  EXPECT_EQ(a.src_port, 40001);
  EXPECT_EQ(a.dst_port, 5001);
  EXPECT_EQ(a.proto, 17);
  EXPECT_EQ(a.bytes, 1280u);
  EXPECT_EQ(a.packets, 10u);
  EXPECT_EQ(a.first_ns, 1699999990123 * kMs);
  EXPECT_EQ(a.last_ns, 1700000000123 * kMs);
  EXPECT_EQ(a.src_mac, kMac1);
  EXPECT_EQ(a.dst_mac, kMac2);
  EXPECT_EQ(a.vlan, 100);
  EXPECT_EQ(a.out_vlan, 200);
  EXPECT_EQ(a.tag, 42u);
  EXPECT_EQ(a.etype, 0x0800);
  EXPECT_EQ(a.export_proto_version, 10);
  EXPECT_EQ(a.export_proto_sysid, 77u);
  EXPECT_EQ(a.export_proto_seqno, 0u);
  EXPECT_EQ(a.export_ns, 1700000000 * kS);
  EXPECT_EQ(a.peer_src_ip, v4("192.0.2.9"));

  EXPECT_EQ(out[1].dst_port, 80);
  EXPECT_EQ(out[1].bytes, 5320u);
  EXPECT_EQ(out[1].packets, 8u);
  EXPECT_EQ(out[1].tag, 0u);

  const auto& c = out[2];
  EXPECT_EQ(c.src_host, v6("2001:db8:1::1"));
  EXPECT_EQ(c.dst_host, v6("2001:db8:2::1"));
  EXPECT_EQ(c.proto, 17);
  EXPECT_EQ(c.bytes, 992u);  // 2-byte octetDeltaCount (reduced size)
  EXPECT_EQ(c.packets, 4u);  // 1-byte packetDeltaCount
  EXPECT_EQ(c.first_ns, 1700000000 * kS + 500 * kMs);
  EXPECT_EQ(c.last_ns, 1700000001 * kS);
  EXPECT_EQ(c.direction, userspace::Direction::kOut);
  EXPECT_EQ(c.vlan, 300);
  EXPECT_EQ(c.out_vlan, 301);
  EXPECT_EQ(c.etype, 0x86dd);
}

TEST(NfIpfix, OptionsSamplingInterfaceNamesExporterAndInitTime) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  userspace::RecordBatch out;
  EXPECT_EQ(dec->decode(datagram(tests::nf::ipfix_basic()), out).records, 3u);
  out.clear();
  DecodeResult res = dec->decode(datagram(tests::nf::ipfix_options()), out);
  EXPECT_EQ(res.options_records, 4u);
  EXPECT_EQ(res.records, 1u);
  EXPECT_EQ(res.decode_errors, 0u);
  EXPECT_EQ(res.sequence_gaps, 0u);  // seq 3 follows 3 records
  ASSERT_EQ(out.size(), 1u);
  const auto& r = out[0];
  EXPECT_EQ(r.sampling_rate, 100u);                     // selector 5: (1 + 99) / 1
  EXPECT_EQ(r.peer_src_ip, v4("203.0.113.9"));          // IE 130 from options
  EXPECT_EQ(r.first_ns, (1699990000000 + 5000) * kMs);  // systemInitTime + flowStartSysUpTime
  EXPECT_EQ(r.last_ns, (1699990000000 + 9000) * kMs);
  EXPECT_EQ(r.in_iface, 3u);
  EXPECT_EQ(r.bytes, 252u);
  EXPECT_EQ(r.packets, 3u);

  const auto ex = v4("192.0.2.1");
  EXPECT_EQ(dec->interface_name(ex, 10, 77, 3), std::optional<std::string>("eth3"));
  EXPECT_EQ(dec->interface_name(ex, 10, 77, 4), std::optional<std::string>("ge-0/0/4"));
  EXPECT_EQ(dec->interface_name(ex, 10, 77, 5), std::nullopt);
  auto sm = dec->sampler(ex, 10, 77, 5);
  ASSERT_TRUE(sm.has_value());
  EXPECT_EQ(sm->interval, 100u);
  EXPECT_EQ(sm->algorithm, 1);

  // The next message: 5 records (4 options + 1 data) after seq 3.
  IpfixWriter w(tests::nf::kIpfixExport, 10, 77);
  res = dec->decode(datagram(w.finish()), out);
  EXPECT_EQ(res.sequence_gaps, 2u);
}

TEST(NfIpfix, FrameSectionThroughThePacketParser) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  userspace::RecordBatch out;
  DecodeResult res = dec->decode(datagram(tests::nf::ipfix_frame()), out);
  EXPECT_EQ(res.records, 1u);
  EXPECT_EQ(res.decode_errors, 0u);
  ASSERT_EQ(out.size(), 1u);
  const auto& r = out[0];
  EXPECT_EQ(r.in_iface, 7u);
  EXPECT_EQ(r.src_mac, kMac1);
  EXPECT_EQ(r.dst_mac, kMac2);
  EXPECT_EQ(r.vlan, 100);
  EXPECT_EQ(r.cos, 5);
  EXPECT_EQ(r.etype, 0x0800);
  EXPECT_EQ(r.src_host, v4("198.18.1.1"));
  EXPECT_EQ(r.dst_host, v4("198.18.2.1"));
  EXPECT_EQ(r.src_port, 1234);
  EXPECT_EQ(r.dst_port, 53);
  EXPECT_EQ(r.proto, 17);
  EXPECT_EQ(r.packets, 1u);
  EXPECT_EQ(r.bytes, 48u);  // IP total length
}

TEST(NfIpfix, FrameSectionWithMplsStack) {
  tests::nf::Writer f;
  f.bytes(tests::nf::from_hex("020000000002 020000000001 8847"));
  f.u32(100u << 12 | 0x40).u32(200u << 12 | 0x40).u32(300u << 12 | 0x140);  // 100, 200, 300 (BoS)
  f.bytes(tests::nf::from_hex("4500 001c 0001 0000 40 11 0000")).ip4("198.18.1.1").ip4("198.18.2.1");
  f.u16(1).u16(2).u16(8).u16(0);
  IpfixWriter w(tests::nf::kIpfixExport, 0, 79);
  auto t = w.begin_set(2);
  w.u16(311).u16(1).u16(315).u16(static_cast<std::uint16_t>(f.size()));  // fixed length this time
  w.end_set(t);
  auto d = w.begin_set(311);
  w.bytes(f.data());
  w.end_set(d);
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  userspace::RecordBatch out;
  dec->decode(datagram(w.finish()), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].mpls_label_top, 100u);
  EXPECT_EQ(out[0].mpls_label_bottom, 300u);
  EXPECT_EQ(out[0].mpls_stack_depth, 3);
  EXPECT_EQ(out[0].mpls_label_stack[1], 200u);
  EXPECT_EQ(out[0].bytes, 28u);
}

TEST(NfIpfix, MplsLabelElementsAndNextHopsAndAs) {
  IpfixWriter w(tests::nf::kIpfixExport, 0, 80);
  auto t = w.begin_set(2);
  w.u16(320).u16(11);
  w.u16(70).u16(3).u16(71).u16(3).u16(72).u16(3).u16(63).u16(16).u16(15).u16(4);
  w.u16(128).u16(4).u16(129).u16(2).u16(89).u16(1).u16(252).u16(4).u16(253).u16(4).u16(351).u16(8);
  w.end_set(t);
  auto d = w.begin_set(320);
  w.u24(16001u << 4).u24(24002u << 4).u24(30000u << 4 | 1);
  w.ip6("2001:db8::fe").ip4("198.18.0.1").u32(64512).u16(64513).u8(0x81).u32(11).u32(12);
  w.u64(0x0100000000abcdefull);
  w.end_set(d);
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  userspace::RecordBatch out;
  dec->decode(datagram(w.finish()), out);
  ASSERT_EQ(out.size(), 1u);
  const auto& r = out[0];
  EXPECT_EQ(r.mpls_label_top, 16001u);
  EXPECT_EQ(r.mpls_label_bottom, 30000u);
  EXPECT_EQ(r.mpls_stack_depth, 3);
  EXPECT_EQ(r.mpls_label_stack[1], 24002u);
  EXPECT_EQ(r.peer_dst_ip, v6("2001:db8::fe"));  // BGP next hop wins over IP next hop
  EXPECT_EQ(r.peer_dst_as, 64512u);
  EXPECT_EQ(r.peer_src_as, 64513u);
  EXPECT_EQ(r.fwd_status, 0x81);
  EXPECT_EQ(r.in_iface, 11u);  // 252/253 when 10/14 are absent
  EXPECT_EQ(r.out_iface, 12u);
  EXPECT_EQ(r.vxlan, 0xabcdefu);
}

TEST(NfIpfix, IcmpTypeCodeOnlyWhenAsked) {
  IpfixWriter w(tests::nf::kIpfixExport, 0, 82);
  auto t = w.begin_set(2);
  w.u16(330).u16(2).u16(4).u16(1).u16(32).u16(2);
  w.end_set(t);
  auto d = w.begin_set(330);
  w.u8(1).u16(0x0800);
  w.end_set(d);
  const auto bytes = w.finish();
  for (bool on : {false, true}) {
    userspace::Stats stats;
    NetflowOptions o;
    o.icmp_type_in_dst_port = on;
    auto dec = make_netflow_decoder(o, stats);
    userspace::RecordBatch out;
    dec->decode(datagram(bytes), out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].dst_port, on ? 0x0800 : 0);  // pmacct: 0
  }
}

TEST(NfIpfix, WithdrawalForgetsTheTemplate) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  userspace::RecordBatch out;
  dec->decode(datagram(tests::nf::ipfix_basic()), out);
  EXPECT_EQ(dec->template_count(), 2u);
  IpfixWriter w(tests::nf::kIpfixExport, 3, 77);
  auto t = w.begin_set(2);
  w.u16(300).u16(0);  // withdraw 300
  w.end_set(t);
  DecodeResult res = dec->decode(datagram(w.finish()), out);
  EXPECT_EQ(res.decode_errors, 0u);
  EXPECT_EQ(dec->template_count(), 1u);
  EXPECT_EQ(stats.counter("collector.netflow.templates_withdrawn").value(), 1u);
  // data of 300 is now a miss
  IpfixWriter w2(tests::nf::kIpfixExport, 3, 77);
  auto d = w2.begin_set(300);
  w2.bytes(std::vector<std::uint8_t>(60, 1));
  w2.end_set(d);
  res = dec->decode(datagram(w2.finish()), out);
  EXPECT_EQ(res.template_misses, 1u);
  EXPECT_EQ(res.records, 0u);
  // withdraw all (id 2 in the template set)
  IpfixWriter w3(tests::nf::kIpfixExport, 3, 77);
  auto t3 = w3.begin_set(2);
  w3.u16(2).u16(0);
  w3.end_set(t3);
  dec->decode(datagram(w3.finish()), out);
  EXPECT_EQ(dec->template_count(), 0u);
}

TEST(NfIpfix, DataBeforeTemplateDecodedOnceTheTemplateArrives) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  // Split ipfix_frame into its data set and its template set.
  const auto full = tests::nf::ipfix_frame();
  const std::size_t tset_len = 4 + 4 + 4 + 4;  // set header, template header, 2 fields
  std::vector<std::uint8_t> data_msg(full.begin(), full.begin() + 16);
  data_msg.insert(data_msg.end(), full.begin() + 16 + static_cast<long>(tset_len), full.end());
  data_msg[2] = static_cast<std::uint8_t>(data_msg.size() >> 8);
  data_msg[3] = static_cast<std::uint8_t>(data_msg.size());
  std::vector<std::uint8_t> tpl_msg(full.begin(), full.begin() + 16 + static_cast<long>(tset_len));
  tpl_msg[2] = 0;
  tpl_msg[3] = static_cast<std::uint8_t>(tpl_msg.size());
  userspace::RecordBatch out;
  DecodeResult res = dec->decode(datagram(data_msg), out);
  EXPECT_EQ(res.template_misses, 1u);
  EXPECT_EQ(res.records, 0u);
  res = dec->decode(datagram(tpl_msg), out);
  EXPECT_EQ(res.records, 1u);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dst_port, 53);
  // Each buffered set is decoded once.
  res = dec->decode(datagram(tpl_msg), out);
  EXPECT_EQ(res.records, 0u);
}

TEST(NfIpfix, TemplateRedefinitionReplacesTheLayout) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  userspace::RecordBatch out;
  IpfixWriter w(tests::nf::kIpfixExport, 0, 81);
  auto t = w.begin_set(2);
  w.u16(400).u16(1).u16(1).u16(4);
  w.end_set(t);
  auto d = w.begin_set(400);
  w.u32(77);
  w.end_set(d);
  auto t2 = w.begin_set(2);
  w.u16(400).u16(1).u16(2).u16(4);
  w.end_set(t2);
  auto d2 = w.begin_set(400);
  w.u32(5);
  w.end_set(d2);
  DecodeResult res = dec->decode(datagram(w.finish()), out);
  EXPECT_EQ(res.records, 2u);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].bytes, 77u);
  EXPECT_EQ(out[1].packets, 5u);
  EXPECT_EQ(out[1].bytes, 0u);
}

}  // namespace
}  // namespace xacct::collector
