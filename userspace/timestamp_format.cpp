// See timestamp_format.hpp.
#include "userspace/timestamp_format.hpp"

#include <cstdio>

namespace xacct::userspace {
namespace {

std::tm break_down(std::int64_t secs, bool utc) {
  std::tm tm{};
  const std::time_t t = static_cast<std::time_t>(secs);
  if (utc) {
    gmtime_r(&t, &tm);
  } else {
    localtime_r(&t, &tm);
  }
  return tm;
}

// Date and time of day, or pmacct's all-zero text for an unknown time.
void append_date_time(bool known, const std::tm& tm, const TimestampOptions& options, std::string& out) {
  if (!known) {
    out += options.rfc3339 ? "0000-00-00T00:00:00" : "0000-00-00 00:00:00";
    return;
  }
  char buf[64];
  const char* fmt = options.rfc3339 ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S";
  out.append(buf, std::strftime(buf, sizeof buf, fmt, &tm));
}

}  // namespace

std::string rfc3339_zone(const std::tm& tm, bool rfc9557) {
  char zone[16];
  const std::string z(zone, std::strftime(zone, sizeof zone, "%z", &tm));
  if (z.size() != 5) return "Z";
  if (z == "+0000" && !rfc9557) return "Z";
  return z.substr(0, 3) + ":" + z.substr(3, 2);
}

void append_timestamp(TimestampNs ns, const TimestampOptions& options, std::string& out) {
  const bool known = ns > 0;
  const std::int64_t secs = known ? ns / 1'000'000'000 : 0;
  long usec = known ? static_cast<long>((ns % 1'000'000'000) / 1000) : 0;
  if (options.secs) usec = 0;

  char buf[64];
  if (options.since_epoch) {
    std::snprintf(buf, sizeof buf, "%lld.%06ld", static_cast<long long>(secs), usec);
    out += buf;
    return;
  }
  // Zone of the rendered time (for unknown times: of the epoch, as pmacct).
  const std::tm tm = break_down(secs, options.utc);
  append_date_time(known, tm, options, out);
  std::snprintf(buf, sizeof buf, ".%06ld", usec);
  out += buf;
  if (options.rfc3339) out += rfc3339_zone(tm, options.rfc9557);
}

std::string format_timestamp(TimestampNs ns, const TimestampOptions& options) {
  std::string s;
  append_timestamp(ns, options, s);
  return s;
}

void append_stamp(std::int64_t seconds, const TimestampOptions& options, std::string& out) {
  if (options.since_epoch) {
    out += std::to_string(seconds);
    return;
  }
  const std::tm tm = break_down(seconds, options.utc);
  append_date_time(seconds > 0, tm, options, out);
  if (options.rfc3339) out += rfc3339_zone(tm, options.rfc9557);
}

}  // namespace xacct::userspace
