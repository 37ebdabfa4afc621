// SampleConsumer: reads the datapath's header samples from its ring buffer
// (bpf/flow.bpf.c, map `samples`), turns each into a FlowRecord
// (sample_record.hpp) and hands them to the probe's callback, one batch per
// drain.
//
// The datapath submits samples without waking anyone (a wakeup per sample
// costs more than the sample itself); the poller thread calls poll() every
// 10 ms, which waits on the ring's epoll fd (the datapath wakes it once when
// the ring passes half full, so a burst does not wait for the timer) and
// then drains whatever is there. Counters: probe.samples.{records,not_ip,bad}
// and probe.ringbuf.read (ProbeStats).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "bpf/packet_parse.h"
#include "probe/obs_registry.hpp"
#include "probe/probe_stats.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/result.hpp"

struct ring_buffer;

namespace xacct::probe {

class SampleConsumer {
 public:
  using Callback = std::function<void(userspace::RecordBatch&&)>;

  // `ring_fd`: the samples ring buffer map. The callback runs on the thread
  // that calls poll()/drain().
  static userspace::Result<std::unique_ptr<SampleConsumer>> create(int ring_fd, const ObsRegistry& registry,
                                                                   ProbeStats& stats, Callback callback);
  ~SampleConsumer();
  SampleConsumer(const SampleConsumer&) = delete;
  SampleConsumer& operator=(const SampleConsumer&) = delete;

  // Waits up to `timeout` for a wakeup from the datapath, then drains.
  void poll(std::chrono::milliseconds timeout);
  // Reads every sample in the ring now and hands the batch on.
  void drain();

 private:
  SampleConsumer(const ObsRegistry& registry, ProbeStats& stats, Callback callback);
  static int on_sample(void* ctx, void* data, std::size_t size);
  void add(const void* data, std::size_t size);

  const ObsRegistry& registry_;
  ProbeStats& stats_;
  Callback callback_;
  ring_buffer* ring_ = nullptr;
  userspace::RecordBatch batch_;
  std::int64_t mono_to_epoch_ns_ = 0;
  std::uint64_t not_ip_ = 0;
  std::uint64_t bad_ = 0;
  std::uint64_t read_ = 0;
  xacct_pkt pkt_{};
};

}  // namespace xacct::probe
