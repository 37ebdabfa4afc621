// Every primitive's names and printed value (spec/primitives.md), the
// aggregate list parser, and timestamp rendering.
#include "userspace/primitive.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>

#include "tests/userspace/record_builder.hpp"
#include "userspace/ip_proto_names.hpp"
#include "userspace/label_pool.hpp"
#include "userspace/timestamp_format.hpp"

namespace xacct::userspace {
namespace {

using testing::ip;
using P = Primitive;

// 2023-11-14 22:13:20.700000 UTC
constexpr TimestampNs kT = 1700000000'700000000LL;

FlowRecord full_record() {
  FlowRecord r;
  r.src_mac = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
  r.dst_mac = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xBB};
  r.vlan = 100;
  r.out_vlan = 200;
  r.cos = 3;
  r.etype = 0x86dd;
  r.src_host = ip("2001:db8::1");
  r.dst_host = ip("198.18.0.2");
  r.src_net = ip("198.18.0.0");
  r.dst_net = ip("2001:db8::");
  r.src_mask = 15;
  r.dst_mask = 32;
  r.src_as = 65001;
  r.dst_as = 4200000000u;
  r.peer_src_as = 64500;
  r.peer_dst_as = 64501;
  r.peer_src_ip = ip("192.0.2.254");
  r.peer_dst_ip = ip("2001:db8::fe");
  r.src_port = 1111;
  r.dst_port = 65535;
  r.proto = 6;
  r.tos = 0xb8;
  r.tcp_flags = 0x1a;
  r.fwd_status = 129;
  r.mpls_label_top = 16001;
  r.mpls_label_bottom = 3;
  r.mpls_stack_depth = 3;
  r.mpls_label_stack = {16001, 24002, 3};
  r.mpls_label_stack_len = 3;
  r.in_iface = 3;
  r.out_iface = 4294967295u;
  r.mpls_vpn_rd = 0x0001C00002010005ull;  // 1:192.0.2.1:5
  r.sampling_rate = 100;
  r.tag = 18446744073709551615ULL;
  r.tag2 = 7;
  r.label_id = LabelPool::global().intern("dns,\"q\"");
  r.tunnel_src_mac = {0x02, 0, 0, 0, 0, 1};
  r.tunnel_dst_mac = {0x02, 0, 0, 0, 0, 2};
  r.tunnel_src_host = ip("198.18.1.1");
  r.tunnel_dst_host = ip("2001:db8:1::2");
  r.tunnel_proto = 17;
  r.tunnel_tos = 40;
  r.tunnel_src_port = 4789;
  r.tunnel_dst_port = 53;
  r.tunnel_tcp_flags = 0x12;
  r.vxlan = 5001;
  r.first_ns = kT;
  r.last_ns = kT + 1'234'567'891;
  r.arrival_ns = kT + 2'000'000'000;
  r.export_ns = kT - 700'000'000;
  r.export_proto_seqno = 99;
  r.export_proto_version = 10;
  r.export_proto_sysid = 4242;
  r.flows = 4;
  return r;
}

struct Expect {
  P p;
  const char* name;
  const char* json_key;
  const char* csv;
  JsonKind kind;
  const char* value;  // CSV / formatted text
  const char* json;   // JSON value
};

TEST(Primitive, EveryPrimitiveNamesAndValue) {
  const Expect table[] = {
      {P::kTag, "tag", "tag", "TAG", JsonKind::kNumber, "18446744073709551615", "18446744073709551615"},
      {P::kTag2, "tag2", "tag2", "TAG2", JsonKind::kNumber, "7", "7"},
      {P::kLabel, "label", "label", "LABEL", JsonKind::kString, "dns,\"q\"", R"("dns,\"q\"")"},
      {P::kSrcMac, "src_mac", "mac_src", "SRC_MAC", JsonKind::kString, "00:11:22:33:44:55", R"("00:11:22:33:44:55")"},
      {P::kDstMac, "dst_mac", "mac_dst", "DST_MAC", JsonKind::kString, "66:77:88:99:aa:bb", R"("66:77:88:99:aa:bb")"},
      {P::kVlan, "vlan", "vlan", "VLAN", JsonKind::kNumber, "100", "100"},
      {P::kInVlan, "in_vlan", "vlan_in", "IN_VLAN", JsonKind::kNumber, "100", "100"},
      {P::kOutVlan, "out_vlan", "vlan_out", "OUT_VLAN", JsonKind::kNumber, "200", "200"},
      {P::kCos, "cos", "cos", "COS", JsonKind::kNumber, "3", "3"},
      {P::kEtype, "etype", "etype", "ETYPE", JsonKind::kString, "86dd", R"("86dd")"},
      {P::kSrcAs, "src_as", "as_src", "SRC_AS", JsonKind::kNumber, "65001", "65001"},
      {P::kDstAs, "dst_as", "as_dst", "DST_AS", JsonKind::kNumber, "4200000000", "4200000000"},
      {P::kPeerSrcAs, "peer_src_as", "peer_as_src", "PEER_SRC_AS", JsonKind::kNumber, "64500", "64500"},
      {P::kPeerDstAs, "peer_dst_as", "peer_as_dst", "PEER_DST_AS", JsonKind::kNumber, "64501", "64501"},
      {P::kPeerSrcIp, "peer_src_ip", "peer_ip_src", "PEER_SRC_IP", JsonKind::kString, "192.0.2.254", R"("192.0.2.254")"},
      {P::kPeerDstIp, "peer_dst_ip", "peer_ip_dst", "PEER_DST_IP", JsonKind::kString, "2001:db8::fe", R"("2001:db8::fe")"},
      {P::kInIface, "in_iface", "iface_in", "IN_IFACE", JsonKind::kNumber, "3", "3"},
      {P::kOutIface, "out_iface", "iface_out", "OUT_IFACE", JsonKind::kNumber, "4294967295", "4294967295"},
      {P::kMplsVpnRd, "mpls_vpn_rd", "mpls_vpn_rd", "MPLS_VPN_RD", JsonKind::kString, "1:192.0.2.1:5",
       R"("1:192.0.2.1:5")"},
      {P::kSrcHost, "src_host", "ip_src", "SRC_IP", JsonKind::kString, "2001:db8::1", R"("2001:db8::1")"},
      {P::kSrcNet, "src_net", "net_src", "SRC_NET", JsonKind::kString, "198.18.0.0", R"("198.18.0.0")"},
      {P::kDstHost, "dst_host", "ip_dst", "DST_IP", JsonKind::kString, "198.18.0.2", R"("198.18.0.2")"},
      {P::kDstNet, "dst_net", "net_dst", "DST_NET", JsonKind::kString, "2001:db8::", R"("2001:db8::")"},
      {P::kSrcMask, "src_mask", "mask_src", "SRC_MASK", JsonKind::kNumber, "15", "15"},
      {P::kDstMask, "dst_mask", "mask_dst", "DST_MASK", JsonKind::kNumber, "32", "32"},
      {P::kSrcPort, "src_port", "port_src", "SRC_PORT", JsonKind::kNumber, "1111", "1111"},
      {P::kDstPort, "dst_port", "port_dst", "DST_PORT", JsonKind::kNumber, "65535", "65535"},
      {P::kTcpFlags, "tcpflags", "tcp_flags", "TCP_FLAGS", JsonKind::kString, "26", R"("26")"},
      {P::kFwdStatus, "fwd_status", "fwd_status", "FWD_STATUS", JsonKind::kString, "129", R"("129")"},
      {P::kMplsLabelStack, "mpls_label_stack", "mpls_label_stack", "MPLS_LABEL_STACK", JsonKind::kString,
       "16001_24002_3", R"("16001_24002_3")"},
      {P::kProto, "proto", "ip_proto", "PROTOCOL", JsonKind::kString, "tcp", R"("tcp")"},
      {P::kTos, "tos", "tos", "TOS", JsonKind::kNumber, "184", "184"},
      {P::kSamplingRate, "sampling_rate", "sampling_rate", "SAMPLING_RATE", JsonKind::kNumber, "100", "100"},
      {P::kMplsLabelTop, "mpls_label_top", "mpls_label_top", "MPLS_LABEL_TOP", JsonKind::kNumber, "16001", "16001"},
      {P::kMplsLabelBottom, "mpls_label_bottom", "mpls_label_bottom", "MPLS_LABEL_BOTTOM", JsonKind::kNumber, "3", "3"},
      {P::kMplsStackDepth, "mpls_stack_depth", "mpls_stack_depth", "MPLS_STACK_DEPTH", JsonKind::kNumber, "3", "3"},
      {P::kTunnelSrcMac, "tunnel_src_mac", "tunnel_mac_src", "TUNNEL_SRC_MAC", JsonKind::kString,
       "02:00:00:00:00:01", R"("02:00:00:00:00:01")"},
      {P::kTunnelDstMac, "tunnel_dst_mac", "tunnel_mac_dst", "TUNNEL_DST_MAC", JsonKind::kString,
       "02:00:00:00:00:02", R"("02:00:00:00:00:02")"},
      {P::kTunnelSrcHost, "tunnel_src_host", "tunnel_ip_src", "TUNNEL_SRC_IP", JsonKind::kString, "198.18.1.1",
       R"("198.18.1.1")"},
      {P::kTunnelDstHost, "tunnel_dst_host", "tunnel_ip_dst", "TUNNEL_DST_IP", JsonKind::kString, "2001:db8:1::2",
       R"("2001:db8:1::2")"},
      {P::kTunnelProto, "tunnel_proto", "tunnel_ip_proto", "TUNNEL_PROTOCOL", JsonKind::kString, "udp", R"("udp")"},
      {P::kTunnelTos, "tunnel_tos", "tunnel_tos", "TUNNEL_TOS", JsonKind::kNumber, "40", "40"},
      {P::kTunnelSrcPort, "tunnel_src_port", "tunnel_port_src", "TUNNEL_SRC_PORT", JsonKind::kNumber, "4789", "4789"},
      {P::kTunnelDstPort, "tunnel_dst_port", "tunnel_port_dst", "TUNNEL_DST_PORT", JsonKind::kNumber, "53", "53"},
      {P::kTunnelTcpFlags, "tunnel_tcpflags", "tunnel_tcp_flags", "TUNNEL_TCP_FLAGS", JsonKind::kString, "18",
       R"("18")"},
      {P::kVxlan, "vxlan", "vxlan", "VXLAN", JsonKind::kNumber, "5001", "5001"},
      {P::kTimestampStart, "timestamp_start", "timestamp_start", "TIMESTAMP_START", JsonKind::kString,
       "2023-11-14 22:13:20.700000", R"("2023-11-14 22:13:20.700000")"},
      {P::kTimestampEnd, "timestamp_end", "timestamp_end", "TIMESTAMP_END", JsonKind::kString,
       "2023-11-14 22:13:21.934567", R"("2023-11-14 22:13:21.934567")"},
      {P::kTimestampArrival, "timestamp_arrival", "timestamp_arrival", "TIMESTAMP_ARRIVAL", JsonKind::kString,
       "2023-11-14 22:13:22.700000", R"("2023-11-14 22:13:22.700000")"},
      {P::kExportProtoSeqno, "export_proto_seqno", "export_proto_seqno", "EXPORT_PROTO_SEQNO", JsonKind::kNumber,
       "99", "99"},
      {P::kExportProtoVersion, "export_proto_version", "export_proto_version", "EXPORT_PROTO_VERSION",
       JsonKind::kNumber, "10", "10"},
      {P::kExportProtoSysid, "export_proto_sysid", "export_proto_sysid", "EXPORT_PROTO_SYSID", JsonKind::kNumber,
       "4242", "4242"},
      {P::kTimestampExport, "timestamp_export", "timestamp_export", "TIMESTAMP_EXPORT", JsonKind::kString,
       "2023-11-14 22:13:20.000000", R"("2023-11-14 22:13:20.000000")"},
      {P::kFlows, "flows", "flows", "FLOWS", JsonKind::kNumber, "4", "4"},
  };
  FormatOptions utc;
  utc.timestamps.utc = true;
  const FlowRecord r = full_record();
  for (const Expect& e : table) {
    SCOPED_TRACE(e.name);
    const PrimitiveInfo& info = primitive_info(e.p);
    EXPECT_EQ(info.id, e.p);
    EXPECT_EQ(info.name, e.name);
    EXPECT_EQ(info.json_key, e.json_key);
    EXPECT_EQ(info.csv_header, e.csv);
    EXPECT_EQ(info.json_kind, e.kind);
    EXPECT_EQ(format_primitive(e.p, r, utc), e.value);
    EXPECT_EQ(format_primitive_json(e.p, r, utc), e.json);
    EXPECT_EQ(find_primitive(e.name), &info);
  }
  EXPECT_EQ(std::size(table) + 1, primitive_table().size());  // + none
  EXPECT_EQ(find_primitive("none")->kind, PrimitiveKind::kNone);
}

// The encodings pmacct added after 1.7.7 (tcpflags_encode_as_array,
// fwd_status_encode_as_string, mpls_label_stack_encode_as_array): JSON
// only; CSV/formatted text stays the number / the _-joined list.
TEST(Primitive, JsonEncodings) {
  FormatOptions o;
  o.tcpflags_as_array = true;
  o.fwd_status_as_string = true;
  o.mpls_label_stack_as_array = true;
  FlowRecord r = full_record();
  EXPECT_EQ(format_primitive_json(P::kTcpFlags, r, o), R"(["ACK", "PSH", "SYN"])");
  EXPECT_EQ(format_primitive(P::kTcpFlags, r, o), "26");
  EXPECT_EQ(format_primitive_json(P::kTunnelTcpFlags, r, o), R"(["ACK", "SYN"])");
  EXPECT_EQ(format_primitive_json(P::kFwdStatus, r, o), R"("DROPPED ACL deny")");
  EXPECT_EQ(format_primitive(P::kFwdStatus, r, o), "129");
  EXPECT_EQ(format_primitive_json(P::kMplsLabelStack, r, o), R"(["0-16001", "1-24002", "2-3"])");
  EXPECT_EQ(format_primitive(P::kMplsLabelStack, r, o), "16001_24002_3");

  r.tcp_flags = 0x3f;
  EXPECT_EQ(format_primitive_json(P::kTcpFlags, r, o), R"(["URG", "ACK", "PSH", "RST", "SYN", "FIN"])");
  r.tcp_flags = 0xc1;  // CWR, ECE, FIN: the two high bits are not listed (pmacct prints [])
  EXPECT_EQ(format_primitive_json(P::kTcpFlags, r, o), R"(["FIN"])");
  r.tcp_flags = 0;
  EXPECT_EQ(format_primitive_json(P::kTcpFlags, r, o), "[]");
  r.mpls_label_stack_len = 0;
  EXPECT_EQ(format_primitive_json(P::kMplsLabelStack, r, o), "[]");
  EXPECT_EQ(format_primitive(P::kMplsLabelStack, r, o), "");

  const std::pair<std::uint8_t, const char*> fwd[] = {
      {0, "UNKNOWN Unclassified"},  {63, "UNKNOWN Unclassified"},   {64, "FORWARDED Unknown"},
      {66, "FORWARDED Not Fragmented"}, {67, "FORWARDED Unclassified"}, {128, "DROPPED Unknown"},
      {143, "DROPPED Hardware"},     {144, "DROPPED Unclassified"},  {192, "CONSUMED Unknown"},
      {195, "CONSUMED For us"},      {255, "CONSUMED Unclassified"},
  };
  for (const auto& [code, name] : fwd) EXPECT_EQ(fwd_status_name(code), name) << int(code);
}

TEST(Primitive, UnknownValuesPrintAsPmacctUnknowns) {
  const FlowRecord zero;
  const FormatOptions o;
  EXPECT_EQ(format_primitive(P::kSrcHost, zero, o), "0.0.0.0");
  EXPECT_EQ(format_primitive(P::kSrcMac, zero, o), "00:00:00:00:00:00");
  EXPECT_EQ(format_primitive(P::kEtype, zero, o), "0");
  EXPECT_EQ(format_primitive(P::kProto, zero, o), "0");
  EXPECT_EQ(format_primitive(P::kSrcPort, zero, o), "0");
  EXPECT_EQ(format_primitive(P::kTimestampStart, zero, o), "0000-00-00 00:00:00.000000");
  FlowRecord v6;
  v6.src_host.is_v6 = true;
  EXPECT_EQ(format_primitive(P::kSrcHost, v6, o), "::");
}

// pmacctd prints sampling_rate 1 for unsampled traffic; the probe leaves the
// member 0, so the key (what the print sink formats) holds 1.
TEST(Primitive, UnsampledKeysAsRateOne) {
  const PrimitiveInfo& info = primitive_info(P::kSamplingRate);
  std::uint8_t key[4] = {};
  for (const std::uint32_t rate : {0u, 1u, 100u}) {
    FlowRecord in;
    in.sampling_rate = rate;
    info.extract(in, key);
    FlowRecord out;
    info.inject(key, out);
    EXPECT_EQ(out.sampling_rate, rate == 0 ? 1u : rate);
    EXPECT_EQ(format_primitive(P::kSamplingRate, out, FormatOptions{}), rate == 100 ? "100" : "1");
  }
}

TEST(Primitive, Addresses) {
  FlowRecord r;
  const FormatOptions o;
  r.src_host = ip("198.19.255.254");
  EXPECT_EQ(format_primitive(P::kSrcHost, r, o), "198.19.255.254");
  r.src_host = ip("2001:db8:0:0:1::ff");
  EXPECT_EQ(format_primitive(P::kSrcHost, r, o), "2001:db8::1:0:0:ff");  // first zero run compressed (RFC 5952)
  r.etype = 0x800;
  EXPECT_EQ(format_primitive(P::kEtype, r, o), "800");
  r.etype = 0x8100;
  EXPECT_EQ(format_primitive(P::kEtype, r, o), "8100");
}

TEST(Primitive, ProtocolNames) {
  EXPECT_EQ(ip_proto_name(6), "tcp");
  EXPECT_EQ(ip_proto_name(17), "udp");
  EXPECT_EQ(ip_proto_name(1), "icmp");
  EXPECT_EQ(ip_proto_name(58), "ipv6-icmp");
  EXPECT_EQ(ip_proto_name(132), "sctp");
  EXPECT_EQ(ip_proto_name(47), "gre");
  EXPECT_EQ(ip_proto_name(0), "");
  EXPECT_EQ(ip_proto_name(200), "");
  FlowRecord r;
  FormatOptions names;
  FormatOptions numbers;
  numbers.num_protos = true;
  r.proto = 17;
  EXPECT_EQ(format_primitive(P::kProto, r, names), "udp");
  EXPECT_EQ(format_primitive(P::kProto, r, numbers), "17");
  r.proto = 253;
  EXPECT_EQ(format_primitive(P::kProto, r, names), "253");
}

TEST(Primitive, ParseAggregate) {
  auto r = parse_aggregate(" proto,SRC_HOST , dst_port,src_host,tcpflags");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), (std::vector<P>{P::kSrcHost, P::kDstPort, P::kTcpFlags, P::kProto}));
  EXPECT_EQ(aggregate_to_string(r.value()), "src_host, dst_port, tcpflags, proto");
  auto none = parse_aggregate("none");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none.value().empty());
  EXPECT_EQ(aggregate_to_string(none.value()), "none");
  EXPECT_EQ(parse_aggregate("src_host,").error().message, "empty primitive in aggregate list");
  EXPECT_EQ(parse_aggregate("src_hots").error().message, "unknown primitive 'src_hots'");
  EXPECT_EQ(parse_aggregate("as_path").error().message, "primitive 'as_path' is not supported yet");
  EXPECT_EQ(parse_aggregate("tunnel_src_host, label, peer_src_ip").value(),
            (std::vector<P>{P::kLabel, P::kPeerSrcIp, P::kTunnelSrcHost}));
}

