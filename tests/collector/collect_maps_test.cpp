// The collector's default map work (no map file, nfacctd_net unset: src_net/
// dst_net from the exporter's masks) takes a fast path in MapSet::apply
// (userspace/maps/map_set.cpp, keep_net); it must give exactly what the
// general apply_networks() gives, for IPv4, IPv6, no address, every mask
// length, with and without networks_no_mask_if_zero.
#include <random>

#include <gtest/gtest.h>

#include "userspace/maps/ip_prefix.hpp"
#include "userspace/maps/map_set.hpp"
#include "userspace/maps/network_policy.hpp"

namespace xacct::maps {
namespace {

using userspace::FlowRecord;
using userspace::IpAddress;
using userspace::RecordBatch;

IpAddress ip(const char* s) { return parse_ip(s).value(); }

TEST(CollectMaps, FastPathEqualsApplyNetworks) {
  for (bool no_mask_if_zero : {false, true}) {
    MapsConfig c;
    c.collector = true;
    c.networks_no_mask_if_zero = no_mask_if_zero;
    auto set = MapSet::create(c);
    ASSERT_TRUE(set.ok()) << set.error().message;
    auto policy = NetworkPolicy::resolve(c);
    ASSERT_TRUE(policy.ok());
    ASSERT_TRUE(policy.value().net_keep);

    const IpAddress hosts[] = {ip("198.18.255.129"), ip("0.0.0.0"), ip("255.255.255.255"),
                               ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), ip("::"), IpAddress{}};
    RecordBatch batch;
    std::mt19937 rnd(7);
    for (const IpAddress& src : hosts) {
      for (const IpAddress& dst : hosts) {
        for (unsigned mask = 0; mask <= 130; ++mask) {
          FlowRecord r;
          r.src_host = src;
          r.dst_host = dst;
          r.src_mask = static_cast<std::uint8_t>(mask);
          r.dst_mask = static_cast<std::uint8_t>(rnd() % 131);
          r.src_net = ip("192.0.2.77");  // overwritten unless the host has no family
          batch.push_back(r);
        }
      }
    }
    RecordBatch want = batch;
    for (FlowRecord& r : want) apply_networks(policy.value(), nullptr, r);
    set.value()->apply(batch);
    ASSERT_EQ(batch.size(), want.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      ASSERT_EQ(batch[i].src_net, want[i].src_net) << i << " no_mask_if_zero " << no_mask_if_zero;
      ASSERT_EQ(batch[i].dst_net, want[i].dst_net) << i << " no_mask_if_zero " << no_mask_if_zero;
      ASSERT_EQ(batch[i].src_mask, want[i].src_mask) << i;
      ASSERT_EQ(batch[i].dst_mask, want[i].dst_mask) << i;
    }
  }
}

}  // namespace
}  // namespace xacct::maps
