// The collector's id maps (userspace/maps/collector_maps.hpp): sampling_map,
// flow_to_rd_map, bgp_peer_src_as_map row by row, route distinguisher text,
// bad lines with their numbers, pre_tag_map's ip/in/out on collector
// records, and MapSet loading, applying and reloading (SIGUSR2) them.
#include "userspace/maps/collector_maps.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "tests/userspace/record_builder.hpp"
#include "userspace/maps/map_set.hpp"
#include "userspace/primitive.hpp"

namespace xacct::maps {
namespace {

using userspace::FlowRecord;
using userspace::RecordBatch;
using userspace::testing::flow;
using userspace::testing::ip;

FlowRecord exported(const std::string& exporter, std::uint32_t in, std::uint32_t out) {
  FlowRecord r = flow("198.18.0.1", "198.19.0.1", 1000, 53, 17, 3, 300);
  r.peer_src_ip = ip(exporter);
  r.in_iface = in;
  r.out_iface = out;
  return r;
}

std::shared_ptr<const IdMap> parse(IdMapKind kind, std::string_view text, LoadReport& report) {
  return IdMap::parse(kind, text, "m.map", 384, 256, report);
}

TEST(RouteDistinguisher, ParsesAndPrintsPmacctsThreeTypes) {
  for (const char* text : {"0:65512:1", "1:192.0.2.1:5", "2:4200000000:7", "0:0:4294967295"}) {
    auto rd = parse_route_distinguisher(text);
    ASSERT_TRUE(rd.has_value()) << text;
    EXPECT_EQ(format_route_distinguisher(*rd), text);
  }
  // Wire layout: 2-byte type, then the value (RFC 4364 §4.2).
  EXPECT_EQ(*parse_route_distinguisher("0:65512:1"), 0x0000FFE800000001ull);
  EXPECT_EQ(*parse_route_distinguisher("1:192.0.2.1:5"), 0x0001C00002010005ull);
  EXPECT_EQ(*parse_route_distinguisher("2:4200000000:7"), 0x0002FA56EA000007ull);
  for (const char* bad : {"", "0:65536:1", "1:2001:db8::1:5", "2:1:65536", "3:1:1", "0:1", "0:1:2:3", "x:1:1"}) {
    EXPECT_FALSE(parse_route_distinguisher(bad).has_value()) << bad;
  }
}

TEST(RouteDistinguisher, IsAPrimitivePrintedAsPmacctDoes) {
  const auto* info = userspace::find_primitive("mpls_vpn_rd");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->json_key, "mpls_vpn_rd");
  FlowRecord r;
  r.mpls_vpn_rd = *parse_route_distinguisher("1:10.0.0.1:5");
  EXPECT_EQ(userspace::format_primitive(userspace::Primitive::kMplsVpnRd, r, {}), "1:10.0.0.1:5");
  r.mpls_vpn_rd = 0;
  EXPECT_EQ(userspace::format_primitive(userspace::Primitive::kMplsVpnRd, r, {}), "0:0:0");
}

TEST(SamplingMap, FirstMatchingRowByExporterAndInterface) {
  LoadReport report;
  auto m = parse(IdMapKind::kSampling,
                 "! per exporter, then per interface\n"
                 "id=100 ip=192.0.2.1 in=3\n"
                 "id=200 ip=192.0.2.1\n"
                 "id=300 ip=198.51.100.0/24 out=-7\n"
                 "id=400 ip=2001:db8::/32\n",
                 report);
  EXPECT_TRUE(report.warnings.empty());
  ASSERT_EQ(m->size(), 4u);
  auto rate = [&](const std::string& exporter, std::uint32_t in, std::uint32_t out) -> std::uint32_t {
    FlowRecord r = exported(exporter, in, out);
    r.sampling_rate = 9;  // the exporter's own
    m->apply(r);
    return r.sampling_rate;
  };
  EXPECT_EQ(rate("192.0.2.1", 3, 0), 100u);
  EXPECT_EQ(rate("192.0.2.1", 4, 0), 200u);
  EXPECT_EQ(rate("198.51.100.9", 1, 8), 300u);
  EXPECT_EQ(rate("198.51.100.9", 1, 7), 9u);  // negated out: no row, the exporter's rate stays
  EXPECT_EQ(rate("2001:db8::5", 0, 0), 400u);
  EXPECT_EQ(rate("203.0.113.1", 0, 0), 9u);
}

TEST(SamplingMap, BadLinesAreSkippedWithTheirNumbers) {
  LoadReport report;
  auto m = parse(IdMapKind::kSampling,
                 "id=0 ip=192.0.2.1\n"
                 "id=10\n"
                 "id=10 ip=192.0.2.1 vlan=3\n"
                 "id=10 ip=192.0.2.300\n"
                 "id=10 ip=192.0.2.1 in=x\n"
                 "id=20 ip=192.0.2.2\n",
                 report);
  EXPECT_EQ(m->size(), 1u);
  ASSERT_EQ(report.warnings.size(), 5u);
  EXPECT_EQ(report.warnings[0].rfind("m.map:1: invalid id '0'", 0), 0u) << report.warnings[0];
  EXPECT_EQ(report.warnings[1].rfind("m.map:2: no ip=", 0), 0u) << report.warnings[1];
  EXPECT_EQ(report.warnings[2], "m.map:3: key 'vlan' is not valid in sampling_map; line skipped");
  EXPECT_EQ(report.warnings[3].rfind("m.map:4: invalid ip", 0), 0u) << report.warnings[3];
  EXPECT_EQ(report.warnings[4].rfind("m.map:5: invalid in 'x'", 0), 0u) << report.warnings[4];
}

TEST(FlowToRdMap, ByInterfaceNextHopAndBottomLabel) {
  LoadReport report;
  auto m = parse(IdMapKind::kFlowToRd,
                 "id=0:65512:1 ip=192.0.2.254 in=7\n"
                 "id=1:10.0.0.1:2 ip=192.0.2.254 bgp_nexthop=10.1.1.1 mpls_label_bottom=24002\n"
                 "id=2:4200000000:3 ip=0.0.0.0/0\n"
                 "id=9:1:1 ip=192.0.2.254\n",
                 report);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_EQ(report.warnings[0].rfind("m.map:4: invalid id '9:1:1'", 0), 0u);
  auto rd = [&](FlowRecord r) {
    r.mpls_vpn_rd = 0;
    m->apply(r);
    return format_route_distinguisher(r.mpls_vpn_rd);
  };
  EXPECT_EQ(rd(exported("192.0.2.254", 7, 0)), "0:65512:1");
  FlowRecord vpn = exported("192.0.2.254", 8, 0);
  vpn.peer_dst_ip = ip("10.1.1.1");
  vpn.mpls_label_bottom = 24002;
  EXPECT_EQ(rd(vpn), "1:10.0.0.1:2");
  vpn.mpls_label_bottom = 24003;
  EXPECT_EQ(rd(vpn), "2:4200000000:3");  // falls to the catch-all for IPv4 exporters
  EXPECT_EQ(rd(exported("2001:db8::1", 7, 0)), "0:0:0");  // no IPv6 row
}

TEST(PeerSrcAsMap, ByMacVlanAndFilter) {
  LoadReport report;
  auto m = parse(IdMapKind::kPeerSrcAs,
                 "id=65100 ip=192.0.2.254 in=3\n"
                 "id=65200 ip=192.0.2.254 src_mac=02:00:00:00:00:0a\n"
                 "id=65300 ip=192.0.2.254 vlan=20 filter='vlan and udp'\n"
                 "id=65400 ip=192.0.2.254 filter='tcp'\n"
                 "id=1 ip=192.0.2.254 filter='nonsense ('\n",
                 report);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_EQ(report.warnings[0].rfind("m.map:5: invalid filter", 0), 0u) << report.warnings[0];
  auto as = [&](FlowRecord r) {
    m->apply(r);
    return r.peer_src_as;
  };
  EXPECT_EQ(as(exported("192.0.2.254", 3, 0)), 65100u);
  FlowRecord mac = exported("192.0.2.254", 4, 0);
  mac.src_mac = {2, 0, 0, 0, 0, 0x0a};
  EXPECT_EQ(as(mac), 65200u);
  FlowRecord vlan = exported("192.0.2.254", 4, 0);
  vlan.vlan = 20;
  EXPECT_EQ(as(vlan), 65300u);  // the rebuilt packet carries the tag: "vlan and" as in pmacct
  FlowRecord tcp = flow("198.18.0.1", "198.19.0.1", 1000, 80, 6, 1, 60);
  tcp.peer_src_ip = ip("192.0.2.254");
  EXPECT_EQ(as(tcp), 65400u);
  tcp.peer_src_as = 64999;  // the exporter's value stays when nothing matches
  tcp.peer_src_ip = ip("192.0.2.1");
  EXPECT_EQ(as(tcp), 64999u);
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/xacct-cmaps-XXXXXX";
    const char* p = mkdtemp(tmpl);
    if (p == nullptr) throw std::runtime_error("mkdtemp");
    path_ = p;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::string& content) const {
    const std::string file = path_ + "/" + name;
    std::ofstream(file) << content;
    return file;
  }

