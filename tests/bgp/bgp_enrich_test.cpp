// Enricher over a Rib fed through RouteSink: records get the exact ASNs,
// masks and next hops pmacct gives (nfacctd_as/_net: bgp, longest), zeros
// when no route or no session, the peer by address, BGP ID or agent map, and
// the MapSet afterwards computes nets from the BGP masks.
#include "bgp/bgp_enrich.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bgp/bgp_daemons.hpp"
#include "userspace/config_loader.hpp"
#include "userspace/maps/ip_prefix.hpp"
#include "userspace/maps/map_set.hpp"

namespace xacct::bgp {
namespace {

using userspace::FlowRecord;
using userspace::IpAddress;
using userspace::RecordBatch;

IpAddress ip(const char* text) { return maps::parse_ip(text).value(); }

Prefix pfx(const char* text, std::uint32_t path_id = 0) {
  auto p = maps::parse_prefix(text).value();
  return Prefix{p.addr, p.length, path_id};
}

PeerKey bgp_peer(const char* addr, std::uint32_t bgp_id = 0) {
  PeerKey k;
  k.router = ip(addr);
  k.peer_addr = ip(addr);
  k.peer_port = 33000;
  k.bgp_id = bgp_id;
  return k;
}

UpdateMessage announce(std::vector<Prefix> prefixes, std::vector<std::uint32_t> path, const char* nh) {
  UpdateMessage u;
  u.announced = std::move(prefixes);
  if (!path.empty()) u.attrs.as_path.push_back({AsPathSegment::Type::kSequence, std::move(path)});
  u.attrs.next_hop = ip(nh);
  u.attrs.has_next_hop = true;
  return u;
}

FlowRecord record(const char* exporter, const char* src, const char* dst) {
  FlowRecord r;
  r.peer_src_ip = ip(exporter);
  r.src_host = ip(src);
  r.dst_host = ip(dst);
  // What the exporter said (NetFlow fields), to see them replaced or kept.
  r.src_as = 1;
  r.dst_as = 2;
  r.peer_src_as = 3;
  r.peer_dst_as = 4;
  r.src_mask = 20;
  r.dst_mask = 20;
  r.peer_dst_ip = ip("192.0.2.200");
  return r;
}

class BgpEnrich : public ::testing::Test {
 protected:
  void SetUp() override {
    const PeerKey a = bgp_peer("192.0.2.1", 0x0a000001);  // BGP ID 10.0.0.1
    rib_.on_update(a, announce({pfx("198.51.100.0/24")}, {65001, 65002, 65003}, "192.0.2.254"));
    rib_.on_update(a, announce({pfx("203.0.113.0/25")}, {65010}, "192.0.2.253"));
    rib_.on_update(a, announce({pfx("198.18.0.0/15")}, {}, "192.0.2.252"));  // local AS: empty path
    rib_.on_update(a, announce({pfx("2001:db8:100::/48")}, {65020, 65021}, "2001:db8::fe"));
    const PeerKey b = bgp_peer("192.0.2.2");
    rib_.on_update(b, announce({pfx("198.51.100.0/24")}, {65100, 65101}, "192.0.2.99"));
    rib_.publish_now();
  }

  RecordBatch run(EnrichOptions o, RecordBatch batch, const AgentMapFile* agents = nullptr) {
    o.use_bgp = true;
    Enricher e(rib_, o, agents, nullptr, stats_);
    e.apply(batch);
    return batch;
  }

