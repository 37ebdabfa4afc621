// DynamicName: the one expander of pmacct's dynamic names
// (print_output_file and print_latest_file now; sql_table, kafka_topic,
// amqp_routing_key later; spec/config.md §2). A template is parsed once, at
// configuration time, so an unknown $variable is a startup error, and is
// expanded per record at purge time:
//   %Y %m %d %H %M %S %s %w %W %z ...  strftime of the base time: the start
//                     of the record's time bin, else the purge time
//   $tzone            zone of the base time, "Z" or "+hh:mm"
//   $ref / $hst       refresh time / history length in seconds
//   $peer_src_ip      the record's peer_src_ip, '.' and ':' turned into '_'
//   $tag / $tag2      the record's tag / tag2, decimal
//   $post_tag(2)      the configured post_tag / post_tag2, decimal (0 unset)
// A variable is `$` + letters, digits and '_' (trailing '_' are text:
// "$tag_x.json" is an unknown variable, "$tag_.json" is $tag then "_.json").
// A '$' not followed by a name is kept as text.
//
// pmacct bugs not copied (spec/primitives.md §5): $peer_src_ip when the
// primitive is not aggregated (or unknown) expands to "null" instead of an
// uninitialised buffer, and every variable is substituted even after an
// empty one. %s is the epoch seconds of the base time in every zone
// (strftime's %s reinterprets a UTC breakdown as local time).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "userspace/flow_record.hpp"
#include "userspace/result.hpp"

namespace xacct::userspace {

enum class NameVar : std::uint8_t { kPeerSrcIp, kTag, kTag2, kPostTag, kPostTag2, kRef, kHst, kTzone };

// What a template is expanded with, besides the record.
struct NameContext {
  std::int64_t time_s = 0;  // base time (epoch seconds): bin start, else purge time
  bool utc = false;         // timestamps_utc: strftime and $tzone in UTC
  std::uint32_t refresh_s = 0;
  std::int64_t history_s = 0;
  std::uint64_t post_tag = 0;
  std::uint64_t post_tag2 = 0;
  bool has_peer_src_ip = false;  // peer_src_ip is in the plugin's aggregate
};

class DynamicName {
 public:
  DynamicName() = default;
  // `allow_time` false rejects strftime conversions and $tzone
  // (print_latest_file). Errors name the offending part, no location.
  static Result<DynamicName> parse(std::string_view text, bool allow_time = true);

  const std::string& text() const { return text_; }
  bool empty() const { return text_.empty(); }
  // Any variable or strftime conversion ("%%" alone is not one).
  bool is_dynamic() const { return uses_time_ || uses_record_ || uses_config_; }
  bool uses_time() const { return uses_time_; }
  // $peer_src_ip, $tag or $tag2: records may go to different names.
  bool uses_record() const { return uses_record_; }
  bool uses(NameVar var) const;

  // `record` may be null (no record: record variables give "null").
  std::string expand(const FlowRecord* record, const NameContext& context) const;

 private:
  struct Segment {
    bool is_var = false;
    NameVar var = NameVar::kTag;
    std::string text;  // literal text, a strftime format when has_conversion
    bool has_conversion = false;  // contains '%'
  };

  std::string text_;
  std::vector<Segment> segments_;
  bool uses_time_ = false;
  bool uses_record_ = false;
  bool uses_config_ = false;
};

}  // namespace xacct::userspace
