// bgp_agent_map / bmp_agent_map: keys, first match wins, bad lines reported
// as file:line and skipped, the exporter-only fast path, reload keeps the
// old map when the file is gone.
#include "bgp/bgp_agent_map.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "userspace/maps/ip_prefix.hpp"

namespace xacct::bgp {
namespace {

using userspace::FlowRecord;
using userspace::IpAddress;

IpAddress ip(const char* text) { return maps::parse_ip(text).value(); }

FlowRecord from(const char* exporter, std::uint32_t in = 0) {
  FlowRecord r;
  r.peer_src_ip = ip(exporter);
  r.in_iface = in;
  r.src_host = ip("198.18.0.1");
  r.dst_host = ip("198.18.0.2");
  r.proto = 17;
  return r;
}

std::shared_ptr<const AgentMap> parse(const char* text, maps::LoadReport& report,
                                      std::uint32_t max_entries = 384) {
  return AgentMap::parse(text, "agent.map", "bgp_agent_map", max_entries, 256, report);
}

TEST(BgpAgentMap, FirstMatchWinsWithPrefixesAndInterfaces) {
  maps::LoadReport report;
  auto m = parse(
      "! comment\n"
      "bgp_ip=10.0.0.1 ip=192.0.2.254\n"
      "bgp_ip=10.0.0.2 ip=192.0.2.0/24 in=5\n"
      "bmp_ip=2001:db8::2 bgp_port=1179 ip=192.0.2.0/24\n"
      "bgp_ip=10.0.0.9 ip=0.0.0.0/0\n",
      report);
  EXPECT_TRUE(report.warnings.empty());
  ASSERT_EQ(m->size(), 4u);
  EXPECT_FALSE(m->exporter_only());
  EXPECT_EQ(m->lookup(from("192.0.2.254"))->bgp_ip, ip("10.0.0.1"));
  EXPECT_EQ(m->lookup(from("192.0.2.7", 5))->bgp_ip, ip("10.0.0.2"));
  const AgentTarget* t = m->lookup(from("192.0.2.7", 6));
  EXPECT_EQ(t->bgp_ip, ip("2001:db8::2"));
  ASSERT_TRUE(t->bgp_port.has_value());
  EXPECT_EQ(*t->bgp_port, 1179);
  EXPECT_EQ(m->lookup(from("198.18.1.1"))->bgp_ip, ip("10.0.0.9"));
  EXPECT_FALSE(m->lookup(from("198.18.1.1"))->bgp_port.has_value());
  EXPECT_EQ(m->lookup(from("2001:db8::9")), nullptr);  // IPv4 catch-all does not hold IPv6
}

TEST(BgpAgentMap, FilterPicksTheSessionByFamily) {
  maps::LoadReport report;
  auto m = parse(
      "bgp_ip=10.0.0.1 ip=0.0.0.0/0 filter='ip'\n"
      "bgp_ip=2001:db8::1 ip=0.0.0.0/0 filter='ip6'\n",
      report);
  ASSERT_TRUE(report.warnings.empty()) << report.warnings[0];
  FlowRecord v6 = from("192.0.2.1");
  v6.src_host = ip("2001:db8::10");
  v6.dst_host = ip("2001:db8::20");
  v6.etype = 0x86dd;
  FlowRecord v4 = from("192.0.2.1");
  v4.etype = 0x0800;
  EXPECT_EQ(m->lookup(v4)->bgp_ip, ip("10.0.0.1"));
  EXPECT_EQ(m->lookup(v6)->bgp_ip, ip("2001:db8::1"));
}

TEST(BgpAgentMap, BadLinesAreReportedWithFileAndLineAndSkipped) {
  maps::LoadReport report;
  auto m = parse(
      "bgp_ip=10.0.0.1 ip=192.0.2.1\n"                            // 1 ok
      "ip=192.0.2.2\n"                                            // 2 no bgp_ip
      "bgp_ip=10.0.0.300 ip=192.0.2.3\n"                          // 3 bad address
      "bgp_ip=10.0.0.4\n"                                         // 4 no ip
      "bgp_ip=10.0.0.5 ip=192.0.2.5 set_tag=1\n"                  // 5 unknown key
      "bgp_ip=10.0.0.6 bgp_port=70000 ip=192.0.2.6\n"             // 6 port range
      "bgp_ip=10.0.0.7 ip=192.0.2.7 in=x\n"                       // 7 bad in
      "bgp_ip=10.0.0.8 bmp_ip=10.0.0.9 ip=192.0.2.8\n"            // 8 twice (alias)
      "bgp_ip=10.0.0.10 ip=192.0.2.10 filter='not a filter ('\n"  // 9 filter
      "garbage\n"                                                 // 10 malformed
      "bgp_ip=10.0.0.11 ip=192.0.2.11\n",                         // 11 ok
      report);
  EXPECT_EQ(m->size(), 2u);
  EXPECT_TRUE(m->exporter_only());
  ASSERT_EQ(report.warnings.size(), 9u);
  const unsigned lines[] = {2, 3, 4, 5, 6, 7, 8, 9, 10};
  for (std::size_t i = 0; i < 9; ++i) {
    EXPECT_EQ(report.warnings[i].rfind("agent.map:" + std::to_string(lines[i]) + ": ", 0), 0u)
        << report.warnings[i];
  }
  EXPECT_NE(report.warnings[0].find("no bgp_ip"), std::string::npos);
  EXPECT_NE(report.warnings[3].find("set_tag"), std::string::npos);
  EXPECT_EQ(m->lookup(from("192.0.2.11"))->bgp_ip, ip("10.0.0.11"));
  EXPECT_EQ(m->lookup(from("192.0.2.2")), nullptr);
}

TEST(BgpAgentMap, MapsEntriesCutsTheFile) {
  maps::LoadReport report;
  auto m = parse("bgp_ip=10.0.0.1 ip=192.0.2.1\nbgp_ip=10.0.0.2 ip=192.0.2.2\nbgp_ip=10.0.0.3 ip=192.0.2.3\n",
                 report, 2);
  EXPECT_EQ(m->size(), 2u);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_EQ(report.warnings[0].rfind("agent.map:3: ", 0), 0u);
}

TEST(BgpAgentMap, FileReloadKeepsThePreviousVersionOnError) {
  const auto dir = std::filesystem::temp_directory_path() / ("xacct_agent_map_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "bgp_agent.map";
  { std::ofstream(path) << "bgp_ip=10.0.0.1 ip=192.0.2.1\n"; }
  AgentMapFile::Options o;
  o.path = path;
  auto f = AgentMapFile::create(o);
  ASSERT_TRUE(f);
  EXPECT_EQ(f.value()->current()->lookup(from("192.0.2.1"))->bgp_ip, ip("10.0.0.1"));
  { std::ofstream(path) << "bgp_ip=10.0.0.2 ip=192.0.2.1\n"; }
  ASSERT_TRUE(f.value()->reload());
  EXPECT_EQ(f.value()->current()->lookup(from("192.0.2.1"))->bgp_ip, ip("10.0.0.2"));
  std::filesystem::remove(path);
  auto st = f.value()->reload();
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("bgp_agent_map"), std::string::npos);
  EXPECT_EQ(f.value()->current()->lookup(from("192.0.2.1"))->bgp_ip, ip("10.0.0.2"));
  EXPECT_FALSE(AgentMapFile::create(o));  // unreadable at start: an error
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace xacct::bgp
