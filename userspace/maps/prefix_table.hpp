// PrefixTable: longest-prefix match compiled into a sorted interval table.
//
// CIDR prefixes are nested or disjoint, so the address space splits into
// intervals on each of which one prefix is the longest match (or none). At
// build time a sweep over the prefixes (sorted by start, then length) emits
// the interval starts with the value of the deepest prefix open there, and
// equal neighbours are merged. A lookup indexes a 64 Ki-entry table by the
// top 16 address bits to get the few intervals that can hold the address,
// then runs a branch-free binary search over just those: no per-length
// probing, two or three cache misses, and the whole table is flat arrays
// (trivially immutable).
//
// K is the address as an unsigned integer in network order: std::uint32_t
// for IPv4, U128 for IPv6. V is what a prefix maps to, stored in the
// interval table itself so that a lookup needs no further indirection; it
// needs == (to merge neighbours), and V{} means "no prefix".
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <compare>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <new>
#include <vector>

namespace xacct::maps {

struct U128 {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;

  auto operator<=>(const U128&) const = default;
  U128 next() const { return lo == std::numeric_limits<std::uint64_t>::max() ? U128{hi + 1, 0} : U128{hi, lo + 1}; }
  static U128 max() { return {std::numeric_limits<std::uint64_t>::max(), std::numeric_limits<std::uint64_t>::max()}; }
};

// Big tables (a full routing table is tens of MB) are looked up at random:
// on 4 KiB pages nearly every lookup also misses the TLB. Arrays of 2 MiB
// or more are therefore allocated 2 MiB-aligned and marked for transparent
// huge pages before they are first written (a hint: without THP they are
// ordinary memory).
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kHuge = std::size_t{2} << 20;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: rebinding

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHuge) return std::allocator<T>().allocate(n);
    const std::size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
    void* p = std::aligned_alloc(kHuge, rounded);
    if (p == nullptr) throw std::bad_alloc();
    madvise(p, rounded, MADV_HUGEPAGE);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) {
    if (n * sizeof(T) < kHuge) {
      std::allocator<T>().deallocate(p, n);
    } else {
      std::free(p);
    }
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const { return true; }
};

template <typename K>
struct KeyTraits;

template <>
struct KeyTraits<std::uint32_t> {
  static std::uint32_t next(std::uint32_t k) { return k + 1; }
  static std::uint32_t max() { return std::numeric_limits<std::uint32_t>::max(); }
  static std::uint32_t zero() { return 0; }
  static std::uint32_t top16(std::uint32_t k) { return k >> 16; }
  static std::uint32_t from_top16(std::uint32_t b) { return b << 16; }
};

template <>
struct KeyTraits<U128> {
  static U128 next(U128 k) { return k.next(); }
  static U128 max() { return U128::max(); }
  static U128 zero() { return {}; }
  static std::uint32_t top16(U128 k) { return static_cast<std::uint32_t>(k.hi >> 48); }
  static U128 from_top16(std::uint32_t b) { return {static_cast<std::uint64_t>(b) << 48, 0}; }
};

template <typename K, typename V>
class PrefixTable {
 public:
  struct Prefix {
    K first;                 // lowest address of the prefix
    K last;                  // highest address
    std::uint8_t length = 0;
    std::uint32_t order = 0;  // for equal prefixes the later one wins
    V value{};
  };

  void build(std::vector<Prefix> prefixes) {
    std::sort(prefixes.begin(), prefixes.end(), [](const Prefix& a, const Prefix& b) {
      if (a.first != b.first) return a.first < b.first;
      if (a.length != b.length) return a.length < b.length;
      return a.order < b.order;
    });
    starts_.clear();
    values_.clear();
    emit(KeyTraits<K>::zero(), V{});
    std::vector<const Prefix*> open;  // nested prefixes containing the sweep point
    auto close = [&]() {
      const Prefix* top = open.back();
      open.pop_back();
      if (top->last != KeyTraits<K>::max()) {
        emit(KeyTraits<K>::next(top->last), open.empty() ? V{} : open.back()->value);
      }
    };
    for (const Prefix& p : prefixes) {
      while (!open.empty() && open.back()->last < p.first) close();
      emit(p.first, p.value);
      open.push_back(&p);
    }
    while (!open.empty()) close();
    // Merge neighbours with the same value.
    std::size_t out = 0;
    for (std::size_t i = 0; i < starts_.size(); ++i) {
      if (out > 0 && values_[out - 1] == values_[i]) continue;
      starts_[out] = starts_[i];
      values_[out] = values_[i];
      ++out;
    }
    starts_.resize(out);
    values_.resize(out);
    starts_.shrink_to_fit();  // the final copy goes to huge pages
    values_.shrink_to_fit();
    // bucket_[b]: the first interval starting at or after bucket b's base.
    bucket_.assign(kBuckets + 1, 0);
    std::size_t i = 0;
    for (std::uint32_t b = 0; b < kBuckets; ++b) {
      const K base = KeyTraits<K>::from_top16(b);
      while (i < starts_.size() && starts_[i] < base) ++i;
      bucket_[b] = static_cast<std::uint32_t>(i);
    }
    bucket_[kBuckets] = static_cast<std::uint32_t>(starts_.size());
  }

  // The value of the longest prefix containing `key`, V{} if none.
  const V& find(const K& key) const {
    // The answer is the last interval starting at or before `key`: one
    // before the bucket's first interval up to the bucket's last one.
    const std::uint32_t b = KeyTraits<K>::top16(key);
    const std::uint32_t first = bucket_[b];
    std::size_t lo = first == 0 ? 0 : first - 1;
    std::size_t n = bucket_[b + 1] - lo;  // >= 1: starts_[0] is the zero address
    const K* s = starts_.data();
    while (n > 1) {
      const std::size_t half = n / 2;
      lo = !(key < s[lo + half]) ? lo + half : lo;
      n -= half;
    }
    return values_[lo];
  }

  std::size_t intervals() const { return starts_.size(); }

 private:
  void emit(const K& start, const V& value) {
    if (!starts_.empty() && starts_.back() == start) {
      values_.back() = value;  // a longer (or later) prefix starting here
      return;
    }
    starts_.push_back(start);
    values_.push_back(value);
  }

  static constexpr std::uint32_t kBuckets = 1u << 16;

  std::vector<K, HugePageAllocator<K>> starts_;
  std::vector<V, HugePageAllocator<V>> values_;
  std::vector<std::uint32_t> bucket_;
};

}  // namespace xacct::maps
