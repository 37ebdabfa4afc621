// ProbeStats: the probe's counters in the shared Stats registry, registered
// once at start so the poller only does relaxed atomic adds. Names:
//   probe.<ifname>.<in|out>.{packets,bytes,flows,overflow_packets,
//     overflow_bytes,insert_fail,not_parsed,non_ip,skipped_marked}
//     (ifname "unknown" = packets on an interface the datapath did not know)
//   probe.drains, probe.drain_time_us, probe.drain_max_us, probe.flows_drained,
//   probe.drain_errors, probe.membarrier_fallback,
//   probe.audit.{checks,mismatch_packets,mismatch_bytes,mismatch_intervals},
//   probe.ringbuf.{samples,drops,weight,read}, probe.xdp_no_meta,
//   probe.samples.{records,not_ip,bad} (header samples: sample_consumer.hpp)
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "probe/obs_registry.hpp"
#include "userspace/stats.hpp"

namespace xacct::probe {

struct ObsDirCounters {
  userspace::Counter* packets = nullptr;
  userspace::Counter* bytes = nullptr;
  userspace::Counter* flows = nullptr;
  userspace::Counter* overflow_packets = nullptr;
  userspace::Counter* overflow_bytes = nullptr;
  userspace::Counter* insert_fail = nullptr;
  userspace::Counter* not_parsed = nullptr;
  userspace::Counter* non_ip = nullptr;
  userspace::Counter* skipped_marked = nullptr;
};

class ProbeStats {
 public:
  ProbeStats(userspace::Stats& stats, const ObsRegistry& registry);

  // Registers the counters of a point added later (before it is published:
  // the poller reads them once it sees the point).
  void add_point(const ObsPoint& point);

  // dir: XACCT_DIR_IN / XACCT_DIR_OUT; obs_id must be a registry id.
  ObsDirCounters& at(std::uint32_t obs_id, std::uint32_t dir) { return per_obs_[obs_id][dir]; }

  userspace::Counter& drains;
  userspace::Counter& drain_time_us;
  userspace::Counter& drain_max_us;
  userspace::Counter& flows_drained;
  userspace::Counter& drain_errors;
  userspace::Counter& membarrier_fallback;
  userspace::Counter& audit_checks;
  userspace::Counter& audit_mismatch_packets;
  userspace::Counter& audit_mismatch_bytes;
  userspace::Counter& audit_mismatch_intervals;
  userspace::Counter& ringbuf_samples;
  userspace::Counter& ringbuf_drops;
  userspace::Counter& ringbuf_read;
  userspace::Counter& ringbuf_weight;
  userspace::Counter& sample_records;
  userspace::Counter& sample_not_ip;
  userspace::Counter& sample_bad;
  userspace::Counter& xdp_no_meta;

 private:
  userspace::Stats& stats_;
  std::vector<std::array<ObsDirCounters, 2>> per_obs_;  // XACCT_MAX_OBS, never resized
};

}  // namespace xacct::probe
