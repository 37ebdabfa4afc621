// See civil_time.hpp.
#include "userspace/civil_time.hpp"

namespace xacct::userspace {

std::tm to_tm(std::int64_t t, bool utc) {
  std::tm tm{};
  const std::time_t tt = static_cast<std::time_t>(t);
  if (utc) {
    gmtime_r(&tt, &tm);
  } else {
    localtime_r(&tt, &tm);
  }
  return tm;
}

std::int64_t from_tm(std::tm tm, bool utc) {
  if (utc) return static_cast<std::int64_t>(timegm(&tm));
  tm.tm_isdst = -1;
  return static_cast<std::int64_t>(std::mktime(&tm));
}

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  // Howard Hinnant's algorithm (public domain "chrono-compatible low-level
  // date algorithms").
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace xacct::userspace
