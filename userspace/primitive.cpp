// See primitive.hpp. Column widths of the formatted output are pmacct's
// (print_plugin.c: "%-45s  " for addresses, "%-5u     " for ports, ...), so
// a formatted file lines up the same way; CSV and JSON carry no padding.
#include "userspace/primitive.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <type_traits>

#include "userspace/ip_proto_names.hpp"

namespace xacct::userspace {
namespace {

template <typename T>
void append_uint(T v, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<std::uint64_t>(v));
  (void)ec;  // 24 chars always fit a u64
  out.append(buf, end);
}

// Key copy of one FlowRecord member, raw bytes.
template <auto Member>
void extract_member(const FlowRecord& r, std::uint8_t* out) {
  std::memcpy(out, &(r.*Member), sizeof(r.*Member));
}
template <auto Member>
void inject_member(const std::uint8_t* in, FlowRecord& r) {
  std::memcpy(&(r.*Member), in, sizeof(r.*Member));
}
template <auto Member>
constexpr std::uint8_t member_size() {
  return static_cast<std::uint8_t>(sizeof(std::declval<FlowRecord>().*Member));
}

// IpAddress: 16 address bytes + the family flag.
template <IpAddress FlowRecord::*Member>
void extract_ip(const FlowRecord& r, std::uint8_t* out) {
  std::memcpy(out, (r.*Member).bytes.data(), 16);
  out[16] = (r.*Member).is_v6 ? 1 : 0;
}
template <IpAddress FlowRecord::*Member>
void inject_ip(const std::uint8_t* in, FlowRecord& r) {
  std::memcpy((r.*Member).bytes.data(), in, 16);
  (r.*Member).is_v6 = in[16] != 0;
}

void extract_nothing(const FlowRecord&, std::uint8_t*) {}
void inject_nothing(const std::uint8_t*, FlowRecord&) {}
void format_nothing(const FlowRecord&, const FormatOptions&, std::string&) {}

template <auto Member>
void format_uint(const FlowRecord& r, const FormatOptions&, std::string& out) {
  append_uint(r.*Member, out);
}
template <IpAddress FlowRecord::*Member>
void format_ip(const FlowRecord& r, const FormatOptions&, std::string& out) {
  append_ip(r.*Member, out);
}
template <MacAddress FlowRecord::*Member>
void format_mac(const FlowRecord& r, const FormatOptions&, std::string& out) {
  append_mac(r.*Member, out);
}
template <TimestampNs FlowRecord::*Member>
void format_time(const FlowRecord& r, const FormatOptions& o, std::string& out) {
  append_timestamp(r.*Member, o.timestamps, out);
}

void format_etype(const FlowRecord& r, const FormatOptions&, std::string& out) {
  char buf[8];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, r.etype, 16);
  (void)ec;
  out.append(buf, end);
}

void format_proto(const FlowRecord& r, const FormatOptions& o, std::string& out) {
  std::string_view name = o.num_protos ? std::string_view{} : ip_proto_name(r.proto);
  if (name.empty()) {
    append_uint(r.proto, out);
  } else {
    out += name;
  }
}

using P = Primitive;
using K = PrimitiveKind;
using J = JsonKind;
using R = FlowRecord;

