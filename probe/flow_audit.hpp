// The probe's self-check. For every observation point and direction, the
// traffic drained from a flow buffer plus the overflow counted while that
// buffer was live must equal the change of the never-reset kernel totals of
// that buffer:
//   Σ drained packets + Δ overflow_packets == Δ packets   (same for bytes)
// A difference means lost or double-counted traffic; it is counted in
// probe.audit.* and logged.
#pragma once

#include <cstdint>

#include "bpf/flow_types.h"
#include "probe/obs_registry.hpp"
#include "probe/probe_stats.hpp"

namespace xacct::probe {

struct DrainSums {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  std::uint64_t flows = 0;
};

struct AuditResult {
  std::int64_t packet_diff = 0;  // (drained + overflow) - totals
  std::int64_t byte_diff = 0;
  bool ok() const { return packet_diff == 0 && byte_diff == 0; }
};

// Pure check of one interval.
AuditResult audit_interval(const DrainSums& drained, const xacct_obs_totals& delta);

class FlowAudit {
 public:
  explicit FlowAudit(ProbeStats& stats) : stats_(stats) {}
  // Checks one (point, dir, buffer) interval, counts and logs a mismatch.
  AuditResult check(const ObsPoint& point, std::uint32_t dir, unsigned buffer,
                    const DrainSums& drained, const xacct_obs_totals& delta);

 private:
  ProbeStats& stats_;
};

}  // namespace xacct::probe
