// ports_file: listed ports stay, the others become 0 (userspace/maps/
// ports_file.hpp), and bad lines are reported.
#include "userspace/maps/ports_file.hpp"

#include <gtest/gtest.h>

#include "tests/userspace/record_builder.hpp"

namespace xacct::maps {
namespace {

using userspace::testing::flow;

TEST(PortsFile, UnlistedPortsBecomeZero) {
  LoadReport report;
  auto t = PortsTable::parse("53\n443\n! comment\n\n65535\n", "ports", report);
  EXPECT_TRUE(report.warnings.empty());
  EXPECT_EQ(t->size(), 3u);
  auto r = flow("198.18.0.1", "198.18.0.2", 40000, 53, 17, 1, 60);
  t->apply(r);
  EXPECT_EQ(r.src_port, 0);
  EXPECT_EQ(r.dst_port, 53);
  r = flow("198.18.0.1", "198.18.0.2", 443, 65535, 6, 1, 60);
  t->apply(r);
  EXPECT_EQ(r.src_port, 443);
  EXPECT_EQ(r.dst_port, 65535);
  r = flow("198.18.0.1", "198.18.0.2", 80, 8080, 6, 1, 60);
  t->apply(r);
  EXPECT_EQ(r.src_port, 0);
  EXPECT_EQ(r.dst_port, 0);
}

TEST(PortsFile, BadLinesReported) {
  LoadReport report;
  auto t = PortsTable::parse("53\n0\n65536\nhttp\n 80 \n-1\n", "ports", report);
  const std::vector<std::string> expected = {
      "ports:2: invalid port '0' (expected 1..65535); line skipped",
      "ports:3: invalid port '65536' (expected 1..65535); line skipped",
      "ports:4: invalid port 'http' (expected 1..65535); line skipped",
      "ports:6: invalid port '-1' (expected 1..65535); line skipped",
  };
  EXPECT_EQ(report.warnings, expected);
  EXPECT_EQ(t->size(), 2u);
  EXPECT_TRUE(t->listed(80));
  EXPECT_FALSE(t->listed(0));
}

TEST(PortsFile, EmptyFileZeroesAllPorts) {
  LoadReport report;
  auto t = PortsTable::parse("", "ports", report);
  auto r = flow("198.18.0.1", "198.18.0.2", 1, 2, 17, 1, 60);
  t->apply(r);
  EXPECT_EQ(r.src_port, 0);
  EXPECT_EQ(r.dst_port, 0);
}

}  // namespace
}  // namespace xacct::maps
