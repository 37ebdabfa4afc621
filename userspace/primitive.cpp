// See primitive.hpp. Column widths of the formatted output are pmacct's
// (print_plugin.c: "%-45s  " for addresses, "%-5u     " for ports, ...), so
// a formatted file lines up the same way; CSV and JSON carry no padding.
#include "userspace/primitive.hpp"

#include <algorithm>
#include <cstring>

#include "userspace/json_text.hpp"
#include "userspace/primitive_codecs.hpp"

namespace xacct::userspace {
namespace {

using namespace codecs;  // NOLINT: the table below is all codecs
using P = Primitive;
using K = PrimitiveKind;
using J = JsonKind;
using R = FlowRecord;

// pmacctd prints sampling_rate 1 for traffic it did not sample (every packet
// counted); xacct's probe inputs leave the member 0 then. The key holds 1 so
// unsampled records print, and aggregate, as pmacct's do
// (docs/pmacct-differences.md).
void extract_sampling_rate(const FlowRecord& r, std::uint8_t* out) {
  const std::uint32_t rate = r.sampling_rate == 0 ? 1 : r.sampling_rate;
  std::memcpy(out, &rate, sizeof rate);
}

void format_route_distinguisher(const FlowRecord& r, const FormatOptions&, std::string& out) {
  append_route_distinguisher(r.mpls_vpn_rd, out);
}

// clang-format off
constexpr PrimitiveInfo kTable[] = {
  {P::kNone, "none", "", "", K::kNone, J::kNumber, 0, 0, 0, "no primitive: one grand total",
   extract_nothing, inject_nothing, format_nothing},
  {P::kTag, "tag", "tag", "TAG", K::kKey, J::kNumber, member_size<&R::tag>(), 10, 2,
   "tag from pre_tag_map or post_tag", extract_member<&R::tag>, inject_member<&R::tag>, format_uint<&R::tag>},
  {P::kTag2, "tag2", "tag2", "TAG2", K::kKey, J::kNumber, member_size<&R::tag2>(), 10, 2,
   "tag2 from pre_tag_map or post_tag2", extract_member<&R::tag2>, inject_member<&R::tag2>, format_uint<&R::tag2>},
  {P::kLabel, "label", "label", "LABEL", K::kKey, J::kString, member_size<&R::label_id>(), 0, 0,
   "string label from pre_tag_map (several joined by ,)",
   extract_member<&R::label_id>, inject_member<&R::label_id>, format_label, format_label_json, {}, true},
  {P::kSrcMac, "src_mac", "mac_src", "SRC_MAC", K::kKey, J::kString, 6, 17, 2,
   "source MAC address", extract_member<&R::src_mac>, inject_member<&R::src_mac>, format_mac<&R::src_mac>},
  {P::kDstMac, "dst_mac", "mac_dst", "DST_MAC", K::kKey, J::kString, 6, 17, 2,
   "destination MAC address", extract_member<&R::dst_mac>, inject_member<&R::dst_mac>, format_mac<&R::dst_mac>},
  {P::kVlan, "vlan", "vlan", "VLAN", K::kKey, J::kNumber, member_size<&R::vlan>(), 5, 2,
   "802.1Q VLAN id (0 = untagged)", extract_member<&R::vlan>, inject_member<&R::vlan>, format_uint<&R::vlan>},
  {P::kInVlan, "in_vlan", "vlan_in", "IN_VLAN", K::kKey, J::kNumber, member_size<&R::vlan>(), 7, 2,
   "ingress VLAN id (the vlan field)", extract_member<&R::vlan>, inject_member<&R::vlan>, format_uint<&R::vlan>},
  {P::kOutVlan, "out_vlan", "vlan_out", "OUT_VLAN", K::kKey, J::kNumber, member_size<&R::out_vlan>(), 8, 2,
   "egress VLAN id", extract_member<&R::out_vlan>, inject_member<&R::out_vlan>, format_uint<&R::out_vlan>},
  {P::kCos, "cos", "cos", "COS", K::kKey, J::kNumber, member_size<&R::cos>(), 2, 2,
   "802.1p priority", extract_member<&R::cos>, inject_member<&R::cos>, format_uint<&R::cos>},
  {P::kEtype, "etype", "etype", "ETYPE", K::kKey, J::kString, member_size<&R::etype>(), 5, 2,
   "Ethertype (hex)", extract_member<&R::etype>, inject_member<&R::etype>, format_etype},
  {P::kSrcAs, "src_as", "as_src", "SRC_AS", K::kKey, J::kNumber, member_size<&R::src_as>(), 10, 2,
   "source (origin) ASN", extract_member<&R::src_as>, inject_member<&R::src_as>, format_uint<&R::src_as>},
  {P::kDstAs, "dst_as", "as_dst", "DST_AS", K::kKey, J::kNumber, member_size<&R::dst_as>(), 10, 2,
   "destination (origin) ASN", extract_member<&R::dst_as>, inject_member<&R::dst_as>, format_uint<&R::dst_as>},
  {P::kPeerSrcAs, "peer_src_as", "peer_as_src", "PEER_SRC_AS", K::kKey, J::kNumber, member_size<&R::peer_src_as>(), 10, 2,
   "neighbour ASN on the source side", extract_member<&R::peer_src_as>, inject_member<&R::peer_src_as>,
   format_uint<&R::peer_src_as>},
  {P::kPeerDstAs, "peer_dst_as", "peer_as_dst", "PEER_DST_AS", K::kKey, J::kNumber, member_size<&R::peer_dst_as>(), 10, 2,
   "neighbour ASN on the destination side", extract_member<&R::peer_dst_as>, inject_member<&R::peer_dst_as>,
   format_uint<&R::peer_dst_as>},
  {P::kPeerSrcIp, "peer_src_ip", "peer_ip_src", "PEER_SRC_IP", K::kKey, J::kString, kIpKeySize, 45, 2,
   "exporter address (NetFlow/IPFIX source, sFlow agent); \"\" if unknown",
   extract_ip<&R::peer_src_ip>, inject_ip<&R::peer_src_ip>, format_peer_ip<&R::peer_src_ip>, nullptr, "::"},
  {P::kPeerDstIp, "peer_dst_ip", "peer_ip_dst", "PEER_DST_IP", K::kKey, J::kString, kIpKeySize, 45, 2,
   "BGP / IP next hop; \"\" if unknown",
   extract_ip<&R::peer_dst_ip>, inject_ip<&R::peer_dst_ip>, format_peer_ip<&R::peer_dst_ip>, nullptr, "::"},
  {P::kInIface, "in_iface", "iface_in", "IN_IFACE", K::kKey, J::kNumber, member_size<&R::in_iface>(), 10, 2,
   "input interface ifindex", extract_member<&R::in_iface>, inject_member<&R::in_iface>, format_uint<&R::in_iface>},
  {P::kOutIface, "out_iface", "iface_out", "OUT_IFACE", K::kKey, J::kNumber, member_size<&R::out_iface>(), 10, 2,
   "output interface ifindex", extract_member<&R::out_iface>, inject_member<&R::out_iface>, format_uint<&R::out_iface>},
  {P::kMplsVpnRd, "mpls_vpn_rd", "mpls_vpn_rd", "MPLS_VPN_RD", K::kKey, J::kString, member_size<&R::mpls_vpn_rd>(), 18, 2,
   "BGP/MPLS VPN route distinguisher (IPFIX IE 90, flow_to_rd_map): \"0:65512:1\"",
   extract_member<&R::mpls_vpn_rd>, inject_member<&R::mpls_vpn_rd>, format_route_distinguisher},
  {P::kSrcHost, "src_host", "ip_src", "SRC_IP", K::kKey, J::kString, kIpKeySize, 45, 2,
   "source IPv4/IPv6 address", extract_ip<&R::src_host>, inject_ip<&R::src_host>, format_ip<&R::src_host>},
  {P::kSrcNet, "src_net", "net_src", "SRC_NET", K::kKey, J::kString, kIpKeySize, 45, 2,
   "source network address (networks_file, export mask)", extract_ip<&R::src_net>, inject_ip<&R::src_net>,
   format_ip<&R::src_net>},
  {P::kDstHost, "dst_host", "ip_dst", "DST_IP", K::kKey, J::kString, kIpKeySize, 45, 2,
   "destination IPv4/IPv6 address", extract_ip<&R::dst_host>, inject_ip<&R::dst_host>, format_ip<&R::dst_host>},
  {P::kDstNet, "dst_net", "net_dst", "DST_NET", K::kKey, J::kString, kIpKeySize, 45, 2,
   "destination network address", extract_ip<&R::dst_net>, inject_ip<&R::dst_net>, format_ip<&R::dst_net>},
  {P::kSrcMask, "src_mask", "mask_src", "SRC_MASK", K::kKey, J::kNumber, member_size<&R::src_mask>(), 3, 7,
   "source prefix length", extract_member<&R::src_mask>, inject_member<&R::src_mask>, format_uint<&R::src_mask>},
  {P::kDstMask, "dst_mask", "mask_dst", "DST_MASK", K::kKey, J::kNumber, member_size<&R::dst_mask>(), 3, 7,
   "destination prefix length", extract_member<&R::dst_mask>, inject_member<&R::dst_mask>, format_uint<&R::dst_mask>},
  {P::kSrcPort, "src_port", "port_src", "SRC_PORT", K::kKey, J::kNumber, member_size<&R::src_port>(), 5, 5,
   "source TCP/UDP/SCTP port", extract_member<&R::src_port>, inject_member<&R::src_port>, format_uint<&R::src_port>},
  {P::kDstPort, "dst_port", "port_dst", "DST_PORT", K::kKey, J::kNumber, member_size<&R::dst_port>(), 5, 5,
   "destination TCP/UDP/SCTP port", extract_member<&R::dst_port>, inject_member<&R::dst_port>, format_uint<&R::dst_port>},
  {P::kTcpFlags, "tcpflags", "tcp_flags", "TCP_FLAGS", K::kValue, J::kString, 0, 3, 8,
   "TCP flags, ORed over the aggregate", extract_nothing, inject_nothing, format_uint<&R::tcp_flags>,
   format_tcp_flags_json<&R::tcp_flags>},
  {P::kFwdStatus, "fwd_status", "fwd_status", "FWD_STATUS", K::kKey, J::kString, member_size<&R::fwd_status>(), 3, 8,
   "forwarding status (NetFlow/IPFIX IE 89)", extract_member<&R::fwd_status>, inject_member<&R::fwd_status>,
   format_uint<&R::fwd_status>, format_fwd_status_json},
  {P::kMplsLabelStack, "mpls_label_stack", "mpls_label_stack", "MPLS_LABEL_STACK", K::kKey, J::kString,
   kMplsStackKeySize, 0, 0, "MPLS label values, top first, joined by _",
   extract_mpls_stack, inject_mpls_stack, format_mpls_stack, format_mpls_stack_json, {}, true},
  {P::kProto, "proto", "ip_proto", "PROTOCOL", K::kKey, J::kString, member_size<&R::proto>(), 10, 2,
   "IP protocol", extract_member<&R::proto>, inject_member<&R::proto>, format_proto<&R::proto>},
  {P::kTos, "tos", "tos", "TOS", K::kKey, J::kNumber, member_size<&R::tos>(), 3, 4,
   "IP ToS / traffic class byte", extract_member<&R::tos>, inject_member<&R::tos>, format_uint<&R::tos>},
  {P::kSamplingRate, "sampling_rate", "sampling_rate", "SAMPLING_RATE", K::kKey, J::kNumber,
   member_size<&R::sampling_rate>(), 7, 7, "sampling rate (1-out-of-N; unsampled prints 1)",
   extract_sampling_rate, inject_member<&R::sampling_rate>, format_uint<&R::sampling_rate>},
  {P::kMplsLabelTop, "mpls_label_top", "mpls_label_top", "MPLS_LABEL_TOP", K::kKey, J::kNumber,
   member_size<&R::mpls_label_top>(), 7, 9, "top MPLS label",
   extract_member<&R::mpls_label_top>, inject_member<&R::mpls_label_top>, format_uint<&R::mpls_label_top>},
  {P::kMplsLabelBottom, "mpls_label_bottom", "mpls_label_bottom", "MPLS_LABEL_BOTTOM", K::kKey, J::kNumber,
   member_size<&R::mpls_label_bottom>(), 7, 12, "bottom MPLS label",
   extract_member<&R::mpls_label_bottom>, inject_member<&R::mpls_label_bottom>, format_uint<&R::mpls_label_bottom>},
  {P::kMplsStackDepth, "mpls_stack_depth", "mpls_stack_depth", "MPLS_STACK_DEPTH", K::kKey, J::kNumber,
   member_size<&R::mpls_stack_depth>(), 2, 16, "number of MPLS labels",
   extract_member<&R::mpls_stack_depth>, inject_member<&R::mpls_stack_depth>, format_uint<&R::mpls_stack_depth>},
  {P::kTunnelSrcMac, "tunnel_src_mac", "tunnel_mac_src", "TUNNEL_SRC_MAC", K::kKey, J::kString, 6, 17, 2,
   "inner source MAC address", extract_member<&R::tunnel_src_mac>, inject_member<&R::tunnel_src_mac>,
   format_mac<&R::tunnel_src_mac>},
  {P::kTunnelDstMac, "tunnel_dst_mac", "tunnel_mac_dst", "TUNNEL_DST_MAC", K::kKey, J::kString, 6, 17, 2,
   "inner destination MAC address", extract_member<&R::tunnel_dst_mac>, inject_member<&R::tunnel_dst_mac>,
   format_mac<&R::tunnel_dst_mac>},
  {P::kTunnelSrcHost, "tunnel_src_host", "tunnel_ip_src", "TUNNEL_SRC_IP", K::kKey, J::kString, kIpKeySize, 45, 2,
   "inner source address", extract_ip<&R::tunnel_src_host>, inject_ip<&R::tunnel_src_host>,
   format_ip<&R::tunnel_src_host>},
  {P::kTunnelDstHost, "tunnel_dst_host", "tunnel_ip_dst", "TUNNEL_DST_IP", K::kKey, J::kString, kIpKeySize, 45, 2,
   "inner destination address", extract_ip<&R::tunnel_dst_host>, inject_ip<&R::tunnel_dst_host>,
   format_ip<&R::tunnel_dst_host>},
  {P::kTunnelProto, "tunnel_proto", "tunnel_ip_proto", "TUNNEL_PROTOCOL", K::kKey, J::kString,
   member_size<&R::tunnel_proto>(), 10, 7, "inner IP protocol",
   extract_member<&R::tunnel_proto>, inject_member<&R::tunnel_proto>, format_proto<&R::tunnel_proto>},
  {P::kTunnelTos, "tunnel_tos", "tunnel_tos", "TUNNEL_TOS", K::kKey, J::kNumber, member_size<&R::tunnel_tos>(), 3, 9,
   "inner ToS byte", extract_member<&R::tunnel_tos>, inject_member<&R::tunnel_tos>, format_uint<&R::tunnel_tos>},
  {P::kTunnelSrcPort, "tunnel_src_port", "tunnel_port_src", "TUNNEL_SRC_PORT", K::kKey, J::kNumber,
   member_size<&R::tunnel_src_port>(), 5, 12, "inner source port",
   extract_member<&R::tunnel_src_port>, inject_member<&R::tunnel_src_port>, format_uint<&R::tunnel_src_port>},
  {P::kTunnelDstPort, "tunnel_dst_port", "tunnel_port_dst", "TUNNEL_DST_PORT", K::kKey, J::kNumber,
   member_size<&R::tunnel_dst_port>(), 5, 12, "inner destination port",
   extract_member<&R::tunnel_dst_port>, inject_member<&R::tunnel_dst_port>, format_uint<&R::tunnel_dst_port>},
  {P::kTunnelTcpFlags, "tunnel_tcpflags", "tunnel_tcp_flags", "TUNNEL_TCP_FLAGS", K::kValue, J::kString, 0, 3, 15,
   "inner TCP flags, ORed over the aggregate", extract_nothing, inject_nothing, format_uint<&R::tunnel_tcp_flags>,
   format_tcp_flags_json<&R::tunnel_tcp_flags>},
  {P::kVxlan, "vxlan", "vxlan", "VXLAN", K::kKey, J::kNumber, member_size<&R::vxlan>(), 8, 2,
   "VXLAN network identifier", extract_member<&R::vxlan>, inject_member<&R::vxlan>, format_uint<&R::vxlan>},
  {P::kTimestampStart, "timestamp_start", "timestamp_start", "TIMESTAMP_START", K::kKey, J::kString,
   member_size<&R::first_ns>(), 30, 1, "flow start time",
   extract_member<&R::first_ns>, inject_member<&R::first_ns>, format_time<&R::first_ns>, nullptr, {}, false, true},
  {P::kTimestampEnd, "timestamp_end", "timestamp_end", "TIMESTAMP_END", K::kKey, J::kString,
   member_size<&R::last_ns>(), 30, 1, "flow end time",
   extract_member<&R::last_ns>, inject_member<&R::last_ns>, format_time<&R::last_ns>, nullptr, {}, false, true},
  {P::kTimestampArrival, "timestamp_arrival", "timestamp_arrival", "TIMESTAMP_ARRIVAL", K::kKey, J::kString,
   member_size<&R::arrival_ns>(), 30, 1, "arrival time (packet time, or collector clock)",
   extract_member<&R::arrival_ns>, inject_member<&R::arrival_ns>, format_time<&R::arrival_ns>, nullptr, {}, false,
   true},
  {P::kExportProtoSeqno, "export_proto_seqno", "export_proto_seqno", "EXPORT_PROTO_SEQNO", K::kKey, J::kNumber,
   member_size<&R::export_proto_seqno>(), 18, 2, "export datagram sequence number",
   extract_member<&R::export_proto_seqno>, inject_member<&R::export_proto_seqno>, format_uint<&R::export_proto_seqno>},
  {P::kExportProtoVersion, "export_proto_version", "export_proto_version", "EXPORT_PROTO_VERSION", K::kKey,
   J::kNumber, member_size<&R::export_proto_version>(), 20, 2, "export protocol version (5, 9, 10; sFlow 5)",
   extract_member<&R::export_proto_version>, inject_member<&R::export_proto_version>,
   format_uint<&R::export_proto_version>},
  {P::kExportProtoSysid, "export_proto_sysid", "export_proto_sysid", "EXPORT_PROTO_SYSID", K::kKey, J::kNumber,
   member_size<&R::export_proto_sysid>(), 18, 2, "engine id, source id, observation domain or sFlow sub-agent",
   extract_member<&R::export_proto_sysid>, inject_member<&R::export_proto_sysid>, format_uint<&R::export_proto_sysid>},
  {P::kTimestampExport, "timestamp_export", "timestamp_export", "TIMESTAMP_EXPORT", K::kKey, J::kString,
   member_size<&R::export_ns>(), 30, 1, "export header time (NetFlow/IPFIX)",
   extract_member<&R::export_ns>, inject_member<&R::export_ns>, format_time<&R::export_ns>, nullptr, {}, false, true},
  {P::kFlows, "flows", "flows", "FLOWS", K::kCounter, J::kNumber, 0, 20, 2,
   "flow counter (a counter, not a key)", extract_nothing, inject_nothing, format_uint<&R::flows>},
};
// clang-format on

static_assert(std::size(kTable) == static_cast<std::size_t>(Primitive::kCount));
constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < std::size(kTable); ++i) {
    if (static_cast<std::size_t>(kTable[i].id) != i) return false;
  }
  return true;
}
static_assert(table_in_enum_order(), "kTable rows must follow enum Primitive order");

