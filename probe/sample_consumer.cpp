// See sample_consumer.hpp.
#include "probe/sample_consumer.hpp"

#include <bpf/libbpf.h>
#include <time.h>

#include <cerrno>
#include <cstring>

#include "probe/mono_clock.hpp"
#include "probe/sample_record.hpp"

namespace xacct::probe {

SampleConsumer::SampleConsumer(const ObsRegistry& registry, ProbeStats& stats, Callback callback)
    : registry_(registry), stats_(stats), callback_(std::move(callback)) {}

userspace::Result<std::unique_ptr<SampleConsumer>> SampleConsumer::create(int ring_fd, const ObsRegistry& registry,
                                                                          ProbeStats& stats, Callback callback) {
  std::unique_ptr<SampleConsumer> c(new SampleConsumer(registry, stats, std::move(callback)));
  c->mono_to_epoch_ns_ = mono_to_epoch_offset();
  c->ring_ = ring_buffer__new(ring_fd, &SampleConsumer::on_sample, c.get(), nullptr);
  if (c->ring_ == nullptr) {
    return userspace::make_error(std::string("header samples: open the ring buffer: ") + std::strerror(errno));
  }
  return c;
}

SampleConsumer::~SampleConsumer() {
  if (ring_ != nullptr) ring_buffer__free(ring_);
}

int SampleConsumer::on_sample(void* ctx, void* data, std::size_t size) {
  static_cast<SampleConsumer*>(ctx)->add(data, size);
  return 0;
}

void SampleConsumer::add(const void* data, std::size_t size) {
  ++read_;
  xacct_sample sample;
  if (size < sizeof(sample)) {
    ++bad_;
    return;
  }
  // The ring hands out 8-byte aligned records; copy anyway so that the
  // decoder never depends on the ring's layout.
  std::memcpy(&sample, data, sizeof(sample));
  const ObsPoint* point = registry_.by_id(sample.obs_id);
  if (point == nullptr) point = &registry_.points()[XACCT_OBS_UNKNOWN];
  userspace::FlowRecord& r = batch_.emplace_back();
  switch (sample_to_record(sample, size, *point, mono_to_epoch_ns_, pkt_, r)) {
    case SampleDecode::kRecord:
      return;
    case SampleDecode::kNotIp:
      ++not_ip_;
      break;
    case SampleDecode::kBad:
      ++bad_;
      break;
  }
  batch_.pop_back();
}

void SampleConsumer::poll(std::chrono::milliseconds timeout) {
  // Returns at the timeout (no wakeup was requested) or when the datapath
  // forced one; either way the ring is drained below.
  mono_to_epoch_ns_ = mono_to_epoch_offset();
  ring_buffer__poll(ring_, static_cast<int>(timeout.count()));
  drain();
}

void SampleConsumer::drain() {
  mono_to_epoch_ns_ = mono_to_epoch_offset();
  ring_buffer__consume(ring_);
  stats_.ringbuf_read.add(read_);
  stats_.sample_records.add(batch_.size());
  stats_.sample_not_ip.add(not_ip_);
  stats_.sample_bad.add(bad_);
  read_ = not_ip_ = bad_ = 0;
  if (!batch_.empty()) {
    userspace::RecordBatch out;
    out.swap(batch_);
    callback_(std::move(out));
  }
}

}  // namespace xacct::probe
