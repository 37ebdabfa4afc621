// See aggregation_table.hpp.
#include "userspace/aggregation_table.hpp"

#include <algorithm>
#include <bit>
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

bool keys_equal(const std::uint64_t* a, const std::uint64_t* b, std::size_t words) {
  std::uint64_t diff = 0;
  for (std::size_t i = 0; i < words; ++i) diff |= a[i] ^ b[i];
  return diff == 0;
}

void prefetch(const void* p) { __builtin_prefetch(p, 1, 3); }

// 64x64 -> 128-bit multiply, folded: every bit of both inputs reaches the
// middle bits of the product.
__extension__ typedef unsigned __int128 Uint128;  // GCC/Clang: -Wpedantic accepts it so
inline std::uint64_t mum(std::uint64_t a, std::uint64_t b) {
  const Uint128 p = static_cast<Uint128>(a) * b;
  return static_cast<std::uint64_t>(p) ^ static_cast<std::uint64_t>(p >> 64);
}

// Keys are whole 8-byte words (see AggregationKeyLayout). Two words at a
// time, each pair with its own constants (so that equal pairs at different
// positions do not cancel), the pairs' products summed: the multiplies are
// independent and overlap, instead of one chain of a rotate-multiply per
// word (a third of the plugin's hashing time for a 5-tuple key).
std::uint64_t hash_words(const std::uint8_t* key, std::size_t size) {
  constexpr std::uint64_t kA = 0xa0761d6478bd642fULL, kB = 0xe7037ed1a0b428dbULL;
  std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ size;
  std::uint64_t a = kA, b = kB;
  std::size_t i = 0;
  for (; i + 16 <= size; i += 16) {
    h += mum(load64(key + i) ^ a, load64(key + i + 8) ^ b);
    a += 0x9e3779b97f4a7c15ULL;
    b += 0x8ebc6af09c88c6e3ULL;
  }
  if (i < size) h += mum(load64(key + i) ^ a, size ^ b);
  return mix(h);
}

}  // namespace

std::uint64_t AggregationTable::default_hash(const std::uint8_t* key, std::size_t size) {
  return hash_words(key, size);
}

std::uint64_t AggregationTable::hash_key(const std::uint64_t* key) const {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(key);
  // The default hash inlined; tests replace it to force collisions.
  return hash_ == &default_hash ? hash_words(bytes, key_size_) : hash_(bytes, key_size_);
}

AggregationTable::AggregationTable(AggregationKeyLayout layout, std::size_t initial_slots, HashFn hash)
    : layout_(std::move(layout)),
      hash_(hash),
      key_size_(layout_.size()),
      key_words_(key_size_ / 8),
      entry_words_(kValueWords + key_words_),
      per_chunk_(std::max<std::size_t>(1, kHugePageBytes / (entry_words_ * 8))),
      id_shift_(static_cast<std::uint32_t>(std::bit_width(per_chunk_ - 1))),
      id_mask_(static_cast<std::uint32_t>((std::size_t{1} << id_shift_) - 1)),
      slot_count_(std::bit_ceil(initial_slots < 8 ? std::size_t{8} : initial_slots)),
      slot_memory_(make_slots(slot_count_)),
      scratch_(kRing * key_words_) {}

AggregationMemory AggregationTable::make_slots(std::size_t count) {
  const std::size_t bytes = count * sizeof(Slot);
  return AggregationMemory(bytes, bytes >= kHugePageBytes);
}

void AggregationTable::fold(const std::uint64_t* key, std::uint64_t hash, const FlowRecord& record) {
  Slot* slots = this->slots();
  std::size_t mask = slot_count_ - 1;
  const auto hash_lo = static_cast<std::uint32_t>(hash);
  std::size_t pos = hash_lo & mask;
  std::uint64_t* e = nullptr;
  while (true) {
    const Slot s = slots[pos];
    if (s.entry_plus_one == 0) break;
    if (s.hash_lo == hash_lo) {
      std::uint64_t* cand = entry_words_by_id(s.entry_plus_one - 1);
      if (keys_equal(cand + kValueWords, key, key_words_)) {
        e = cand;
        break;
      }
    }
    pos = (pos + 1) & mask;
  }
  if (e == nullptr) {
    if ((size_ + 1) * 2 > slot_count_) {
      grow();
      slots = this->slots();
      mask = slot_count_ - 1;
      pos = hash_lo & mask;
      while (slots[pos].entry_plus_one != 0) pos = (pos + 1) & mask;
    }
    if (next_chunk_ == chunks_.size()) {
      // The first chunk of a table stays on small pages: a plugin with a
      // handful of entries should not pin a 2 MiB page.
      chunks_.emplace_back(per_chunk_ * entry_words_ * 8, !chunks_.empty());
    }
    const auto id = static_cast<std::uint32_t>((next_chunk_ << id_shift_) | next_index_);
    if (++next_index_ == per_chunk_) {
      next_index_ = 0;
      ++next_chunk_;
    }
    e = entry_words_by_id(id);
    std::fill(e, e + kValueWords, std::uint64_t{0});
    std::copy(key, key + key_words_, e + kValueWords);
    ++size_;
    slots[pos] = {id + 1, hash_lo};
  }
  e[kPackets] += record.packets;
  e[kBytes] += record.bytes;
  e[kFlows] += record.flows;
  e[kFlags] |= record.tcp_flags | (std::uint64_t{record.tunnel_tcp_flags} << 8);
  const auto first = static_cast<TimestampNs>(e[kFirst]);
  if (record.first_ns > 0 && (first == 0 || record.first_ns < first)) {
    e[kFirst] = static_cast<std::uint64_t>(record.first_ns);
  }
  if (record.last_ns > static_cast<TimestampNs>(e[kLast]))
    e[kLast] = static_cast<std::uint64_t>(record.last_ns);
}

