// AggregationTable: one plugin's accounting cache. Records are folded into
// entries keyed by the plugin's AggregationKeyLayout: packets, bytes and
// flows are summed, TCP flags (outer and tunnel) ORed, first/last time kept
// as min/max.
//
// Laid out for the per-packet path, where a table larger than the CPU cache
// (200k flows and more) costs a cache miss per memory area touched:
//  - the index: open addressing with linear probing over a power-of-two
//    array of 8-byte slots (load factor <= 1/2, doubles when exceeded). A
//    slot holds the entry id and the low 32 bits of the key's hash; the
//    probe position is taken from those bits, so growing rehashes the slot
//    array alone, without touching entries or keys, and most mismatches are
//    rejected without touching the entry;
//  - the entries: counters and key side by side in one record of
//    6 + key words (88 bytes for a 5-tuple), so a hit costs the slot and one
//    entry (two adjacent cache lines), not a key array and a value array.
//    Entries fill 2 MiB chunks (one huge page each, aggregation_memory.hpp)
//    in insertion order, so they never move (growth copies nothing but
//    slots), a flush is a linear scan, and the output order is stable. An
//    entry id is (chunk << shift) | index in chunk: a chunk holds as many
//    entries as fit, not a power of two, and the id still needs no division;
//  - add_batch() builds and hashes keys a few records ahead of the one it
//    folds and prefetches their slots, then their entries: the cache misses
//    of consecutive records overlap instead of being paid one by one.
// Owned by one plugin thread: no locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "userspace/aggregation_key.hpp"
#include "userspace/aggregation_memory.hpp"
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
  // The same for many records, with their cache misses overlapped (see
  // above). `time_bins_ns` is empty (every bin 0) or one per record.
  void add_batch(std::span<const FlowRecord* const> records, std::span<const TimestampNs> time_bins_ns = {});

  std::size_t size() const { return size_; }
  std::size_t slot_count() const { return slot_count_; }
  const AggregationKeyLayout& layout() const { return layout_; }

  // Every entry as a FlowRecord: the keyed primitives, the summed counters,
  // tcp_flags and first/last time; fields not in the key are zero.
  std::vector<FlowRecord> snapshot() const;
  // Entry i (0 <= i < size()) in insertion order.
  FlowRecord entry(std::size_t i) const;
  AggregateValue value(std::size_t i) const;

  // Drops every entry, keeps the slot array and the entry chunks (the next
  // interval is likely about as large).
  void clear();

  static std::uint64_t default_hash(const std::uint8_t* key, std::size_t size);

 private:
  struct Slot {
    std::uint32_t entry_plus_one = 0;  // 0 = empty
    std::uint32_t hash_lo = 0;         // low 32 bits of the hash: probe start and filter
  };
  // Entry words: the counters, then the key.
  static constexpr std::size_t kPackets = 0, kBytes = 1, kFlows = 2, kFirst = 3, kLast = 4, kFlags = 5;
  static constexpr std::size_t kValueWords = 6;
  // add_batch: how many records ahead a prefetch is issued, and the ring of
  // keys in flight (> 2 * kLookahead, a power of two).
  static constexpr std::size_t kLookahead = 8;
  static constexpr std::size_t kRing = 32;

  Slot* slots() const { return static_cast<Slot*>(slot_memory_.data()); }
  std::uint64_t* entry_words_by_id(std::uint32_t id) const {
    return static_cast<std::uint64_t*>(chunks_[id >> id_shift_].data()) + (id & id_mask_) * entry_words_;
  }
  // Entry i in insertion order.
  std::uint64_t* entry_words(std::size_t i) const {
    return static_cast<std::uint64_t*>(chunks_[i / per_chunk_].data()) + (i % per_chunk_) * entry_words_;
  }
  std::uint64_t hash_key(const std::uint64_t* key) const;
  // Folds `record` (whose key and hash are given) into its entry, inserting it.
  void fold(const std::uint64_t* key, std::uint64_t hash, const FlowRecord& record);
  void grow();
  static AggregationMemory make_slots(std::size_t count);

  AggregationKeyLayout layout_;
  HashFn hash_;
  std::size_t key_size_;     // bytes, a multiple of 8
  std::size_t key_words_;
  std::size_t entry_words_;  // kValueWords + key_words_
  std::size_t per_chunk_;    // entries in a chunk
  std::uint32_t id_shift_;   // entry id = chunk << id_shift_ | index
  std::uint32_t id_mask_;
  std::size_t slot_count_;
  AggregationMemory slot_memory_;
  std::size_t size_ = 0;
  // Where the next entry goes: its chunk and index there.
  std::size_t next_chunk_ = 0;
  std::size_t next_index_ = 0;
  std::vector<AggregationMemory> chunks_;
  std::vector<std::uint64_t> scratch_;  // keys of the records being added (kRing of them)
};

}  // namespace xacct::userspace
