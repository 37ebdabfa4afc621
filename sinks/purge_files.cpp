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
  if (!name.is_dynamic()) {
    // One file: no per-row name, hash or copy (a purge can hold millions of rows).
    const FlowRecord* first = rows.front();
    const std::int64_t base_s = first->time_bin_ns > 0 ? first->time_bin_ns / 1'000'000'000 : purge_s;
    groups.push_back({name.text(), base_s, std::vector<const FlowRecord*>(rows.begin(), rows.end())});
    return groups;
  }
  std::unordered_map<std::string, std::size_t> index;
  for (const FlowRecord* r : rows) {
    context.time_s = r->time_bin_ns > 0 ? r->time_bin_ns / 1'000'000'000 : purge_s;
    std::string path = name.expand(r, context);
    auto [it, inserted] = index.emplace(path, groups.size());
    if (inserted) groups.push_back({std::move(path), context.time_s, {}});
    groups[it->second].rows.push_back(r);
  }
  std::stable_sort(groups.begin(), groups.end(),
                   [](const FileGroup& a, const FileGroup& b) { return a.base_s < b.base_s; });
  return groups;
}

}  // namespace xacct::sinks
