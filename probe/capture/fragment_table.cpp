// See fragment_table.hpp.
#include "probe/capture/fragment_table.hpp"

namespace xacct::capture {

FragmentTable::FragmentTable(std::size_t entries) : capacity_(entries == 0 ? 1 : entries) {
  map_.reserve(capacity_);
}

void FragmentTable::prune(userspace::TimestampNs now) {
  while (!order_.empty()) {
    auto it = map_.find(order_.front());
    if (it != map_.end() && now - it->second.seen < kTimeoutNs) break;
    if (it != map_.end()) map_.erase(it);
    order_.pop_front();
  }
}

void FragmentTable::make_room(userspace::TimestampNs now) {
  while (map_.size() >= capacity_ && !order_.empty()) {
    auto it = map_.find(order_.front());
    order_.pop_front();
    if (it == map_.end()) continue;
    if (now - it->second.seen < kTimeoutNs) ++evictions_;  // still live: its later fragments lose their ports
    map_.erase(it);
  }
}

void FragmentTable::first(const FragKey& key, std::uint16_t sport, std::uint16_t dport,
                          userspace::TimestampNs now) {
  prune(now);
  auto it = map_.find(key);
  if (it != map_.end()) {  // the IP id came round again: the new datagram replaces the old one
    it->second = Entry{sport, dport, now};
    return;
  }
  make_room(now);
  map_.emplace(key, Entry{sport, dport, now});
  order_.push_back(key);
}

bool FragmentTable::later(const FragKey& key, userspace::TimestampNs now, std::uint16_t& sport,
                          std::uint16_t& dport) {
  auto it = map_.find(key);
  if (it == map_.end() || now - it->second.seen >= kTimeoutNs) return false;  // aged out by the next prune
  sport = it->second.sport;
  dport = it->second.dport;
  return true;
}

}  // namespace xacct::capture
