// IPv4 and IPv6 fragments take the ports of their first fragment on the libpcap path
// (probe/capture/fragment_table.hpp, PacketBatcher), as pmacctd does; a
// later fragment without its first keeps ports 0 and is still counted; the
// table is bounded and counts its evictions; entries age out after 60 s of
// packet time.
#include "probe/capture/fragment_table.hpp"

#include <gtest/gtest.h>

#include "tests/capture/capture_test_util.hpp"

namespace xacct::capture {
namespace {

using testing::Bytes;
using testing::Collector;

constexpr userspace::TimestampNs kT0 = 1'700'000'000'000'000'000;
constexpr userspace::TimestampNs kSecond = 1'000'000'000;

// Raw IPv4 (DLT_RAW): 198.18.0.1 -> 198.18.0.2, protocol 17, the given id
// and fragment field (flags + offset in 8-byte units), `payload` bytes after
// the 20-byte header. The first fragment's payload starts with a UDP header.
Bytes ipv4_fragment(std::uint16_t id, std::uint16_t frag_field, std::size_t payload, std::uint16_t sport = 0,
                    std::uint16_t dport = 0, std::uint8_t src_last = 1) {
  const std::size_t total = 20 + payload;
  Bytes b = {0x45,
             0,
             static_cast<std::uint8_t>(total >> 8),
             static_cast<std::uint8_t>(total),
             static_cast<std::uint8_t>(id >> 8),
             static_cast<std::uint8_t>(id),
             static_cast<std::uint8_t>(frag_field >> 8),
             static_cast<std::uint8_t>(frag_field),
             64,
             17,
             0,
             0,
             198,
             18,
             0,
             src_last,
             198,
             18,
             0,
             2};
  Bytes p(payload, 0xab);
  if ((frag_field & 0x1fff) == 0 && payload >= 8) {
    p[0] = static_cast<std::uint8_t>(sport >> 8);
    p[1] = static_cast<std::uint8_t>(sport);
    p[2] = static_cast<std::uint8_t>(dport >> 8);
    p[3] = static_cast<std::uint8_t>(dport);
    p[4] = 0x0b;  // UDP length of the whole datagram (2008), not checked
    p[5] = 0xd8;
    p[6] = p[7] = 0;
  }
  b.insert(b.end(), p.begin(), p.end());
  return b;
}

constexpr std::uint16_t kMoreFragments = 0x2000;

TEST(FragmentTable, LaterFragmentsTakeTheFirstFragmentsPorts) {
  Collector c(Datalink::kRawIp);
  c.feed(ipv4_fragment(7, kMoreFragments, 1480, 4000, 53), kT0);  // first
  c.feed(ipv4_fragment(7, kMoreFragments | 185, 1480), kT0 + 1);  // middle
  c.feed(ipv4_fragment(7, 370, 48), kT0 + 2);                     // last
  c.feed(ipv4_fragment(8, 185, 100), kT0 + 3);                    // later fragment, first never seen
  c.feed(ipv4_fragment(7, 185, 100, 0, 0, 9), kT0 + 4);           // same id, other source
  auto r = c.records();
  ASSERT_EQ(r.size(), 5u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r[i].src_port, 4000) << i;
    EXPECT_EQ(r[i].dst_port, 53) << i;
    EXPECT_EQ(r[i].packets, 1u);
  }
  EXPECT_EQ(r[1].bytes, 1500u);
  EXPECT_EQ(r[2].bytes, 68u);
  EXPECT_EQ(r[3].src_port, 0);
  EXPECT_EQ(r[3].dst_port, 0);
  EXPECT_EQ(r[4].src_port, 0);
  EXPECT_EQ(c.counter("frag_first"), 1u);
  EXPECT_EQ(c.counter("frag_ports"), 2u);
  EXPECT_EQ(c.counter("frag_no_first"), 2u);
  EXPECT_EQ(c.counter("ip_packets"), 5u);  // every fragment counted, once
  EXPECT_EQ(c.counter("received"), 5u);
}

// Raw IPv6: 2001:db8::1 -> 2001:db8::2, a destination options header (8
// bytes) then a fragment header (id, offset in 8-byte units, M), then
// `payload` bytes; the first fragment's payload starts with a UDP header.
Bytes ipv6_fragment(std::uint32_t id, std::uint16_t offset, bool more, std::size_t payload,
                    std::uint16_t sport = 0, std::uint16_t dport = 0) {
  const std::size_t plen = 8 + 8 + payload;
  Bytes b = {0x60, 0, 0, 0, static_cast<std::uint8_t>(plen >> 8), static_cast<std::uint8_t>(plen), 60, 64};
  for (int side = 1; side <= 2; ++side) {
    Bytes a = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(side)};
    b.insert(b.end(), a.begin(), a.end());
  }
  const Bytes dstopts = {44, 0, 1, 4, 0, 0, 0, 0};  // next: fragment; PadN
  b.insert(b.end(), dstopts.begin(), dstopts.end());
  const std::uint16_t off_field = static_cast<std::uint16_t>(offset << 3 | (more ? 1 : 0));
  const Bytes frag = {17,
                      0,
                      static_cast<std::uint8_t>(off_field >> 8),
                      static_cast<std::uint8_t>(off_field),
                      static_cast<std::uint8_t>(id >> 24),
                      static_cast<std::uint8_t>(id >> 16),
                      static_cast<std::uint8_t>(id >> 8),
                      static_cast<std::uint8_t>(id)};
  b.insert(b.end(), frag.begin(), frag.end());
  Bytes p(payload, 0xcd);
  if (offset == 0 && payload >= 8) {
    p[0] = static_cast<std::uint8_t>(sport >> 8);
    p[1] = static_cast<std::uint8_t>(sport);
    p[2] = static_cast<std::uint8_t>(dport >> 8);
    p[3] = static_cast<std::uint8_t>(dport);
    p[6] = p[7] = 0;
  }
  b.insert(b.end(), p.begin(), p.end());
  return b;
}

