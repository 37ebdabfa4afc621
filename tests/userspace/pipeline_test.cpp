// Pipeline and plugin threads end to end with a capturing sink: fan-out to
// several plugins with different aggregates, exact sums after stop()'s
// final flush, stats, drops, and the refresh deadline grid.
#include "userspace/pipeline.hpp"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

#include "tests/userspace/record_builder.hpp"
#include "userspace/config_loader.hpp"

namespace xacct::userspace {
namespace {

using testing::flow;
using testing::ip;
using P = Primitive;
using Counts = std::pair<std::uint64_t, std::uint64_t>;

struct Captured {
  std::mutex mu;
  std::map<std::string, std::vector<std::vector<FlowRecord>>> purges;  // per plugin
  std::map<std::string, int> finals;
};

class CaptureSink : public Sink {
 public:
  CaptureSink(std::string name, Captured& c) : name_(std::move(name)), c_(c) {}
  Status write(std::span<const FlowRecord> entries, const PurgeInfo& info) override {
    std::lock_guard lock(c_.mu);
    c_.purges[name_].emplace_back(entries.begin(), entries.end());
    if (info.final) c_.finals[name_]++;
    return Ok{};
  }

 private:
  std::string name_;
  Captured& c_;
};

DaemonConfig two_plugins() {
  auto lines = parse_config_text(
      "plugins: print[hosts], print[protos]\n"
      "aggregate[hosts]: src_host, dst_host\n"
      "aggregate[protos]: proto, tcpflags, flows\n"
      "print_refresh_time: 3600\n",
      "t");
  auto rc = resolve_config(lines.value(), Role::kProbe);
  return build_daemon_config(rc.value()).value();
}

SinkFactory capture_factory(Captured& c) {
  return [&c](const PluginConfig& pc) -> Result<std::unique_ptr<Sink>> {
    return std::unique_ptr<Sink>(std::make_unique<CaptureSink>(pc.name, c));
  };
}

std::uint64_t counter(const Stats& s, const std::string& name) {
  for (const auto& [n, v] : s.snapshot()) {
    if (n == name) return v;
  }
  return ~0ull;
}

TEST(Pipeline, FansOutAggregatesAndFlushesOnStop) {
  Stats stats;
  Captured cap;
  auto p = Pipeline::create(two_plugins(), stats, capture_factory(cap));
  ASSERT_TRUE(p.ok()) << p.error().message;
  Pipeline& pipeline = *p.value();
  EXPECT_EQ(pipeline.plugin_count(), 2u);
  pipeline.start();

  std::vector<std::thread> inputs;
  for (int t = 0; t < 3; ++t) {
    inputs.emplace_back([&pipeline, t] {
      for (int i = 0; i < 100; ++i) {
        RecordBatch b;
        FlowRecord tcp = flow("198.18.0.1", "198.18.0.2", 1000, 80, 6, 2, 100);
        tcp.tcp_flags = static_cast<std::uint8_t>(1u << (i % 3));
        b.push_back(tcp);
        b.push_back(flow("198.18.0.1", "198.18.0.3", 1000, 53, 17, 1, 60));
        b.push_back(flow("2001:db8::1", "2001:db8::2", 5, 6, 17, 3, 300 + static_cast<std::uint64_t>(t)));
        if (i % 2 == 0) {
          pipeline.push(b);
        } else {
          pipeline.push(std::move(b));
        }
      }
    });
  }
  for (auto& t : inputs) t.join();
  pipeline.stop();
  pipeline.stop();  // idempotent

  std::lock_guard lock(cap.mu);
  EXPECT_EQ(cap.finals["hosts"], 1);
  EXPECT_EQ(cap.finals["protos"], 1);
  // refresh 3600: the only purge is the final one.
  ASSERT_EQ(cap.purges["hosts"].size(), 1u);
  const auto& hosts = cap.purges["hosts"][0];
  ASSERT_EQ(hosts.size(), 3u);
  std::map<std::string, Counts> by_pair;
  for (const auto& e : hosts) {
    std::string key = format_primitive(P::kSrcHost, e, {}) + ">" + format_primitive(P::kDstHost, e, {});
    by_pair[key] = {e.packets, e.bytes};
    EXPECT_EQ(e.src_port, 0);  // not aggregated
  }
  EXPECT_EQ(by_pair["198.18.0.1>198.18.0.2"], Counts(600, 30000));
  EXPECT_EQ(by_pair["198.18.0.1>198.18.0.3"], Counts(300, 18000));
  EXPECT_EQ(by_pair["2001:db8::1>2001:db8::2"], Counts(900, 90300));

  ASSERT_EQ(cap.purges["protos"].size(), 1u);
  const auto& protos = cap.purges["protos"][0];
  ASSERT_EQ(protos.size(), 2u);
  for (const auto& e : protos) {
    if (e.proto == 6) {
      EXPECT_EQ(e.packets, 600u);
      EXPECT_EQ(e.flows, 300u);
      EXPECT_EQ(e.tcp_flags, 7);
    } else {
      EXPECT_EQ(e.proto, 17);
      EXPECT_EQ(e.packets, 1200u);
      EXPECT_EQ(e.bytes, 18000u + 90300u);
      EXPECT_EQ(e.flows, 600u);
    }
  }

  EXPECT_EQ(counter(stats, "pipeline.batches_in"), 300u);
  EXPECT_EQ(counter(stats, "pipeline.records_in"), 900u);
  for (const char* name : {"hosts", "protos"}) {
    const std::string pre = std::string("plugin.") + name + ".";
    EXPECT_EQ(counter(stats, pre + "records_in"), 900u);
    EXPECT_EQ(counter(stats, pre + "packets_in"), 1800u);
    EXPECT_EQ(counter(stats, pre + "bytes_in"), 30000u + 18000u + 90300u);
    EXPECT_EQ(counter(stats, pre + "queue_drop_records"), 0u);
    EXPECT_EQ(counter(stats, pre + "flushes"), 1u);
    EXPECT_EQ(counter(stats, pre + "sink_errors"), 0u);
    EXPECT_EQ(counter(stats, pre + "overflow_records_in"), 0u);
  }
  EXPECT_EQ(counter(stats, "plugin.hosts.entries_flushed"), 3u);
  EXPECT_EQ(counter(stats, "plugin.protos.entries_flushed"), 2u);
}

TEST(Pipeline, FullQueueDropsAreCountedPerPlugin) {
  DaemonConfig config = two_plugins();
  config.plugins[0].queue_records = 5;  // "hosts": tiny queue
  Stats stats;
  Captured cap;
  auto p = Pipeline::create(config, stats, capture_factory(cap));
  ASSERT_TRUE(p.ok());
  Pipeline& pipeline = *p.value();
  // Not started: nothing is consumed, so the queue fills deterministically.
  RecordBatch three(3, flow("198.18.0.1", "198.18.0.2", 1, 2, 17, 1, 10));
  pipeline.push(three);  // hosts: 3 queued
  pipeline.push(three);  // hosts: 6 > 5, dropped
  pipeline.push(three);  // dropped
  FlowRecord ov;
  ov.overflow = true;
  ov.packets = 4;
  ov.bytes = 400;
  pipeline.push(RecordBatch{ov});  // hosts: 4 queued
  pipeline.start();
  pipeline.stop();
  pipeline.push(three);  // after stop: dropped by both plugins

  EXPECT_EQ(counter(stats, "plugin.hosts.queue_drop_records"), 9u);
  EXPECT_EQ(counter(stats, "plugin.hosts.queue_drop_batches"), 3u);
  EXPECT_EQ(counter(stats, "plugin.hosts.records_in"), 4u);
  EXPECT_EQ(counter(stats, "plugin.hosts.overflow_records_in"), 1u);
  EXPECT_EQ(counter(stats, "plugin.protos.queue_drop_records"), 3u);
  EXPECT_EQ(counter(stats, "plugin.protos.records_in"), 10u);
  std::lock_guard lock(cap.mu);
  ASSERT_EQ(cap.purges["hosts"].size(), 1u);
  ASSERT_EQ(cap.purges["hosts"][0].size(), 2u);  // the overflow record is its own entry
  EXPECT_TRUE(cap.purges["hosts"][0][1].overflow);
  EXPECT_EQ(cap.purges["hosts"][0][1].bytes, 400u);
}

TEST(Pipeline, PeriodicFlushes) {
  auto lines = parse_config_text("plugins: print[fast]\naggregate: proto\nprint_refresh_time: 1\n", "t");
  DaemonConfig config = build_daemon_config(resolve_config(lines.value(), Role::kProbe).value()).value();
  Stats stats;
  Captured cap;
  auto p = Pipeline::create(config, stats, capture_factory(cap));
  ASSERT_TRUE(p.ok());
  p.value()->start();
  std::uint64_t pushed = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(2600);
  while (std::chrono::steady_clock::now() < end) {
    p.value()->push(RecordBatch{flow("198.18.0.1", "198.18.0.2", 1, 2, 17, 1, 10)});
    ++pushed;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  p.value()->stop();
  std::lock_guard lock(cap.mu);
  const auto& purges = cap.purges["fast"];
  // 2.6 s with 1 s refresh: at least 2 periodic purges, plus the final one.
  EXPECT_GE(purges.size(), 3u);
  EXPECT_LE(purges.size(), 5u);
  std::uint64_t packets = 0;
  for (const auto& purge : purges) {
    for (const auto& e : purge) packets += e.packets;
  }
  EXPECT_EQ(packets, pushed);  // nothing lost or counted twice across purges
  EXPECT_EQ(counter(stats, "plugin.fast.flushes"), purges.size());
}

TEST(Pipeline, PluginFilterDropsRecordsOfThatPluginOnlyAndCountsThem) {
  Stats stats;
  Captured cap;
  // The "protos" plugin keeps only UDP (as an aggregate_filter would); the
  // "hosts" plugin has no filter.
  RecordFilterFactory filters = [](const PluginConfig& pc) -> Result<RecordFilter> {
    if (pc.name != "protos") return RecordFilter{};
    return RecordFilter([](const FlowRecord& r) { return r.proto == 17; });
  };
  auto p = Pipeline::create(two_plugins(), stats, capture_factory(cap), system_clock_ns, filters);
  ASSERT_TRUE(p.ok()) << p.error().message;
  p.value()->start();
  RecordBatch b;
  b.push_back(flow("198.18.0.1", "198.18.0.2", 1000, 80, 6, 2, 100));
  b.push_back(flow("198.18.0.1", "198.18.0.3", 1000, 53, 17, 1, 60));
  b.push_back(flow("198.18.0.1", "198.18.0.3", 1001, 53, 17, 4, 240));
  p.value()->push(std::move(b));
  p.value()->stop();

  std::lock_guard lock(cap.mu);
  ASSERT_EQ(cap.purges["protos"].size(), 1u);
  ASSERT_EQ(cap.purges["protos"][0].size(), 1u);
  EXPECT_EQ(cap.purges["protos"][0][0].proto, 17);
  EXPECT_EQ(cap.purges["protos"][0][0].packets, 5u);
  EXPECT_EQ(cap.purges["protos"][0][0].bytes, 300u);
  EXPECT_EQ(counter(stats, "plugin.protos.filtered_records"), 1u);
  EXPECT_EQ(counter(stats, "plugin.protos.records_in"), 2u);
  EXPECT_EQ(counter(stats, "plugin.hosts.filtered_records"), 0u);
  EXPECT_EQ(counter(stats, "plugin.hosts.records_in"), 3u);
}

TEST(Pipeline, FilterFactoryErrorNamesThePlugin) {
  Stats stats;
  Captured cap;
  auto p = Pipeline::create(two_plugins(), stats, capture_factory(cap), system_clock_ns,
                            [](const PluginConfig&) -> Result<RecordFilter> {
                              return make_error("aggregate_filter 'tcp and': syntax error");
                            });
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("plugin hosts: aggregate_filter"), std::string::npos) << p.error().message;
}

TEST(Pipeline, SinkFactoryErrorNamesThePlugin) {
  Stats stats;
  auto p = Pipeline::create(two_plugins(), stats, [](const PluginConfig&) -> Result<std::unique_ptr<Sink>> {
    return make_error("open /x: Permission denied");
  });
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message, "plugin hosts: open /x: Permission denied");
}

TEST(RefreshDeadline, AlignedOnTheMinuteGrid) {
  // 12:00:23 (epoch multiple of 60 + 23)
  const std::int64_t minute = 1'700'000'040;  // divisible by 60
  ASSERT_EQ(minute % 60, 0);
  EXPECT_EQ(first_refresh_deadline(minute + 23, 5), minute + 25);
  EXPECT_EQ(first_refresh_deadline(minute + 25, 5), minute + 30);
  EXPECT_EQ(first_refresh_deadline(minute + 23, 60), minute + 60);
  EXPECT_EQ(first_refresh_deadline(minute + 23, 300), minute + 300);
  EXPECT_EQ(first_refresh_deadline(minute, 7), minute + 7);
  EXPECT_EQ(next_refresh_deadline(minute + 25, minute + 25, 5), minute + 30);
  EXPECT_EQ(next_refresh_deadline(minute + 25, minute + 41, 5), minute + 45);  // missed ones skipped
  EXPECT_EQ(next_refresh_deadline(minute + 25, minute + 40, 5), minute + 45);
}

TEST(RefreshDeadline, RoundedOffGrid) {
  // 06:37:10 UTC; refresh 300: from the minute 06:42, rounded off (m) 06:40.
  const std::int64_t now = 1'700'030'230;  // 2023-11-15 06:37:10 UTC
  EXPECT_EQ(first_refresh_deadline(now, 300), now - 10 + 300);
  EXPECT_EQ(first_refresh_deadline(now, 300, roundoff_time(now, "m", true)), now - 37 * 60 - 10 + 40 * 60);
  EXPECT_EQ(first_refresh_deadline(now, 3600, roundoff_time(now, "h", true)), now - (6 * 3600 + 37 * 60 + 10) + 7 * 3600);
}

// The plugin thread with an injected clock: time bins anchored at the
// clock's start, records without a start time binned at the clock's now,
// stamp_updated from the clock. The clock never reaches a refresh
// deadline, so the only purge is stop()'s final one.
TEST(Pipeline, TimeBinsFromTheInjectedClock) {
  auto lines = parse_config_text(
      "plugins: print[h]\naggregate: proto\nprint_history: 10m\nprint_history_roundoff: m\n"
      "timestamps_utc: true\nprint_refresh_time: 60\n",
      "t");
  auto dc = build_daemon_config(resolve_config(lines.value(), Role::kProbe).value());
  ASSERT_TRUE(dc.ok()) << dc.error().message;
  constexpr TimestampNs kNs = 1'000'000'000;
  const TimestampNs now = 1'700'030'230 * kNs;  // 2023-11-15 06:37:10 UTC
  Stats stats;
  Captured cap;
  auto p = Pipeline::create(
      dc.value(), stats,
      [&](const PluginConfig& pc) -> Result<std::unique_ptr<Sink>> {
        return std::unique_ptr<Sink>(std::make_unique<CaptureSink>(pc.name, cap));
      },
      [now] { return now; });
  ASSERT_TRUE(p.ok()) << p.error().message;
  p.value()->start();
  FlowRecord old_tcp = flow("198.18.0.1", "198.18.0.2", 1, 2, 6, 1, 100);
  old_tcp.first_ns = (1'700'030'230 - 3600) * kNs;  // 05:37:10: bin 05:30
  FlowRecord no_time = flow("198.18.0.1", "198.18.0.2", 1, 2, 6, 1, 10);  // bin of now: 06:30
  p.value()->push(RecordBatch{old_tcp, no_time, no_time});
  p.value()->stop();
  std::lock_guard lock(cap.mu);
  ASSERT_EQ(cap.purges["h"].size(), 1u);
  const auto& entries = cap.purges["h"][0];
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].time_bin_ns, (1'700'030'230 - 3600 - 7 * 60 - 10) * kNs);
  EXPECT_EQ(entries[0].bytes, 100u);
  EXPECT_EQ(entries[1].time_bin_ns, (1'700'030'230 - 7 * 60 - 10) * kNs);
  EXPECT_EQ(entries[1].bytes, 20u);
}

}  // namespace
}  // namespace xacct::userspace
