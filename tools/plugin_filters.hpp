// make_plugin_filter: the RecordFilterFactory the daemon hands to
// Pipeline::create(): each plugin's aggregate_filter / pre_tag_filter /
// pre_tag2_filter / pre_tag_label_filter compiled once at start-up.
#pragma once

#include "userspace/config.hpp"
#include "userspace/result.hpp"
#include "userspace/sink.hpp"

namespace xacct::tools {

userspace::Result<userspace::RecordFilter> make_plugin_filter(const userspace::PluginConfig& config);

}  // namespace xacct::tools