// pmacct's print plugin column order (P_write_stats_header_csv): as JSON,
// except that fwd_status and mpls_label_stack follow the sampling/NAT
// columns and timestamp_export precedes export_proto_*.
constexpr Primitive kTextOrder[] = {
    P::kTag, P::kTag2, P::kLabel, P::kSrcMac, P::kDstMac, P::kVlan, P::kInVlan, P::kOutVlan, P::kCos,
    P::kEtype, P::kSrcAs, P::kDstAs, P::kPeerSrcAs, P::kPeerDstAs, P::kPeerSrcIp, P::kPeerDstIp,
    P::kInIface, P::kOutIface, P::kMplsVpnRd, P::kSrcHost, P::kSrcNet, P::kDstHost, P::kDstNet, P::kSrcMask,
    P::kDstMask, P::kSrcPort, P::kDstPort, P::kTcpFlags, P::kProto, P::kTos, P::kSamplingRate,
    P::kFwdStatus, P::kMplsLabelTop, P::kMplsLabelBottom, P::kMplsStackDepth, P::kMplsLabelStack,
    P::kTunnelSrcMac, P::kTunnelDstMac, P::kTunnelSrcHost, P::kTunnelDstHost, P::kTunnelProto,
    P::kTunnelTos, P::kTunnelSrcPort, P::kTunnelDstPort, P::kTunnelTcpFlags, P::kVxlan,
    P::kTimestampStart, P::kTimestampEnd, P::kTimestampArrival, P::kTimestampExport,
    P::kExportProtoSeqno, P::kExportProtoVersion, P::kExportProtoSysid,
};
static_assert(std::size(kTextOrder) + 2 == std::size(kTable), "text order lists every printed primitive");

}  // namespace

std::span<const PrimitiveInfo> primitive_table() { return kTable; }

const PrimitiveInfo& primitive_info(Primitive p) { return kTable[static_cast<std::size_t>(p)]; }

const PrimitiveInfo* find_primitive(std::string_view name) {
  for (const auto& info : kTable) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::span<const Primitive> text_order() { return kTextOrder; }

std::string format_primitive(Primitive p, const FlowRecord& record, const FormatOptions& options) {
  std::string s;
  primitive_info(p).format(record, options, s);
  return s;
}

std::string format_primitive_json(Primitive p, const FlowRecord& record, const FormatOptions& options) {
  const PrimitiveInfo& info = primitive_info(p);
  std::string s;
  if (info.format_json != nullptr) {
    info.format_json(record, options, s);
    return s;
  }
  std::string value;
  info.format(record, options, value);
  if (info.json_kind == JsonKind::kString) {
    append_json_string(value, s);
  } else {
    s = std::move(value);
  }
  return s;
}

}  // namespace xacct::userspace
