// AggregationKeyLayout and AggregationTable on crafted records: only the
// configured primitives key an entry, sums are exact, flags ORed, times
// min/max, collisions and growth keep every entry apart.
#include "userspace/aggregation_table.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <span>
#include <tuple>

#include "tests/userspace/record_builder.hpp"

namespace xacct::userspace {
namespace {

using testing::flow;
using testing::ip;
using P = Primitive;

TEST(AggregationKey, OnlyConfiguredPrimitives) {
  const std::vector<P> proto_only{P::kProto};
  AggregationKeyLayout layout(proto_only);
  EXPECT_EQ(layout.size(), 8u);  // flags + proto, padded
  const std::vector<P> five{P::kSrcHost, P::kDstHost, P::kSrcPort, P::kDstPort, P::kProto};
  EXPECT_EQ(AggregationKeyLayout(five).size(), 40u);  // flags 1 + 17 + 17 + 2 + 2 + 1
}

TEST(AggregationKey, BuildRestoreRoundTrip) {
  const std::vector<P> prims{P::kVlan, P::kSrcHost, P::kDstPort, P::kTcpFlags, P::kTimestampStart};
  AggregationKeyLayout layout(prims);
  FlowRecord in = flow("2001:db8::5", "198.18.0.1", 1000, 53, 17, 3, 300);
  in.vlan = 42;
  in.tos = 9;  // not keyed
  in.tcp_flags = 2;  // a value, not a key
  in.first_ns = 1'700'000'000'123'456'789LL;
  std::vector<std::uint8_t> key(layout.size());
  layout.build(in, key.data());
  FlowRecord out;
  layout.restore(key.data(), out);
  EXPECT_EQ(out.vlan, 42);
  EXPECT_EQ(out.src_host, in.src_host);
  EXPECT_EQ(out.dst_port, 53);
  EXPECT_EQ(out.first_ns, 1'700'000'000'123'456'000LL);  // microsecond resolution
  EXPECT_EQ(out.dst_host, IpAddress{});
  EXPECT_EQ(out.src_port, 0);
  EXPECT_EQ(out.tos, 0);
  EXPECT_EQ(out.tcp_flags, 0);
  EXPECT_FALSE(out.overflow);
}

TEST(AggregationTable, SumsOnlyOnConfiguredPrimitives) {
  const std::vector<P> prims{P::kSrcHost, P::kProto};
  AggregationTable t{AggregationKeyLayout(prims)};
  // Same src_host+proto, different ports and dst: one entry.
  FlowRecord a = flow("198.18.0.1", "198.18.0.2", 1000, 80, 6, 10, 1000);
  a.tcp_flags = 0x02;
  a.first_ns = 5000;
  a.last_ns = 6000;
  FlowRecord b = flow("198.18.0.1", "198.18.0.3", 2000, 443, 6, 5, 700);
  b.tcp_flags = 0x10;
  b.first_ns = 4000;
  b.last_ns = 9000;
  FlowRecord c = flow("198.18.0.1", "198.18.0.3", 2000, 443, 17, 1, 60);  // other proto
  FlowRecord d = flow("2001:db8::1", "198.18.0.3", 2000, 443, 6, 2, 120);  // other host
  FlowRecord e = b;
  e.first_ns = 0;  // unknown times do not lower the minimum
  e.last_ns = 0;
  e.tcp_flags = 0x01;
  for (const auto& r : {a, b, c, d, e}) t.add(r);
  ASSERT_EQ(t.size(), 3u);
  auto s = t.snapshot();
  EXPECT_EQ(s[0].src_host, ip("198.18.0.1"));
  EXPECT_EQ(s[0].proto, 6);
  EXPECT_EQ(s[0].packets, 20u);
  EXPECT_EQ(s[0].bytes, 2400u);
  EXPECT_EQ(s[0].flows, 3u);
  EXPECT_EQ(s[0].tcp_flags, 0x13);
  EXPECT_EQ(s[0].first_ns, 4000);
  EXPECT_EQ(s[0].last_ns, 9000);
  EXPECT_EQ(s[0].dst_port, 0);  // not keyed: zero in the aggregate
  EXPECT_EQ(s[1].proto, 17);
  EXPECT_EQ(s[1].bytes, 60u);
  EXPECT_EQ(s[2].src_host, ip("2001:db8::1"));
  EXPECT_EQ(s[2].packets, 2u);
}

TEST(AggregationTable, NoneIsOneGrandTotal) {
  AggregationTable t{AggregationKeyLayout(std::vector<P>{})};
  for (int i = 0; i < 100; ++i) t.add(flow("198.18.0.1", "198.18.0.2", static_cast<std::uint16_t>(i), 1, 6, 1, 40));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t.entry(0).packets, 100u);
  EXPECT_EQ(t.entry(0).bytes, 4000u);
}

TEST(AggregationTable, OverflowRecordStaysItsOwnEntry) {
  const std::vector<P> prims{P::kSrcHost, P::kDstHost, P::kInIface};
  AggregationTable t{AggregationKeyLayout(prims)};
  FlowRecord nonip;  // non-IP traffic: zero addresses
  nonip.in_iface = 2;
  nonip.packets = 1;
  nonip.bytes = 60;
  FlowRecord overflow = nonip;
  overflow.overflow = true;
  overflow.packets = 7;
  overflow.bytes = 700;
  t.add(nonip);
  t.add(overflow);
  t.add(overflow);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_FALSE(t.entry(0).overflow);
  EXPECT_EQ(t.entry(0).bytes, 60u);
  EXPECT_TRUE(t.entry(1).overflow);
  EXPECT_EQ(t.entry(1).packets, 14u);
  EXPECT_EQ(t.entry(1).in_iface, 2u);
}

TEST(AggregationTable, TimestampKeyResolution) {
  const std::vector<P> prims{P::kTimestampStart};
  FlowRecord a = flow("198.18.0.1", "198.18.0.2", 1, 2, 17, 1, 100);
  a.first_ns = 1'700'000'000'000'001'000LL;
  FlowRecord b = a;
  b.first_ns = 1'700'000'000'000'001'999LL;  // same microsecond
  FlowRecord c = a;
  c.first_ns = 1'700'000'000'900'000'000LL;  // same second
  AggregationTable usec{AggregationKeyLayout(prims)};
  AggregationTable sec{AggregationKeyLayout(prims, /*timestamps_secs=*/true)};
  for (const auto& r : {a, b, c}) {
    usec.add(r);
    sec.add(r);
  }
  EXPECT_EQ(usec.size(), 2u);
  EXPECT_EQ(usec.entry(0).bytes, 200u);
  ASSERT_EQ(sec.size(), 1u);
  EXPECT_EQ(sec.entry(0).first_ns, 1'700'000'000'000'000'000LL);
}

std::uint64_t constant_hash(const std::uint8_t*, std::size_t) { return 42; }
// Low bit of the port: only two hash values.
std::uint64_t two_buckets(const std::uint8_t* key, std::size_t) { return key[1] & 1; }

TEST(AggregationTable, FullCollisionsKeepEntriesApart) {
  const std::vector<P> prims{P::kSrcPort};
  for (auto hash : {&constant_hash, &two_buckets}) {
    AggregationTable t(AggregationKeyLayout(prims), 8, hash);
    for (int round = 0; round < 3; ++round) {
      for (std::uint16_t port = 0; port < 300; ++port) {
        t.add(flow("198.18.0.1", "198.18.0.2", port, 9, 17, port + 1u, 10u * port));
      }
    }
    ASSERT_EQ(t.size(), 300u);
    for (std::size_t i = 0; i < t.size(); ++i) {
      FlowRecord e = t.entry(i);
      EXPECT_EQ(e.src_port, i);
      EXPECT_EQ(e.packets, 3 * (i + 1));
      EXPECT_EQ(e.bytes, 30 * i);
    }
  }
}

TEST(AggregationTable, GrowsAndStaysExact) {
  const std::vector<P> prims{P::kSrcHost, P::kDstHost, P::kSrcPort, P::kDstPort, P::kProto};
  AggregationTable t(AggregationKeyLayout(prims), 16);
  std::mt19937 rng(7);
  std::map<std::tuple<std::uint32_t, std::uint16_t, std::uint8_t>, std::pair<std::uint64_t, std::uint64_t>> expect;
  std::uint64_t total_bytes = 0;
  for (int i = 0; i < 200000; ++i) {
    const std::uint32_t host = rng() % 50000;
    const auto port = static_cast<std::uint16_t>(rng() % 3);
    const std::uint8_t proto = (rng() & 1) ? 6 : 17;
    const std::uint64_t bytes = 40 + rng() % 1460;
    const std::string src = "198.18." + std::to_string(host / 256) + "." + std::to_string(host % 256);
    t.add(flow(src, "198.19.0.1", port, 80, proto, 1, bytes));
    auto& e = expect[{host, port, proto}];
    e.first += 1;
    e.second += bytes;
    total_bytes += bytes;
  }
  EXPECT_EQ(t.size(), expect.size());
  EXPECT_EQ(t.slot_count() & (t.slot_count() - 1), 0u);  // power of two
  EXPECT_GE(t.slot_count(), 2 * t.size());                // load factor <= 1/2
  std::uint64_t seen_bytes = 0;
  for (const FlowRecord& r : t.snapshot()) {
    const std::uint32_t host = (std::uint32_t{r.src_host.bytes[14]} << 8) | r.src_host.bytes[15];
    auto it = expect.find({host, r.src_port, r.proto});
    ASSERT_NE(it, expect.end());
    EXPECT_EQ(r.packets, it->second.first);
    EXPECT_EQ(r.bytes, it->second.second);
    seen_bytes += r.bytes;
  }
  EXPECT_EQ(seen_bytes, total_bytes);
}

TEST(AggregationTable, ClearKeepsSlotsAndStartsOver) {
  const std::vector<P> prims{P::kSrcPort};
  AggregationTable t(AggregationKeyLayout(prims), 8);
  for (std::uint16_t p = 0; p < 100; ++p) t.add(flow("198.18.0.1", "198.18.0.2", p, 1, 6, 1, 1));
  const std::size_t slots = t.slot_count();
  t.clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.slot_count(), slots);
  t.add(flow("198.18.0.1", "198.18.0.2", 5, 1, 6, 2, 3));
  t.add(flow("198.18.0.1", "198.18.0.2", 5, 1, 6, 2, 3));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t.entry(0).packets, 4u);
}

