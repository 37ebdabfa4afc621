// networks_file formats and longest-prefix match (userspace/maps/
// networks_file.hpp, prefix_table.hpp): the four line formats, /0, /32,
// /128, nested and overlapping prefixes, duplicates, bad lines, and the
// compiled table against a brute-force search on random prefixes.
#include "userspace/maps/networks_file.hpp"

#include <gtest/gtest.h>

#include <random>

#include "tests/userspace/record_builder.hpp"
#include "userspace/maps/ip_prefix.hpp"
#include "userspace/primitive_encodings.hpp"

namespace xacct::maps {
namespace {

using userspace::IpAddress;
using userspace::testing::ip;

std::shared_ptr<const NetworksTable> table_of(const std::string& text, LoadReport* report = nullptr) {
  LoadReport local;
  auto t = NetworksTable::parse(text, "nets", report != nullptr ? *report : local);
  if (report == nullptr && !local.warnings.empty()) throw std::runtime_error(local.warnings.front());
  return t;
}

std::string text(const IpAddress& a) {
  std::string s;
  userspace::append_ip(a, s);
  return s;
}

// "net/len" of the entry found for `addr`, or "none".
std::string find(const NetworksTable& t, const std::string& addr) {
  const NetworkEntry* e = t.lookup(ip(addr));
  return e == nullptr ? "none" : text(e->net) + "/" + std::to_string(e->length);
}

TEST(NetworksFile, SpecFormats) {
  auto t = table_of(
      "! origin AS 65010, peer AS 64500\n"
      "64500_65010,192.0.2.0/24\n"
      "65020,198.51.100.0/25\n"
      "! BGP next hop 10.0.0.254, origin AS 65030\n"
      "10.0.0.254,65030,10.0.0.0/8\n"
      "2001:db8::/32\n"
      "plabel,2001:db8::fe,65040,2001:db8:1::/48\n");
  ASSERT_EQ(t->size(), 5u);
  const NetworkEntry* e = t->lookup(ip("192.0.2.77"));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->as, 65010u);
  EXPECT_EQ(e->peer_as, 64500u);
  EXPECT_EQ(e->length, 24);
  EXPECT_EQ(e->line, 2u);
  EXPECT_TRUE(userspace::ip_is_unset(e->nexthop));

  e = t->lookup(ip("198.51.100.127"));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->as, 65020u);
  EXPECT_EQ(e->peer_as, 0u);
  EXPECT_EQ(t->lookup(ip("198.51.100.128")), nullptr);

  e = t->lookup(ip("10.9.8.7"));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->as, 65030u);
  EXPECT_EQ(text(e->nexthop), "10.0.0.254");

  e = t->lookup(ip("2001:db8:1::5"));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->length, 48);
  EXPECT_EQ(e->as, 65040u);
  EXPECT_EQ(text(e->nexthop), "2001:db8::fe");
  e = t->lookup(ip("2001:db8:2::5"));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->length, 32);
  EXPECT_EQ(e->as, 0u);
}

TEST(NetworksFile, LongestPrefixWinsNested) {
  auto t = table_of(
      "10.0.0.0/8\n"
      "10.1.0.0/16\n"
      "10.1.2.0/24\n"
      "10.1.2.128/25\n"
      "10.1.2.129/32\n");
  EXPECT_EQ(find(*t, "10.200.0.1"), "10.0.0.0/8");
  EXPECT_EQ(find(*t, "10.1.255.255"), "10.1.0.0/16");
  EXPECT_EQ(find(*t, "10.1.2.0"), "10.1.2.0/24");
  EXPECT_EQ(find(*t, "10.1.2.127"), "10.1.2.0/24");
  EXPECT_EQ(find(*t, "10.1.2.128"), "10.1.2.128/25");
  EXPECT_EQ(find(*t, "10.1.2.129"), "10.1.2.129/32");
  EXPECT_EQ(find(*t, "10.1.2.130"), "10.1.2.128/25");
  EXPECT_EQ(find(*t, "10.1.3.0"), "10.1.0.0/16");
  EXPECT_EQ(find(*t, "10.255.255.255"), "10.0.0.0/8");
  EXPECT_EQ(find(*t, "11.0.0.0"), "none");
  EXPECT_EQ(find(*t, "9.255.255.255"), "none");
}

