// Tags of a replicated datagram (collector/tee_tags.hpp): pre_tag_map on the
// exporter; for sFlow the agent address inside the datagram, as sfacctd.
#include "collector/tee_tags.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace xacct::collector {
namespace {

std::shared_ptr<const maps::PreTagMap> tag_map() {
  maps::LoadReport report;
  auto m = maps::PreTagMap::parse(
      "set_tag=10 ip=198.18.0.1\nset_tag=20 ip=198.18.0.2\nset_tag=30 ip=2001:db8::5\n", "tags.map", {},
      report);
  EXPECT_TRUE(report.warnings.empty());
  return m;
}

userspace::IpAddress ip4(std::uint8_t last) {
  userspace::IpAddress ip;
  ip.bytes[10] = ip.bytes[11] = 0xff;
  ip.bytes[12] = 198;
  ip.bytes[13] = 18;
  ip.bytes[15] = last;
  return ip;
}

// sFlow v5 header start: version, address type, agent address.
std::vector<std::uint8_t> sflow_head(std::uint32_t version, bool v6, std::uint8_t last) {
  std::vector<std::uint8_t> b = {0, 0, 0, static_cast<std::uint8_t>(version),
                                 0, 0, 0, v6 ? std::uint8_t{2} : std::uint8_t{1}};
  if (v6) {
    const std::uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last};
    b.insert(b.end(), a, a + 16);
  } else {
    const std::uint8_t a[4] = {198, 18, 0, last};
    b.insert(b.end(), a, a + 4);
  }
  b.resize(b.size() + 16, 0);  // sub agent id, sequence, uptime, samples
  return b;
}

TEST(TeeTags, NetflowIsTaggedBySourceAddress) {
  auto m = tag_map();
  Datagram d;
  d.exporter = ip4(1);
  const auto bytes = sflow_head(5, false, 2);  // bytes that look like sFlow do not matter for NetFlow
  d.data = bytes;
  EXPECT_EQ(datagram_tags(m.get(), d, false).tag, 10u);
}

TEST(TeeTags, SflowIsTaggedByAgentAddressV4AndV6) {
  auto m = tag_map();
  Datagram d;
  d.exporter = ip4(1);  // a relay
  const auto v5 = sflow_head(5, false, 2);
  d.data = v5;
  EXPECT_EQ(datagram_tags(m.get(), d, true).tag, 20u);
  const auto v4 = sflow_head(4, true, 5);
  d.data = v4;
  EXPECT_EQ(datagram_tags(m.get(), d, true).tag, 30u);
  const auto v2 = sflow_head(2, false, 9);  // agent in no rule
  d.data = v2;
  EXPECT_EQ(datagram_tags(m.get(), d, true).tag, 0u);
}

TEST(TeeTags, ShortOrUnknownSflowFallsBackToSourceAddress) {
  auto m = tag_map();
  Datagram d;
  d.exporter = ip4(1);
  const std::vector<std::uint8_t> cut = {0, 0, 0, 5, 0, 0, 0, 1, 198, 18};  // truncated agent address
  d.data = cut;
  EXPECT_EQ(datagram_tags(m.get(), d, true).tag, 10u);
  const auto v6 = sflow_head(6, false, 2);  // no such version
  d.data = v6;
  EXPECT_EQ(datagram_tags(m.get(), d, true).tag, 10u);
  auto short6 = sflow_head(5, true, 5);
  short6.resize(20);  // IPv6 agent cut short
  d.data = short6;
  EXPECT_EQ(datagram_tags(m.get(), d, true).tag, 10u);
  EXPECT_EQ(datagram_tags(nullptr, d, true).tag, 0u);
}

}  // namespace
}  // namespace xacct::collector
