// How networks_file / networks_mask / *_net / *_as fill a record
// (userspace/maps/network_policy.hpp): the probe defaults (spec example),
// AS only with pmacctd_as: file, masks, longest/no_lpm against exporter
// masks, networks_file_filter and networks_no_mask_if_zero.
#include "userspace/maps/network_policy.hpp"

#include <gtest/gtest.h>

#include "tests/userspace/record_builder.hpp"
#include "userspace/primitive_encodings.hpp"

namespace xacct::maps {
namespace {

using userspace::FlowRecord;
using userspace::IpAddress;
using userspace::testing::flow;
using userspace::testing::ip;

constexpr const char* kSpecNetworks =
    "64500_65010,192.0.2.0/24\n"
    "65020,198.51.100.0/25\n"
    "10.0.0.254,65030,10.0.0.0/8\n"
    "2001:db8::/32\n";

std::string text(const IpAddress& a) {
  std::string s;
  userspace::append_ip(a, s);
  return s;
}

struct Fixture {
  std::shared_ptr<const NetworksTable> table;
  NetworkPolicy policy;

  explicit Fixture(MapsConfig c, const char* networks = kSpecNetworks) {
    LoadReport report;
    if (!c.networks_file.empty()) {
      table = NetworksTable::parse(networks, "nets", report);
    }
    auto p = NetworkPolicy::resolve(c);
    if (!p) throw std::runtime_error(p.error().message);
    policy = p.value();
  }
  FlowRecord run(FlowRecord r) const {
    const NetworkLookup l = apply_networks(policy, table.get(), r);
    apply_networks_filter(policy, l, r);
    return r;
  }
};

MapsConfig probe_with_file() {
  MapsConfig c;
  c.networks_file = "nets";
  return c;
}

TEST(NetworkPolicy, ProbeDefaultFillsNetsAndMasksNotAsns) {
  // spec/primitives.md: net_src 192.0.2.0/24, net_dst 198.51.100.0/25,
  // as_src/as_dst 0 without pmacctd_as: file, peer_ip_dst "".
  Fixture f(probe_with_file());
  FlowRecord r = f.run(flow("192.0.2.10", "198.51.100.20", 1, 53, 17, 1, 58));
  EXPECT_EQ(text(r.src_net), "192.0.2.0");
  EXPECT_EQ(r.src_mask, 24);
  EXPECT_EQ(text(r.dst_net), "198.51.100.0");
  EXPECT_EQ(r.dst_mask, 25);
  EXPECT_EQ(r.src_as, 0u);
  EXPECT_EQ(r.dst_as, 0u);
  EXPECT_EQ(r.peer_src_as, 0u);
  EXPECT_TRUE(userspace::ip_is_unset(r.peer_dst_ip));
  EXPECT_EQ(text(r.src_host), "192.0.2.10");  // hosts untouched
}

TEST(NetworkPolicy, AsnsWithPmacctdAsFile) {
  MapsConfig c = probe_with_file();
  c.as_source = "file";
  Fixture f(c);
  FlowRecord r = f.run(flow("192.0.2.10", "198.51.100.20", 1, 53, 17, 1, 58));
  EXPECT_EQ(r.src_as, 65010u);
  EXPECT_EQ(r.peer_src_as, 64500u);
  EXPECT_EQ(r.dst_as, 65020u);
  EXPECT_EQ(r.peer_dst_as, 0u);
  r = f.run(flow("203.0.113.1", "192.0.2.1", 1, 53, 17, 1, 58));
  EXPECT_EQ(r.src_as, 0u);
  EXPECT_EQ(r.dst_as, 65010u);
  EXPECT_EQ(r.peer_dst_as, 64500u);
}

TEST(NetworkPolicy, NextHopColumnFillsPeerDstIp) {
  Fixture f(probe_with_file());
  FlowRecord r = f.run(flow("192.0.2.10", "10.1.2.3", 1, 53, 17, 1, 58));
  EXPECT_EQ(text(r.peer_dst_ip), "10.0.0.254");
  EXPECT_EQ(text(r.dst_net), "10.0.0.0");
  EXPECT_EQ(r.dst_mask, 8);
}

TEST(NetworkPolicy, UnknownAddressGetsZeroMaskAndNet) {
  Fixture f(probe_with_file());
  FlowRecord r = f.run(flow("203.0.113.9", "2001:db9::1", 1, 2, 17, 1, 1));
  EXPECT_EQ(text(r.src_net), "0.0.0.0");
  EXPECT_EQ(r.src_mask, 0);
  EXPECT_EQ(text(r.dst_net), "::");
  EXPECT_TRUE(r.dst_net.is_v6);

  MapsConfig c = probe_with_file();
  c.networks_no_mask_if_zero = true;
  Fixture keep(c);
  r = keep.run(flow("203.0.113.9", "2001:db8::5", 1, 2, 17, 1, 1));
  EXPECT_EQ(text(r.src_net), "203.0.113.9");  // mask 0: the host itself
  EXPECT_EQ(r.src_mask, 0);
  EXPECT_EQ(text(r.dst_net), "2001:db8::");
  EXPECT_EQ(r.dst_mask, 32);
}

TEST(NetworkPolicy, NetworksMaskAlone) {
  MapsConfig c;
  c.networks_mask = 20;
  Fixture f(c);
  FlowRecord r = f.run(flow("198.18.47.1", "2001:db8:ffff::1", 1, 2, 17, 1, 1));
  EXPECT_EQ(text(r.src_net), "198.18.32.0");
  EXPECT_EQ(r.src_mask, 20);
  EXPECT_EQ(text(r.dst_net), "2001::");  // 0x0db8: its top 4 bits are 0
  EXPECT_EQ(r.dst_mask, 20);
  c.networks_mask = 48;  // longer than IPv4: the whole address
  Fixture g(c);
  r = g.run(flow("198.18.47.1", "2001:db8:ffff:1::1", 1, 2, 17, 1, 1));
  EXPECT_EQ(text(r.src_net), "198.18.47.1");
  EXPECT_EQ(r.src_mask, 32);
  EXPECT_EQ(text(r.dst_net), "2001:db8:ffff::");
  EXPECT_EQ(r.dst_mask, 48);
}

TEST(NetworkPolicy, NonIpRecordsAreLeftAlone) {
  Fixture f(probe_with_file());
  FlowRecord r;
  r.etype = 0x0806;
  FlowRecord out = f.run(r);
  EXPECT_TRUE(userspace::ip_is_unset(out.src_net));
  EXPECT_EQ(out.src_mask, 0);
}

FlowRecord exported(const char* src, std::uint8_t src_mask, std::uint32_t src_as) {
  FlowRecord r = flow(src, "198.18.0.1", 1, 2, 6, 1, 40);
  r.src_mask = src_mask;
  r.src_as = src_as;
  return r;
}

TEST(NetworkPolicy, CollectorKeepsExporterMasks) {
  MapsConfig c;
  c.collector = true;
  Fixture f(c);
  FlowRecord r = f.run(exported("10.20.30.40", 16, 65123));
  EXPECT_EQ(text(r.src_net), "10.20.0.0");
  EXPECT_EQ(r.src_mask, 16);
  EXPECT_EQ(r.src_as, 65123u);
}

TEST(NetworkPolicy, LongestTakesTheLongerOfExportAndFile) {
  MapsConfig c;
  c.collector = true;
  c.networks_file = "nets";
  c.net_source = "longest";
  c.as_source = "longest";
  Fixture f(c,
            "65001,10.0.0.0/8\n"
            "65002,10.20.30.0/24\n");
  // File /24 beats export /16: mask, net and AS from the file.
  FlowRecord r = f.run(exported("10.20.30.40", 16, 65123));
  EXPECT_EQ(r.src_mask, 24);
  EXPECT_EQ(text(r.src_net), "10.20.30.0");
  EXPECT_EQ(r.src_as, 65002u);
  // Export /16 beats file /8: the exporter's values stay.
  r = f.run(exported("10.99.1.1", 16, 65123));
  EXPECT_EQ(r.src_mask, 16);
  EXPECT_EQ(text(r.src_net), "10.99.0.0");
  EXPECT_EQ(r.src_as, 65123u);
  // Not in the file: the exporter's values stay.
  r = f.run(exported("192.0.2.1", 24, 65124));
  EXPECT_EQ(r.src_mask, 24);
  EXPECT_EQ(r.src_as, 65124u);

  c.networks_file_no_lpm = true;  // the file wins whenever it matches
  Fixture g(c,
            "65001,10.0.0.0/8\n"
            "65002,10.20.30.0/24\n");
  r = g.run(exported("10.99.1.1", 16, 65123));
  EXPECT_EQ(r.src_mask, 8);
  EXPECT_EQ(text(r.src_net), "10.0.0.0");
  EXPECT_EQ(r.src_as, 65001u);
  r = g.run(exported("192.0.2.1", 24, 65124));
  EXPECT_EQ(r.src_mask, 24);
  EXPECT_EQ(r.src_as, 65124u);
}

TEST(NetworkPolicy, FileWithoutFallbackOverwritesTheExport) {
  MapsConfig c;
  c.collector = true;
  c.networks_file = "nets";
  c.net_source = "file";
  c.as_source = "file";
  Fixture f(c, "65001,10.0.0.0/8\n");
  FlowRecord r = f.run(exported("10.99.1.1", 16, 65123));
  EXPECT_EQ(r.src_mask, 8);
  EXPECT_EQ(r.src_as, 65001u);
  r = f.run(exported("192.0.2.1", 24, 65124));
  EXPECT_EQ(r.src_mask, 0);
  EXPECT_EQ(r.src_as, 0u);
  EXPECT_EQ(text(r.src_net), "0.0.0.0");
}

TEST(NetworkPolicy, NetworksFileFilterZeroesUnknownHosts) {
  MapsConfig c = probe_with_file();
  c.networks_file_filter = true;
  Fixture f(c);
  FlowRecord r = f.run(flow("192.0.2.10", "203.0.113.5", 1, 2, 17, 1, 1));
  EXPECT_EQ(text(r.src_host), "192.0.2.10");
  EXPECT_EQ(text(r.dst_host), "0.0.0.0");
  EXPECT_EQ(text(r.dst_net), "0.0.0.0");
  EXPECT_EQ(r.dst_mask, 0);
  r = f.run(flow("2001:db9::1", "2001:db8::1", 1, 2, 17, 1, 1));
  EXPECT_EQ(text(r.src_host), "::");
  EXPECT_TRUE(r.src_host.is_v6);
  EXPECT_EQ(text(r.dst_host), "2001:db8::1");
}

TEST(NetworkPolicy, ResolveErrors) {
  MapsConfig c;
  c.net_source = "file";
  EXPECT_EQ(NetworkPolicy::resolve(c).error().message, "pmacctd_net: file needs networks_file");
  c = {};
  c.net_source = "mask";
  EXPECT_EQ(NetworkPolicy::resolve(c).error().message, "pmacctd_net: mask needs networks_mask");
  c = {};
  c.net_source = "netflow";
  EXPECT_EQ(NetworkPolicy::resolve(c).error().message, "pmacctd_net: 'netflow' applies to the collector only");
  c = {};
  c.as_source = "file";
  c.collector = true;
  EXPECT_EQ(NetworkPolicy::resolve(c).error().message, "nfacctd_as: file needs networks_file");
  c = {};
  c.as_source = "bgp";
  EXPECT_EQ(NetworkPolicy::resolve(c).error().message, "pmacctd_as: invalid value 'bgp'");
  EXPECT_FALSE(NetworkPolicy::resolve(MapsConfig{}).value().active());  // probe, nothing configured
}

}  // namespace
}  // namespace xacct::maps