 private:
  std::string path_;
};

std::uint64_t counter(const userspace::Stats& stats, const std::string& name) {
  for (const auto& [n, v] : stats.snapshot()) {
    if (n == name) return v;
  }
  return ~0ull;
}

TEST(MapSetCollector, AppliesIdMapsAndPreTagMapByExporterThenReloads) {
  TempDir dir;
  MapsConfig c;
  c.collector = true;
  c.sampling_map = dir.write("sampling.map", "id=100 ip=192.0.2.1\n");
  c.flow_to_rd_map = dir.write("rd.map", "id=0:65512:1 ip=192.0.2.1 in=7\n");
  c.bgp_peer_src_as_map = dir.write("peers.map", "id=65100 ip=192.0.2.1 out=9\n");
  // pre_tag_map on collector records: ip (exporter), in, out; it sees what
  // the id maps set before it (pmacct applies them in the same order).
  c.pre_tag_map = dir.write("pretag.map",
                            "set_tag=1 ip=192.0.2.1 in=7\n"
                            "set_tag=2 ip=192.0.2.2 out=9\n"
                            "set_tag=3 ip=2001:db8::1\n");
  userspace::Stats stats;
  auto set = MapSet::create(c, &stats);
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_TRUE(set.value()->active());
  RecordBatch batch{exported("192.0.2.1", 7, 9), exported("192.0.2.2", 1, 9), exported("2001:db8::1", 1, 1),
                    exported("192.0.2.3", 7, 9)};
  batch[3].sampling_rate = 5;
  set.value()->apply(batch);
  EXPECT_EQ(batch[0].sampling_rate, 100u);
  EXPECT_EQ(format_route_distinguisher(batch[0].mpls_vpn_rd), "0:65512:1");
  EXPECT_EQ(batch[0].peer_src_as, 65100u);
  EXPECT_EQ(batch[0].tag, 1u);
  EXPECT_EQ(batch[1].tag, 2u);
  EXPECT_EQ(batch[1].sampling_rate, 0u);
  EXPECT_EQ(batch[2].tag, 3u);
  EXPECT_EQ(batch[3].tag, 0u);
  EXPECT_EQ(batch[3].sampling_rate, 5u);
  EXPECT_EQ(batch[3].mpls_vpn_rd, 0u);
  EXPECT_EQ(counter(stats, "maps.sampling_map.rules"), 1u);
  EXPECT_EQ(counter(stats, "maps.sampling_map.matched"), 1u);
  EXPECT_EQ(counter(stats, "maps.flow_to_rd_map.matched"), 1u);
  EXPECT_EQ(counter(stats, "maps.bgp_peer_src_as_map.matched"), 1u);

  // SIGUSR2: new rates apply to the next batch; an unreadable map keeps
  // its previous version and the reload reports it.
  dir.write("sampling.map", "id=200 ip=192.0.2.0/24\nbad line\n");
  std::filesystem::remove(c.flow_to_rd_map);
  auto reloaded = set.value()->reload();
  EXPECT_FALSE(reloaded.ok());
  RecordBatch next{exported("192.0.2.3", 7, 9), exported("192.0.2.1", 7, 9)};
  set.value()->apply(next);
  EXPECT_EQ(next[0].sampling_rate, 200u);
  EXPECT_EQ(format_route_distinguisher(next[1].mpls_vpn_rd), "0:65512:1");  // kept
  EXPECT_EQ(counter(stats, "maps.bad_lines"), 1u);
  EXPECT_EQ(counter(stats, "maps.reloads"), 1u);
  EXPECT_EQ(counter(stats, "maps.reload_errors"), 1u);
}

TEST(MapSetCollector, AMissingMapFailsTheStart) {
  MapsConfig c;
  c.collector = true;
  c.sampling_map = "/nonexistent/sampling.map";
  auto set = MapSet::create(c);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find("/nonexistent/sampling.map"), std::string::npos) << set.error().message;
}

}  // namespace
}  // namespace xacct::maps
