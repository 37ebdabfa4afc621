// tee_receivers parsing (collector/tee_receivers.hpp) and the headers of
// transparent sends (collector/tee_packet.hpp).
#include "collector/tee_receivers.hpp"

#include <gtest/gtest.h>

#include "collector/tee_packet.hpp"

namespace xacct::collector {
namespace {

std::vector<TeePoolSpec> parse(std::string_view text, maps::LoadReport& report,
                               TeeReceiversLimits limits = {}) {
  return parse_tee_receivers(text, "tee.map", limits, report);
}

TEST(TeeReceivers, PmacctExampleAndKeys) {
  maps::LoadReport report;
  auto pools = parse(
      "! comment\n"
      "id=1\tip=127.0.0.1:2101,127.0.0.1:2102\tbalance-alg=hash-agent\n"
      "\n"
      "# another\n"
      "id=2 ip=[::1]:2200 tag=100,110-120 src_port=2300\n"
      "id=3 ip=192.0.2.1:9995 balance-alg=rr tag2=-5\n"
      "id=4 ip=[2001:db8::1]:2100,198.51.100.1:2100 balance-alg=hash-tag\n"
      "id=5 ip=192.0.2.9:1 balance-alg=hash-crc32\n",
      report);
  EXPECT_TRUE(report.warnings.empty());
  ASSERT_EQ(pools.size(), 5u);
  EXPECT_EQ(pools[0].id, 1u);
  ASSERT_EQ(pools[0].receivers.size(), 2u);
  EXPECT_EQ(pools[0].receivers[0].text, "127.0.0.1:2101");
  EXPECT_EQ(pools[0].receivers[1].text, "127.0.0.1:2102");
  EXPECT_EQ(pools[0].receivers[0].family, AF_INET);
  EXPECT_EQ(pools[0].balance, TeeBalance::kHashAgent);
  EXPECT_TRUE(pools[0].tags.empty());
  EXPECT_EQ(pools[1].receivers[0].text, "[::1]:2200");
  EXPECT_EQ(pools[1].receivers[0].family, AF_INET6);
  EXPECT_EQ(pools[1].balance, TeeBalance::kAll);
  EXPECT_EQ(pools[1].src_port, 2300);
  ASSERT_EQ(pools[1].tags.size(), 2u);
  EXPECT_TRUE(filter::tag_list_accepts(pools[1].tags, 100));
  EXPECT_TRUE(filter::tag_list_accepts(pools[1].tags, 115));
  EXPECT_FALSE(filter::tag_list_accepts(pools[1].tags, 0));
  EXPECT_EQ(pools[2].balance, TeeBalance::kRoundRobin);
  EXPECT_FALSE(filter::tag_list_accepts(pools[2].tags2, 5));
  EXPECT_TRUE(filter::tag_list_accepts(pools[2].tags2, 6));
  EXPECT_EQ(pools[3].balance, TeeBalance::kHashTag);
  EXPECT_EQ(pools[3].receivers[0].text, "[2001:db8::1]:2100");
  EXPECT_EQ(pools[3].receivers[1].text, "198.51.100.1:2100");
  EXPECT_EQ(pools[4].balance, TeeBalance::kHashCrc32);
}

TEST(TeeReceivers, BadLinesAreSkippedWithWarnings) {
  maps::LoadReport report;
  auto pools = parse(
      "id=1 ip=127.0.0.1:2101\n"
      "ip=127.0.0.1:2102\n"                    // 2: no id
      "id=3\n"                                 // 3: no ip
      "id=0 ip=127.0.0.1:1\n"                  // 4: id 0
      "id=1 ip=127.0.0.1:3\n"                  // 5: duplicate id
      "id=6 ip=127.0.0.1\n"                    // 6: no port
      "id=7 ip=127.0.0.1:70000\n"              // 7: port out of range
      "id=8 ip=example.org:2100\n"             // 8: not numeric
      "id=9 ip=127.0.0.1:1 balance-alg=lru\n"  // 9: unknown algorithm
      "id=10 ip=127.0.0.1:1 tag=5-2\n"         // 10: bad range
      "id=11 ip=127.0.0.1:1 kafka_broker=x\n"  // 11: ip and kafka
      "id=12 ip=127.0.0.1:1 colour=red\n"      // 12: unknown key
      "id = 13 ip=127.0.0.1:1\n"               // 13: blanks around =
      "id=14 ip=[::1:2100\n"                   // 14: bad brackets
      "id=15 ip=::1:2100\n"                    // 15: v6 without brackets
      "id=16 ip=127.0.0.1:2\n",
      report);
  ASSERT_EQ(pools.size(), 2u);
  EXPECT_EQ(pools[0].id, 1u);
  EXPECT_EQ(pools[1].id, 16u);
  ASSERT_EQ(report.warnings.size(), 14u);
  EXPECT_NE(report.warnings[0].find("tee.map:2:"), std::string::npos) << report.warnings[0];
  EXPECT_NE(report.warnings[0].find("missing id"), std::string::npos) << report.warnings[0];
  EXPECT_NE(report.warnings[3].find("used twice"), std::string::npos) << report.warnings[3];
  EXPECT_NE(report.warnings[9].find("mutually exclusive"), std::string::npos) << report.warnings[9];
}

TEST(TeeReceivers, Limits) {
  maps::LoadReport report;
  TeeReceiversLimits limits;
  limits.max_receivers = 2;
  limits.max_pools = 2;
  auto pools = parse(
      "id=1 ip=127.0.0.1:1,127.0.0.1:2,127.0.0.1:3\n"
      "id=2 ip=127.0.0.1:1\n"
      "id=3 ip=127.0.0.1:1\n"
      "id=4 ip=127.0.0.1:1\n",
      report, limits);
  ASSERT_EQ(pools.size(), 2u);
  EXPECT_EQ(pools[0].id, 2u);
  EXPECT_EQ(pools[1].id, 3u);
  EXPECT_EQ(report.warnings.size(), 2u);
}

userspace::IpAddress ip4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  userspace::IpAddress ip;
  ip.bytes[10] = ip.bytes[11] = 0xff;
  ip.bytes[12] = a;
  ip.bytes[13] = b;
  ip.bytes[14] = c;
  ip.bytes[15] = d;
  return ip;
}

std::uint16_t ones_sum(const std::uint8_t* p, std::size_t n, std::uint32_t acc = 0) {
  for (; n >= 2; p += 2, n -= 2) acc += static_cast<std::uint32_t>(p[0] << 8 | p[1]);
  if (n != 0) acc += static_cast<std::uint32_t>(p[0] << 8);
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(acc);
}

TEST(TeePacket, Ipv4HeaderBytesAndChecksums) {
  const std::vector<std::uint8_t> payload{1, 2, 3, 4, 5};
  std::vector<std::uint8_t> out;
  ASSERT_TRUE(build_udp_packet(ip4(198, 18, 0, 1), 6343, ip4(198, 19, 0, 2), 9995, 0xc0, payload, out));
  const std::vector<std::uint8_t> expect_head{
      0x45, 0xc0, 0x00, 0x21, 0x00, 0x00, 0x00, 0x00, 0xff, 0x11,  // ver/ihl, tos, len 33, id, frag, ttl, udp
  };
  ASSERT_EQ(out.size(), 33u);
  EXPECT_TRUE(std::equal(expect_head.begin(), expect_head.end(), out.begin()));
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin() + 12, out.begin() + 20),
            (std::vector<std::uint8_t>{198, 18, 0, 1, 198, 19, 0, 2}));
  EXPECT_EQ(ones_sum(out.data(), 20), 0xffff);  // header checksum verifies
  EXPECT_EQ(out[20], 0x18);                     // 6343
  EXPECT_EQ(out[21], 0xc7);
  EXPECT_EQ(out[22], 0x27);  // 9995
  EXPECT_EQ(out[23], 0x0b);
  EXPECT_EQ(out[24], 0);
  EXPECT_EQ(out[25], 13);  // UDP length
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin() + 28, out.end()), payload);
  // UDP checksum over the pseudo header verifies.
  std::uint32_t pseudo = ones_sum(out.data() + 12, 8) + 17u + 13u;
  EXPECT_EQ(ones_sum(out.data() + 20, 13, pseudo), 0xffff);
}

