// See timestamp_format.hpp.
#include "userspace/timestamp_format.hpp"

#include <cstdio>
#include <ctime>

namespace xacct::userspace {

void append_timestamp(TimestampNs ns, const TimestampOptions& options, std::string& out) {
  const bool known = ns > 0;
  std::int64_t secs = known ? ns / 1'000'000'000 : 0;
  long usec = known ? static_cast<long>((ns % 1'000'000'000) / 1000) : 0;
  if (options.secs) usec = 0;

  char buf[64];
  if (options.since_epoch) {
    std::snprintf(buf, sizeof buf, "%lld.%06ld", static_cast<long long>(secs), usec);
    out += buf;
    return;
  }

  std::tm tm{};
  const std::time_t t = static_cast<std::time_t>(secs);
  if (options.utc) {
    gmtime_r(&t, &tm);
  } else {
    localtime_r(&t, &tm);
  }
  const char* date_fmt = options.rfc3339 ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S";
  if (known) {
    std::size_t n = std::strftime(buf, sizeof buf, date_fmt, &tm);
    out.append(buf, n);
  } else {
    out += options.rfc3339 ? "0000-00-00T00:00:00" : "0000-00-00 00:00:00";
  }
  std::snprintf(buf, sizeof buf, ".%06ld", usec);
  out += buf;

  if (options.rfc3339) {
    // Zone of the rendered time (for unknown times: of the epoch, as pmacct).
    char zone[16];
    std::size_t n = std::strftime(zone, sizeof zone, "%z", &tm);
    std::string z(zone, n);
    if (z == "+0000" || z.size() != 5) {
      out += 'Z';
    } else {
      out += z.substr(0, 3);
      out += ':';
      out += z.substr(3, 2);
    }
  }
}

std::string format_timestamp(TimestampNs ns, const TimestampOptions& options) {
  std::string s;
  append_timestamp(ns, options, s);
  return s;
}

}  // namespace xacct::userspace
