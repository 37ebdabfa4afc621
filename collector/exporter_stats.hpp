// ExporterStats: the per-exporter counters of one listener thread,
// "collector.exporter.<ip>.{datagrams,records,bytes,decode_errors,
// template_misses,sequence_gaps}" in the Stats registry (SIGUSR1 prints them).
//
// A thread looks an exporter up in its own hash map (no lock); the first
// datagram of a new exporter registers its counters in Stats (one mutex
// acquisition). An exporter always reaches the same thread (the listener
// steers by source address), but if two threads meet one anyway they share
// the same atomic counters. At most `max_exporters` distinct addresses get
// their own counters per thread, so that spoofed sources cannot grow the
// registry without bound; the rest are counted under "collector.exporter.other".
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

#include "collector/datagram.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/stats.hpp"

namespace xacct::collector {

// "192.0.2.1" / "2001:db8::1" (IPv4-mapped addresses print as IPv4).
std::string format_ip(const userspace::IpAddress& a);

struct ExporterCounters {
  userspace::Counter& datagrams;
  userspace::Counter& records;
  userspace::Counter& bytes;  // UDP payload bytes received from the exporter
  userspace::Counter& decode_errors;
  userspace::Counter& template_misses;
  userspace::Counter& sequence_gaps;

  void count(std::size_t datagram_bytes, const DecodeResult& r) {
    datagrams.add();
    bytes.add(datagram_bytes);
    if (r.records != 0) records.add(r.records);
    if (r.decode_errors != 0) decode_errors.add(r.decode_errors);
    if (r.template_misses != 0) template_misses.add(r.template_misses);
    if (r.sequence_gaps != 0) sequence_gaps.add(r.sequence_gaps);
  }
};

ExporterCounters register_exporter_counters(userspace::Stats& stats, const std::string& name);

class ExporterStats {
 public:
  explicit ExporterStats(userspace::Stats& stats, std::size_t max_exporters = 16384)
      : stats_(stats), max_(max_exporters) {}

  ExporterCounters& of(const userspace::IpAddress& a);

 private:
  struct Hash {
    std::size_t operator()(const userspace::IpAddress& a) const {
      std::size_t h = 1469598103934665603ull;
      for (std::uint8_t b : a.bytes) h = (h ^ b) * 1099511628211ull;
      return h;
    }
  };
  userspace::Stats& stats_;
  std::size_t max_;
  std::unordered_map<userspace::IpAddress, ExporterCounters, Hash> by_ip_;
  std::unique_ptr<ExporterCounters> other_;
};

}  // namespace xacct::collector
