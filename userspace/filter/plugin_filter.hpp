// PluginFilter: which records a plugin takes, from its pre_tag_filter,
// pre_tag2_filter, pre_tag_label_filter and aggregate_filter (pmacct checks
// them in this order in the core, before a record is queued to the plugin;
// tag lists: tag_list.hpp, aggregate_filter: pcap_filter.hpp).
//
// The tags it looks at are those pre_tag_map set (MapSet::apply), before
// the plugin's post_tag/post_tag2 override them, as in pmacct.
//
// Immutable once created: accept() is const and thread-safe. The filters
// come from the config, not from map files, so SIGUSR2 does not change them.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "userspace/filter/filter_config.hpp"
#include "userspace/filter/pcap_filter.hpp"
#include "userspace/filter/tag_list.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/result.hpp"

namespace xacct::filter {

class PluginFilter {
 public:
  // Errors name the plugin and key: "plugin 'a': aggregate_filter 'tcp
  // and': syntax error".
  static userspace::Result<PluginFilter> create(const PluginFilterConfig& config, std::string_view plugin_name);

  PluginFilter() = default;  // accepts everything

  bool accept(const userspace::FlowRecord& record) const;
  // True when no filter is configured (accept() is always true).
  bool empty() const { return empty_; }

 private:
  std::vector<TagRange> tags_;
  std::vector<TagRange> tags2_;
  std::vector<LabelItem> labels_;
  std::shared_ptr<const PcapFilter> aggregate_;
  bool empty_ = true;
};

}  // namespace xacct::filter
