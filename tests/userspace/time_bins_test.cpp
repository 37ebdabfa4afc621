// Time-bin arithmetic (userspace/time_bins.hpp): parsing, round-off, the
// anchor on the plugin start minute as pmacct does it (values measured with
// pmacctd 1.7.7), offsets, and calendar bins across DST changes
// (Europe/Berlin, switched per test with TzGuard) and leap days. Inputs
// and expected bin starts are written as UTC times; no test sleeps.
#include "userspace/time_bins.hpp"

#include <gtest/gtest.h>

#include "tests/userspace/tz_guard.hpp"

namespace xacct::userspace {
namespace {

using testing::iso;
using testing::TzGuard;
using testing::utc;

TimeBinSpec spec(const char* history, const char* roundoff = "", std::uint32_t offset = 0) {
  TimeBinSpec s = parse_time_bin(history).value();
  s.roundoff = parse_roundoff(roundoff).value();
  s.offset_s = offset;
  return s;
}

std::string bin(const TimeBins& b, const char* t) { return iso(b.bin_start(utc(t))); }
std::string next(const TimeBins& b, const char* start) { return iso(b.next_bin_start(utc(start))); }

TEST(TimeBins, ParsesHistoryValues) {
  EXPECT_EQ(time_bin_to_string(parse_time_bin("300").value()), "300s");
  EXPECT_EQ(parse_time_bin("5m").value().unit, BinUnit::kMinute);
  EXPECT_EQ(parse_time_bin("5m").value().count, 5u);
  EXPECT_EQ(parse_time_bin("1M").value().unit, BinUnit::kMonth);
  EXPECT_EQ(parse_time_bin("2w").value().unit, BinUnit::kWeek);
  EXPECT_EQ(nominal_bin_seconds(parse_time_bin("2h").value()), 7200);
  EXPECT_EQ(nominal_bin_seconds(parse_time_bin("1M").value()), 30 * 86400);  // pmacct's $hst
  EXPECT_FALSE(parse_time_bin("").ok());
  EXPECT_FALSE(parse_time_bin("5y").ok());
  EXPECT_FALSE(parse_time_bin("-5m").ok());
  EXPECT_EQ(parse_roundoff("Mhm").value(), "mhM");
  EXPECT_FALSE(parse_roundoff("wd").ok());
}

// pmacctd 1.7.7, started 2026-11-25 20:11:59 UTC, print_history: 7m, no
// round-off: bins are anchored on 20:11:00 and printed 22:08, 22:29, 22:57.
TEST(TimeBins, AnchoredOnStartMinuteLikePmacct) {
  TzGuard tz("UTC");
  TimeBins b(spec("7m"), utc("2026-11-25T20:11:59Z"), false);
  EXPECT_EQ(iso(b.anchor()), "2026-11-25T20:11:00Z");
  EXPECT_EQ(iso(b.bin_start(1700000000)), "2023-11-14T22:08:00Z");
  EXPECT_EQ(iso(b.bin_start(1700001234)), "2023-11-14T22:29:00Z");
  EXPECT_EQ(iso(b.bin_start(1700003000)), "2023-11-14T22:57:00Z");
}

// pmacctd 1.7.7, started 2026-11-25 20:11:49 UTC, print_history: 1h,
// roundoff m, offset 600: bins start at :50 (the offset goes backwards).
TEST(TimeBins, OffsetLikePmacct) {
  TimeBins b(spec("1h", "m", 600), utc("2026-11-25T20:11:49Z"), true);
  EXPECT_EQ(iso(b.bin_start(1700000000)), "2023-11-14T21:50:00Z");
  EXPECT_EQ(iso(b.bin_start(1700001234)), "2023-11-14T21:50:00Z");
  EXPECT_EQ(iso(b.bin_start(1700003000)), "2023-11-14T22:50:00Z");
  EXPECT_EQ(bin(b, "2026-11-25T20:49:59Z"), "2026-11-25T19:50:00Z");
  EXPECT_EQ(bin(b, "2026-11-25T20:50:00Z"), "2026-11-25T20:50:00Z");
  EXPECT_EQ(next(b, "2026-11-25T19:50:00Z"), "2026-11-25T20:50:00Z");
}

TEST(TimeBins, BoundariesOpenTheNewBin) {
  TimeBins b(spec("5m", "m"), utc("2026-11-25T20:11:59Z"), true);
  EXPECT_EQ(iso(b.anchor()), "2026-11-25T20:00:00Z");
  EXPECT_EQ(bin(b, "2026-11-25T20:15:00Z"), "2026-11-25T20:15:00Z");
  EXPECT_EQ(bin(b, "2026-11-25T20:14:59Z"), "2026-11-25T20:10:00Z");
  // Before the anchor too (pmacct puts 19:55:00 into the 19:50 bin).
  EXPECT_EQ(bin(b, "2026-11-25T19:55:00Z"), "2026-11-25T19:55:00Z");
  EXPECT_EQ(bin(b, "2026-11-25T19:54:59Z"), "2026-11-25T19:50:00Z");
  // The cached bin does not leak into the next lookups.
  EXPECT_EQ(bin(b, "2026-11-25T19:59:59Z"), "2026-11-25T19:55:00Z");
  EXPECT_EQ(bin(b, "2026-11-25T20:00:00Z"), "2026-11-25T20:00:00Z");
}

TEST(TimeBins, RoundoffLettersInLocalTime) {
  TzGuard tz("Europe/Berlin");
  const std::int64_t t = utc("2024-03-31T13:42:17Z");  // Sunday 15:42:17 CEST
  EXPECT_EQ(iso(roundoff_time(t, "", false)), "2024-03-31T13:42:00Z");
  EXPECT_EQ(iso(roundoff_time(t, "m", false)), "2024-03-31T13:00:00Z");
  EXPECT_EQ(iso(roundoff_time(t, "h", false)), "2024-03-30T23:00:00Z");  // 00:00 CET, before the change
  EXPECT_EQ(iso(roundoff_time(t, "w", false)), "2024-03-30T23:00:00Z");  // already Sunday
  EXPECT_EQ(iso(roundoff_time(t, "d", false)), "2024-02-29T23:00:00Z");  // March 1st 00:00 CET
  EXPECT_EQ(iso(roundoff_time(t, "M", false)), "2023-12-31T23:00:00Z");  // January 1st 00:00 CET
  EXPECT_EQ(iso(roundoff_time(t, "h", true)), "2024-03-31T00:00:00Z");   // timestamps_utc: UTC midnight
  EXPECT_EQ(iso(roundoff_time(utc("2024-03-27T11:00:00Z"), "w", false)), "2024-03-23T23:00:00Z");
}

TEST(TimeBins, DailyBinsFollowLocalMidnightAcrossDst) {
  TzGuard tz("Europe/Berlin");
  TimeBins b(spec("1d", "h"), utc("2024-03-30T09:00:00Z"), false);
  EXPECT_EQ(iso(b.anchor()), "2024-03-29T23:00:00Z");
  EXPECT_EQ(bin(b, "2024-03-30T12:00:00Z"), "2024-03-29T23:00:00Z");
  // March 31st lasts 23 hours: 00:00 CET to 00:00 CEST.
  EXPECT_EQ(bin(b, "2024-03-31T21:30:00Z"), "2024-03-30T23:00:00Z");
  EXPECT_EQ(bin(b, "2024-03-31T22:00:00Z"), "2024-03-31T22:00:00Z");
  EXPECT_EQ(next(b, "2024-03-30T23:00:00Z"), "2024-03-31T22:00:00Z");
  // October 27th lasts 25 hours: 00:00 CEST to 00:00 CET.
  EXPECT_EQ(bin(b, "2024-10-27T22:59:59Z"), "2024-10-26T22:00:00Z");
  EXPECT_EQ(bin(b, "2024-10-27T23:00:00Z"), "2024-10-27T23:00:00Z");
  EXPECT_EQ(next(b, "2024-10-26T22:00:00Z"), "2024-10-27T23:00:00Z");
  // Months before the anchor, in winter time.
  EXPECT_EQ(bin(b, "2023-12-31T23:30:00Z"), "2023-12-31T23:00:00Z");
}

TEST(TimeBins, HourlyBinsAreFixedLengthsAcrossDst) {
  TzGuard tz("Europe/Berlin");
  TimeBins b(spec("1h", "h"), utc("2024-03-31T13:00:00Z"), false);
  EXPECT_EQ(iso(b.anchor()), "2024-03-30T23:00:00Z");
  EXPECT_EQ(bin(b, "2024-03-31T00:59:59Z"), "2024-03-31T00:00:00Z");  // 01:59:59 CET
  EXPECT_EQ(bin(b, "2024-03-31T01:15:00Z"), "2024-03-31T01:00:00Z");  // 03:15 CEST
  // 2h bins from local midnight stay 2h apart on the time line, so after
  // the change they start at odd local hours (03:00 CEST), as in pmacct.
  TimeBins two(spec("2h", "h"), utc("2024-03-31T13:00:00Z"), false);
  EXPECT_EQ(bin(two, "2024-03-31T01:15:00Z"), "2024-03-31T01:00:00Z");
  EXPECT_EQ(bin(two, "2024-03-31T02:59:59Z"), "2024-03-31T01:00:00Z");
}

TEST(TimeBins, WeeklyBinsFromSundayAcrossDst) {
  TzGuard tz("Europe/Berlin");
  TimeBins b(spec("1w", "w"), utc("2024-03-27T11:00:00Z"), false);  // Wednesday
  EXPECT_EQ(iso(b.anchor()), "2024-03-23T23:00:00Z");                // Sunday 00:00 CET
  EXPECT_EQ(bin(b, "2024-04-06T21:30:00Z"), "2024-03-30T23:00:00Z");  // Saturday 23:30 CEST
  EXPECT_EQ(bin(b, "2024-04-06T22:00:00Z"), "2024-04-06T22:00:00Z");  // Sunday 00:00 CEST
}

TEST(TimeBins, DayAnchoredOnAWallTimeThatDstSkips) {
  TzGuard tz("Europe/Berlin");
  // Anchor 02:30 CET; on March 31st 02:30 does not exist and the bin
  // starts at 03:30 CEST (glibc's mktime), on April 1st at 02:30 CEST.
  TimeBins b(spec("1d"), utc("2024-03-30T01:30:40Z"), false);
  EXPECT_EQ(iso(b.anchor()), "2024-03-30T01:30:00Z");
  EXPECT_EQ(bin(b, "2024-03-31T01:00:00Z"), "2024-03-30T01:30:00Z");
  EXPECT_EQ(bin(b, "2024-03-31T01:30:00Z"), "2024-03-31T01:30:00Z");
  EXPECT_EQ(bin(b, "2024-04-01T00:30:00Z"), "2024-04-01T00:30:00Z");
}

TEST(TimeBins, MonthlyBinsInLocalTime) {
  TzGuard tz("Europe/Berlin");
  TimeBins b(spec("1M"), utc("2024-03-15T11:00:00Z"), false);
  EXPECT_EQ(iso(b.anchor()), "2024-02-29T23:00:00Z");  // March 1st 00:00 CET
  EXPECT_EQ(bin(b, "2024-04-15T10:00:00Z"), "2024-03-31T22:00:00Z");  // April 1st 00:00 CEST
  EXPECT_EQ(next(b, "2024-03-31T22:00:00Z"), "2024-04-30T22:00:00Z");
  EXPECT_EQ(bin(b, "2024-02-29T22:59:59Z"), "2024-01-31T23:00:00Z");  // leap day, 23:59:59 CET
}

TEST(TimeBins, LeapDayDailyBins) {
  TimeBins midnight(spec("1d", "h"), utc("2024-02-28T13:37:00Z"), true);
  EXPECT_EQ(bin(midnight, "2024-02-29T12:00:00Z"), "2024-02-29T00:00:00Z");
  EXPECT_EQ(next(midnight, "2024-02-29T00:00:00Z"), "2024-03-01T00:00:00Z");
  EXPECT_EQ(next(midnight, "2024-02-28T00:00:00Z"), "2024-02-29T00:00:00Z");

  TimeBins start_minute(spec("1d"), utc("2024-02-28T13:37:42Z"), true);
  EXPECT_EQ(bin(start_minute, "2024-02-29T13:36:59Z"), "2024-02-28T13:37:00Z");
  EXPECT_EQ(bin(start_minute, "2024-02-29T13:37:00Z"), "2024-02-29T13:37:00Z");
  EXPECT_EQ(bin(start_minute, "2024-03-01T13:37:00Z"), "2024-03-01T13:37:00Z");

  // 2100 is not a leap year.
  TimeBins y2100(spec("1d", "h"), utc("2100-02-27T10:00:00Z"), true);
  EXPECT_EQ(bin(y2100, "2100-03-01T05:00:00Z"), "2100-03-01T00:00:00Z");
  EXPECT_EQ(next(y2100, "2100-02-28T00:00:00Z"), "2100-03-01T00:00:00Z");

  // Offset one hour: daily bins from 23:00.
  TimeBins offset(spec("1d", "h", 3600), utc("2024-02-28T13:37:00Z"), true);
  EXPECT_EQ(bin(offset, "2024-02-29T22:59:59Z"), "2024-02-28T23:00:00Z");
  EXPECT_EQ(bin(offset, "2024-02-29T23:00:00Z"), "2024-02-29T23:00:00Z");
}

TEST(TimeBins, LeapDayMonthlyAndWeeklyBins) {
  TimeBins months(spec("1M", "M"), utc("2024-02-10T08:00:00Z"), true);
  EXPECT_EQ(iso(months.anchor()), "2024-01-01T00:00:00Z");
  EXPECT_EQ(bin(months, "2024-02-29T23:59:59Z"), "2024-02-01T00:00:00Z");
  EXPECT_EQ(next(months, "2024-02-01T00:00:00Z"), "2024-03-01T00:00:00Z");
  EXPECT_EQ(bin(months, "2024-03-01T00:00:00Z"), "2024-03-01T00:00:00Z");

  TimeBins two(spec("2M", "M"), utc("2024-02-10T08:00:00Z"), true);
  EXPECT_EQ(bin(two, "2024-02-29T12:00:00Z"), "2024-01-01T00:00:00Z");
  EXPECT_EQ(bin(two, "2023-12-31T12:00:00Z"), "2023-11-01T00:00:00Z");
  EXPECT_EQ(bin(two, "2024-12-31T23:59:59Z"), "2024-11-01T00:00:00Z");

  // Without round-off month bins start on the 1st of the start month.
  TimeBins may(spec("2M"), utc("2024-05-20T08:00:00Z"), true);
  EXPECT_EQ(iso(may.anchor()), "2024-05-01T00:00:00Z");
  EXPECT_EQ(bin(may, "2024-02-29T12:00:00Z"), "2024-01-01T00:00:00Z");  // Jan-Feb, counting back from May
  EXPECT_EQ(bin(may, "2024-03-01T00:00:00Z"), "2024-03-01T00:00:00Z");
  EXPECT_EQ(bin(may, "2024-01-15T00:00:00Z"), "2024-01-01T00:00:00Z");
  EXPECT_EQ(bin(may, "2024-07-01T00:00:00Z"), "2024-07-01T00:00:00Z");

  TimeBins weeks(spec("1w", "w"), utc("2024-02-29T10:00:00Z"), true);  // Thursday, leap day
  EXPECT_EQ(iso(weeks.anchor()), "2024-02-25T00:00:00Z");
  EXPECT_EQ(bin(weeks, "2024-03-02T23:59:59Z"), "2024-02-25T00:00:00Z");
  EXPECT_EQ(bin(weeks, "2024-03-03T00:00:00Z"), "2024-03-03T00:00:00Z");
}

}  // namespace
}  // namespace xacct::userspace