TEST(Primitive, TableIsInPmacctOutputOrder) {
  // pmacct's JSON key order (compose_json(), current source; mpls_stack_depth
  // from 1.7.7) for the primitives we have.
  const char* order[] = {
      "tag", "tag2", "label", "mac_src", "mac_dst", "vlan", "vlan_in", "vlan_out", "cos", "etype", "as_src",
      "as_dst", "peer_as_src", "peer_as_dst", "peer_ip_src", "peer_ip_dst", "iface_in", "iface_out", "mpls_vpn_rd", "ip_src",
      "net_src", "ip_dst", "net_dst", "mask_src", "mask_dst", "port_src", "port_dst", "tcp_flags", "fwd_status",
      "mpls_label_stack", "ip_proto", "tos", "sampling_rate", "mpls_label_top", "mpls_label_bottom",
      "mpls_stack_depth", "tunnel_mac_src", "tunnel_mac_dst", "tunnel_ip_src", "tunnel_ip_dst", "tunnel_ip_proto",
      "tunnel_tos", "tunnel_port_src", "tunnel_port_dst", "tunnel_tcp_flags", "vxlan", "timestamp_start",
      "timestamp_end", "timestamp_arrival", "export_proto_seqno", "export_proto_version", "export_proto_sysid",
      "timestamp_export", "flows"};
  auto table = primitive_table();
  ASSERT_EQ(table.size(), std::size(order) + 1);
  for (std::size_t i = 0; i < std::size(order); ++i) EXPECT_EQ(table[i + 1].json_key, order[i]);
}