TEST(NetworksFile, DefaultRoutesAndHostRoutes) {
  auto t = table_of(
      "0.0.0.0/0\n"
      "255.255.255.255/32\n"
      "0.0.0.0/32\n"
      "::/0\n"
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128\n"
      "2001:db8::1/128\n");
  EXPECT_EQ(find(*t, "1.2.3.4"), "0.0.0.0/0");
  EXPECT_EQ(find(*t, "0.0.0.0"), "0.0.0.0/32");
  EXPECT_EQ(find(*t, "0.0.0.1"), "0.0.0.0/0");
  EXPECT_EQ(find(*t, "255.255.255.255"), "255.255.255.255/32");
  EXPECT_EQ(find(*t, "255.255.255.254"), "0.0.0.0/0");
  EXPECT_EQ(find(*t, "2001:db8::1"), "2001:db8::1/128");
  EXPECT_EQ(find(*t, "2001:db8::2"), "::/0");
  EXPECT_EQ(find(*t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
  EXPECT_EQ(find(*t, "::"), "::/0");
}

TEST(NetworksFile, FamiliesDoNotMix) {
  auto t = table_of("0.0.0.0/0\n");
  EXPECT_EQ(find(*t, "2001:db8::1"), "none");
  auto t6 = table_of("::/0\n");
  EXPECT_EQ(find(*t6, "192.0.2.1"), "none");
  // A record without an address (non-IP) finds nothing.
  EXPECT_EQ(t->lookup(IpAddress{}), nullptr);
}

TEST(NetworksFile, V6BoundariesAt64Bits) {
  auto t = table_of(
      "2001:db8::/64\n"
      "2001:db8:0:0:8000::/65\n"
      "2001:db8:0:1::/63\n");
  EXPECT_EQ(find(*t, "2001:db8::7fff:ffff:ffff:ffff"), "2001:db8::/64");
  EXPECT_EQ(find(*t, "2001:db8::8000:0:0:0"), "2001:db8:0:0:8000::/65");
  EXPECT_EQ(find(*t, "2001:db8::ffff:ffff:ffff:ffff"), "2001:db8:0:0:8000::/65");
  // 2001:db8:0:1::/63 has a host bit set: it is 2001:db8::/63.
  EXPECT_EQ(find(*t, "2001:db8:0:1::"), "2001:db8::/63");
  EXPECT_EQ(find(*t, "2001:db8:0:2::"), "none");
}

TEST(NetworksFile, HostBitsClearedAndLaterDuplicateWins) {
  auto t = table_of(
      "65001,192.0.2.77/24\n"
      "65002,192.0.2.0/24\n");
  const NetworkEntry* e = t->lookup(ip("192.0.2.1"));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(text(e->net), "192.0.2.0");
  EXPECT_EQ(e->as, 65002u);
  EXPECT_EQ(e->line, 2u);
}

TEST(NetworksFile, AdjacentAndDisjointPrefixes) {
  auto t = table_of(
      "192.0.2.0/25\n"
      "192.0.2.128/25\n"
      "198.51.100.0/24\n"
      "198.51.100.0/26\n");
  EXPECT_EQ(find(*t, "192.0.2.127"), "192.0.2.0/25");
  EXPECT_EQ(find(*t, "192.0.2.128"), "192.0.2.128/25");
  EXPECT_EQ(find(*t, "192.0.3.0"), "none");
  EXPECT_EQ(find(*t, "198.51.100.63"), "198.51.100.0/26");
  EXPECT_EQ(find(*t, "198.51.100.64"), "198.51.100.0/24");
  // Two adjacent /25s and a /24 with a /26 inside compile to few intervals.
  EXPECT_LE(t->intervals_v4(), 7u);
}

TEST(NetworksFile, BadLinesReportedAndSkipped) {
  LoadReport report;
  auto t = table_of(
      "192.0.2.0/24\n"          // 1
      "192.0.2.0\n"             // 2
      "192.0.2.0/33\n"          // 3
      "65001,300.0.0.0/8\n"     // 4
      "6500x,10.0.0.0/8\n"      // 5
      "a_1,10.0.0.0/8\n"        // 6
      "10.0.0.999,1,10.0.0.0/8\n"  // 7
      "a,b,c,d,10.0.0.0/8\n"    // 8
      "2001:db8::/129\n"        // 9
      "\n"                      // 10
      "# comment\n"             // 11
      " 65003 , 203.0.113.0/24 \n",  // 12 ok: blanks are ignored
      &report);
  const std::vector<std::string> expected = {
      "nets:2: missing '/' in prefix '192.0.2.0'; line skipped",
      "nets:3: bad prefix length '33' in '192.0.2.0/33' (0..32); line skipped",
      "nets:4: bad IP address '300.0.0.0'; line skipped",
      "nets:5: bad AS '6500x'; line skipped",
      "nets:6: bad peer AS 'a'; line skipped",
      "nets:7: bad next hop: bad IP address '10.0.0.999'; line skipped",
      "nets:8: too many fields (expected [label,][next-hop,][[peer_AS_]AS,]prefix/len); line skipped",
      "nets:9: bad prefix length '129' in '2001:db8::/129' (0..128); line skipped",
  };
  EXPECT_EQ(report.warnings, expected);
  EXPECT_EQ(t->size(), 2u);
  ASSERT_NE(t->lookup(ip("203.0.113.9")), nullptr);
  EXPECT_EQ(t->lookup(ip("203.0.113.9"))->as, 65003u);
}

TEST(NetworksFile, EmptyFileFindsNothing) {
  auto t = table_of("! nothing\n");
  EXPECT_TRUE(t->empty());
  EXPECT_EQ(t->lookup(ip("192.0.2.1")), nullptr);
  EXPECT_EQ(t->lookup(ip("2001:db8::1")), nullptr);
}

TEST(NetworksFile, LoadFailsWhenUnreadable) {
  LoadReport report;
  auto t = NetworksTable::load("/nonexistent/nets", report);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message, "networks_file /nonexistent/nets: cannot read: No such file or directory");
}

// The compiled table against a linear search, on random nested prefixes.
TEST(NetworksFile, MatchesBruteForceOnRandomPrefixes) {
  std::mt19937 rng(20240611);
  for (int family = 0; family < 2; ++family) {
    const bool v6 = family == 1;
    std::string file;
    std::vector<IpPrefix> prefixes;
    // Prefixes clustered in a small space so that they nest and overlap.
    for (int i = 0; i < 400; ++i) {
      IpAddress a = v6 ? ip("2001:db8::") : ip("10.0.0.0");
      const std::size_t base = v6 ? 4 : 13;
      for (std::size_t b = base; b < 16; ++b) a.bytes[b] = static_cast<std::uint8_t>(rng() % 4 * 64);
      const unsigned width = v6 ? 128 : 32;
      const unsigned len = (v6 ? 32 : 8) + rng() % (width - (v6 ? 32 : 8) + 1);
      auto p = parse_prefix(text(a) + "/" + std::to_string(len));
      ASSERT_TRUE(p.ok());
      prefixes.push_back(p.value());
      file += text(a) + "/" + std::to_string(len) + "\n";
    }
    auto t = table_of(file);
    for (int q = 0; q < 20000; ++q) {
      IpAddress a = v6 ? ip("2001:db8::") : ip("10.0.0.0");
      const std::size_t base = v6 ? 4 : 13;
      for (std::size_t b = base; b < 16; ++b) {
        a.bytes[b] = static_cast<std::uint8_t>(rng() % 4 * 64 + (rng() % 3 == 0 ? rng() % 64 : 0));
      }
      // Brute force: longest, later line on ties.
      int best = -1;
      for (std::size_t i = 0; i < prefixes.size(); ++i) {
        if (prefixes[i].contains(a) && (best < 0 || prefixes[i].length >= prefixes[static_cast<std::size_t>(best)].length)) {
          best = static_cast<int>(i);
        }
      }
      const NetworkEntry* e = t->lookup(a);
      if (best < 0) {
        ASSERT_EQ(e, nullptr) << text(a);
      } else {
        ASSERT_NE(e, nullptr) << text(a);
        ASSERT_EQ(e->line, static_cast<unsigned>(best + 1)) << text(a);
      }
    }
  }
}

}  // namespace
}  // namespace xacct::maps
