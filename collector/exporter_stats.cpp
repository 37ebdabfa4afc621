// See exporter_stats.hpp.
#include "collector/exporter_stats.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <memory>

#include "userspace/primitive_encodings.hpp"

namespace xacct::collector {

std::string format_ip(const userspace::IpAddress& a) {
  // A dual-stack socket may report an IPv4 exporter as IPv4-mapped IPv6.
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  userspace::IpAddress plain = a;
  if (plain.is_v6 && std::equal(kMapped, kMapped + 12, a.bytes.begin())) plain.is_v6 = false;
  return userspace::ip_text(plain);
}

ExporterCounters register_exporter_counters(userspace::Stats& stats, const std::string& name) {
  const std::string p = "collector.exporter." + name + ".";
  return ExporterCounters{stats.counter(p + "datagrams"),       stats.counter(p + "records"),
                          stats.counter(p + "bytes"),           stats.counter(p + "decode_errors"),
                          stats.counter(p + "template_misses"), stats.counter(p + "sequence_gaps")};
}

ExporterCounters& ExporterStats::of(const userspace::IpAddress& a) {
  auto it = by_ip_.find(a);
  if (it != by_ip_.end()) return it->second;
  if (by_ip_.size() >= max_) {
    if (!other_) other_ = std::make_unique<ExporterCounters>(register_exporter_counters(stats_, "other"));
    return *other_;
  }
  return by_ip_.emplace(a, register_exporter_counters(stats_, format_ip(a))).first->second;
}

}  // namespace xacct::collector
