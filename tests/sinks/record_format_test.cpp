// RecordFormatter against real pmacct 1.7.7 output: the expected lines
// below were printed by Debian's pmacctd 1.7.7 (print plugin, savefile of
// crafted packets, timestamps_utc) for the same primitives and values.
#include "sinks/record_format.hpp"

#include <gtest/gtest.h>

#include "tests/userspace/record_builder.hpp"

namespace xacct::sinks {
namespace {

using userspace::FlowRecord;
using userspace::FormatOptions;
using userspace::Primitive;
using userspace::testing::flow;
using P = Primitive;

// aggregate: src_host, dst_host, src_port, dst_port, proto, tos, tcpflags, etype, src_mac, timestamp_start
const std::vector<P> kGoldenAggregate{P::kSrcHost, P::kDstHost, P::kSrcPort, P::kDstPort, P::kProto,
                                      P::kTos,     P::kTcpFlags, P::kEtype,  P::kSrcMac,  P::kTimestampStart};

FlowRecord golden_tcp() {
  FlowRecord r = flow("198.18.0.1", "198.18.0.2", 1000, 80, 6, 2, 280);
  r.src_mac = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
  r.etype = 0x800;
  r.tcp_flags = 24;
  r.tos = 184;
  r.first_ns = 1700000001'700000000LL;
  return r;
}

FlowRecord golden_icmp() {
  FlowRecord r = flow("198.18.0.3", "198.18.0.9", 0, 0, 1, 2, 56);
  r.src_mac = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
  r.etype = 0x800;
  r.first_ns = 1700000003'700000000LL;
  return r;
}

FormatOptions utc() {
  FormatOptions o;
  o.timestamps.utc = true;
  return o;
}

TEST(RecordFormat, JsonMatchesPmacct) {
  RecordFormatter f(kGoldenAggregate, utc());
  std::string out;
  f.append_json(golden_tcp(), out);
  f.append_json(golden_icmp(), out);
  EXPECT_EQ(out,
            R"({"event_type": "purge", "mac_src": "00:11:22:33:44:55", "etype": "800", "ip_src": "198.18.0.1", "ip_dst": "198.18.0.2", "port_src": 1000, "port_dst": 80, "tcp_flags": "24", "ip_proto": "tcp", "tos": 184, "timestamp_start": "2023-11-14 22:13:21.700000", "packets": 2, "bytes": 280})"
            "\n"
            R"({"event_type": "purge", "mac_src": "00:11:22:33:44:55", "etype": "800", "ip_src": "198.18.0.3", "ip_dst": "198.18.0.9", "port_src": 0, "port_dst": 0, "tcp_flags": "0", "ip_proto": "icmp", "tos": 0, "timestamp_start": "2023-11-14 22:13:23.700000", "packets": 2, "bytes": 56})"
            "\n");
}

TEST(RecordFormat, CsvMatchesPmacct) {
  RecordFormatter f(kGoldenAggregate, utc());
  std::string out;
  f.append_csv_header(out);
  f.append_csv(golden_tcp(), out);
  f.append_csv(golden_icmp(), out);
  EXPECT_EQ(out,
            "SRC_MAC,ETYPE,SRC_IP,DST_IP,SRC_PORT,DST_PORT,TCP_FLAGS,PROTOCOL,TOS,TIMESTAMP_START,PACKETS,BYTES\n"
            "00:11:22:33:44:55,800,198.18.0.1,198.18.0.2,1000,80,24,tcp,184,2023-11-14 22:13:21.700000,2,280\n"
            "00:11:22:33:44:55,800,198.18.0.3,198.18.0.9,0,0,0,icmp,0,2023-11-14 22:13:23.700000,2,56\n");
}

TEST(RecordFormat, FormattedMatchesPmacct) {
  RecordFormatter f(kGoldenAggregate, utc());
  std::string out;
  f.append_formatted_header(out);
  f.append_formatted(golden_tcp(), out);
  f.append_formatted(golden_icmp(), out);
  EXPECT_EQ(out,
            "SRC_MAC            ETYPE  SRC_IP                                         DST_IP                                         SRC_PORT  DST_PORT  TCP_FLAGS  PROTOCOL    TOS    TIMESTAMP_START                PACKETS               BYTES\n"
            "00:11:22:33:44:55  800    198.18.0.1                                     198.18.0.2                                     1000      80        24         tcp         184    2023-11-14 22:13:21.700000     2                     280\n"
            "00:11:22:33:44:55  800    198.18.0.3                                     198.18.0.9                                     0         0         0          icmp        0      2023-11-14 22:13:23.700000     2                     56\n");
}

TEST(RecordFormat, SpecExampleJson) {
  // spec/primitives.md §3, pmacctd print JSON for the MPLS packet (with the
  // correct bottom label, 24002, where 1.7.7 prints 262422).
  std::vector<P> agg{P::kSrcMac, P::kDstMac, P::kVlan, P::kCos, P::kEtype, P::kSrcHost, P::kDstHost,
                     P::kSrcPort, P::kDstPort, P::kTcpFlags, P::kProto, P::kTos, P::kMplsLabelTop,
                     P::kMplsLabelBottom, P::kMplsStackDepth, P::kTimestampStart};
  FlowRecord r = flow("10.1.1.1", "10.2.2.2", 1111, 2222, 17, 1, 78);
  r.src_mac = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
  r.dst_mac = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
  r.etype = 0x800;
  r.mpls_label_top = 16001;
  r.mpls_label_bottom = 24002;
  r.mpls_stack_depth = 2;
  r.first_ns = 1700000000'700000000LL;
  RecordFormatter f(agg, utc());
  std::string out;
  f.append_json(r, out);
  EXPECT_EQ(out,
            R"({"event_type": "purge", "mac_src": "00:11:22:33:44:55", "mac_dst": "66:77:88:99:aa:bb", "vlan": 0, "cos": 0, "etype": "800", "ip_src": "10.1.1.1", "ip_dst": "10.2.2.2", "port_src": 1111, "port_dst": 2222, "tcp_flags": "0", "ip_proto": "udp", "tos": 0, "mpls_label_top": 16001, "mpls_label_bottom": 24002, "mpls_stack_depth": 2, "timestamp_start": "2023-11-14 22:13:20.700000", "packets": 1, "bytes": 78})"
            "\n");
  out.clear();
  f.append_csv_header(out);
  EXPECT_EQ(out,
            "SRC_MAC,DST_MAC,VLAN,COS,ETYPE,SRC_IP,DST_IP,SRC_PORT,DST_PORT,TCP_FLAGS,PROTOCOL,TOS,"
            "MPLS_LABEL_TOP,MPLS_LABEL_BOTTOM,MPLS_STACK_DEPTH,TIMESTAMP_START,PACKETS,BYTES\n");
}

TEST(RecordFormat, FlowsCounterPlacement) {
  // nfacctd: "flows" right before packets in JSON; FLOWS between PACKETS and BYTES in CSV.
  std::vector<P> agg{P::kProto, P::kFlows, P::kInIface, P::kOutIface};
  FlowRecord r = flow("0.0.0.0", "0.0.0.0", 0, 0, 6, 3, 1500);
  r.in_iface = 3;
  r.out_iface = 7;
  r.flows = 1;
  RecordFormatter f(agg, {});
  std::string out;
  f.append_json(r, out);
  EXPECT_EQ(out, R"({"event_type": "purge", "iface_in": 3, "iface_out": 7, "ip_proto": "tcp", "flows": 1, "packets": 3, "bytes": 1500})" "\n");
  out.clear();
  f.append_csv_header(out);
  f.append_csv(r, out);
  EXPECT_EQ(out, "IN_IFACE,OUT_IFACE,PROTOCOL,PACKETS,FLOWS,BYTES\n3,7,tcp,3,1,1500\n");
  out.clear();
  f.append_formatted_header(out);
  f.append_formatted(r, out);
  EXPECT_EQ(out,
            "IN_IFACE    OUT_IFACE   PROTOCOL    PACKETS               FLOWS                 BYTES\n"
            "3           7           tcp         3                     1                     1500\n");
}

TEST(RecordFormat, NoneAndSeparator) {
  RecordFormatter none(std::vector<P>{}, {});
  FlowRecord r;
  r.packets = 5;
  r.bytes = 500;
  std::string out;
  none.append_json(r, out);
  none.append_csv_header(out);
  none.append_csv(r, out);
  EXPECT_EQ(out, "{\"event_type\": \"purge\", \"packets\": 5, \"bytes\": 500}\nPACKETS,BYTES\n5,500\n");

  RecordFormatter tab(std::vector<P>{P::kProto, P::kSrcPort}, {}, "\t");
  r.proto = 17;
  r.src_port = 53;
  out.clear();
  tab.append_csv_header(out);
  tab.append_csv(r, out);
  EXPECT_EQ(out, "SRC_PORT\tPROTOCOL\tPACKETS\tBYTES\n53\tudp\t5\t500\n");
}

TEST(RecordFormat, OverflowRecordPrintsUnknowns) {
  std::vector<P> agg{P::kSrcHost, P::kDstHost, P::kSrcPort, P::kDstPort, P::kProto};
  FlowRecord ov;
  ov.overflow = true;
  ov.in_iface = 2;
  ov.packets = 9;
  ov.bytes = 900;
  RecordFormatter f(agg, {});
  std::string out;
  f.append_json(ov, out);
  EXPECT_EQ(out, R"({"event_type": "purge", "ip_src": "0.0.0.0", "ip_dst": "0.0.0.0", "port_src": 0, "port_dst": 0, "ip_proto": "0", "packets": 9, "bytes": 900})" "\n");
}

// JSON and CSV/formatted column orders differ where pmacct's do:
// fwd_status and mpls_label_stack, timestamp_export.
TEST(RecordFormat, JsonAndTextColumnOrders) {
  std::vector<P> agg{P::kTimestampExport, P::kExportProtoSeqno, P::kMplsLabelTop, P::kFwdStatus, P::kProto,
                     P::kMplsLabelStack, P::kSamplingRate, P::kTcpFlags};
  FlowRecord r;
  r.proto = 6;
  r.tcp_flags = 0x12;
  r.fwd_status = 66;
  r.mpls_label_top = 16001;
  r.mpls_label_stack = {16001, 24002};
  r.mpls_label_stack_len = 2;
  r.sampling_rate = 100;
  r.export_proto_seqno = 9;
  r.export_ns = 1700000000'000000000LL;
  r.packets = 1;
  r.bytes = 40;
  RecordFormatter f(agg, utc());
  std::string out;
  f.append_json(r, out);
  EXPECT_EQ(out,
            R"({"event_type": "purge", "tcp_flags": "18", "fwd_status": "66", "mpls_label_stack": "16001_24002", )"
            R"("ip_proto": "tcp", "sampling_rate": 100, "mpls_label_top": 16001, "export_proto_seqno": 9, )"
            R"("timestamp_export": "2023-11-14 22:13:20.000000", "packets": 1, "bytes": 40})" "\n");
  out.clear();
  f.append_csv_header(out);
  f.append_csv(r, out);
  EXPECT_EQ(out,
            "TCP_FLAGS,PROTOCOL,SAMPLING_RATE,FWD_STATUS,MPLS_LABEL_TOP,MPLS_LABEL_STACK,TIMESTAMP_EXPORT,"
            "EXPORT_PROTO_SEQNO,PACKETS,BYTES\n"
            "18,tcp,100,66,16001,16001_24002,2023-11-14 22:13:20.000000,9,1,40\n");

  FormatOptions encoded = utc();
  encoded.tcpflags_as_array = true;
  encoded.fwd_status_as_string = true;
  encoded.mpls_label_stack_as_array = true;
  RecordFormatter e(agg, encoded);
  out.clear();
  e.append_json(r, out);
  EXPECT_EQ(out,
            R"({"event_type": "purge", "tcp_flags": ["ACK", "SYN"], "fwd_status": "FORWARDED Not Fragmented", )"
            R"("mpls_label_stack": ["0-16001", "1-24002"], "ip_proto": "tcp", "sampling_rate": 100, )"
            R"("mpls_label_top": 16001, "export_proto_seqno": 9, "timestamp_export": "2023-11-14 22:13:20.000000", )"
            R"("packets": 1, "bytes": 40})" "\n");
  out.clear();
  e.append_csv(r, out);  // the encodings are JSON only
  EXPECT_EQ(out, "18,tcp,100,66,16001,16001_24002,2023-11-14 22:13:20.000000,9,1,40\n");
}

// pmacct's formatted output prints "::" for an unknown peer address; JSON
// and CSV print "" (spec/primitives.md §1, obs).
TEST(RecordFormat, UnknownPeerAddresses) {
  std::vector<P> agg{P::kPeerSrcIp, P::kPeerDstIp, P::kSrcAs, P::kSrcNet, P::kSrcMask};
  FlowRecord r;
  r.peer_src_ip = userspace::testing::ip("192.0.2.254");
  r.packets = 1;
  r.bytes = 58;
  RecordFormatter f(agg, {});
  std::string out;
  f.append_json(r, out);
  EXPECT_EQ(out, R"({"event_type": "purge", "as_src": 0, "peer_ip_src": "192.0.2.254", "peer_ip_dst": "", )"
                 R"("net_src": "0.0.0.0", "mask_src": 0, "packets": 1, "bytes": 58})" "\n");
  out.clear();
  f.append_csv(r, out);
  EXPECT_EQ(out, "0,192.0.2.254,,0.0.0.0,0,1,58\n");
  out.clear();
  f.append_formatted_header(out);
  f.append_formatted(r, out);
  EXPECT_EQ(out,
            "SRC_AS      PEER_SRC_IP                                    PEER_DST_IP                                    "
            "SRC_NET                                        SRC_MASK  PACKETS               BYTES\n"
            "0           192.0.2.254                                    ::                                             "
            "0.0.0.0                                        0         1                     58\n");
}

// Formatted columns of the newer primitives, as pmacct's print plugin pads
// them (header "IN_VLAN  " and value "%-7u  ", "FWD_STATUS " and "%-3u
// ", ...).
TEST(RecordFormat, FormattedWidthsOfNewerPrimitives) {
  std::vector<P> agg{P::kInVlan, P::kOutVlan, P::kSrcAs, P::kSrcMask, P::kFwdStatus, P::kTunnelProto,
                     P::kTunnelSrcPort, P::kTunnelTcpFlags, P::kVxlan, P::kTimestampArrival,
                     P::kExportProtoVersion};
  FlowRecord r;
  r.vlan = 10;
  r.out_vlan = 20;
  r.src_as = 65001;
  r.src_mask = 24;
  r.fwd_status = 64;
  r.tunnel_proto = 17;
  r.tunnel_src_port = 4789;
  r.tunnel_tcp_flags = 2;
  r.vxlan = 5001;
  r.arrival_ns = 1700000000'500000000LL;
  r.export_proto_version = 10;
  r.packets = 1;
  r.bytes = 2;
  RecordFormatter f(agg, utc());
  std::string out;
  f.append_formatted_header(out);
  f.append_formatted(r, out);
  EXPECT_EQ(out,
            "IN_VLAN  OUT_VLAN  SRC_AS      SRC_MASK  FWD_STATUS TUNNEL_PROTOCOL  TUNNEL_SRC_PORT  "
            "TUNNEL_TCP_FLAGS  VXLAN     TIMESTAMP_ARRIVAL              EXPORT_PROTO_VERSION  PACKETS               BYTES\n"
            "10       20        65001       24        64         udp              4789             "
            "2                 5001      2023-11-14 22:13:20.500000     10                    1                     2\n");
}

// Time bins: stamps in JSON before the counters; CSV unchanged.
TEST(RecordFormat, StampsBeforeCounters) {
  std::vector<P> agg{P::kProto, P::kFlows};
  FlowRecord r;
  r.proto = 17;
  r.flows = 2;
  r.packets = 3;
  r.bytes = 300;
  r.time_bin_ns = 1699999800'000000000LL;
  RecordFormatter f(agg, utc(), ",", /*stamps=*/true);
  std::string out;
  f.append_json(r, out, 1700000000'900000000LL);
  EXPECT_EQ(out, R"({"event_type": "purge", "ip_proto": "udp", "stamp_inserted": "2023-11-14 22:10:00", )"
                 R"("stamp_updated": "2023-11-14 22:13:20", "flows": 2, "packets": 3, "bytes": 300})" "\n");
  out.clear();
  f.append_csv_header(out);
  f.append_csv(r, out);
  EXPECT_EQ(out, "PROTOCOL,PACKETS,FLOWS,BYTES\nudp,3,2,300\n");
}

TEST(RecordFormat, JsonStringEscaping) {
  std::string out;
  append_json_string("a\"b\\c\n\x01", out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\"");
}

}  // namespace
}  // namespace xacct::sinks
