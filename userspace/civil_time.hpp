// Calendar arithmetic in one of two zones: UTC, or the process's local
// zone (TZ). Time bins, round-offs and file-name times all go through
// here, so "local" means the same thing everywhere and DST is handled by
// the C library (mktime with tm_isdst = -1), not by adding 3600s.
#pragma once

#include <cstdint>
#include <ctime>

namespace xacct::userspace {

// Broken-down time of `t` (epoch seconds) in UTC or local time.
std::tm to_tm(std::int64_t t, bool utc);
// Epoch seconds of `tm`, normalizing out-of-range fields (mday 0, mon 12,
// ...). Local: DST is decided by the zone rules for that wall time (glibc:
// a wall time skipped by a spring-forward change maps to the same offset
// after the change, 02:30 -> 03:30; a repeated one to its second, standard
// time occurrence).
std::int64_t from_tm(std::tm tm, bool utc);
// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);

// floor(a / b) for b > 0.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

}  // namespace xacct::userspace