// add_batch (prefetching, many records at once) must give exactly what
// add() one by one gives: same entries, same insertion order, same sums,
// across slot growth, entry chunks (a 5-tuple chunk holds ~24k entries),
// forced collisions and time bins.
TEST(AggregationTable, BatchEqualsOneByOne) {
  const std::vector<P> prims{P::kSrcHost, P::kDstHost, P::kSrcPort, P::kDstPort, P::kProto};
  for (auto hash : {&AggregationTable::default_hash, &two_buckets}) {
    const int records = hash == &two_buckets ? 3000 : 300000;
    const std::uint32_t hosts = hash == &two_buckets ? 500 : 60000;
    AggregationKeyLayout layout(prims, false, /*time_bins=*/true);
    AggregationTable one(layout, 8, hash);
    AggregationTable many(layout, 8, hash);
    std::mt19937 rng(11);
    std::vector<FlowRecord> recs;
    std::vector<TimestampNs> bins;
    for (int i = 0; i < records; ++i) {
      const std::uint32_t host = rng() % hosts;
      const std::string src = "198.18." + std::to_string(host / 256) + "." + std::to_string(host % 256);
      FlowRecord r = flow(src, "2001:db8::1", static_cast<std::uint16_t>(rng() % 2), 443, 6, 1 + rng() % 3,
                          40 + rng() % 1460);
      r.tcp_flags = static_cast<std::uint8_t>(1u << (rng() % 6));
      r.first_ns = r.last_ns = 1'700'000'000'000'000'000LL + static_cast<TimestampNs>(rng() % 1000) * 1000;
      recs.push_back(r);
      bins.push_back((rng() % 2) * 300'000'000'000LL);
    }
    for (std::size_t i = 0; i < recs.size(); ++i) one.add(recs[i], bins[i]);
    // Batches of uneven sizes, as the pipeline delivers them.
    for (std::size_t i = 0; i < recs.size();) {
      const std::size_t n = std::min<std::size_t>(1 + rng() % 1500, recs.size() - i);
      std::vector<const FlowRecord*> ptrs;
      for (std::size_t j = i; j < i + n; ++j) ptrs.push_back(&recs[j]);
      many.add_batch(ptrs, std::span<const TimestampNs>(bins).subspan(i, n));
      i += n;
    }
    ASSERT_EQ(many.size(), one.size());
    std::uint64_t packets = 0;
    for (std::size_t i = 0; i < one.size(); ++i) {
      const FlowRecord a = one.entry(i);
      const FlowRecord b = many.entry(i);
      ASSERT_EQ(a.src_host, b.src_host);
      ASSERT_EQ(a.src_port, b.src_port);
      ASSERT_EQ(a.time_bin_ns, b.time_bin_ns);
      ASSERT_EQ(a.packets, b.packets);
      ASSERT_EQ(a.bytes, b.bytes);
      ASSERT_EQ(a.tcp_flags, b.tcp_flags);
      ASSERT_EQ(a.first_ns, b.first_ns);
      ASSERT_EQ(a.last_ns, b.last_ns);
      packets += b.packets;
    }
    std::uint64_t want = 0;
    for (const FlowRecord& r : recs) want += r.packets;
    EXPECT_EQ(packets, want);
  }
}

// Entries are kept in chunks and never move: after clear() the chunks are
// reused, and a table refilled past several chunks stays exact.
TEST(AggregationTable, RefillAfterClearAcrossChunks) {
  const std::vector<P> prims{P::kSrcHost, P::kSrcPort};
  AggregationTable t(AggregationKeyLayout(prims), 8);
  for (int round = 0; round < 2; ++round) {
    for (std::uint32_t i = 0; i < 70000; ++i) {
      const std::string src = "198.18." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256);
      t.add(flow(src, "198.19.0.1", static_cast<std::uint16_t>(i / 65536), 1, 6, round + 1u, i));
    }
    ASSERT_EQ(t.size(), 70000u);
    for (std::size_t i = 0; i < t.size(); i += 997) {
      EXPECT_EQ(t.entry(i).packets, round + 1u);
      EXPECT_EQ(t.entry(i).bytes, i);
    }
    t.clear();
  }
}

}  // namespace
}  // namespace xacct::userspace
