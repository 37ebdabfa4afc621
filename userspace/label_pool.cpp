// See label_pool.hpp.
#include "userspace/label_pool.hpp"

#include <mutex>

namespace xacct::userspace {

LabelPool& LabelPool::global() {
  static LabelPool pool;
  return pool;
}

std::uint32_t LabelPool::intern(std::string_view label) {
  if (label.empty()) return 0;
  {
    std::shared_lock lock(mu_);
    auto it = ids_.find(label);
    if (it != ids_.end()) return it->second;
  }
  std::unique_lock lock(mu_);
  auto it = ids_.find(label);
  if (it != ids_.end()) return it->second;
  labels_.emplace_back(label);
  const auto id = static_cast<std::uint32_t>(labels_.size());
  ids_.emplace(labels_.back(), id);
  return id;
}

std::string_view LabelPool::lookup(std::uint32_t id) const {
  if (id == 0) return {};
  std::shared_lock lock(mu_);
  if (id > labels_.size()) return {};
  return labels_[id - 1];
}

std::size_t LabelPool::size() const {
  std::shared_lock lock(mu_);
  return labels_.size();
}

}  // namespace xacct::userspace
