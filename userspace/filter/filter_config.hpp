// PluginFilterConfig: a plugin's record filters, as written in the config
// (all four keys are pmacct's NO_GLOBAL keys: key[plugin]: value). Plain
// data, header-only, so userspace/config.hpp can hold it without linking
// xacct_filter; filter::PluginFilter compiles it (plugin_filter.hpp).
#pragma once

#include <string>

namespace xacct::filter {

struct PluginFilterConfig {
  std::string aggregate_filter;      // libpcap expression; "" = none
  std::string pre_tag_filter;        // "1,5-9,-6"; "" = none
  std::string pre_tag2_filter;       // same, on tag2
  std::string pre_tag_label_filter;  // "dns,-null"; "" = none

  bool empty() const {
    return aggregate_filter.empty() && pre_tag_filter.empty() && pre_tag2_filter.empty() &&
           pre_tag_label_filter.empty();
  }
  bool operator==(const PluginFilterConfig&) const = default;
};

}  // namespace xacct::filter