  userspace::Stats stats_;
  Rib rib_{{}, &stats_};
};

EnrichOptions as_and_net_bgp() {
  EnrichOptions o;
  o.as_bgp = true;
  o.net_bgp = true;
  return o;
}

TEST_F(BgpEnrich, BothEndsFromTheExportersSession) {
  auto out = run(as_and_net_bgp(), {record("192.0.2.1", "203.0.113.9", "198.51.100.7")});
  const FlowRecord& r = out[0];
  EXPECT_EQ(r.dst_as, 65003u);       // origin: last ASN
  EXPECT_EQ(r.peer_dst_as, 65001u);  // neighbour: first ASN
  EXPECT_EQ(r.dst_mask, 24);
  EXPECT_EQ(r.peer_dst_ip, ip("192.0.2.254"));
  EXPECT_EQ(r.src_as, 65010u);
  EXPECT_EQ(r.src_mask, 25);
  EXPECT_EQ(r.peer_src_as, 0u);  // bgp_peer_src_as_type not bgp: the exporter's value goes too
  EXPECT_EQ(stats_.counter("bgp.enrich.records").value(), 1u);
  EXPECT_EQ(stats_.counter("bgp.enrich.src_routes").value(), 1u);
  EXPECT_EQ(stats_.counter("bgp.enrich.dst_routes").value(), 1u);
}

TEST_F(BgpEnrich, PeerSrcAsFromBgp) {
  EnrichOptions o = as_and_net_bgp();
  o.peer_src_as_bgp = true;
  auto out = run(o, {record("192.0.2.1", "198.51.100.1", "203.0.113.1")});
  EXPECT_EQ(out[0].peer_src_as, 65001u);
  EXPECT_EQ(out[0].src_as, 65003u);
  EXPECT_EQ(out[0].peer_dst_as, 65010u);
  EXPECT_EQ(out[0].dst_as, 65010u);
}

TEST_F(BgpEnrich, NoRouteGivesZerosAsPmacct) {
  auto out = run(as_and_net_bgp(), {record("192.0.2.1", "192.0.2.77", "203.0.113.200")});
  const FlowRecord& r = out[0];
  EXPECT_EQ(r.src_as, 0u);
  EXPECT_EQ(r.dst_as, 0u);
  EXPECT_EQ(r.peer_dst_as, 0u);
  EXPECT_EQ(r.src_mask, 0);
  EXPECT_EQ(r.dst_mask, 0);
  EXPECT_EQ(r.peer_dst_ip, IpAddress{});
}

TEST_F(BgpEnrich, EmptyAsPathIsTheLocalAsPrintedAsZero) {
  auto out = run(as_and_net_bgp(), {record("192.0.2.1", "198.19.1.1", "198.18.3.3")});
  EXPECT_EQ(out[0].dst_as, 0u);
  EXPECT_EQ(out[0].peer_dst_as, 0u);
  EXPECT_EQ(out[0].dst_mask, 15);
  EXPECT_EQ(out[0].peer_dst_ip, ip("192.0.2.252"));
  EXPECT_EQ(out[0].src_mask, 15);
}

TEST_F(BgpEnrich, ExporterWithoutSessionGetsZeros) {
  auto out = run(as_and_net_bgp(), {record("192.0.2.3", "203.0.113.9", "198.51.100.7")});
  EXPECT_EQ(out[0].dst_as, 0u);
  EXPECT_EQ(out[0].src_as, 0u);
  EXPECT_EQ(out[0].dst_mask, 0);
  EXPECT_EQ(stats_.counter("bgp.enrich.no_peer").value(), 1u);
}

TEST_F(BgpEnrich, EachExporterItsOwnRibAndPeerByBgpId) {
  auto out = run(as_and_net_bgp(), {record("192.0.2.2", "1.1.1.1", "198.51.100.7"),
                                    record("10.0.0.1", "1.1.1.1", "198.51.100.7"),
                                    record("192.0.2.1", "1.1.1.1", "198.51.100.7")});
  EXPECT_EQ(out[0].dst_as, 65101u);
  EXPECT_EQ(out[0].peer_dst_ip, ip("192.0.2.99"));
  EXPECT_EQ(out[1].dst_as, 65003u);  // exporter = peer a's BGP Identifier
  EXPECT_EQ(out[2].dst_as, 65003u);
}

TEST_F(BgpEnrich, Ipv6) {
  auto out = run(as_and_net_bgp(), {record("192.0.2.1", "2001:db8:200::1", "2001:db8:100:5::1")});
  EXPECT_EQ(out[0].dst_as, 65021u);
  EXPECT_EQ(out[0].peer_dst_as, 65020u);
  EXPECT_EQ(out[0].dst_mask, 48);
  EXPECT_EQ(out[0].peer_dst_ip, ip("2001:db8::fe"));
  EXPECT_EQ(out[0].src_as, 0u);
}

TEST_F(BgpEnrich, AsOnlyKeepsTheExportersMasks) {
  EnrichOptions o;
  o.as_bgp = true;
  auto out = run(o, {record("192.0.2.1", "203.0.113.9", "198.51.100.7")});
  EXPECT_EQ(out[0].dst_as, 65003u);
  EXPECT_EQ(out[0].dst_mask, 20);
  EXPECT_EQ(out[0].peer_dst_ip, ip("192.0.2.200"));
}

TEST_F(BgpEnrich, LongestTakesTheRouteOnlyWhenAtLeastAsLong) {
  EnrichOptions o;
  o.as_longest = true;
  o.net_longest = true;
  FlowRecord longer = record("192.0.2.1", "203.0.113.9", "198.51.100.7");
  longer.src_mask = 26;  // the exporter's /26 beats the /25 route
  longer.dst_mask = 24;  // equal: the route wins (pmacct: >=)
  auto out = run(o, {longer});
  EXPECT_EQ(out[0].src_mask, 26);
  EXPECT_EQ(out[0].src_as, 1u);
  EXPECT_EQ(out[0].dst_mask, 24);
  EXPECT_EQ(out[0].dst_as, 65003u);
  EXPECT_EQ(out[0].peer_dst_as, 65001u);
  EXPECT_EQ(out[0].peer_dst_ip, ip("192.0.2.254"));
  // No route: the exporter's values stay.
  out = run(o, {record("192.0.2.1", "192.0.2.77", "203.0.113.200")});
  EXPECT_EQ(out[0].dst_as, 2u);
  EXPECT_EQ(out[0].dst_mask, 20);
  EXPECT_EQ(out[0].peer_dst_ip, ip("192.0.2.200"));
}

TEST_F(BgpEnrich, AddPathDestinationFollowsTheExportersNextHop) {
  PeerKey c = bgp_peer("192.0.2.5");
  c.add_path = {true, true};
  rib_.on_update(c, announce({pfx("198.51.100.0/24", 1)}, {65030}, "198.18.0.1"));
  rib_.on_update(c, announce({pfx("198.51.100.0/24", 2)}, {65031}, "198.18.0.2"));
  rib_.publish_now();
  FlowRecord via2 = record("192.0.2.5", "198.51.100.1", "198.51.100.7");
  via2.peer_dst_ip = ip("198.18.0.2");
  FlowRecord none = record("192.0.2.5", "198.51.100.1", "198.51.100.7");
  none.peer_dst_ip = IpAddress{};  // exporter sent no BGP next hop
  auto out = run(as_and_net_bgp(), {via2, none});
  EXPECT_EQ(out[0].dst_as, 65031u);
  EXPECT_EQ(out[0].peer_dst_ip, ip("198.18.0.2"));
  EXPECT_EQ(out[0].src_as, 65030u);  // source: oldest path
  EXPECT_EQ(out[1].dst_as, 0u);      // pmacct: no path with that next hop
  EXPECT_EQ(out[1].src_as, 65030u);
}

TEST_F(BgpEnrich, AgentMapByPrefixAndPort) {
  const auto dir = std::filesystem::temp_directory_path() / ("xacct_bgp_enrich_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "agent.map";
  {
    std::ofstream f(path);
    f << "bgp_ip=192.0.2.2 ip=198.18.10.0/24\n"
         "bgp_ip=10.0.0.1 ip=198.18.11.0/24\n"
         "bgp_ip=192.0.2.1 bgp_port=1 ip=198.18.12.0/24\n";
  }
  AgentMapFile::Options opts;
  opts.path = path;
  auto agents = AgentMapFile::create(opts);
  ASSERT_TRUE(agents);
  auto out =
      run(as_and_net_bgp(),
          {record("198.18.10.5", "1.1.1.1", "198.51.100.7"), record("198.18.11.5", "1.1.1.1", "198.51.100.7"),
           record("198.18.12.5", "1.1.1.1", "198.51.100.7"), record("192.0.2.1", "1.1.1.1", "198.51.100.7"),
           record("198.18.13.5", "1.1.1.1", "198.51.100.7")},
          agents.value().get());
  EXPECT_EQ(out[0].dst_as, 65101u);  // mapped to session b
  EXPECT_EQ(out[1].dst_as, 65003u);  // mapped to a by its BGP ID
  EXPECT_EQ(out[2].dst_as, 0u);      // a, but not from TCP port 1
  EXPECT_EQ(out[3].dst_as, 65003u);  // no row: the exporter's own session (pmacct)
  EXPECT_EQ(out[4].dst_as, 0u);      // no row and no session of its own
  std::filesystem::remove_all(dir);
}

TEST_F(BgpEnrich, MapSetComputesNetsFromTheBgpMasksAndPreTagSeesThem) {
  const auto dir = std::filesystem::temp_directory_path() / ("xacct_bgp_pretag_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "pretag.map";
  {
    std::ofstream f(path);
    f << "set_tag=7 ip=0.0.0.0/0 peer_dst_as=65001\n";
  }
  maps::MapsConfig mc;
  mc.collector = true;
  mc.net_source = "bgp";
  mc.as_source = "bgp";
  mc.pre_tag_map = path;
  auto ms = maps::MapSet::create(mc);
  ASSERT_TRUE(ms) << ms.error().message;
  auto out = run(as_and_net_bgp(), {record("192.0.2.1", "203.0.113.9", "198.51.100.7")});
  ms.value()->apply(out);
  EXPECT_EQ(out[0].dst_net, ip("198.51.100.0"));
  EXPECT_EQ(out[0].src_net, ip("203.0.113.0"));
  EXPECT_EQ(out[0].dst_as, 65003u);
  EXPECT_EQ(out[0].tag, 7u);
  std::filesystem::remove_all(dir);
}

TEST(BgpEnrichOptions, FromTheConfig) {
  BgpDaemonsConfig c;
  maps::MapsConfig m;
  m.as_source = "bmp";
  m.net_source = "longest";
  c.bmp.enabled = true;
  c.peer_src_as_bgp = true;
  const EnrichOptions o = enrich_options(c, m);
  EXPECT_TRUE(o.as_bgp);
  EXPECT_TRUE(o.net_longest);
  EXPECT_FALSE(o.net_bgp);
  EXPECT_TRUE(o.use_bmp);
  EXPECT_FALSE(o.use_bgp);
  EXPECT_TRUE(o.peer_src_as_bgp);
  EXPECT_TRUE(o.active());
  m.as_source = "netflow";
  m.net_source = "";
  EXPECT_FALSE(enrich_options(c, m).active());
}

userspace::Result<userspace::DaemonConfig> load_collect(std::string_view text) {
  auto lines = userspace::parse_config_text(text, "x.conf");
  if (!lines) return lines.error();
  auto rc = userspace::resolve_config(lines.value(), userspace::Role::kCollect);
  if (!rc) return rc.error();
  return userspace::build_daemon_config(rc.value());
}

TEST(BgpEnrichConfig, BgpSourcesNeedADaemonWithFileAndLine) {
  auto r = load_collect("plugins: print\nnfacctd_as: bgp\nnfacctd_net: bmp\nbgp_peer_src_as_type: bgp\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("x.conf:2: nfacctd_as: bgp needs bgp_daemon: true or bmp_daemon: true"),
            std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("x.conf:3: nfacctd_net: bmp needs"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("x.conf:4: bgp_peer_src_as_type: bgp needs"), std::string::npos);
  auto m = load_collect("plugins: print\nbgp_agent_map: /x\n");
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("x.conf:2: bgp_agent_map needs bgp_daemon: true"), std::string::npos);
}

TEST(BgpEnrichConfig, ReadIntoTheDaemonConfig) {
  auto r = load_collect(
      "plugins: print\nbgp_daemon: true\nbgp_daemon_ip: 127.0.0.1\nbgp_daemon_port: 1179\n"
      "nfacctd_as: bgp\nnfacctd_net: bgp\nbgp_peer_src_as_type: bgp\nbgp_agent_map: /tmp/a.map\n");
  ASSERT_TRUE(r) << r.error().message;
  const BgpDaemonsConfig& b = r.value().core.bgp;
  EXPECT_TRUE(b.bgp.enabled);
  EXPECT_EQ(b.bgp.ip, "127.0.0.1");
  EXPECT_EQ(b.bgp.port, 1179);
  EXPECT_TRUE(b.peer_src_as_bgp);
  EXPECT_EQ(b.bgp_agent_map, "/tmp/a.map");
  const EnrichOptions o = enrich_options(b, r.value().core.maps);
  EXPECT_TRUE(o.as_bgp && o.net_bgp && o.use_bgp && o.peer_src_as_bgp);
  auto p = load_collect("plugins: print\nbgp_daemon: true\nnfacctd_as: bgp\n");
  ASSERT_TRUE(p) << p.error().message;
  // The probe role does not take them.
  auto lines = userspace::parse_config_text("pmacctd_as: bgp\n", "p.conf");
  ASSERT_TRUE(lines);
  EXPECT_FALSE(userspace::resolve_config(lines.value(), userspace::Role::kProbe));
}

}  // namespace
}  // namespace xacct::bgp
