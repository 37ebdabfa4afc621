#include "probe/flow_audit.hpp"

#include <cstdlib>

#include "probe/logger.hpp"

namespace xacct::probe {

AuditResult audit_interval(const DrainSums& drained, const xacct_obs_totals& delta) {
  AuditResult r;
  r.packet_diff = static_cast<std::int64_t>(drained.packets + delta.overflow_packets) -
                  static_cast<std::int64_t>(delta.packets);
  r.byte_diff = static_cast<std::int64_t>(drained.bytes + delta.overflow_bytes) -
                static_cast<std::int64_t>(delta.bytes);
  return r;
}

AuditResult FlowAudit::check(const ObsPoint& point, std::uint32_t dir, unsigned buffer,
                             const DrainSums& drained, const xacct_obs_totals& delta) {
  AuditResult r = audit_interval(drained, delta);
  stats_.audit_checks.add();
  if (r.ok()) return r;
  stats_.audit_mismatch_packets.add(static_cast<std::uint64_t>(std::llabs(r.packet_diff)));
  stats_.audit_mismatch_bytes.add(static_cast<std::uint64_t>(std::llabs(r.byte_diff)));
  stats_.audit_mismatch_intervals.add();
  log()->warn(
      "audit {} {} buffer {}: drained {} packets / {} bytes in {} flows + overflow {} / {} != "
      "kernel totals {} / {} (diff {} packets, {} bytes)",
      point.ifname, dir == XACCT_DIR_OUT ? "out" : "in", buffer, drained.packets, drained.bytes,
      drained.flows, delta.overflow_packets, delta.overflow_bytes, delta.packets, delta.bytes,
      r.packet_diff, r.byte_diff);
  return r;
}

}  // namespace xacct::probe
