// See plugin_filter.hpp.
#include "userspace/filter/plugin_filter.hpp"

#include <string>

#include "userspace/label_pool.hpp"

namespace xacct::filter {

userspace::Result<PluginFilter> PluginFilter::create(const PluginFilterConfig& config,
                                                     std::string_view plugin_name) {
  PluginFilter f;
  const std::string where = "plugin '" + std::string(plugin_name) + "': ";
  if (!config.pre_tag_filter.empty()) {
    auto list = parse_tag_list(config.pre_tag_filter);
    if (!list) return userspace::make_error(where + "pre_tag_filter: " + list.error().message);
    f.tags_ = std::move(list.value());
  }
  if (!config.pre_tag2_filter.empty()) {
    auto list = parse_tag_list(config.pre_tag2_filter);
    if (!list) return userspace::make_error(where + "pre_tag2_filter: " + list.error().message);
    f.tags2_ = std::move(list.value());
  }
  if (!config.pre_tag_label_filter.empty()) {
    auto list = parse_label_list(config.pre_tag_label_filter);
    if (!list) return userspace::make_error(where + "pre_tag_label_filter: " + list.error().message);
    f.labels_ = std::move(list.value());
  }
  if (!config.aggregate_filter.empty()) {
    auto compiled = PcapFilter::compile(config.aggregate_filter);
    if (!compiled) {
      return userspace::make_error(where + "aggregate_filter '" + config.aggregate_filter +
                                   "': " + compiled.error().message);
    }
    f.aggregate_ = std::move(compiled.value());
  }
  f.empty_ = config.empty();
  return f;
}

bool PluginFilter::accept(const userspace::FlowRecord& record) const {
  if (empty_) return true;
  if (!tag_list_accepts(tags_, record.tag)) return false;
  if (!tag_list_accepts(tags2_, record.tag2)) return false;
  if (!labels_.empty() &&
      !label_list_accepts(labels_, userspace::LabelPool::global().lookup(record.label_id))) {
    return false;
  }
  if (aggregate_ && !aggregate_->matches(record)) return false;
  return true;
}

}  // namespace xacct::filter
