// See aggregation_table.hpp.
#include "userspace/aggregation_table.hpp"

#include <bit>
#include <algorithm>
#include <cstring>
#include <utility>

namespace xacct::userspace {
namespace {

std::uint64_t load64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Final avalanche (the MurmurHash3 fmix64 constants): the probe position
// takes the low bits, so every key bit must reach them.
std::uint64_t mix(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

std::uint64_t AggregationTable::default_hash(const std::uint8_t* key, std::size_t size) {
  // Keys are whole 8-byte words (see AggregationKeyLayout).
  std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ size;
  for (std::size_t i = 0; i < size; i += 8) {
    h = std::rotl(h ^ load64(key + i), 29) * 0x9e3779b97f4a7c15ULL;
  }
  return mix(h);
}

AggregationTable::AggregationTable(AggregationKeyLayout layout, std::size_t initial_slots, HashFn hash)
    : layout_(std::move(layout)), hash_(hash), key_size_(layout_.size()),
      slots_(std::bit_ceil(initial_slots < 8 ? std::size_t{8} : initial_slots)),
      scratch_(key_size_) {}

std::size_t AggregationTable::find_slot(const std::uint8_t* key, std::uint64_t hash) const {
  const std::size_t mask = slots_.size() - 1;
  const auto hash_hi = static_cast<std::uint32_t>(hash >> 32);
  std::size_t pos = static_cast<std::size_t>(hash) & mask;
  while (true) {
    const Slot& s = slots_[pos];
    if (s.entry_plus_one == 0) return pos;
    if (s.hash_hi == hash_hi &&
        std::memcmp(keys_.data() + (s.entry_plus_one - 1) * key_size_, key, key_size_) == 0) {
      return pos;
    }
    pos = (pos + 1) & mask;
  }
}

void AggregationTable::add(const FlowRecord& record, TimestampNs time_bin_ns) {
  layout_.build(record, scratch_.data(), time_bin_ns);
  const std::uint64_t hash = hash_(scratch_.data(), key_size_);
  std::size_t pos = find_slot(scratch_.data(), hash);
  if (slots_[pos].entry_plus_one == 0) {
    if ((values_.size() + 1) * 2 > slots_.size()) {
      grow();
      pos = find_slot(scratch_.data(), hash);
    }
    keys_.insert(keys_.end(), scratch_.begin(), scratch_.end());
    hashes_.push_back(hash);
    values_.emplace_back();
    slots_[pos] = {static_cast<std::uint32_t>(values_.size()), static_cast<std::uint32_t>(hash >> 32)};
  }
  AggregateValue& v = values_[slots_[pos].entry_plus_one - 1];
  v.packets += record.packets;
  v.bytes += record.bytes;
  v.flows += record.flows;
  v.tcp_flags |= record.tcp_flags;
  v.tunnel_tcp_flags |= record.tunnel_tcp_flags;
  if (record.first_ns > 0 && (v.first_ns == 0 || record.first_ns < v.first_ns)) v.first_ns = record.first_ns;
  if (record.last_ns > v.last_ns) v.last_ns = record.last_ns;
}

void AggregationTable::grow() {
  std::vector<Slot> bigger(slots_.size() * 2);
  const std::size_t mask = bigger.size() - 1;
  for (std::size_t i = 0; i < hashes_.size(); ++i) {
    std::size_t pos = static_cast<std::size_t>(hashes_[i]) & mask;
    while (bigger[pos].entry_plus_one != 0) pos = (pos + 1) & mask;
    bigger[pos] = {static_cast<std::uint32_t>(i + 1), static_cast<std::uint32_t>(hashes_[i] >> 32)};
  }
  slots_.swap(bigger);
}

FlowRecord AggregationTable::entry(std::size_t i) const {
  FlowRecord r;
  layout_.restore(keys_.data() + i * key_size_, r);
  const AggregateValue& v = values_[i];
  r.packets = v.packets;
  r.bytes = v.bytes;
  r.flows = v.flows;
  r.tcp_flags = v.tcp_flags;
  r.tunnel_tcp_flags = v.tunnel_tcp_flags;
  // Keyed timestamps came back from the key; otherwise report min/max.
  if (r.first_ns == 0) r.first_ns = v.first_ns;
  if (r.last_ns == 0) r.last_ns = v.last_ns;
  return r;
}

std::vector<FlowRecord> AggregationTable::snapshot() const {
  std::vector<FlowRecord> out;
  out.reserve(values_.size());
  for (std::size_t i = 0; i < values_.size(); ++i) out.push_back(entry(i));
  return out;
}

void AggregationTable::clear() {
  std::fill(slots_.begin(), slots_.end(), Slot{});
  keys_.clear();
  hashes_.clear();
  values_.clear();
}

}  // namespace xacct::userspace