TEST(Primitive, TextOrderIsPmacctPrintColumnOrder) {
  // pmacct's print plugin CSV header order (P_write_stats_header_csv).
  const char* order[] = {
      "TAG", "TAG2", "LABEL", "SRC_MAC", "DST_MAC", "VLAN", "IN_VLAN", "OUT_VLAN", "COS", "ETYPE", "SRC_AS",
      "DST_AS", "PEER_SRC_AS", "PEER_DST_AS", "PEER_SRC_IP", "PEER_DST_IP", "IN_IFACE", "OUT_IFACE", "MPLS_VPN_RD", "SRC_IP",
      "SRC_NET", "DST_IP", "DST_NET", "SRC_MASK", "DST_MASK", "SRC_PORT", "DST_PORT", "TCP_FLAGS", "PROTOCOL",
      "TOS", "SAMPLING_RATE", "FWD_STATUS", "MPLS_LABEL_TOP", "MPLS_LABEL_BOTTOM", "MPLS_STACK_DEPTH",
      "MPLS_LABEL_STACK", "TUNNEL_SRC_MAC", "TUNNEL_DST_MAC", "TUNNEL_SRC_IP", "TUNNEL_DST_IP", "TUNNEL_PROTOCOL",
      "TUNNEL_TOS", "TUNNEL_SRC_PORT", "TUNNEL_DST_PORT", "TUNNEL_TCP_FLAGS", "VXLAN", "TIMESTAMP_START",
      "TIMESTAMP_END", "TIMESTAMP_ARRIVAL", "TIMESTAMP_EXPORT", "EXPORT_PROTO_SEQNO", "EXPORT_PROTO_VERSION",
      "EXPORT_PROTO_SYSID"};
  auto text = text_order();
  ASSERT_EQ(text.size(), std::size(order));
  for (std::size_t i = 0; i < std::size(order); ++i) EXPECT_EQ(primitive_info(text[i]).csv_header, order[i]);
}

