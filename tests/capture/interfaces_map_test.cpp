// pcap_interfaces_map parsing (probe/capture/interfaces_map.hpp): pmacct's
// keys, xacct's method, bad lines named by file:line and skipped, and the
// config keys around it (pcap_ifindex: map, exclusions).
#include "probe/capture/interfaces_map.hpp"

#include <gtest/gtest.h>

#include "probe/capture/capture_config.hpp"
#include "userspace/config_loader.hpp"

namespace xacct::capture {
namespace {

using userspace::Direction;

InterfacesMap parse(const std::string& text, CountMethod def = CountMethod::kTc, std::size_t max = 384) {
  return parse_interfaces_map(text, "if.map", def, max, 256);
}

TEST(InterfacesMap, PmacctLinesAndMethod) {
  auto m = parse(
      "! comment\n"
      "ifindex=100\tifname=eth0\tdirection=in\n"
      "\n"
      "# another\n"
      "ifname=eth1 ifindex=200 direction=out method=pcap\n"
      "ifname=eth2 method=XDP\n");
  ASSERT_TRUE(m.errors.empty()) << m.errors[0];
  ASSERT_EQ(m.lines.size(), 3u);
  EXPECT_EQ(m.lines[0].ifname, "eth0");
  EXPECT_EQ(m.lines[0].ifindex, 100u);
  EXPECT_EQ(m.lines[0].direction, Direction::kIn);
  EXPECT_EQ(m.lines[0].method, CountMethod::kTc);  // the default given
  EXPECT_EQ(m.lines[0].where, "if.map:2");
  EXPECT_EQ(m.lines[1].direction, Direction::kOut);
  EXPECT_EQ(m.lines[1].method, CountMethod::kPcap);
  EXPECT_EQ(m.lines[2].ifindex, 0u);
  EXPECT_EQ(m.lines[2].direction, Direction::kUnknown);
  EXPECT_EQ(m.lines[2].method, CountMethod::kXdp);
  EXPECT_EQ(parse("ifname=eth0\n", CountMethod::kPcap).lines.at(0).method, CountMethod::kPcap);
}

TEST(InterfacesMap, BadLinesAreNamedAndSkipped) {
  auto m = parse(
      "ifname=eth0\n"
      "ifindex=5\n"                             // 2: no ifname
      "ifname=eth1 ifindex=0\n"                 // 3: ifindex must be positive
      "ifname=eth1 ifindex=x\n"                 // 4
      "ifname=eth1 direction=both\n"            // 5
      "ifname=eth1 method=nflog\n"              // 6
      "ifname=eth1 colour=red\n"                // 7: unknown key
      "ifname=eth0 method=pcap\n"               // 8: eth0 twice
      "ifname=eth1 direction=out method=xdp\n"  // 9: XDP has no egress
      "ifname=eth1 ifname=eth2\n"               // 10
      "ifname = eth1\n"                         // 11: blanks around '='
      "ifname=eth1 direction=out\n");
  ASSERT_EQ(m.lines.size(), 2u);
  EXPECT_EQ(m.lines[0].ifname, "eth0");
  EXPECT_EQ(m.lines[1].ifname, "eth1");
  EXPECT_EQ(m.lines[1].where, "if.map:12");
  ASSERT_EQ(m.errors.size(), 10u);
  for (std::size_t i = 0; i < m.errors.size(); ++i) {
    EXPECT_EQ(m.errors[i].rfind("if.map:" + std::to_string(i + 2) + ": ", 0), 0u) << m.errors[i];
    EXPECT_NE(m.errors[i].find("line skipped"), std::string::npos) << m.errors[i];
  }
  EXPECT_NE(m.errors[5].find("unknown key 'colour'"), std::string::npos) << m.errors[5];
  EXPECT_NE(m.errors[6].find("already listed at if.map:1"), std::string::npos) << m.errors[6];
}

TEST(InterfacesMap, MapsEntriesBoundsTheLines) {
  auto m = parse("ifname=a\nifname=b\nifname=c\n", CountMethod::kTc, 2);
  EXPECT_EQ(m.lines.size(), 2u);
  ASSERT_EQ(m.errors.size(), 1u);
  EXPECT_EQ(m.errors[0].rfind("if.map:3: more than maps_entries (2)", 0), 0u) << m.errors[0];
}

TEST(InterfacesMap, SameSetupComparesWhatARestartNeeds) {
  auto a = parse("ifname=eth0 ifindex=1 direction=in method=pcap\n").lines.at(0);
  auto b = a;
  b.where = "other.map:9";
  EXPECT_TRUE(a.same_setup(b));  // where it is written does not matter
  b.ifindex = 2;
  EXPECT_FALSE(a.same_setup(b));
  b = a;
  b.method = CountMethod::kTc;
  EXPECT_FALSE(a.same_setup(b));
  b = a;
  b.direction = Direction::kOut;
  EXPECT_FALSE(a.same_setup(b));
}

TEST(InterfacesMap, UnreadableFileFails) {
  auto m = load_interfaces_map("/nonexistent/xacct-if.map", CountMethod::kTc, 384, 256);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("/nonexistent/xacct-if.map"), std::string::npos) << m.error().message;
}

userspace::Result<CaptureConfig> capture_config_of(const std::string& text) {
  auto lines = userspace::parse_config_text(text, "test.conf");
  EXPECT_TRUE(lines.ok());
  auto rc = userspace::resolve_config(lines.value(), userspace::Role::kProbe);
  EXPECT_TRUE(rc.ok()) << (rc.ok() ? "" : rc.error().message);
  auto dc = userspace::build_daemon_config(rc.value());
  EXPECT_TRUE(dc.ok()) << (dc.ok() ? "" : dc.error().message);
  EXPECT_EQ(select_input(dc.value().core),
            dc.value().core.pcap.savefiles.empty() ? InputKind::kInterfacesMap : InputKind::kSavefile);
  return make_capture_config(dc.value().core);
}

TEST(InterfacesMap, ConfigKeys) {
  auto c = capture_config_of("pcap_interfaces_map: /etc/if.map\npcap_ifindex: map\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c.value().interfaces_map, "/etc/if.map");
  EXPECT_EQ(c.value().ifindex_mode, IfindexMode::kMap);
  EXPECT_FALSE(capture_config_of("pcap_interfaces_map: /etc/if.map\npcap_interface: eth0\n").ok());
  EXPECT_FALSE(capture_config_of("pcap_interfaces_map: /etc/if.map\npcap_savefile: /a.pcap\n").ok());
  auto lines = userspace::parse_config_text("pcap_ifindex: map\n", "test.conf");
  auto rc = userspace::resolve_config(lines.value(), userspace::Role::kProbe);
  ASSERT_TRUE(rc.ok()) << rc.error().message;
  auto dc = userspace::build_daemon_config(rc.value());
  ASSERT_TRUE(dc.ok());
  auto no_map = make_capture_config(dc.value().core);
  ASSERT_FALSE(no_map.ok());
  EXPECT_NE(no_map.error().message.find("pcap_ifindex: map needs pcap_interfaces_map"), std::string::npos);
}

}  // namespace
}  // namespace xacct::capture
