// See purge_files.hpp.
#include "sinks/purge_files.hpp"

#include <algorithm>
#include <unordered_map>

namespace xacct::sinks {

using userspace::FlowRecord;

std::vector<FileGroup> group_by_file(const userspace::DynamicName& name, std::span<const FlowRecord* const> rows,
                                     userspace::NameContext context, std::int64_t purge_s) {
  std::vector<FileGroup> groups;
  if (rows.empty()) {
    if (name.uses_record()) return groups;
    context.time_s = purge_s;
    groups.push_back({name.expand(nullptr, context), purge_s, {}});
    return groups;
  }
  std::unordered_map<std::string, std::size_t> index;
  for (const FlowRecord* r : rows) {
    context.time_s = r->time_bin_ns > 0 ? r->time_bin_ns / 1'000'000'000 : purge_s;
    std::string path = name.is_dynamic() ? name.expand(r, context) : name.text();
    auto [it, inserted] = index.emplace(path, groups.size());
    if (inserted) groups.push_back({std::move(path), context.time_s, {}});
    groups[it->second].rows.push_back(r);
  }
  std::stable_sort(groups.begin(), groups.end(),
                   [](const FileGroup& a, const FileGroup& b) { return a.base_s < b.base_s; });
  return groups;
}

}  // namespace xacct::sinks
