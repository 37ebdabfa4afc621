// See plugin.hpp.
#include "userspace/plugin.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "userspace/logging.hpp"
#include "userspace/record_feed.hpp"

namespace xacct::userspace {
namespace {

// Every cache line of a record (400 bytes, not line-aligned: 7 or 8 lines).
inline void prefetch_record(const FlowRecord* r) {
  const auto* p = reinterpret_cast<const char*>(r);
#pragma GCC unroll 16
  for (std::size_t off = 0; off < sizeof(FlowRecord); off += 64) __builtin_prefetch(p + off, 0, 3);
  __builtin_prefetch(p + sizeof(FlowRecord) - 1, 0, 3);
}

std::string counter_name(const PluginConfig& c, const char* what) { return "plugin." + c.name + "." + what; }

}  // namespace

std::int64_t first_refresh_deadline(std::int64_t now_s, std::uint32_t refresh_s) {
  return first_refresh_deadline(now_s, refresh_s, now_s - now_s % 60);
}

std::int64_t first_refresh_deadline(std::int64_t now_s, std::uint32_t refresh_s, std::int64_t anchor_s) {
  const std::int64_t step = std::max<std::uint32_t>(refresh_s, 1);
  if (anchor_s > now_s) anchor_s = now_s;
  return anchor_s + ((now_s - anchor_s) / step + 1) * step;
}

std::int64_t next_refresh_deadline(std::int64_t deadline_s, std::int64_t now_s, std::uint32_t refresh_s) {
  const std::int64_t step = std::max<std::uint32_t>(refresh_s, 1);
  std::int64_t next = deadline_s + step;
  if (next <= now_s) next += ((now_s - next) / step + 1) * step;
  return next;
}

Plugin::Plugin(PluginConfig config, std::unique_ptr<Sink> sink, Stats& stats, Clock clock,
               RecordFilter filter)
    : config_(std::move(config)),
      sink_(std::move(sink)),
      clock_(std::move(clock)),
      filter_(std::move(filter)),
      filtered_records_(stats.counter(counter_name(config_, "filtered_records"))),
      records_in_(stats.counter(counter_name(config_, "records_in"))),
      packets_in_(stats.counter(counter_name(config_, "packets_in"))),
      bytes_in_(stats.counter(counter_name(config_, "bytes_in"))),
      overflow_records_in_(stats.counter(counter_name(config_, "overflow_records_in"))),
      flushes_(stats.counter(counter_name(config_, "flushes"))),
      entries_flushed_(stats.counter(counter_name(config_, "entries_flushed"))),
      sink_errors_(stats.counter(counter_name(config_, "sink_errors"))),
      queue_(config_.queue_records, stats.counter(counter_name(config_, "queue_drop_records")),
             stats.counter(counter_name(config_, "queue_drop_batches"))),
      table_(config_, clock_()) {}

Plugin::~Plugin() { stop(); }

void Plugin::push(const SharedBatch& batch) { queue_.push(batch); }

void Plugin::start() {
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] { run(); });
}

void Plugin::request_stop() { queue_.close(); }

void Plugin::stop() {
  request_stop();
  if (thread_.joinable()) thread_.join();
}

void Plugin::aggregate(const RecordBatch& batch) {
  // In chunks of kChunk records: the selection pass below and the table's
  // pass over the same records (key, counters) then run while the chunk's
  // cache lines are still in L1/L2; over a whole batch (hundreds of KB of
  // FlowRecords written by another core) the second pass missed again.
  constexpr std::size_t kChunk = 128;
  const TimestampNs now = clock_();
  ChunkTotals t;
  for (std::size_t from = 0; from < batch.size(); from += kChunk) {
    aggregate(std::span<const FlowRecord>(batch).subspan(from, std::min(kChunk, batch.size() - from)), now,
              t);
  }
  records_in_.add(t.records);
  if (t.filtered != 0) filtered_records_.add(t.filtered);
  packets_in_.add(t.packets);
  bytes_in_.add(t.bytes);
  if (t.overflow != 0) overflow_records_in_.add(t.overflow);
}

