#include "tools/plugin_filters.hpp"

#include <memory>

#include "userspace/filter/plugin_filter.hpp"

namespace xacct::tools {

userspace::Result<userspace::RecordFilter> make_plugin_filter(const userspace::PluginConfig& config) {
  auto filter = filter::PluginFilter::create(config.filter, config.name);
  if (!filter) return filter.error();
  if (filter.value().empty()) return userspace::RecordFilter{};  // keeps everything, costs nothing
  auto shared = std::make_shared<const filter::PluginFilter>(std::move(filter.value()));
  return userspace::RecordFilter([shared](const userspace::FlowRecord& r) { return shared->accept(r); });
}

}  // namespace xacct::tools
