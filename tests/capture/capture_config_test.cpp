// CaptureConfig from the daemon's CoreConfig (probe/capture/capture_config.hpp),
// and pmacct's `pcap_ifindex: hash`.
#include "probe/capture/capture_config.hpp"

#include <gtest/gtest.h>

#include "userspace/config_loader.hpp"

namespace xacct::capture {
namespace {

userspace::CoreConfig core_from(const std::string& text) {
  auto lines = userspace::parse_config_text(text, "test.conf");
  EXPECT_TRUE(lines.ok());
  auto rc = userspace::resolve_config(lines.value(), userspace::Role::kProbe);
  EXPECT_TRUE(rc.ok()) << (rc.ok() ? "" : rc.error().message);
  auto dc = userspace::build_daemon_config(rc.value());
  EXPECT_TRUE(dc.ok()) << (dc.ok() ? "" : dc.error().message);
  return dc.value().core;
}

TEST(CaptureConfig, WhichInputRuns) {
  EXPECT_EQ(select_input(core_from("plugins: print\n")), InputKind::kEbpf);
  EXPECT_EQ(select_input(core_from("capture_method: pcap\n")), InputKind::kPcapLive);
  EXPECT_EQ(select_input(core_from("pcap_savefile: /a.pcap\n")), InputKind::kSavefile);
  // A savefile wins over the method: there is nothing to capture live.
  EXPECT_EQ(select_input(core_from("capture_method: ebpf\npcap_savefile: /a.pcap\n")), InputKind::kSavefile);
}

TEST(CaptureConfig, PmacctKeysAreMapped) {
  auto c = make_capture_config(core_from(
      "pcap_savefile: /a.pcap, /b.pcap\n"
      "pcap_savefile_wait: true\n"
      "pcap_savefile_delay: 3\n"
      "pcap_savefile_replay: 4\n"
      "pcap_filter: udp and port 53\n"
      "snaplen: 200\n"
      "promisc: false\n"
      "pcap_direction: out\n"
      "pcap_ifindex: 1234\n"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  const CaptureConfig& cc = c.value();
  ASSERT_EQ(cc.savefile.files.size(), 2u);
  EXPECT_EQ(cc.savefile.files[0], "/a.pcap");
  EXPECT_EQ(cc.savefile.files[1], "/b.pcap");
  EXPECT_TRUE(cc.savefile.wait);
  EXPECT_EQ(cc.savefile.delay_s, 3u);
  EXPECT_EQ(cc.savefile.replay, 4u);
  EXPECT_EQ(cc.filter, "udp and port 53");
  EXPECT_EQ(cc.snaplen, 200u);
  EXPECT_FALSE(cc.promisc);
  EXPECT_EQ(cc.direction, userspace::Direction::kOut);
  EXPECT_EQ(cc.ifindex_mode, IfindexMode::kFixed);
  EXPECT_EQ(interface_ifindex(cc, "whatever"), 1234u);
  RecordContext ctx = record_context(cc, 1234);
  EXPECT_EQ(ctx.direction, userspace::Direction::kOut);
  EXPECT_EQ(ctx.ifindex, 1234u);
  EXPECT_FALSE(ctx.ifindex_from_link);
}

TEST(CaptureConfig, Defaults) {
  auto c = make_capture_config(core_from("capture_method: pcap\npcap_interface: eth0\n"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c.value().snaplen, 128u);  // pmacct's default
  EXPECT_TRUE(c.value().promisc);
  EXPECT_EQ(c.value().direction, userspace::Direction::kUnknown);
  EXPECT_EQ(c.value().ifindex_mode, IfindexMode::kNone);
  EXPECT_TRUE(c.value().filter.empty());
  ASSERT_EQ(c.value().interfaces.size(), 1u);
  // No direction: pmacct writes no ifindex, whatever pcap_ifindex says.
  RecordContext ctx = record_context(c.value(), 7);
  EXPECT_EQ(ctx.ifindex, 0u);
}

TEST(CaptureConfig, SysAndHashModes) {
  auto sys = make_capture_config(core_from("capture_method: pcap\npcap_ifindex: sys\npcap_direction: in\n"));
  ASSERT_TRUE(sys.ok());
  EXPECT_EQ(sys.value().ifindex_mode, IfindexMode::kSys);
  EXPECT_EQ(interface_ifindex(sys.value(), "lo"), 1u);
  EXPECT_EQ(interface_ifindex(sys.value(), ""), 0u);  // savefiles have no interface
  EXPECT_TRUE(record_context(sys.value(), 1).ifindex_from_link);
  auto hash = make_capture_config(core_from("capture_method: pcap\npcap_ifindex: hash\n"));
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(interface_ifindex(hash.value(), "lo"), 2529615826u);
  EXPECT_EQ(interface_ifindex(hash.value(), ""), 0u);
}

TEST(CaptureConfig, Contradictions) {
  auto both = make_capture_config(core_from("pcap_savefile: /a.pcap\npcap_interface: eth0\n"));
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.error().message.find("exclude each other"), std::string::npos);
  auto orphan = make_capture_config(core_from("pcap_savefile_replay: 2\n"));
  ASSERT_FALSE(orphan.ok());
  EXPECT_NE(orphan.error().message.find("need pcap_savefile"), std::string::npos);
}

TEST(CaptureConfig, KeyTableChecks) {
  auto bad = [](const std::string& text) {
    auto lines = userspace::parse_config_text(text, "t.conf");
    auto rc = userspace::resolve_config(lines.value(), userspace::Role::kProbe);
    return rc.ok() ? std::string() : rc.error().message;
  };
  EXPECT_EQ(bad("pcap_ifindex: map\n"), "");  // with pcap_interfaces_map (make_capture_config checks)
  EXPECT_NE(bad("pcap_ifindex: eth0\n").find("expected sys, hash, none or an ifindex"), std::string::npos);
  EXPECT_NE(bad("pcap_direction: both\n").find("expected one of: in,out"), std::string::npos);
  EXPECT_NE(bad("capture_method: xdp\n").find("expected one of: ebpf,pcap"), std::string::npos);
  EXPECT_NE(bad("snaplen: 10\n").find("out of range"), std::string::npos);
  EXPECT_NE(bad("pcap_savefile_replay: 0\n").find("out of range"), std::string::npos);
  EXPECT_EQ(bad("savefile_wait: true\npcap_savefile: /x\n"), "");  // old name of pcap_savefile_wait
}

// pmacct 1.7.7's pcap_ifindex: hash, as its log prints it ("[eth0,2142326192]
// link type is: 1"); names of 4, 2, 12 (one full block), 13 and 14 bytes.
TEST(CaptureConfig, PmacctIfnameHash) {
  EXPECT_EQ(pmacct_ifname_hash("lo"), 2529615826u);
  EXPECT_EQ(pmacct_ifname_hash("eth0"), 2142326192u);
  EXPECT_EQ(pmacct_ifname_hash("abcdefghijkl"), 186334885u);
  EXPECT_EQ(pmacct_ifname_hash("veth-12345678"), 50581226u);
  EXPECT_EQ(pmacct_ifname_hash("abcdefghijklmn"), 4274204896u);
}

}  // namespace
}  // namespace xacct::capture