TEST(Primitive, UnknownPeerAddressesPrintEmpty) {
  const FlowRecord zero;
  const FormatOptions o;
  EXPECT_EQ(format_primitive(P::kPeerSrcIp, zero, o), "");
  EXPECT_EQ(format_primitive_json(P::kPeerDstIp, zero, o), R"("")");
  EXPECT_EQ(primitive_info(P::kPeerDstIp).formatted_if_empty, "::");
  EXPECT_EQ(format_primitive(P::kSrcNet, zero, o), "0.0.0.0");
  EXPECT_EQ(format_primitive(P::kLabel, zero, o), "");
  FlowRecord mapped;
  mapped.peer_src_ip = ip("0.0.0.0");  // a real 0.0.0.0 (IPv4-mapped) is not "unknown"
  EXPECT_EQ(format_primitive(P::kPeerSrcIp, mapped, o), "0.0.0.0");
}

class Timestamps : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    saved_ = tz != nullptr ? std::optional<std::string>(tz) : std::nullopt;
  }
  void TearDown() override {
    if (saved_) setenv("TZ", saved_->c_str(), 1);
    else unsetenv("TZ");
    tzset();
  }
  static void set_tz(const char* tz) {
    setenv("TZ", tz, 1);
    tzset();
  }
  std::optional<std::string> saved_;
};