TEST(FragmentTable, Ipv6FragmentsTakeTheFirstFragmentsPorts) {
  Collector c(Datalink::kRawIp);
  c.feed(ipv6_fragment(0x01020304, 0, true, 1232, 5353, 443), kT0);
  c.feed(ipv6_fragment(0x01020304, 154, false, 100), kT0 + 1);
  c.feed(ipv6_fragment(0x01020305, 154, false, 100), kT0 + 2);  // another datagram, first not seen
  auto r = c.records();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].src_port, 5353);
  EXPECT_EQ(r[1].src_port, 5353);
  EXPECT_EQ(r[1].dst_port, 443);
  EXPECT_EQ(r[1].bytes, 40u + 8 + 8 + 100);
  EXPECT_EQ(r[2].src_port, 0);
  EXPECT_EQ(c.counter("frag_first"), 1u);
  EXPECT_EQ(c.counter("frag_ports"), 1u);
  EXPECT_EQ(c.counter("frag_no_first"), 1u);
}

TEST(FragmentTable, EntriesAgeOutAfterSixtySecondsOfPacketTime) {
  Collector c(Datalink::kRawIp);
  c.feed(ipv4_fragment(7, kMoreFragments, 100, 4000, 53), kT0);
  c.feed(ipv4_fragment(7, 185, 100), kT0 + 59 * kSecond);
  c.feed(ipv4_fragment(7, 185, 100), kT0 + 60 * kSecond);
  auto r = c.records();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1].src_port, 4000);
  EXPECT_EQ(r[2].src_port, 0);
}

FragKey key(std::uint32_t id, std::uint8_t proto) {
  FragKey k;
  k.src[15] = 1;
  k.dst[15] = 2;
  k.id = id;
  k.proto = proto;
  return k;
}

TEST(FragmentTable, BoundedWithCountedEvictions) {
  FragmentTable t(2);
  std::uint16_t s = 0, d = 0;
  t.first(key(10, 17), 100, 200, kT0);
  t.first(key(11, 17), 101, 201, kT0);
  t.first(key(12, 17), 102, 202, kT0);  // evicts id 10, the oldest
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.take_evictions(), 1u);
  EXPECT_EQ(t.take_evictions(), 0u);
  EXPECT_FALSE(t.later(key(10, 17), kT0, s, d));
  ASSERT_TRUE(t.later(key(11, 17), kT0, s, d));
  EXPECT_EQ(s, 101);
  EXPECT_EQ(d, 201);
  EXPECT_FALSE(t.later(key(11, 6), kT0, s, d));  // the protocol is part of the key
  // Expired entries leave without counting as evictions.
  t.first(key(13, 17), 103, 203, kT0 + 61 * kSecond);
  EXPECT_EQ(t.take_evictions(), 0u);
  EXPECT_EQ(t.size(), 1u);
}

TEST(FragmentTable, EvictionsReachTheCounters) {
  Collector c(Datalink::kRawIp);
  for (std::uint16_t id = 0; id < FragmentTable::kDefaultEntries + 5; ++id) {
    c.feed(ipv4_fragment(id, kMoreFragments, 40, 1, 2), kT0 + id);
  }
  c.records();
  EXPECT_EQ(c.counter("frag_evictions"), 5u);
  EXPECT_EQ(c.counter("frag_first"), FragmentTable::kDefaultEntries + 5);
}

}  // namespace
}  // namespace xacct::capture
