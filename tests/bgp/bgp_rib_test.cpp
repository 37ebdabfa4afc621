// The Rib driven through RouteSink (no sockets): announce, withdraw,
// replace, ADD-PATH, peer down, IPv4 and IPv6, exact lookups and the
// publication point (bgp.rib.publishes, bgp.peer.<ip>.rib_prefixes).
#include "bgp/bgp_rib.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "userspace/maps/ip_prefix.hpp"

namespace xacct::bgp {
namespace {

using userspace::IpAddress;

IpAddress ip(const char* text) { return maps::parse_ip(text).value(); }

Prefix pfx(const char* text, std::uint32_t path_id = 0) {
  auto p = maps::parse_prefix(text).value();
  return Prefix{p.addr, p.length, path_id};
}

PeerKey bgp_peer(const char* addr, std::uint32_t bgp_id = 0, std::uint16_t port = 40000) {
  PeerKey k;
  k.source = PeerKey::Source::kBgp;
  k.router = ip(addr);
  k.peer_addr = ip(addr);
  k.peer_port = port;
  k.bgp_id = bgp_id;
  return k;
}

PathAttributes attrs(std::vector<std::uint32_t> path, const char* next_hop) {
  PathAttributes a;
  a.origin = Origin::kIgp;
  if (!path.empty()) a.as_path.push_back({AsPathSegment::Type::kSequence, std::move(path)});
  a.next_hop = ip(next_hop);
  a.has_next_hop = true;
  return a;
}

UpdateMessage announce(std::vector<Prefix> prefixes, PathAttributes a) {
  UpdateMessage u;
  u.announced = std::move(prefixes);
  u.attrs = std::move(a);
  return u;
}

UpdateMessage withdraw(std::vector<Prefix> prefixes) {
  UpdateMessage u;
  u.withdrawn = std::move(prefixes);
  return u;
}

// The route a published view gives for `addr` (origin AS, length, next hop).
struct Seen {
  std::uint32_t origin = 0;
  std::uint32_t first = 0;
  unsigned length = 0;
  IpAddress next_hop;
  bool found = false;
  bool operator==(const Seen&) const = default;
};

Seen look(const Rib& rib, const char* peer, const char* addr, const IpAddress* nh = nullptr) {
  const auto snap = rib.snapshot();
  const RibView* v = snap->find_bgp(ip(peer));
  if (v == nullptr) return {};
  const RouteMatch m = v->lookup(ip(addr), nh);
  if (!m) return {};
  return {m.info->origin_as, m.info->first_as, m.length, m.info->next_hop, true};
}

Seen route(std::uint32_t origin, std::uint32_t first, unsigned length, const char* nh) {
  return {origin, first, length, ip(nh), true};
}

TEST(BgpRib, AnnounceIsVisibleOnlyAfterPublication) {
  userspace::Stats stats;
  Rib rib({}, &stats);
  const PeerKey p = bgp_peer("192.0.2.1");
  rib.on_update(p, announce({pfx("198.51.100.0/24")}, attrs({65001, 65002}, "192.0.2.254")));
  EXPECT_FALSE(look(rib, "192.0.2.1", "198.51.100.7").found);
  EXPECT_EQ(stats.counter("bgp.peer.192.0.2.1.rib_prefixes").value(), 1u);
  EXPECT_EQ(stats.counter("bgp.rib.publishes").value(), 0u);
  rib.publish_now();
  EXPECT_EQ(stats.counter("bgp.rib.publishes").value(), 1u);
  EXPECT_EQ(look(rib, "192.0.2.1", "198.51.100.7"), route(65002, 65001, 24, "192.0.2.254"));
  EXPECT_FALSE(look(rib, "192.0.2.1", "198.51.101.7").found);
  EXPECT_FALSE(look(rib, "192.0.2.9", "198.51.100.7").found);  // another exporter: no session
}

TEST(BgpRib, LongestPrefixWinsAndWithdrawFallsBackToTheShorter) {
  Rib rib;
  const PeerKey p = bgp_peer("192.0.2.1");
  rib.on_update(p, announce({pfx("10.0.0.0/8")}, attrs({65001}, "192.0.2.10")));
  rib.on_update(p, announce({pfx("10.1.0.0/16"), pfx("10.1.2.0/24")}, attrs({65001, 65020}, "192.0.2.20")));
  rib.publish_now();
  EXPECT_EQ(look(rib, "192.0.2.1", "10.1.2.3"), route(65020, 65001, 24, "192.0.2.20"));
  EXPECT_EQ(look(rib, "192.0.2.1", "10.1.3.3"), route(65020, 65001, 16, "192.0.2.20"));
  EXPECT_EQ(look(rib, "192.0.2.1", "10.2.3.3"), route(65001, 65001, 8, "192.0.2.10"));
  EXPECT_FALSE(look(rib, "192.0.2.1", "11.0.0.1").found);
  rib.on_update(p, withdraw({pfx("10.1.2.0/24")}));
  rib.publish_now();
  EXPECT_EQ(look(rib, "192.0.2.1", "10.1.2.3"), route(65020, 65001, 16, "192.0.2.20"));
  EXPECT_EQ(rib.prefix_count(), 2u);
}

TEST(BgpRib, ReplaceKeepsOnePathAndFreesTheOldAttributes) {
  userspace::Stats stats;
  Rib rib({}, &stats);
  const PeerKey p = bgp_peer("192.0.2.1");
  rib.on_update(p, announce({pfx("203.0.113.0/24")}, attrs({65001, 65002}, "192.0.2.2")));
  rib.on_update(p, announce({pfx("203.0.113.0/24")}, attrs({65001, 65003}, "192.0.2.3")));
  rib.publish_now();
  EXPECT_EQ(look(rib, "192.0.2.1", "203.0.113.1"), route(65003, 65001, 24, "192.0.2.3"));
  EXPECT_EQ(rib.prefix_count(), 1u);
  EXPECT_EQ(rib.attr_set_count(), 1u);
  EXPECT_EQ(stats.counter("bgp.rib.paths").value(), 1u);
  // Withdrawing what is not there is counted, not an error.
  rib.on_update(p, withdraw({pfx("203.0.114.0/24")}));
  EXPECT_EQ(stats.counter("bgp.rib.withdraws_unknown").value(), 1u);
}

TEST(BgpRib, AttributeSetsAreShared) {
  Rib rib;
  const PeerKey a = bgp_peer("192.0.2.1");
  const PeerKey b = bgp_peer("192.0.2.2");
  rib.on_update(a, announce({pfx("198.18.0.0/24"), pfx("198.18.1.0/24")}, attrs({65001}, "192.0.2.9")));
  rib.on_update(b, announce({pfx("198.18.2.0/24")}, attrs({65001}, "192.0.2.9")));
  EXPECT_EQ(rib.attr_set_count(), 1u);
  rib.on_update(b, announce({pfx("198.18.3.0/24")}, attrs({65002}, "192.0.2.9")));
  EXPECT_EQ(rib.attr_set_count(), 2u);
  rib.on_peer_down(b);
  EXPECT_EQ(rib.attr_set_count(), 1u);
  rib.on_peer_down(a);
  EXPECT_EQ(rib.attr_set_count(), 0u);
}

TEST(BgpRib, Ipv6RoutesAndHostRoutes) {
  Rib rib;
  const PeerKey p = bgp_peer("2001:db8::1");
  rib.on_update(p, announce({pfx("2001:db8:100::/48")}, attrs({65010, 65050}, "2001:db8::fe")));
  rib.on_update(p, announce({pfx("2001:db8:100:1::/64")}, attrs({65010, 65051}, "2001:db8::fd")));
  rib.on_update(p, announce({pfx("2001:db8:100:1::5/128")}, attrs({65010, 65052}, "2001:db8::fc")));
  rib.on_update(p, announce({pfx("198.18.5.5/32")}, attrs({65010, 65053}, "198.18.0.1")));
  rib.publish_now();
  EXPECT_EQ(look(rib, "2001:db8::1", "2001:db8:100:1::5"), route(65052, 65010, 128, "2001:db8::fc"));
  EXPECT_EQ(look(rib, "2001:db8::1", "2001:db8:100:1::6"), route(65051, 65010, 64, "2001:db8::fd"));
  EXPECT_EQ(look(rib, "2001:db8::1", "2001:db8:100:2::6"), route(65050, 65010, 48, "2001:db8::fe"));
  EXPECT_FALSE(look(rib, "2001:db8::1", "2001:db8:101::1").found);
  EXPECT_EQ(look(rib, "2001:db8::1", "198.18.5.5"), route(65053, 65010, 32, "198.18.0.1"));
  EXPECT_FALSE(look(rib, "2001:db8::1", "198.18.5.4").found);
}

TEST(BgpRib, AddPathSourceTakesTheOldestDestinationTheFlowsNextHop) {
  Rib rib;
  PeerKey p = bgp_peer("192.0.2.1");
  p.add_path = {true, false};
  rib.on_update(p, announce({pfx("198.51.100.0/24", 1)}, attrs({65020, 65030}, "198.18.0.1")));
  rib.on_update(p, announce({pfx("198.51.100.0/24", 2)}, attrs({65021, 65040}, "198.18.0.2")));
  rib.on_update(p, announce({pfx("198.51.0.0/16", 7)}, attrs({65022, 65050}, "198.18.0.3")));
  rib.publish_now();
  // Source lookups (no next hop): the oldest path of the longest prefix.
  EXPECT_EQ(look(rib, "192.0.2.1", "198.51.100.1"), route(65030, 65020, 24, "198.18.0.1"));
  // Destination: the path whose next hop is the flow's BGP next hop.
  const IpAddress nh2 = ip("198.18.0.2");
  EXPECT_EQ(look(rib, "192.0.2.1", "198.51.100.1", &nh2), route(65040, 65021, 24, "198.18.0.2"));
  // No path of the /24 has it: the covering /16's does (pmacct walks up).
  const IpAddress nh3 = ip("198.18.0.3");
  EXPECT_EQ(look(rib, "192.0.2.1", "198.51.100.1", &nh3), route(65050, 65022, 16, "198.18.0.3"));
  // None at all: no route.
  const IpAddress nh9 = ip("198.18.0.9");
  EXPECT_FALSE(look(rib, "192.0.2.1", "198.51.100.1", &nh9).found);
  // Replacing path 1 keeps its age; withdrawing it leaves path 2.
  rib.on_update(p, announce({pfx("198.51.100.0/24", 1)}, attrs({65020, 65031}, "198.18.0.1")));
  rib.publish_now();
  EXPECT_EQ(look(rib, "192.0.2.1", "198.51.100.1"), route(65031, 65020, 24, "198.18.0.1"));
  rib.on_update(p, withdraw({pfx("198.51.100.0/24", 1)}));
  rib.publish_now();
  EXPECT_EQ(look(rib, "192.0.2.1", "198.51.100.1"), route(65040, 65021, 24, "198.18.0.2"));
  EXPECT_EQ(rib.prefix_count(), 2u);
}

TEST(BgpRib, WithoutAddPathTheNextHopIsNotCompared) {
  Rib rib;
  const PeerKey p = bgp_peer("192.0.2.1");
  rib.on_update(p, announce({pfx("198.51.100.0/24")}, attrs({65020}, "198.18.0.1")));
  rib.publish_now();
  const IpAddress other = ip("198.18.0.99");
  EXPECT_EQ(look(rib, "192.0.2.1", "198.51.100.1", &other), route(65020, 65020, 24, "198.18.0.1"));
}

TEST(BgpRib, PeerDownDropsItsRoutesAndPublishesAtOnce) {
  userspace::Stats stats;
  Rib rib({std::chrono::milliseconds(60000)}, &stats);  // only urgent publications
  rib.start();
  const PeerKey a = bgp_peer("192.0.2.1");
  const PeerKey b = bgp_peer("192.0.2.2");
  rib.on_update(a, announce({pfx("198.18.0.0/16")}, attrs({65001}, "192.0.2.1")));
  rib.on_update(b, announce({pfx("198.18.0.0/16")}, attrs({65002}, "192.0.2.2")));
  UpdateMessage eor;
  eor.end_of_rib = true;
  rib.on_update(a, eor);
  rib.on_update(b, eor);
  const auto wait_for = [&](auto pred) {
    for (int i = 0; i < 400 && !pred(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return pred();
  };
  ASSERT_TRUE(wait_for([&] { return look(rib, "192.0.2.2", "198.18.1.1").found; }));
  EXPECT_EQ(look(rib, "192.0.2.1", "198.18.1.1"), route(65001, 65001, 16, "192.0.2.1"));
  EXPECT_EQ(stats.counter("bgp.peer.192.0.2.1.end_of_rib").value(), 1u);
  rib.on_peer_down(a);
  ASSERT_TRUE(wait_for([&] { return rib.snapshot()->find_bgp(ip("192.0.2.1")) == nullptr; }));
  EXPECT_EQ(stats.counter("bgp.peer.192.0.2.1.rib_prefixes").value(), 0u);
  EXPECT_EQ(stats.counter("bgp.peer.192.0.2.2.rib_prefixes").value(), 1u);
  EXPECT_EQ(look(rib, "192.0.2.2", "198.18.1.1"), route(65002, 65002, 16, "192.0.2.2"));
  EXPECT_EQ(rib.peer_count(), 1u);
  EXPECT_EQ(stats.counter("bgp.rib.peers").value(), 1u);
  rib.stop();
}

TEST(BgpRib, BusyPeerIsPublishedWithinTheInterval) {
  userspace::Stats stats;
  Rib rib({std::chrono::milliseconds(20)}, &stats);
  rib.start();
  rib.on_update(bgp_peer("192.0.2.1"), announce({pfx("198.18.0.0/24")}, attrs({65001}, "192.0.2.1")));
  bool seen = false;
  for (int i = 0; i < 400 && !seen; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    seen = look(rib, "192.0.2.1", "198.18.0.1").found;
  }
  EXPECT_TRUE(seen);
  EXPECT_GE(stats.counter("bgp.rib.publishes").value(), 1u);
  rib.stop();
}

TEST(BgpRib, PeerFoundByBgpIdentifierAndByPort) {
  Rib rib;
  rib.on_update(bgp_peer("192.0.2.1", 0x0a000001, 40001),
                announce({pfx("198.18.0.0/24")}, attrs({65001}, "192.0.2.1")));
  rib.publish_now();
  const auto snap = rib.snapshot();
  EXPECT_NE(snap->find_bgp(ip("10.0.0.1")), nullptr);  // the BGP ID
  EXPECT_NE(snap->find_bgp(ip("192.0.2.1"), 40001), nullptr);
  EXPECT_EQ(snap->find_bgp(ip("192.0.2.1"), 40002), nullptr);
  EXPECT_EQ(snap->find_bgp(ip("10.0.0.2")), nullptr);
}

TEST(BgpRib, ReconnectFromANewPortSurvivesTheOldSessionsEnd) {
  // A router reboots without closing its session and reconnects from
  // another port; the old session's hold timer expires later. Its end must
  // drop its own routes only, not the new session's table.
  Rib rib;
  const PeerKey old_session = bgp_peer("192.0.2.1", 0, 40001);
  const PeerKey new_session = bgp_peer("192.0.2.1", 0, 40002);
  rib.on_update(old_session, announce({pfx("198.18.0.0/24")}, attrs({65001}, "192.0.2.1")));
  rib.on_update(new_session, announce({pfx("198.18.0.0/24")}, attrs({65001, 65002}, "192.0.2.1")));
  rib.publish_now();
  EXPECT_EQ(rib.peer_count(), 2u);
  EXPECT_EQ(look(rib, "192.0.2.1", "198.18.0.9").origin, 65001u);  // the oldest session first
  rib.on_peer_down(old_session);
  rib.publish_now();
  EXPECT_EQ(rib.peer_count(), 1u);
  EXPECT_EQ(look(rib, "192.0.2.1", "198.18.0.9").origin, 65002u);
}

TEST(BgpRib, BmpRouterViewMergesItsPeersOldestFirst) {
  Rib rib;
  PeerKey p1;
  p1.source = PeerKey::Source::kBmp;
  p1.router = ip("192.0.2.50");
  p1.peer_addr = ip("198.18.9.1");
  PeerKey p2 = p1;
  p2.peer_addr = ip("198.18.9.2");
  rib.on_update(p2, announce({pfx("198.51.100.0/24")}, attrs({65002}, "198.18.9.2")));
  rib.on_update(p1, announce({pfx("198.51.100.0/24")}, attrs({65001}, "198.18.9.1")));
  rib.on_update(p1, announce({pfx("198.51.100.128/25")}, attrs({65001, 65009}, "198.18.9.1")));
  rib.publish_now();
  const RibView* v = rib.snapshot()->find_bmp(ip("192.0.2.50"));
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->lookup(ip("198.51.100.1"), nullptr).info->origin_as, 65002u);  // older
  EXPECT_EQ(v->lookup(ip("198.51.100.200"), nullptr).info->origin_as, 65009u);
  rib.on_peer_down(p2);
  rib.publish_now();
  v = rib.snapshot()->find_bmp(ip("192.0.2.50"));
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->lookup(ip("198.51.100.1"), nullptr).info->origin_as, 65001u);
  EXPECT_EQ(rib.snapshot()->find_bgp(ip("198.18.9.1")), nullptr);  // BMP peers are not BGP sessions
}

TEST(BgpRib, BmpRouterFoundByItsOwnBgpIdentifier) {
  Rib rib;
  PeerKey p;
  p.source = PeerKey::Source::kBmp;
  p.router = ip("192.0.2.50");
  p.peer_addr = ip("198.18.9.1");
  p.router_bgp_id = 0xc6120916;  // 198.18.9.22: the router's ID from its Peer Up
  rib.on_update(p, announce({pfx("198.51.100.0/24")}, attrs({65001}, "198.18.9.1")));
  rib.publish_now();
  const RibView* by_id = rib.snapshot()->find_bmp(ip("198.18.9.22"));
  ASSERT_NE(by_id, nullptr);
  EXPECT_EQ(by_id, rib.snapshot()->find_bmp(ip("192.0.2.50")));
  EXPECT_EQ(by_id->lookup(ip("198.51.100.1"), nullptr).info->origin_as, 65001u);
  EXPECT_EQ(rib.snapshot()->find_bmp(ip("198.18.9.23")), nullptr);
  rib.on_peer_down(p);
  rib.publish_now();
  EXPECT_EQ(rib.snapshot()->find_bmp(ip("198.18.9.22")), nullptr);
}

TEST(BgpRib, PmacctAsPathReading) {
  using T = AsPathSegment::Type;
  EXPECT_EQ(pmacct_origin_as({}), 0u);
  EXPECT_EQ(pmacct_first_as({}), 0u);
  const std::vector<AsPathSegment> seq_set{{T::kSequence, {65001, 65002}}, {T::kSet, {65010, 65011}}};
  EXPECT_EQ(pmacct_origin_as(seq_set), 65011u);  // last ASN written, even in a set
  EXPECT_EQ(pmacct_first_as(seq_set), 65001u);
  const std::vector<AsPathSegment> set_first{{T::kSet, {65010}}, {T::kSequence, {65001}}};
  EXPECT_EQ(pmacct_first_as(set_first), 0u);
  const std::vector<AsPathSegment> confed{{T::kConfedSequence, {64512, 64513}}, {T::kSequence, {65001}}};
  EXPECT_EQ(pmacct_first_as(confed), 64512u);
  EXPECT_EQ(pmacct_origin_as(confed), 65001u);
}

TEST(BgpRib, TheFullAttributeSetIsReachableFromAMatch) {
  Rib rib;
  PathAttributes a = attrs({65001, 65002}, "192.0.2.9");
  a.communities = {65001u << 16 | 100, 65001u << 16 | 200};
  a.large_communities = {{65001, 1, 2}};
  rib.on_update(bgp_peer("192.0.2.1"), announce({pfx("198.18.0.0/24")}, a));
  rib.publish_now();
  const RouteMatch m = rib.snapshot()->find_bgp(ip("192.0.2.1"))->lookup(ip("198.18.0.1"), nullptr);
  ASSERT_TRUE(m);
  EXPECT_EQ(m.attrs().attrs, a);
  EXPECT_EQ(m.attrs().origin_as, 65002u);
}

TEST(BgpRib, BadPrefixLengthIsCountedAndSkipped) {
  userspace::Stats stats;
  Rib rib({}, &stats);
  Prefix bad = pfx("198.18.0.0/24");
  bad.len = 33;
  rib.on_update(bgp_peer("192.0.2.1"), announce({bad, pfx("198.18.1.0/24")}, attrs({65001}, "192.0.2.1")));
  EXPECT_EQ(stats.counter("bgp.rib.bad_prefixes").value(), 1u);
  EXPECT_EQ(rib.prefix_count(), 1u);
}

}  // namespace
}  // namespace xacct::bgp
