// Stats: the one registry every counter lives in. Components register named
// counters once at start-up and bump them on the hot path (a relaxed atomic
// add, no lock); SIGUSR1, the final report and tests read them all through
// snapshot(). Names are dotted paths: "probe.obs.eth0.in.packets",
// "plugin.default_print.queue_drops".
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace xacct::userspace {

class Counter {
 public:
  void add(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  void set(std::uint64_t n) { v_.store(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class Stats {
 public:
  // Returns the counter of that name, creating it at zero. The reference
  // stays valid for the registry's lifetime (deque never moves elements).
  Counter& counter(const std::string& name) {
    std::lock_guard lock(mu_);
    auto it = index_.find(name);
    if (it != index_.end()) return *it->second;
    counters_.emplace_back();
    index_.emplace(name, &counters_.back());
    return counters_.back();
  }

  // Counters are never removed, so a name part taken from the network (a
  // peer or router address) must come from a bounded set: returns `label`
  // while `family` has seen fewer than `max` distinct labels (or already
  // knows this one), else "other", under which the rest are counted together.
  std::string bounded_label(const std::string& family, const std::string& label, std::size_t max) {
    std::lock_guard lock(mu_);
    auto& seen = labels_[family];
    if (seen.contains(label)) return label;
    if (seen.size() >= max) return "other";
    seen.insert(label);
    return label;
  }

  // Every counter, sorted by name.
  std::vector<std::pair<std::string, std::uint64_t>> snapshot() const {
    std::lock_guard lock(mu_);
    std::vector<std::pair<std::string, std::uint64_t>> out;
    out.reserve(index_.size());
    for (const auto& [name, c] : index_) out.emplace_back(name, c->value());
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::deque<Counter> counters_;
  std::map<std::string, Counter*> index_;
  std::map<std::string, std::set<std::string>> labels_;  // bounded_label
};

}  // namespace xacct::userspace