TEST_F(Timestamps, Formats) {
  TimestampOptions utc{.utc = true};
  EXPECT_EQ(format_timestamp(kT, utc), "2023-11-14 22:13:20.700000");
  TimestampOptions rfc{.utc = true, .rfc3339 = true};
  EXPECT_EQ(format_timestamp(kT, rfc), "2023-11-14T22:13:20.700000Z");
  TimestampOptions epoch{.since_epoch = true};
  EXPECT_EQ(format_timestamp(kT, epoch), "1700000000.700000");
  TimestampOptions secs{.utc = true, .secs = true};
  EXPECT_EQ(format_timestamp(kT, secs), "2023-11-14 22:13:20.000000");
  TimestampOptions epoch_secs{.since_epoch = true, .secs = true};
  EXPECT_EQ(format_timestamp(kT, epoch_secs), "1700000000.000000");
  EXPECT_EQ(format_timestamp(0, utc), "0000-00-00 00:00:00.000000");
  EXPECT_EQ(format_timestamp(0, rfc), "0000-00-00T00:00:00.000000Z");
  EXPECT_EQ(format_timestamp(0, epoch), "0.000000");
  EXPECT_EQ(format_timestamp(1'000'000'999, utc), "1970-01-01 00:00:01.000000");  // truncated, not rounded
  TimestampOptions rfc9557{.utc = true, .rfc3339 = true, .rfc9557 = true};
  EXPECT_EQ(format_timestamp(kT, rfc9557), "2023-11-14T22:13:20.700000+00:00");
}

TEST_F(Timestamps, Stamps) {
  const std::int64_t bin = 1699999800;  // 2023-11-14 22:10:00 UTC
  auto stamp = [bin](TimestampOptions o) {
    std::string s;
    append_stamp(bin, o, s);
    return s;
  };
  EXPECT_EQ(stamp({.utc = true}), "2023-11-14 22:10:00");
  EXPECT_EQ(stamp({.utc = true, .secs = true}), "2023-11-14 22:10:00");
  EXPECT_EQ(stamp({.utc = true, .rfc3339 = true}), "2023-11-14T22:10:00Z");
  EXPECT_EQ(stamp({.utc = true, .rfc3339 = true, .rfc9557 = true}), "2023-11-14T22:10:00+00:00");
  EXPECT_EQ(stamp({.since_epoch = true}), "1699999800");
  set_tz("XST-02:00");
  EXPECT_EQ(stamp({}), "2023-11-15 00:10:00");
  EXPECT_EQ(stamp({.rfc3339 = true}), "2023-11-15T00:10:00+02:00");
}

TEST_F(Timestamps, LocalTimeZone) {
  set_tz("XST-02:00");  // POSIX TZ: two hours east of UTC, no tzdata needed
  TimestampOptions local;
  EXPECT_EQ(format_timestamp(kT, local), "2023-11-15 00:13:20.700000");
  TimestampOptions rfc{.rfc3339 = true};
  EXPECT_EQ(format_timestamp(kT, rfc), "2023-11-15T00:13:20.700000+02:00");
  set_tz("YST+05:30");
  EXPECT_EQ(format_timestamp(kT, rfc), "2023-11-14T16:43:20.700000-05:30");
  TimestampOptions utc{.utc = true, .rfc3339 = true};
  EXPECT_EQ(format_timestamp(kT, utc), "2023-11-14T22:13:20.700000Z");
}

}  // namespace
}  // namespace xacct::userspace

