// Test helper: switch the process time zone (TZ + tzset) for one test and
// restore the previous one afterwards, whatever the test does.
#pragma once

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

namespace xacct::userspace::testing {

class TzGuard {
 public:
  explicit TzGuard(const char* tz) {
    const char* old = std::getenv("TZ");
    if (old != nullptr) saved_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~TzGuard() {
    if (saved_) {
      setenv("TZ", saved_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  TzGuard(const TzGuard&) = delete;
  TzGuard& operator=(const TzGuard&) = delete;

 private:
  std::optional<std::string> saved_;
};

// "2024-03-30T23:00:00Z" <-> epoch seconds, independent of TZ.
inline std::int64_t utc(const char* iso) {
  std::tm tm{};
  if (strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm) == nullptr) std::abort();
  return static_cast<std::int64_t>(timegm(&tm));
}
inline std::string iso(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace xacct::userspace::testing