// clang-format off
constexpr PrimitiveInfo kTable[] = {
  {P::kNone, "none", "", "", K::kNone, J::kNumber, 0, 0, 0,
   "no primitive: one grand total", extract_nothing, inject_nothing, format_nothing},
  {P::kTag, "tag", "tag", "TAG", K::kKey, J::kNumber, member_size<&R::tag>(), 10, 2,
   "tag from pre_tag_map or post_tag", extract_member<&R::tag>, inject_member<&R::tag>, format_uint<&R::tag>},
  {P::kTag2, "tag2", "tag2", "TAG2", K::kKey, J::kNumber, member_size<&R::tag2>(), 10, 2,
   "tag2 from pre_tag_map or post_tag2", extract_member<&R::tag2>, inject_member<&R::tag2>, format_uint<&R::tag2>},
  {P::kSrcMac, "src_mac", "mac_src", "SRC_MAC", K::kKey, J::kString, 6, 17, 2,
   "source MAC address", extract_member<&R::src_mac>, inject_member<&R::src_mac>, format_mac<&R::src_mac>},
  {P::kDstMac, "dst_mac", "mac_dst", "DST_MAC", K::kKey, J::kString, 6, 17, 2,
   "destination MAC address", extract_member<&R::dst_mac>, inject_member<&R::dst_mac>, format_mac<&R::dst_mac>},
  {P::kVlan, "vlan", "vlan", "VLAN", K::kKey, J::kNumber, member_size<&R::vlan>(), 5, 2,
   "802.1Q VLAN id (0 = untagged)", extract_member<&R::vlan>, inject_member<&R::vlan>, format_uint<&R::vlan>},
  {P::kCos, "cos", "cos", "COS", K::kKey, J::kNumber, member_size<&R::cos>(), 2, 2,
   "802.1p priority", extract_member<&R::cos>, inject_member<&R::cos>, format_uint<&R::cos>},
  {P::kEtype, "etype", "etype", "ETYPE", K::kKey, J::kString, member_size<&R::etype>(), 5, 2,
   "Ethertype (hex)", extract_member<&R::etype>, inject_member<&R::etype>, format_etype},
  {P::kInIface, "in_iface", "iface_in", "IN_IFACE", K::kKey, J::kNumber, member_size<&R::in_iface>(), 10, 2,
   "input interface ifindex", extract_member<&R::in_iface>, inject_member<&R::in_iface>, format_uint<&R::in_iface>},
  {P::kOutIface, "out_iface", "iface_out", "OUT_IFACE", K::kKey, J::kNumber, member_size<&R::out_iface>(), 10, 2,
   "output interface ifindex", extract_member<&R::out_iface>, inject_member<&R::out_iface>, format_uint<&R::out_iface>},
  {P::kSrcHost, "src_host", "ip_src", "SRC_IP", K::kKey, J::kString, 17, 45, 2,
   "source IPv4/IPv6 address", extract_ip<&R::src_host>, inject_ip<&R::src_host>, format_ip<&R::src_host>},
  {P::kDstHost, "dst_host", "ip_dst", "DST_IP", K::kKey, J::kString, 17, 45, 2,
   "destination IPv4/IPv6 address", extract_ip<&R::dst_host>, inject_ip<&R::dst_host>, format_ip<&R::dst_host>},
  {P::kSrcPort, "src_port", "port_src", "SRC_PORT", K::kKey, J::kNumber, member_size<&R::src_port>(), 5, 5,
   "source TCP/UDP/SCTP port", extract_member<&R::src_port>, inject_member<&R::src_port>, format_uint<&R::src_port>},
  {P::kDstPort, "dst_port", "port_dst", "DST_PORT", K::kKey, J::kNumber, member_size<&R::dst_port>(), 5, 5,
   "destination TCP/UDP/SCTP port", extract_member<&R::dst_port>, inject_member<&R::dst_port>, format_uint<&R::dst_port>},
  {P::kTcpFlags, "tcpflags", "tcp_flags", "TCP_FLAGS", K::kValue, J::kString, 0, 3, 8,
   "TCP flags, ORed over the aggregate", extract_nothing, inject_nothing, format_uint<&R::tcp_flags>},
  {P::kProto, "proto", "ip_proto", "PROTOCOL", K::kKey, J::kString, member_size<&R::proto>(), 10, 2,
   "IP protocol", extract_member<&R::proto>, inject_member<&R::proto>, format_proto},
  {P::kTos, "tos", "tos", "TOS", K::kKey, J::kNumber, member_size<&R::tos>(), 3, 4,
   "IP ToS / traffic class byte", extract_member<&R::tos>, inject_member<&R::tos>, format_uint<&R::tos>},
  {P::kSamplingRate, "sampling_rate", "sampling_rate", "SAMPLING_RATE", K::kKey, J::kNumber,
   member_size<&R::sampling_rate>(), 7, 7, "sampling rate (1-out-of-N, 0 = unknown)",
   extract_member<&R::sampling_rate>, inject_member<&R::sampling_rate>, format_uint<&R::sampling_rate>},
  {P::kMplsLabelTop, "mpls_label_top", "mpls_label_top", "MPLS_LABEL_TOP", K::kKey, J::kNumber,
   member_size<&R::mpls_label_top>(), 7, 9, "top MPLS label",
   extract_member<&R::mpls_label_top>, inject_member<&R::mpls_label_top>, format_uint<&R::mpls_label_top>},
  {P::kMplsLabelBottom, "mpls_label_bottom", "mpls_label_bottom", "MPLS_LABEL_BOTTOM", K::kKey, J::kNumber,
   member_size<&R::mpls_label_bottom>(), 7, 12, "bottom MPLS label",
   extract_member<&R::mpls_label_bottom>, inject_member<&R::mpls_label_bottom>, format_uint<&R::mpls_label_bottom>},
  {P::kMplsStackDepth, "mpls_stack_depth", "mpls_stack_depth", "MPLS_STACK_DEPTH", K::kKey, J::kNumber,
   member_size<&R::mpls_stack_depth>(), 2, 16, "number of MPLS labels",
   extract_member<&R::mpls_stack_depth>, inject_member<&R::mpls_stack_depth>, format_uint<&R::mpls_stack_depth>},
  {P::kTimestampStart, "timestamp_start", "timestamp_start", "TIMESTAMP_START", K::kKey, J::kString,
   member_size<&R::first_ns>(), 30, 1, "flow start time",
   extract_member<&R::first_ns>, inject_member<&R::first_ns>, format_time<&R::first_ns>},
  {P::kTimestampEnd, "timestamp_end", "timestamp_end", "TIMESTAMP_END", K::kKey, J::kString,
   member_size<&R::last_ns>(), 30, 1, "flow end time",
   extract_member<&R::last_ns>, inject_member<&R::last_ns>, format_time<&R::last_ns>},
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

// pmacct names that exist but have no field here yet: a clear "not supported
// yet" beats "unknown primitive" for someone migrating a pmacct config.
constexpr std::string_view kUnsupportedPmacct[] = {
    "src_net", "dst_net", "src_mask", "dst_mask", "sum_host", "sum_net", "sum_port", "sum_as",
    "sum_mac", "src_as", "dst_as", "peer_src_as", "peer_dst_as", "peer_src_ip", "peer_dst_ip",
    "as_path", "std_comm", "ext_comm", "lrg_comm", "local_pref", "med", "src_as_path",
    "src_std_comm", "src_ext_comm", "src_lrg_comm", "src_local_pref", "src_med", "src_roa",
    "dst_roa", "mpls_vpn_rd", "mpls_pw_id", "mpls_label_stack", "sampling_direction",
    "nat_event", "fw_event", "fwd_status", "post_nat_src_host", "post_nat_dst_host",
    "post_nat_src_port", "post_nat_dst_port", "tunnel_src_mac", "tunnel_dst_mac",
    "tunnel_src_host", "tunnel_dst_host", "tunnel_proto", "tunnel_tos", "tunnel_src_port",
    "tunnel_dst_port", "tunnel_tcpflags", "vxlan", "class", "src_host_country",
    "dst_host_country", "src_host_pocode", "dst_host_pocode", "src_host_coords",
    "dst_host_coords", "label", "export_proto_seqno", "export_proto_version",
    "export_proto_sysid", "timestamp_arrival", "timestamp_export", "in_vlan", "out_vlan",
    "in_cvlan", "out_cvlan", "flow_label", "srv6_seg_ipv6_list", "src_ip_pocode",
};

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  std::size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  std::size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

}  // namespace

