// FlowPoller: drains the kernel's flow buffers every interval on its own
// thread and hands FlowRecord batches to a callback.
//
// One interval: flip `gen` so the programs write the other buffer, wait an
// RCU grace period with membarrier(MEMBARRIER_CMD_GLOBAL) (every program run
// that read the old `gen` has then finished), drain the now idle buffer with
// lookup_and_delete_batch, convert, emit overflow records from the totals
// deltas of that buffer, and audit. Without membarrier (EINVAL on nohz_full
// kernels) the order becomes "drain the buffer switched out one interval
// ago, then flip": slower to report, equally exact. The environment
// variable XACCT_PROBE_NO_MEMBARRIER=1 forces that path (for tests).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "bpf/flow_types.h"
#include "probe/flow_audit.hpp"
#include "probe/flow_object.hpp"
#include "probe/obs_registry.hpp"
#include "probe/probe_stats.hpp"
#include "probe/sample_consumer.hpp"
#include "userspace/flow_record.hpp"

namespace xacct::probe {

class FlowPoller {
 public:
  using Callback = std::function<void(userspace::RecordBatch&&)>;

  // With `samples` (header sampling on), the thread also drains the
  // samples ring every 10 ms.
  FlowPoller(const FlowObject& object, const ObsRegistry& registry, ProbeStats& stats,
             Callback callback, double interval_s, std::unique_ptr<SampleConsumer> samples);
  ~FlowPoller();
  FlowPoller(const FlowPoller&) = delete;
  FlowPoller& operator=(const FlowPoller&) = delete;

  void start();
  // Stops and joins the thread; no drain.
  void stop();
  // After the programs are detached: waits for in-flight runs, drains both
  // buffers and audits them. Call after stop().
  void final_drain();
  // One interval (the thread calls it; exposed for tools).
  void tick();

 private:
  void run();
  bool grace_period();
  void flip(unsigned buffer);
  void drain(unsigned buffer);
  bool read_totals(unsigned buffer, std::uint32_t obs_id, std::uint32_t dir, xacct_obs_totals* out);
  void update_dp_stats();

  const FlowObject& object_;
  const ObsRegistry& registry_;
  ProbeStats& stats_;
  FlowAudit audit_;
  Callback callback_;
  std::chrono::nanoseconds interval_;
  unsigned active_ = 0;  // the buffer the programs write (we own `gen`)
  bool membarrier_ok_ = true;
  int ncpu_ = 1;
  // Last totals seen per buffer, per (obs_id * 2 + dir).
  std::vector<xacct_obs_totals> last_[2];
  std::vector<xacct_flow_key> keys_;
  std::vector<xacct_flow_value> values_;
  std::vector<unsigned char> percpu_buf_;
  std::unique_ptr<SampleConsumer> samples_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stopping_ = false;
  std::thread thread_;
};

}  // namespace xacct::probe
