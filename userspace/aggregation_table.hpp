// AggregationTable: one plugin's accounting cache. Records are folded into
// entries keyed by the plugin's AggregationKeyLayout: packets, bytes and
// flows are summed, TCP flags (outer and tunnel) ORed, first/last time kept
// as min/max.
//
// Open addressing with linear probing over a power-of-two slot array (load
// factor <= 1/2, doubles when exceeded). A slot holds the entry index and 32
// bits of the hash, so most mismatches are rejected without touching the
// key; keys and values live in dense arrays in insertion order, which makes
// a flush a linear scan and gives a stable output order. Owned by one plugin
// thread: no locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "userspace/aggregation_key.hpp"
#include "userspace/flow_record.hpp"

namespace xacct::userspace {

struct AggregateValue {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  std::uint64_t flows = 0;
  TimestampNs first_ns = 0;  // min over records with a known (> 0) time
  TimestampNs last_ns = 0;   // max
  std::uint8_t tcp_flags = 0;
  std::uint8_t tunnel_tcp_flags = 0;
};

class AggregationTable {
 public:
  using HashFn = std::uint64_t (*)(const std::uint8_t* key, std::size_t size);

  // `hash` is replaceable so tests can force collisions.
  explicit AggregationTable(AggregationKeyLayout layout, std::size_t initial_slots = 1024,
                            HashFn hash = &default_hash);

  // `time_bin_ns`: the record's bin start, keyed when the layout has bins.
  void add(const FlowRecord& record, TimestampNs time_bin_ns = 0);

  std::size_t size() const { return values_.size(); }
  std::size_t slot_count() const { return slots_.size(); }
  const AggregationKeyLayout& layout() const { return layout_; }

  // Every entry as a FlowRecord: the keyed primitives, the summed counters,
  // tcp_flags and first/last time; fields not in the key are zero.
  std::vector<FlowRecord> snapshot() const;
  // Entry i (0 <= i < size()) in insertion order.
  FlowRecord entry(std::size_t i) const;
  const AggregateValue& value(std::size_t i) const { return values_[i]; }

  // Drops every entry, keeps the slot array (the next interval is likely
  // about as large).
  void clear();

  static std::uint64_t default_hash(const std::uint8_t* key, std::size_t size);

 private:
  struct Slot {
    std::uint32_t entry_plus_one = 0;  // 0 = empty
    std::uint32_t hash_hi = 0;
  };

  void grow();
  // Index of the slot holding `key`, or of the empty slot where it goes.
  std::size_t find_slot(const std::uint8_t* key, std::uint64_t hash) const;

  AggregationKeyLayout layout_;
  HashFn hash_;
  std::size_t key_size_;
  std::vector<Slot> slots_;
  std::vector<std::uint8_t> keys_;     // size() * key_size_
  std::vector<std::uint64_t> hashes_;  // per entry, to rehash without rereading keys
  std::vector<AggregateValue> values_;
  std::vector<std::uint8_t> scratch_;  // key of the record being added
};

}  // namespace xacct::userspace
