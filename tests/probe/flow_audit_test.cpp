// The audit equation: drained + overflow == totals delta, per interval.
#include "probe/flow_audit.hpp"

#include <gtest/gtest.h>

namespace xacct::probe {
namespace {

TEST(FlowAudit, BalancedIntervalIsOk) {
  DrainSums d{192, 24576, 64};
  xacct_obs_totals t{};
  t.packets = 3000;
  t.bytes = 384000;
  t.overflow_packets = 2808;
  t.overflow_bytes = 359424;
  auto r = audit_interval(d, t);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.packet_diff, 0);
  EXPECT_EQ(r.byte_diff, 0);
}

TEST(FlowAudit, LostAndDoubleCountedTrafficShowsAsSignedDifference) {
  xacct_obs_totals t{};
  t.packets = 100;
  t.bytes = 10000;
  auto lost = audit_interval(DrainSums{97, 9700, 1}, t);
  EXPECT_FALSE(lost.ok());
  EXPECT_EQ(lost.packet_diff, -3);
  EXPECT_EQ(lost.byte_diff, -300);
  auto twice = audit_interval(DrainSums{101, 10000, 1}, t);
  EXPECT_FALSE(twice.ok());
  EXPECT_EQ(twice.packet_diff, 1);
  EXPECT_EQ(twice.byte_diff, 0);
}

TEST(FlowAudit, CheckCountsMismatchesInStats) {
  userspace::Stats stats;
  ObsRegistry reg;
  ProbeStats ps(stats, reg);
  FlowAudit audit(ps);
  xacct_obs_totals t{};
  t.packets = 10;
  t.bytes = 1000;
  EXPECT_TRUE(audit.check(reg.points()[0], XACCT_DIR_IN, 0, DrainSums{10, 1000, 2}, t).ok());
  EXPECT_FALSE(audit.check(reg.points()[0], XACCT_DIR_IN, 1, DrainSums{8, 900, 2}, t).ok());
  EXPECT_EQ(stats.counter("probe.audit.checks").value(), 2u);
  EXPECT_EQ(stats.counter("probe.audit.mismatch_packets").value(), 2u);
  EXPECT_EQ(stats.counter("probe.audit.mismatch_bytes").value(), 100u);
  EXPECT_EQ(stats.counter("probe.audit.mismatch_intervals").value(), 1u);
}

}  // namespace
}  // namespace xacct::probe
