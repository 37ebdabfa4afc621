// Plugin: one thread per configured plugin. It pops batches from its
// bounded queue, folds them into its own AggregationTable (no locks on the
// hot path), and at every refresh deadline hands the table to its sink and
// starts a new one. stop() closes the queue, drains what is queued, flushes
// one last time and joins, so nothing accepted is lost at shutdown.
//
// Deadlines follow pmacct's print plugin: a grid of refresh-time steps
// anchored at the start of the current minute (refresh 60 s purges on the
// minute, 5 s at :00, :05, ...), or at the start time rounded off per
// *_history_roundoff (pmacct rounds the refresh grid off too).
//
// Time comes from an injectable Clock (tests); waiting uses real time, at
// most one second at a time, so a clock jump is noticed within a second.
//
// Stats, all "plugin.<name>.": records_in, packets_in, bytes_in,
// overflow_records_in, queue_drop_records, queue_drop_batches, flushes,
// entries_flushed, sink_errors.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "userspace/bounded_queue.hpp"
#include "userspace/clock.hpp"
#include "userspace/config.hpp"
#include "userspace/plugin_table.hpp"
#include "userspace/sink.hpp"
#include "userspace/stats.hpp"

namespace xacct::userspace {

// First deadline (epoch seconds) after `now_s`: minute start + k * refresh_s.
std::int64_t first_refresh_deadline(std::int64_t now_s, std::uint32_t refresh_s);
// The same on a grid anchored at `anchor_s` (<= now_s): anchor + k * refresh_s.
std::int64_t first_refresh_deadline(std::int64_t now_s, std::uint32_t refresh_s, std::int64_t anchor_s);
// The deadline after `deadline_s` that is later than `now_s` (skips purges
// missed while the thread was busy).
std::int64_t next_refresh_deadline(std::int64_t deadline_s, std::int64_t now_s, std::uint32_t refresh_s);

class Plugin {
 public:
  // `filter` (aggregate_filter, pre_tag_filter, ...) runs before post_tag
  // overrides tags, as in pmacct; rejected records count in filtered_records.
  Plugin(PluginConfig config, std::unique_ptr<Sink> sink, Stats& stats, Clock clock = system_clock_ns,
         RecordFilter filter = {});
  ~Plugin();
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  const PluginConfig& config() const { return config_; }

  // Thread-safe, never blocks on the plugin; a full queue drops and counts.
  void push(const SharedBatch& batch);
  // push() of `records` more would be accepted now (BoundedQueue's rule:
  // an empty queue takes any batch).
  bool has_room(std::size_t records) const {
    const std::size_t queued = queue_.queued_records();
    return queued == 0 || queued + records <= queue_.capacity();
  }

  void start();
  // Closes the queue: later pushes are dropped (and counted).
  void request_stop();
  // request_stop(), then waits for the drain and the final flush.
  void stop();

 private:
  void run();
  void aggregate(const RecordBatch& batch);
  struct ChunkTotals {
    std::uint64_t records = 0, filtered = 0, packets = 0, bytes = 0, overflow = 0;
  };
  void aggregate(std::span<const FlowRecord> records, TimestampNs now, ChunkTotals& totals);
  void flush(bool final);

  const PluginConfig config_;
  std::unique_ptr<Sink> sink_;
  Clock clock_;
  RecordFilter filter_;
  Counter& filtered_records_;
  Counter& records_in_;
  Counter& packets_in_;
  Counter& bytes_in_;
  Counter& overflow_records_in_;
  Counter& flushes_;
  Counter& entries_flushed_;
  Counter& sink_errors_;
  BoundedQueue queue_;
  PluginTable table_;
  // aggregate() scratch, kept between batches (plugin thread only).
  std::vector<const FlowRecord*> taken_;
  std::vector<FlowRecord> scaled_;
  std::thread thread_;
  bool started_ = false;
};

}  // namespace xacct::userspace
