// BoundedQueue: record-count bound, drops counted in records and batches,
// never blocking the producer, close() semantics, many producers.
#include "userspace/bounded_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/userspace/record_builder.hpp"

namespace xacct::userspace {
namespace {

using namespace std::chrono_literals;

SharedBatch batch(std::size_t n) {
  auto b = std::make_shared<RecordBatch>();
  for (std::size_t i = 0; i < n; ++i) b->push_back(testing::flow("198.18.0.1", "198.18.0.2", 1, 2, 17, 1, 100));
  return b;
}

struct QueueFixture : ::testing::Test {
  Stats stats;
  Counter& drop_records = stats.counter("q.drop_records");
  Counter& drop_batches = stats.counter("q.drop_batches");
};

TEST_F(QueueFixture, DropsWhatDoesNotFitAndCountsIt) {
  BoundedQueue q(10, drop_records, drop_batches);
  EXPECT_TRUE(q.push(batch(4)));
  EXPECT_TRUE(q.push(batch(6)));  // exactly full
  EXPECT_FALSE(q.push(batch(3)));
  EXPECT_FALSE(q.push(batch(1)));
  EXPECT_TRUE(q.push(batch(0)));  // nothing to queue, nothing dropped
  EXPECT_EQ(q.queued_records(), 10u);
  EXPECT_EQ(drop_records.value(), 4u);
  EXPECT_EQ(drop_batches.value(), 2u);

  std::vector<SharedBatch> out;
  EXPECT_TRUE(q.pop_all(out, 0ms));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0]->size(), 4u);
  EXPECT_EQ(out[1]->size(), 6u);
  EXPECT_EQ(q.queued_records(), 0u);
  EXPECT_TRUE(q.push(batch(3)));  // room again
}

TEST_F(QueueFixture, OversizedBatchFitsAnEmptyQueueOnly) {
  BoundedQueue q(10, drop_records, drop_batches);
  EXPECT_TRUE(q.push(batch(25)));
  EXPECT_FALSE(q.push(batch(1)));
  EXPECT_EQ(drop_records.value(), 1u);
}

TEST_F(QueueFixture, PopTimesOutAndCloseEndsTheStream) {
  BoundedQueue q(10, drop_records, drop_batches);
  std::vector<SharedBatch> out;
  EXPECT_TRUE(q.pop_all(out, 5ms));  // timeout: still open
  EXPECT_TRUE(out.empty());
  q.push(batch(2));
  q.close();
  EXPECT_FALSE(q.push(batch(5)));  // after close: dropped and counted
  EXPECT_EQ(drop_records.value(), 5u);
  EXPECT_TRUE(q.pop_all(out, 1s));  // the queued batch is still delivered
  EXPECT_EQ(out.size(), 1u);
  EXPECT_FALSE(q.pop_all(out, 1s));  // closed and empty: returns at once
}

TEST_F(QueueFixture, ManyProducersEveryRecordAccountedFor) {
  BoundedQueue q(1000, drop_records, drop_batches);
  constexpr int kProducers = 4;
  constexpr int kBatches = 2000;
  std::atomic<std::uint64_t> accepted{0};
  std::uint64_t consumed = 0;
  std::atomic<bool> done{false};
  std::thread consumer([&] {
    std::vector<SharedBatch> out;
    while (q.pop_all(out, 1ms)) {
      for (auto& b : out) consumed += b->size();
      out.clear();
      if (done && q.queued_records() == 0) q.close();
    }
  });
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      auto b = batch(static_cast<std::size_t>(p + 1));
      for (int i = 0; i < kBatches; ++i) {
        if (q.push(b)) accepted += b->size();
      }
    });
  }
  for (auto& t : producers) t.join();
  done = true;
  consumer.join();
  const std::uint64_t pushed = kBatches * (1 + 2 + 3 + 4);
  EXPECT_EQ(consumed, accepted.load());
  EXPECT_EQ(accepted.load() + drop_records.value(), pushed);
}

}  // namespace
}  // namespace xacct::userspace