void AggregationTable::add(const FlowRecord& record, TimestampNs time_bin_ns) {
  std::uint64_t* key = scratch_.data();
  layout_.build(record, reinterpret_cast<std::uint8_t*>(key), time_bin_ns);
  fold(key, hash_key(key), record);
}

void AggregationTable::add_batch(std::span<const FlowRecord* const> records,
                                 std::span<const TimestampNs> time_bins_ns) {
  // A software pipeline over the records: record i+2D gets its key, hash
  // and a prefetch of its first slot, record i+D a prefetch of the entry
  // that slot names (the likely hit, both cache lines), and record i is
  // folded, in order. Each prefetch has D records' worth of work to arrive.
  // Only hints: fold() looks everything up again, so a slot array that grew
  // in between costs a miss, never a wrong answer.
  constexpr std::size_t kD = kLookahead;
  // Keys are built kGap records before they are hashed: the build writes a
  // key in pieces (1 to 16 bytes per primitive), the hash reads it in 8-byte
  // words, and a word read right after the pieces were written waits for
  // them to reach the cache (no store-to-load forwarding across stores).
  constexpr std::size_t kGap = 2;
  static_assert(2 * kD + kGap < kRing);
  const std::size_t n = records.size();
  const bool with_bins = !time_bins_ns.empty();
  std::uint64_t hashes[kRing];
  auto key_at = [&](std::size_t i) { return scratch_.data() + (i % kRing) * key_words_; };
  auto build_key = [&](std::size_t i) {
    layout_.build(*records[i], reinterpret_cast<std::uint8_t*>(key_at(i)), with_bins ? time_bins_ns[i] : 0);
  };
  auto stage_key = [&](std::size_t i) {
    const std::uint64_t h = hash_key(key_at(i));
    hashes[i % kRing] = h;
    prefetch(&slots()[h & (slot_count_ - 1)]);
  };
  auto stage_entry = [&](std::size_t i) {
    const std::uint64_t h = hashes[i % kRing];
    const Slot s = slots()[h & (slot_count_ - 1)];
    if (s.entry_plus_one != 0 && s.hash_lo == static_cast<std::uint32_t>(h)) {
      const std::uint64_t* e = entry_words_by_id(s.entry_plus_one - 1);
      prefetch(e);
      prefetch(e + entry_words_ - 1);
    }
  };
  for (std::size_t i = 0; i < std::min(n, 2 * kD + kGap); ++i) build_key(i);
  for (std::size_t i = 0; i < std::min(n, 2 * kD); ++i) stage_key(i);
  for (std::size_t i = 0; i < std::min(n, kD); ++i) stage_entry(i);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + 2 * kD + kGap < n) build_key(i + 2 * kD + kGap);
    if (i + 2 * kD < n) stage_key(i + 2 * kD);
    if (i + kD < n) stage_entry(i + kD);
    fold(key_at(i), hashes[i % kRing], *records[i]);
  }
}

void AggregationTable::grow() {
  // Only slots move: the position comes from the hash bits the slot keeps.
  // The new array comes zeroed from the kernel: no fill pass.
  const std::size_t count = slot_count_ * 2;
  AggregationMemory bigger = make_slots(count);
  Slot* to = static_cast<Slot*>(bigger.data());
  const Slot* from = slots();
  const std::size_t mask = count - 1;
  for (std::size_t i = 0; i < slot_count_; ++i) {
    const Slot s = from[i];
    if (s.entry_plus_one == 0) continue;
    std::size_t pos = s.hash_lo & mask;
    while (to[pos].entry_plus_one != 0) pos = (pos + 1) & mask;
    to[pos] = s;
  }
  slot_memory_ = std::move(bigger);
  slot_count_ = count;
}

AggregateValue AggregationTable::value(std::size_t i) const {
  const std::uint64_t* e = entry_words(i);
  AggregateValue v;
  v.packets = e[kPackets];
  v.bytes = e[kBytes];
  v.flows = e[kFlows];
  v.first_ns = static_cast<TimestampNs>(e[kFirst]);
  v.last_ns = static_cast<TimestampNs>(e[kLast]);
  v.tcp_flags = static_cast<std::uint8_t>(e[kFlags]);
  v.tunnel_tcp_flags = static_cast<std::uint8_t>(e[kFlags] >> 8);
  return v;
}

FlowRecord AggregationTable::entry(std::size_t i) const {
  FlowRecord r;
  layout_.restore(reinterpret_cast<const std::uint8_t*>(entry_words(i) + kValueWords), r);
  const AggregateValue v = value(i);
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
  out.reserve(size_);
  for (std::size_t i = 0; i < size_; ++i) out.push_back(entry(i));
  return out;
}

void AggregationTable::clear() {
  std::fill(slots(), slots() + slot_count_, Slot{});
  size_ = 0;
  next_chunk_ = 0;
  next_index_ = 0;
}

}  // namespace xacct::userspace
