#include "probe/probe_stats.hpp"

#include <string>

namespace xacct::probe {

ProbeStats::ProbeStats(userspace::Stats& stats, const ObsRegistry& registry)
    : drains(stats.counter("probe.drains")),
      drain_time_us(stats.counter("probe.drain_time_us")),
      drain_max_us(stats.counter("probe.drain_max_us")),
      flows_drained(stats.counter("probe.flows_drained")),
      drain_errors(stats.counter("probe.drain_errors")),
      membarrier_fallback(stats.counter("probe.membarrier_fallback")),
      audit_checks(stats.counter("probe.audit.checks")),
      audit_mismatch_packets(stats.counter("probe.audit.mismatch_packets")),
      audit_mismatch_bytes(stats.counter("probe.audit.mismatch_bytes")),
      audit_mismatch_intervals(stats.counter("probe.audit.mismatch_intervals")),
      ringbuf_samples(stats.counter("probe.ringbuf.samples")),
      ringbuf_drops(stats.counter("probe.ringbuf.drops")),
      ringbuf_read(stats.counter("probe.ringbuf.read")),
      ringbuf_weight(stats.counter("probe.ringbuf.weight")),
      sample_records(stats.counter("probe.samples.records")),
      sample_not_ip(stats.counter("probe.samples.not_ip")),
      sample_bad(stats.counter("probe.samples.bad")),
      xdp_no_meta(stats.counter("probe.xdp_no_meta")),
      stats_(stats) {
  per_obs_.resize(XACCT_MAX_OBS);
  for (const ObsPoint& p : registry.points()) add_point(p);
}

void ProbeStats::add_point(const ObsPoint& p) {
  if (p.obs_id >= per_obs_.size()) return;
  for (std::uint32_t dir = 0; dir < 2; ++dir) {
    std::string base = "probe." + p.ifname + (dir == 0 ? ".in." : ".out.");
    ObsDirCounters& c = per_obs_[p.obs_id][dir];
    c.packets = &stats_.counter(base + "packets");
    c.bytes = &stats_.counter(base + "bytes");
    c.flows = &stats_.counter(base + "flows");
    c.overflow_packets = &stats_.counter(base + "overflow_packets");
    c.overflow_bytes = &stats_.counter(base + "overflow_bytes");
    c.insert_fail = &stats_.counter(base + "insert_fail");
    c.not_parsed = &stats_.counter(base + "not_parsed");
    c.non_ip = &stats_.counter(base + "non_ip");
    c.skipped_marked = &stats_.counter(base + "skipped_marked");
  }
}

}  // namespace xacct::probe
