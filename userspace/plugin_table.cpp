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

void PluginTable::add(const FlowRecord& record, TimestampNs now_ns) {
  TimestampNs bin_ns = 0;
  if (bins_) {
    // Records without a start time fall in the bin of the current time.
    const TimestampNs t = record.first_ns > 0 ? record.first_ns : now_ns;
    bin_ns = bins_->bin_start(t / 1'000'000'000) * 1'000'000'000;
  }
  if (post_tag_ == 0 && post_tag2_ == 0) {
    table_.add(record, bin_ns);
    return;
  }
  FlowRecord tagged = record;
  if (post_tag_ != 0) tagged.tag = post_tag_;
  if (post_tag2_ != 0) tagged.tag2 = post_tag2_;
  table_.add(tagged, bin_ns);
}

void PluginTable::add(const RecordBatch& batch, TimestampNs now_ns) {
  for (const FlowRecord& r : batch) add(r, now_ns);
}

std::vector<FlowRecord> PluginTable::take() {
  std::vector<FlowRecord> entries = table_.snapshot();
  table_.clear();
  return entries;
}

}  // namespace xacct::userspace