namespace xacct::userspace {
namespace {

// pre_tag_label_encode_as_map: set_label=k1%v1,k2%v2 prints as a JSON
// object (pmacct's compose_json_map_label); formatted/CSV keep the text.
TEST(Primitive, LabelEncodedAsMap) {
  FlowRecord r;
  r.label_id = LabelPool::global().intern("site%ams,role%edge");
  FormatOptions map;
  map.label_as_map = true;
  EXPECT_EQ(format_primitive_json(Primitive::kLabel, r, map), R"({"site": "ams", "role": "edge"})");
  EXPECT_EQ(format_primitive_json(Primitive::kLabel, r, {}), R"("site%ams,role%edge")");
  EXPECT_EQ(format_primitive(Primitive::kLabel, r, map), "site%ams,role%edge");
  // Labels joined along a jeq chain: a repeated key keeps its place, the
  // last value wins; a key without a value is left out.
  r.label_id = LabelPool::global().intern("site%ams,role%edge,site%fra,lonely");
  EXPECT_EQ(format_primitive_json(Primitive::kLabel, r, map), R"({"site": "fra", "role": "edge"})");
  r.label_id = 0;
  EXPECT_EQ(format_primitive_json(Primitive::kLabel, r, map), "{}");
}

}  // namespace
}  // namespace xacct::userspace
