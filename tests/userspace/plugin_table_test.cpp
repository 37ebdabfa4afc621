// PluginTable (userspace/plugin_table.hpp) with injected times: records are
// keyed by their time bin (timestamp_start, else the current time),
// post_tag/post_tag2 override tags before keying, and the aggregation key
// holds only the configured primitives (plus the bin).
#include "userspace/plugin_table.hpp"

#include <gtest/gtest.h>

#include "tests/userspace/record_builder.hpp"
#include "tests/userspace/tz_guard.hpp"
#include "userspace/config_loader.hpp"

namespace xacct::userspace {
namespace {

using testing::flow;
using testing::iso;
using testing::utc;

PluginConfig config(const std::string& text) {
  auto lines = parse_config_text("plugins: print[p]\n" + text, "t");
  auto rc = resolve_config(lines.value(), Role::kProbe);
  if (!rc) throw std::runtime_error(rc.error().message);
  auto dc = build_daemon_config(rc.value());
  if (!dc) throw std::runtime_error(dc.error().message);
  return dc.value().plugins.at(0);
}

constexpr TimestampNs kNs = 1'000'000'000;

FlowRecord at(const char* time, std::uint8_t proto, std::uint64_t bytes) {
  FlowRecord r = flow("198.18.0.1", "198.18.0.2", 1, 2, proto, 1, bytes);
  r.first_ns = time != nullptr ? utc(time) * kNs + 123'456'789 : 0;
  return r;
}

TEST(PluginTable, BinsByStartTimeOrNow) {
  const PluginConfig pc = config("aggregate: proto\nprint_history: 5m\nprint_history_roundoff: m\ntimestamps_utc: true\n");
  PluginTable t(pc, utc("2024-02-29T23:07:30Z") * kNs);
  const TimestampNs now = utc("2024-02-29T23:12:01Z") * kNs;
  t.add(RecordBatch{at("2024-02-29T23:04:59Z", 6, 10), at("2024-02-29T23:05:00Z", 6, 20),
                    at("2024-02-29T23:09:59Z", 6, 40), at(nullptr, 6, 80), at("2024-03-01T00:00:00Z", 17, 160)},
        now);
  auto entries = t.take();
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(iso(entries[0].time_bin_ns / kNs), "2024-02-29T23:00:00Z");
  EXPECT_EQ(entries[0].bytes, 10u);
  EXPECT_EQ(iso(entries[1].time_bin_ns / kNs), "2024-02-29T23:05:00Z");
  EXPECT_EQ(entries[1].bytes, 60u);  // 23:05:00 and 23:09:59
  EXPECT_EQ(iso(entries[2].time_bin_ns / kNs), "2024-02-29T23:10:00Z");  // no start time: bin of `now`
  EXPECT_EQ(entries[2].bytes, 80u);
  EXPECT_EQ(iso(entries[3].time_bin_ns / kNs), "2024-03-01T00:00:00Z");
  EXPECT_EQ(entries[3].proto, 17);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_TRUE(t.take().empty());
}

TEST(PluginTable, WithoutHistoryNoBins) {
  PluginTable t(config("aggregate: proto\n"), utc("2024-02-29T23:07:30Z") * kNs);
  t.add(at("2024-02-29T23:04:59Z", 6, 10), 0);
  t.add(at("2024-03-01T10:00:00Z", 6, 20), 0);
  EXPECT_FALSE(t.bins().has_value());
  auto entries = t.take();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].time_bin_ns, 0);
  EXPECT_EQ(entries[0].bytes, 30u);
}

TEST(PluginTable, PostTagOverridesRecordTags) {
  PluginTable t(config("aggregate: tag, tag2, proto\npost_tag: 42\n"), 0);
  FlowRecord a = at(nullptr, 6, 10);
  a.tag = 1;
  a.tag2 = 5;
  FlowRecord b = at(nullptr, 6, 20);
  b.tag = 2;
  b.tag2 = 5;
  t.add(RecordBatch{a, b}, 0);
  auto entries = t.take();
  ASSERT_EQ(entries.size(), 1u);  // both tags became 42
  EXPECT_EQ(entries[0].tag, 42u);
  EXPECT_EQ(entries[0].tag2, 5u);  // no post_tag2: kept
  EXPECT_EQ(entries[0].bytes, 30u);
}

TEST(PluginTable, KeyHoldsOnlyConfiguredPrimitives) {
  PluginTable t(config("aggregate: label, peer_src_ip, tunnel_dst_port\nprint_output: json\n"), 0);
  FlowRecord a = at("2024-02-29T23:04:59Z", 6, 10);
  a.label_id = 7;
  a.peer_src_ip = testing::ip("192.0.2.1");
  a.tunnel_dst_port = 4789;
  a.tunnel_tcp_flags = 0x02;
  a.src_as = 65001;  // not aggregated: must not split entries nor be printed
  FlowRecord b = a;
  b.src_as = 65002;
  b.tunnel_tcp_flags = 0x10;
  t.add(RecordBatch{a, b}, 0);
  auto entries = t.take();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].label_id, 7u);
  EXPECT_EQ(entries[0].tunnel_dst_port, 4789);
  EXPECT_EQ(entries[0].src_as, 0u);
  EXPECT_EQ(entries[0].tunnel_tcp_flags, 0x12);  // ORed like tcp_flags
  EXPECT_EQ(entries[0].bytes, 20u);
}

}  // namespace
}  // namespace xacct::userspace