std::span<const PrimitiveInfo> primitive_table() { return kTable; }

const PrimitiveInfo& primitive_info(Primitive p) { return kTable[static_cast<std::size_t>(p)]; }

const PrimitiveInfo* find_primitive(std::string_view name) {
  for (const auto& info : kTable) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

bool is_unsupported_pmacct_primitive(std::string_view name) {
  return std::find(std::begin(kUnsupportedPmacct), std::end(kUnsupportedPmacct), name) !=
         std::end(kUnsupportedPmacct);
}

Result<std::vector<Primitive>> parse_aggregate(std::string_view list) {
  std::vector<Primitive> out;
  bool saw_none = false;
  std::size_t items = 0;
  while (true) {
    std::size_t comma = list.find(',');
    std::string_view raw = trim(list.substr(0, comma));
    std::string item(raw);
    std::transform(item.begin(), item.end(), item.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (item.empty()) return make_error("empty primitive in aggregate list");
    ++items;
    const PrimitiveInfo* info = find_primitive(item);
    if (info == nullptr) {
      if (is_unsupported_pmacct_primitive(item)) {
        return make_error("primitive '" + item + "' is not supported yet");
      }
      return make_error("unknown primitive '" + item + "'");
    }
    if (info->id == Primitive::kNone) {
      saw_none = true;
    } else if (std::find(out.begin(), out.end(), info->id) == out.end()) {
      out.push_back(info->id);
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (saw_none && items > 1) return make_error("primitive 'none' cannot be combined with others");
  std::sort(out.begin(), out.end());
  return out;
}

std::string aggregate_to_string(std::span<const Primitive> primitives) {
  if (primitives.empty()) return "none";
  std::vector<Primitive> sorted(primitives.begin(), primitives.end());
  std::sort(sorted.begin(), sorted.end());
  std::string s;
  for (Primitive p : sorted) {
    if (!s.empty()) s += ", ";
    s += primitive_info(p).name;
  }
  return s;
}

void append_ip(const IpAddress& ip, std::string& out) {
  char buf[INET6_ADDRSTRLEN];
  if (ip.is_v6) {
    if (inet_ntop(AF_INET6, ip.bytes.data(), buf, sizeof buf) == nullptr) buf[0] = '\0';
    out += buf;
    return;
  }
  // IPv4 lives in the last 4 bytes (IPv4-mapped), also for the all-zero
  // "unknown" address, which pmacct prints as 0.0.0.0.
  for (int i = 12; i < 16; ++i) {
    if (i > 12) out += '.';
    append_uint(ip.bytes[static_cast<std::size_t>(i)], out);
  }
}

void append_mac(const MacAddress& mac, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < mac.size(); ++i) {
    if (i > 0) out += ':';
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xf];
  }
}

std::string format_primitive(Primitive p, const FlowRecord& record, const FormatOptions& options) {
  std::string s;
  primitive_info(p).format(record, options, s);
  return s;
}

}  // namespace xacct::userspace
