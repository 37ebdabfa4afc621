// BoundedQueue: the hand-off between input threads (many producers) and one
// plugin thread (the consumer). The producer never waits for space: when the
// records already queued plus the new batch would exceed the capacity, the
// batch is dropped and its records are counted, so loss is visible in Stats
// instead of stalling the datapath poller.
//
// Batches are shared (shared_ptr<const RecordBatch>): a fan-out to N plugins
// queues N pointers to one copy. The capacity counts records, not batches,
// because a batch can hold one record or a whole map drain. A batch larger
// than the capacity is still accepted into an empty queue, so an oversized
// drain is slow rather than always lost; memory stays bounded by capacity
// plus one batch.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "userspace/flow_record.hpp"
#include "userspace/stats.hpp"

namespace xacct::userspace {

using SharedBatch = std::shared_ptr<const RecordBatch>;

class BoundedQueue {
 public:
  // Drops are added to the two counters (owned by a Stats registry).
  BoundedQueue(std::size_t capacity_records, Counter& drop_records, Counter& drop_batches)
      : capacity_(capacity_records), drop_records_(drop_records), drop_batches_(drop_batches) {}

  // Thread-safe. Returns false (and counts) when the batch was dropped,
  // including after close().
  bool push(SharedBatch batch) {
    const std::size_t n = batch ? batch->size() : 0;
    if (n == 0) return true;
    {
      std::lock_guard lock(mu_);
      if (closed_ || (queued_records_ != 0 && queued_records_ + n > capacity_)) {
        drop_records_.add(n);
        drop_batches_.add(1);
        return false;
      }
      queued_records_ += n;
      batches_.push_back(std::move(batch));
    }
    cv_.notify_one();
    return true;
  }

  // Consumer: moves every queued batch into `out` (appending). Waits until
  // there is at least one, the queue is closed, or `timeout` passes. Returns
  // false once the queue is closed and empty: nothing more will come.
  template <typename Rep, typename Period>
  bool pop_all(std::vector<SharedBatch>& out, std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [this] { return !batches_.empty() || closed_; });
    if (batches_.empty()) return !closed_;
    for (auto& b : batches_) out.push_back(std::move(b));
    batches_.clear();
    queued_records_ = 0;
    return true;
  }

  // No more pushes are accepted; the consumer drains what is queued.
  void close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }

  std::size_t capacity() const { return capacity_; }
  std::size_t queued_records() const {
    std::lock_guard lock(mu_);
    return queued_records_;
  }

 private:
  const std::size_t capacity_;
  Counter& drop_records_;
  Counter& drop_batches_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<SharedBatch> batches_;
  std::size_t queued_records_ = 0;
  bool closed_ = false;
};

}  // namespace xacct::userspace
