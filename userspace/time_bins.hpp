// Time bins (print_history, later sql_/kafka_/amqp_history): with a history
// configured, a plugin keys every entry also by the start of its time bin,
// printed as stamp_inserted. Semantics follow pmacct (P_init_historical_acct,
// P_eval_historical_acct; spec/config.md §3.5):
//  - Anchor: the plugin start time with seconds zeroed, then rounded off
//    per print_history_roundoff letters: m = minutes to 0, h = also hours,
//    d = also day of month to 1, w = back to Sunday, M = also month to
//    January. Without a round-off the bins are anchored on the start
//    minute, not on clock boundaries (obs: 1h bins starting at :35).
//    Month bins always start on the 1st at 00:00.
//  - Bins: s/m/h bins are fixed lengths on the time line from the anchor.
//    d/w/M bins follow the calendar of the zone (UTC with timestamps_utc,
//    else local): a daily bin that starts at midnight starts at midnight
//    after a DST change too, so it lasts 23 or 25 hours that day.
//    pmacct uses fixed 86400 s days, so after a DST change its daily bins
//    start at 23:00 or 01:00: intentional difference.
//  - Offset (print_history_offset, < the bin length): bins start that many
//    seconds before the aligned boundaries, as pmacct computes it (obs:
//    1h, offset 600 -> bins at :50; its docs describe the shift forward).
//  - A record falls in the bin of its start time (timestamp_start); a
//    record without one in the bin of the current time. A time exactly on
//    a boundary opens the new bin (pmacct puts such times before its
//    anchor into the bin before: not copied).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "userspace/result.hpp"

namespace xacct::userspace {

enum class BinUnit : std::uint8_t { kSecond, kMinute, kHour, kDay, kWeek, kMonth };

struct TimeBinSpec {
  std::uint32_t count = 0;  // bins of `count` units; 0 = no time bins
  BinUnit unit = BinUnit::kSecond;
  std::string roundoff;     // letters of "mhdwM", validated
  std::uint32_t offset_s = 0;

  bool enabled() const { return count > 0; }
  bool operator==(const TimeBinSpec&) const = default;
};

// "300s", "5m", "1h", "1d", "1w", "1M"; a bare number is seconds. Fills
// count and unit. Errors have no location.
Result<TimeBinSpec> parse_time_bin(std::string_view text);
// Canonical text of count and unit ("5m"); "" when disabled.
std::string time_bin_to_string(const TimeBinSpec& spec);
// Validates a round-off: letters m, h, d, w, M, each at most once, not
// both d and w. Returns the letters in canonical order ("mh").
Result<std::string> parse_roundoff(std::string_view text);
// Nominal bin length in seconds ($hst, offset checks); months count 30
// days, as pmacct's $hst does.
std::int64_t nominal_bin_seconds(const TimeBinSpec& spec);

// `t` with seconds zeroed and each round-off letter applied, in UTC or
// local time. Also anchors refresh deadlines (pmacct does the same).
std::int64_t roundoff_time(std::int64_t t, std::string_view roundoff, bool utc);

class TimeBins {
 public:
  // `start_s`: when the plugin started (anchors the bins).
  TimeBins(const TimeBinSpec& spec, std::int64_t start_s, bool utc);

  // Start of the bin holding `t` (epoch seconds). Not thread-safe (caches
  // the last bin): one per plugin thread.
  std::int64_t bin_start(std::int64_t t) const;
  // Start of the bin after the one starting at `start` (a bin_start() value).
  std::int64_t next_bin_start(std::int64_t start) const;
  std::int64_t anchor() const { return anchor_; }

 private:
  bool calendar() const;
  // Start of calendar/fixed bin number k counted from the anchor.
  std::int64_t nth_start(std::int64_t k) const;
  // Index of the bin holding t (offset already applied).
  std::int64_t index_of(std::int64_t t) const;

  TimeBinSpec spec_;
  bool utc_;
  std::int64_t anchor_;
  std::int64_t fixed_len_ = 0;  // s/m/h bins
  mutable std::int64_t cached_lo_ = 1;
  mutable std::int64_t cached_hi_ = 0;  // empty range
};

}  // namespace xacct::userspace
