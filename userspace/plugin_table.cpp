// See plugin_table.hpp.
#include "userspace/plugin_table.hpp"

namespace xacct::userspace {

PluginTable::PluginTable(const PluginConfig& config, TimestampNs start_ns)
    : table_(AggregationKeyLayout(config.aggregate, config.format.timestamps.secs, config.history.enabled())),
      post_tag_(config.post_tag),
      post_tag2_(config.post_tag2) {
  if (config.history.enabled()) {
    bins_.emplace(config.history, start_ns / 1'000'000'000, config.format.timestamps.utc);
  }
}

TimestampNs PluginTable::bin_ns(const FlowRecord& record, TimestampNs now_ns) const {
  if (!bins_) return 0;
  // Records without a start time fall in the bin of the current time.
  const TimestampNs t = record.first_ns > 0 ? record.first_ns : now_ns;
  return bins_->bin_start(t / 1'000'000'000) * 1'000'000'000;
}

void PluginTable::add(const FlowRecord& record, TimestampNs now_ns) {
  const FlowRecord* one = &record;
  add(std::span<const FlowRecord* const>(&one, 1), now_ns);
}

void PluginTable::add(const RecordBatch& batch, TimestampNs now_ns) {
  ptr_scratch_.clear();
  for (const FlowRecord& r : batch) ptr_scratch_.push_back(&r);
  add(std::span<const FlowRecord* const>(ptr_scratch_), now_ns);
}

void PluginTable::add(std::span<const FlowRecord* const> records, TimestampNs now_ns) {
  std::span<const TimestampNs> bins;
  if (bins_) {
    bins_scratch_.resize(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) bins_scratch_[i] = bin_ns(*records[i], now_ns);
    bins = bins_scratch_;
  }
  if (post_tag_ == 0 && post_tag2_ == 0) {
    table_.add_batch(records, bins);
    return;
  }
  // post_tag overrides the tags before keying: key copies, not the input.
  tagged_scratch_.assign(records.size(), FlowRecord{});
  std::vector<const FlowRecord*> tagged(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    tagged_scratch_[i] = *records[i];
    if (post_tag_ != 0) tagged_scratch_[i].tag = post_tag_;
    if (post_tag2_ != 0) tagged_scratch_[i].tag2 = post_tag2_;
    tagged[i] = &tagged_scratch_[i];
  }
  table_.add_batch(tagged, bins);
}

void PluginTable::entries(std::size_t from, std::size_t count, std::vector<FlowRecord>& out) const {
  out.clear();
  for (std::size_t i = from; i < from + count && i < table_.size(); ++i) out.push_back(table_.entry(i));
}

std::vector<FlowRecord> PluginTable::take() {
  std::vector<FlowRecord> entries = table_.snapshot();
  table_.clear();
  return entries;
}

}  // namespace xacct::userspace
