// Aggregation primitives: the registry every part of the pipeline reads.
// One row per primitive gives its pmacct name (`aggregate:`), its JSON key,
// its CSV/formatted header, how it goes into an aggregation key and how its
// value prints (spec/primitives.md). The enum is in pmacct's JSON key
// order, so sorting a plugin's primitives by enum value gives the JSON key
// order whatever order `aggregate` lists them in; CSV and formatted output
// use pmacct's print-plugin column order (text_order(), which differs for
// fwd_status, mpls_label_stack and timestamp_export).
//
// Adding a primitive = a FlowRecord field + one enum value + one row (and
// its place in text_order()).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "userspace/flow_record.hpp"
#include "userspace/primitive_encodings.hpp"
#include "userspace/result.hpp"
#include "userspace/timestamp_format.hpp"

namespace xacct::userspace {

// In pmacct's JSON output order (plugin_cmn_json.c). kNone and kFlows are
// not printed as primitives: kNone means "one grand total", kFlows adds the
// "flows" counter next to packets and bytes.
enum class Primitive : std::uint8_t {
  kNone,
  kTag,
  kTag2,
  kLabel,
  kSrcMac,
  kDstMac,
  kVlan,
  kInVlan,
  kOutVlan,
  kCos,
  kEtype,
  kSrcAs,
  kDstAs,
  kPeerSrcAs,
  kPeerDstAs,
  kPeerSrcIp,
  kPeerDstIp,
  kInIface,
  kOutIface,
  kMplsVpnRd,
  kSrcHost,
  kSrcNet,
  kDstHost,
  kDstNet,
  kSrcMask,
  kDstMask,
  kSrcPort,
  kDstPort,
  kTcpFlags,
  kFwdStatus,
  kMplsLabelStack,
  kProto,
  kTos,
  kSamplingRate,
  kMplsLabelTop,
  kMplsLabelBottom,
  kMplsStackDepth,
  kTunnelSrcMac,
  kTunnelDstMac,
  kTunnelSrcHost,
  kTunnelDstHost,
  kTunnelProto,
  kTunnelTos,
  kTunnelSrcPort,
  kTunnelDstPort,
  kTunnelTcpFlags,
  kVxlan,
  kTimestampStart,
  kTimestampEnd,
  kTimestampArrival,
  kExportProtoSeqno,
  kExportProtoVersion,
  kExportProtoSysid,
  kTimestampExport,
  kFlows,
  kCount,  // number of primitives, not a primitive
};

enum class PrimitiveKind : std::uint8_t {
  kNone,     // "none": nothing keyed, nothing printed
  kKey,      // part of the aggregation key, printed from the key
  kValue,    // accumulated per entry (tcpflags: OR), printed, not keyed
  kCounter,  // "flows": printed with the counters
};

enum class JsonKind : std::uint8_t { kNumber, kString };

// How values print; built from the plugin's keys (timestamps_*,
// *_num_protos, *_encode_as_*).
struct FormatOptions {
  TimestampOptions timestamps;
  bool num_protos = false;                 // print_num_protos: ip_proto as "6", not "tcp"
  bool tcpflags_as_array = false;          // tcpflags_encode_as_array (JSON only)
  bool fwd_status_as_string = false;       // fwd_status_encode_as_string (JSON only)
  bool mpls_label_stack_as_array = false;  // mpls_label_stack_encode_as_array (JSON only)
  bool label_as_map = false;               // pre_tag_label_encode_as_map (JSON only)

  bool operator==(const FormatOptions&) const = default;
};

using FormatFn = void (*)(const FlowRecord& record, const FormatOptions& options, std::string& out);

struct PrimitiveInfo {
  Primitive id;
  std::string_view name;        // as in `aggregate:`
  std::string_view json_key;    // "ip_src"
  std::string_view csv_header;  // "SRC_IP"; also the formatted column title
  PrimitiveKind kind;
  JsonKind json_kind;
  std::uint8_t key_size;   // bytes in the aggregation key (kKey only)
  std::uint8_t fmt_width;  // formatted output: value left-aligned in this width,
  std::uint8_t fmt_gap;    // then this many blanks (pmacct's column layout)
  std::string_view description;
  // Copies the primitive's field from a record into key bytes and back.
  void (*extract)(const FlowRecord& record, std::uint8_t* out);
  void (*inject)(const std::uint8_t* in, FlowRecord& record);
  // Appends the printed value (without JSON quotes).
  FormatFn format;
  // JSON value when it is not `format` quoted per json_kind (arrays and
  // named encodings); appends the complete JSON value. nullptr = use format.
  FormatFn format_json = nullptr;
  // Formatted output prints this instead of an empty value (pmacct: "::"
  // for an unknown peer address).
  std::string_view formatted_if_empty = {};
  // Variable-length value: pmacct refuses it in formatted output.
  bool variable_length = false;
  bool is_time = false;  // keyed at the plugin's timestamp resolution
};

// Every primitive, indexed by Primitive (kCount rows).
std::span<const PrimitiveInfo> primitive_table();
const PrimitiveInfo& primitive_info(Primitive p);
// By `aggregate` name (case-sensitive, names are lowercase); nullptr if unknown.
const PrimitiveInfo* find_primitive(std::string_view name);
// pmacct primitives xacct does not implement yet (sum_host, as_path, ...).
bool is_unsupported_pmacct_primitive(std::string_view name);
// Every primitive except kNone and kFlows in pmacct's print-plugin (CSV,
// formatted) column order.
std::span<const Primitive> text_order();

// Parses an `aggregate` value ("src_host, dst_host,proto"): items trimmed,
// duplicates folded, result sorted in output order. "none" must stand alone.
// Errors name the offending item, without file:line (the caller adds it).
Result<std::vector<Primitive>> parse_aggregate(std::string_view list);
// "src_host, dst_host, proto" (output order); "none" for an empty/none list.
std::string aggregate_to_string(std::span<const Primitive> primitives);

// The printed value of one primitive (CSV/formatted text).
std::string format_primitive(Primitive p, const FlowRecord& record, const FormatOptions& options);
// The JSON value of one primitive, quotes or brackets included.
std::string format_primitive_json(Primitive p, const FlowRecord& record, const FormatOptions& options);

}  // namespace xacct::userspace
