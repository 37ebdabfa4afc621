// LabelPool: the string labels of pre_tag_map (set_label) interned to small
// integers, so a FlowRecord carries a label as a 4-byte id and stays plain
// data that aggregation keys copy by value. Labels come from map files, so
// the set is small and grows only on (re)load or when jeq/stack rules join
// labels into new combinations; ids are never reused, so an id held by a
// queued record stays valid across map reloads.
//
// One process-wide pool (labels are set before the fan-out to plugins and
// printed by every sink). Thread-safe: interning takes a lock, lookups of
// an existing id read under a shared lock and return a view that stays
// valid for the life of the process (entries are never moved or freed).
#pragma once

#include <cstdint>
#include <deque>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace xacct::userspace {

class LabelPool {
 public:
  static LabelPool& global();

  // The id of `label` (0 for the empty label).
  std::uint32_t intern(std::string_view label);
  // The label of `id`; "" for 0 and for ids never handed out.
  std::string_view lookup(std::uint32_t id) const;
  std::size_t size() const;

 private:
  mutable std::shared_mutex mu_;
  std::deque<std::string> labels_;  // id - 1 -> label; deque: no moves
  std::unordered_map<std::string_view, std::uint32_t> ids_;
};

}  // namespace xacct::userspace
