// AggregationMemory: zeroed, page-aligned blocks for the aggregation table's
// slot array and entry chunks, backed by transparent huge pages when they
// are large. A 200k-flow table spans tens of MiB touched at random: with
// 4 KiB pages nearly every lookup also misses the TLB (and in a VM a TLB
// miss walks two page tables); with 2 MiB pages the whole table is a few
// dozen TLB entries. The kernel hands the pages out zeroed and only when
// first touched, so a fresh slot array needs no fill.
//
// THP in "madvise" mode (Debian's default) honours MADV_HUGEPAGE; with THP
// off the blocks are ordinary pages and only the speed differs.
#pragma once

#include <cstddef>

namespace xacct::userspace {

inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

class AggregationMemory {
 public:
  AggregationMemory() = default;
  // `bytes` zeroed bytes, 2 MiB-aligned and advised as huge pages when
  // `huge` is set (sizes are then rounded up to 2 MiB). Throws
  // std::bad_alloc when the kernel refuses, as std::vector would.
  AggregationMemory(std::size_t bytes, bool huge);
  ~AggregationMemory();
  AggregationMemory(AggregationMemory&& other) noexcept;
  AggregationMemory& operator=(AggregationMemory&& other) noexcept;
  AggregationMemory(const AggregationMemory&) = delete;
  AggregationMemory& operator=(const AggregationMemory&) = delete;

  void* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  void release();

  void* data_ = nullptr;
  std::size_t size_ = 0;  // mapped bytes
};

}  // namespace xacct::userspace
