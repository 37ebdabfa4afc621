// See aggregation_memory.hpp.
#include "userspace/aggregation_memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <new>
#include <utility>

namespace xacct::userspace {
namespace {

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

}  // namespace

AggregationMemory::AggregationMemory(std::size_t bytes, bool huge) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  size_ = round_up(bytes == 0 ? 1 : bytes, huge ? kHugePageBytes : page);
  // Huge: map one huge page more than needed and unmap the unaligned ends,
  // so the block starts on a 2 MiB boundary (a huge page can back it).
  const std::size_t map_bytes = huge ? size_ + kHugePageBytes : size_;
  void* p = ::mmap(nullptr, map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  if (!huge) {
    data_ = p;
    return;
  }
  const auto start = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t aligned = round_up(start, kHugePageBytes);
  if (aligned > start) ::munmap(p, aligned - start);
  const std::size_t tail = (start + map_bytes) - (aligned + size_);
  if (tail > 0) ::munmap(reinterpret_cast<void*>(aligned + size_), tail);
  data_ = reinterpret_cast<void*>(aligned);
  // Advice only: without THP the block works the same on small pages.
  ::madvise(data_, size_, MADV_HUGEPAGE);
}

AggregationMemory::~AggregationMemory() { release(); }

AggregationMemory::AggregationMemory(AggregationMemory&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

AggregationMemory& AggregationMemory::operator=(AggregationMemory&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void AggregationMemory::release() {
  if (data_ != nullptr) ::munmap(data_, size_);
  data_ = nullptr;
  size_ = 0;
}

}  // namespace xacct::userspace
