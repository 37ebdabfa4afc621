// Aggregation primitives: the registry every part of the pipeline reads.
// One row per primitive gives its pmacct name (`aggregate:`), its JSON key,
// its CSV/formatted header, how it goes into an aggregation key and how its
// value prints (spec/primitives.md). The rows are in pmacct's fixed output
// order, so sorting a plugin's primitives by enum value gives the JSON key
// order and the CSV column order whatever order `aggregate` lists them in.
//
// Adding a primitive = a FlowRecord field + one enum value + one row.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "userspace/flow_record.hpp"
#include "userspace/result.hpp"
#include "userspace/timestamp_format.hpp"

namespace xacct::userspace {

// In pmacct output order (spec/primitives.md §2). kNone and kFlows are not
// printed as primitives: kNone means "one grand total", kFlows adds the
// "flows" counter next to packets and bytes.
enum class Primitive : std::uint8_t {
  kNone,
  kTag,
  kTag2,
  kSrcMac,
  kDstMac,
  kVlan,
  kCos,
  kEtype,
  kInIface,
  kOutIface,
  kSrcHost,
  kDstHost,
  kSrcPort,
  kDstPort,
  kTcpFlags,
  kProto,
  kTos,
  kSamplingRate,
  kMplsLabelTop,
  kMplsLabelBottom,
  kMplsStackDepth,
  kTimestampStart,
  kTimestampEnd,
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

// How values print; built from the plugin's keys (timestamps_*, *_num_protos).
struct FormatOptions {
  TimestampOptions timestamps;
  bool num_protos = false;  // print_num_protos: ip_proto as "6", not "tcp"

  bool operator==(const FormatOptions&) const = default;
};

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
  void (*format)(const FlowRecord& record, const FormatOptions& options, std::string& out);
};

// Every primitive, indexed by Primitive (kCount rows).
std::span<const PrimitiveInfo> primitive_table();
const PrimitiveInfo& primitive_info(Primitive p);
// By `aggregate` name (case-sensitive, names are lowercase); nullptr if unknown.
const PrimitiveInfo* find_primitive(std::string_view name);
// pmacct primitives xacct does not implement yet (src_net, src_as, ...).
bool is_unsupported_pmacct_primitive(std::string_view name);

// Parses an `aggregate` value ("src_host, dst_host,proto"): items trimmed,
// duplicates folded, result sorted in output order. "none" must stand alone.
// Errors name the offending item, without file:line (the caller adds it).
Result<std::vector<Primitive>> parse_aggregate(std::string_view list);
// "src_host, dst_host, proto" (output order); "none" for an empty/none list.
std::string aggregate_to_string(std::span<const Primitive> primitives);

// Helpers shared by formatters and tests.
void append_ip(const IpAddress& ip, std::string& out);
void append_mac(const MacAddress& mac, std::string& out);
// The printed value of one primitive.
std::string format_primitive(Primitive p, const FlowRecord& record, const FormatOptions& options);

}  // namespace xacct::userspace