TEST(TeePacket, Ipv6HeaderAndChecksum) {
  userspace::IpAddress s, d;
  s.is_v6 = d.is_v6 = true;
  s.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  d.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  const std::vector<std::uint8_t> payload(100, 0x5a);
  std::vector<std::uint8_t> out;
  ASSERT_TRUE(build_udp_packet(s, 1000, d, 2000, 0x20, payload, out));
  ASSERT_EQ(out.size(), 148u);
  EXPECT_EQ(out[0], 0x62);  // version 6, traffic class 0x20
  EXPECT_EQ(out[1], 0x00);
  EXPECT_EQ(out[4], 0);
  EXPECT_EQ(out[5], 108);  // payload length
  EXPECT_EQ(out[6], 17);
  EXPECT_EQ(out[7], 255);
  std::uint32_t pseudo = ones_sum(out.data() + 8, 32) + 17u + 108u;
  EXPECT_EQ(ones_sum(out.data() + 40, 108, pseudo), 0xffff);
  EXPECT_NE(out[46] | out[47], 0);
}

TEST(TeePacket, RefusesMixedFamiliesAndOversize) {
  userspace::IpAddress v6;
  v6.is_v6 = true;
  std::vector<std::uint8_t> out;
  EXPECT_FALSE(build_udp_packet(ip4(1, 2, 3, 4), 1, v6, 2, 0, std::vector<std::uint8_t>(10), out));
  EXPECT_FALSE(
      build_udp_packet(ip4(1, 2, 3, 4), 1, ip4(5, 6, 7, 8), 2, 0, std::vector<std::uint8_t>(65508), out));
  EXPECT_TRUE(
      build_udp_packet(ip4(1, 2, 3, 4), 1, ip4(5, 6, 7, 8), 2, 0, std::vector<std::uint8_t>(65507), out));
}

}  // namespace
}  // namespace xacct::collector
