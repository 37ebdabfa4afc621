// PluginTable: what a plugin accounts between two purges, without the
// thread: post_tag/post_tag2 applied, the record's time bin chosen
// (*_history: bin of timestamp_start, or of `now` for records without
// one), and the record folded into the AggregationTable. The plugin thread
// drives it; tests call it directly with chosen times.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "userspace/aggregation_table.hpp"
#include "userspace/config.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/time_bins.hpp"

namespace xacct::userspace {

class PluginTable {
 public:
  // `start_ns`: the plugin start, which anchors the time bins.
  PluginTable(const PluginConfig& config, TimestampNs start_ns);

  // Folds `batch` in; `now_ns` bins the records that carry no start time.
  void add(const RecordBatch& batch, TimestampNs now_ns);
  void add(const FlowRecord& record, TimestampNs now_ns);
  // The plugin's path: many records at once, so the table can overlap their
  // cache misses (AggregationTable::add_batch).
  void add(std::span<const FlowRecord* const> records, TimestampNs now_ns);

  // Every entry (time_bin_ns set with time bins), and a fresh table.
  std::vector<FlowRecord> take();
  // Streaming purge: entries [from, from + count) replace `out`'s content
  // (a reused buffer), then clear() starts the fresh table.
  void entries(std::size_t from, std::size_t count, std::vector<FlowRecord>& out) const;
  void clear() { table_.clear(); }
  std::size_t size() const { return table_.size(); }
  // The bins, when *_history is configured.
  const std::optional<TimeBins>& bins() const { return bins_; }

 private:
  TimestampNs bin_ns(const FlowRecord& record, TimestampNs now_ns) const;

  AggregationTable table_;
  std::optional<TimeBins> bins_;
  std::uint64_t post_tag_;
  std::uint64_t post_tag2_;
  // add(span) scratch, kept between calls: bins, and post-tagged copies.
  std::vector<TimestampNs> bins_scratch_;
  std::vector<FlowRecord> tagged_scratch_;
  std::vector<const FlowRecord*> ptr_scratch_;
};

}  // namespace xacct::userspace