void Plugin::aggregate(std::span<const FlowRecord> records, TimestampNs now, ChunkTotals& t) {
  // The table takes the records by pointer, straight from the shared batch;
  // only renormalised records are copies (reserved up front: the pointers
  // into scaled_ must stay valid).
  taken_.clear();
  scaled_.clear();
  if (config_.renormalize) scaled_.reserve(records.size());
  // The records were written by the input's thread, on another core: each
  // of the cache lines read below (keys and counters at the front, the feed
  // at the end) is a miss. Prefetching kAhead records ahead overlaps them.
  constexpr std::size_t kAhead = 4;
  const std::size_t n = records.size();
  for (std::size_t i = 0; i < std::min(n, kAhead); ++i) prefetch_record(&records[i]);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) prefetch_record(&records[i + kAhead]);
    const FlowRecord& r = records[i];
    // eBPF exact flows or eBPF header samples, never both (record_feed.hpp).
    if (!plugin_takes_record(config_.ebpf_header_samples, r)) continue;
    if (filter_ && !filter_(r)) {
      ++t.filtered;
      continue;
    }
    if (config_.renormalize && r.sampling_rate > 1) {
      FlowRecord& scaled = scaled_.emplace_back(r);
      scaled.packets *= r.sampling_rate;
      scaled.bytes *= r.sampling_rate;
      scaled.sampling_rate = 1;
      taken_.push_back(&scaled);
      t.packets += scaled.packets;
      t.bytes += scaled.bytes;
      continue;
    }
    taken_.push_back(&r);
    t.packets += r.packets;
    t.bytes += r.bytes;
    t.overflow += r.overflow ? 1 : 0;
  }
  table_.add(std::span<const FlowRecord* const>(taken_), now);
  t.records += taken_.size();
}

namespace {

// The table's entries kChunk at a time, in one reused buffer: a purge of
// 200k flows then touches a few MB instead of 77 MB of fresh FlowRecords
// (their page faults were most of the final purge's cost).
class TableChunks : public EntryChunks {
 public:
  explicit TableChunks(const PluginTable& table) : table_(table) {}
  std::size_t size() const override { return table_.size(); }
  std::span<const FlowRecord> next() override {
    table_.entries(next_, kChunk, buffer_);
    next_ += buffer_.size();
    return buffer_;
  }

 private:
  static constexpr std::size_t kChunk = 4096;
  const PluginTable& table_;
  std::size_t next_ = 0;
  std::vector<FlowRecord> buffer_;
};

}  // namespace

void Plugin::flush(bool final) {
  PurgeInfo info{clock_(), final};
  std::size_t count = 0;
  Status st = Ok{};
  if (sink_->streams()) {
    TableChunks chunks(table_);
    count = chunks.size();
    st = sink_->write_chunks(chunks, info);
    table_.clear();
  } else {
    std::vector<FlowRecord> entries = table_.take();
    count = entries.size();
    st = sink_->write(entries, info);
  }
  flushes_.add();
  entries_flushed_.add(count);
  if (!st) {
    sink_errors_.add();
    get_logger("pipeline")
        ->error("plugin {}: purge of {} entries failed: {}", config_.name, count, st.error().message);
  }
}

void Plugin::run() {
  const std::uint32_t refresh = config_.refresh_time_s();
  const std::int64_t start_s = clock_() / 1'000'000'000;
  std::int64_t deadline = first_refresh_deadline(
      start_s, refresh, roundoff_time(start_s, config_.history.roundoff, config_.format.timestamps.utc));
  std::vector<SharedBatch> batches;
  bool open = true;
  while (open) {
    // Wake at the deadline, but at least every second: the wall clock can
    // jump, and the deadline is on the wall clock.
    const std::int64_t now_ns = clock_();
    std::int64_t wait_ns = deadline * 1'000'000'000 - now_ns;
    wait_ns = std::clamp<std::int64_t>(wait_ns, 0, 1'000'000'000);
    batches.clear();
    open = queue_.pop_all(batches, std::chrono::nanoseconds(wait_ns));
    for (const SharedBatch& b : batches) aggregate(*b);
    const std::int64_t now_s = clock_() / 1'000'000'000;
    if (open && now_s >= deadline) {
      flush(false);
      deadline = next_refresh_deadline(deadline, now_s, refresh);
    }
  }
  flush(true);
}

}  // namespace xacct::userspace
