// Drain mechanics. Why a double buffer and not lookup_and_delete on the live
// map: a program that already holds an element pointer adds to an element
// user space just deleted, and those packets are lost (measured: 3-14
// packets per 100 drains at 2.7 Mpps). Totals are kept per buffer for the
// same reason: after the grace period, the idle buffer's totals are frozen
// and match its flows exactly.
#include "probe/flow_poller.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "probe/mono_clock.hpp"
#include "probe/flow_convert.hpp"
#include "probe/logger.hpp"

namespace xacct::probe {

namespace {

constexpr std::uint32_t kBatchKeys = 4096;
constexpr auto kSamplePoll = std::chrono::milliseconds(10);

void add_totals(xacct_obs_totals& a, const xacct_obs_totals& b) {
  a.packets += b.packets;
  a.bytes += b.bytes;
  a.overflow_packets += b.overflow_packets;
  a.overflow_bytes += b.overflow_bytes;
  a.insert_fail += b.insert_fail;
  a.not_parsed += b.not_parsed;
  a.non_ip += b.non_ip;
  a.skipped_marked += b.skipped_marked;
}

xacct_obs_totals sub_totals(const xacct_obs_totals& a, const xacct_obs_totals& b) {
  xacct_obs_totals d{};
  d.packets = a.packets - b.packets;
  d.bytes = a.bytes - b.bytes;
  d.overflow_packets = a.overflow_packets - b.overflow_packets;
  d.overflow_bytes = a.overflow_bytes - b.overflow_bytes;
  d.insert_fail = a.insert_fail - b.insert_fail;
  d.not_parsed = a.not_parsed - b.not_parsed;
  d.non_ip = a.non_ip - b.non_ip;
  d.skipped_marked = a.skipped_marked - b.skipped_marked;
  return d;
}

}  // namespace

FlowPoller::FlowPoller(const FlowObject& object, const ObsRegistry& registry, ProbeStats& stats,
                       Callback callback, double interval_s, std::unique_ptr<SampleConsumer> samples)
    : object_(object),
      registry_(registry),
      stats_(stats),
      audit_(stats),
      callback_(std::move(callback)),
      interval_(std::chrono::nanoseconds(static_cast<std::int64_t>(interval_s * 1e9))),
      samples_(std::move(samples)) {
  int n = libbpf_num_possible_cpus();
  ncpu_ = n > 0 ? n : 1;
  for (auto& l : last_) l.assign(std::size_t{XACCT_MAX_OBS} * 2, xacct_obs_totals{});  // points come and go
  keys_.resize(kBatchKeys);
  values_.resize(kBatchKeys);
  // Per-CPU values are laid out at 8-byte strides.
  percpu_buf_.resize(static_cast<std::size_t>(ncpu_) * ((sizeof(xacct_obs_totals) + 7) & ~7u));
  // Test hook: exercise the no-membarrier path on kernels that have it.
  if (const char* e = std::getenv("XACCT_PROBE_NO_MEMBARRIER"); e != nullptr && *e == '1') {
    membarrier_ok_ = false;
    log()->info("XACCT_PROBE_NO_MEMBARRIER=1: draining each buffer one interval after its flip");
  }
  flip(0);
}

FlowPoller::~FlowPoller() { stop(); }

void FlowPoller::start() {
  std::lock_guard lk(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void FlowPoller::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FlowPoller::run() {
  using clock = std::chrono::steady_clock;
  auto next = clock::now() + interval_;
  while (!stopping_) {
    if (samples_ != nullptr) {
      // The 10 ms sample timer doubles as this loop's clock (stop() is
      // seen within 10 ms).
      samples_->poll(kSamplePoll);
    } else {
      std::unique_lock lk(mu_);
      cv_.wait_until(lk, next, [this] { return stopping_.load(); });
    }
    if (stopping_) break;
    if (clock::now() >= next) {
      tick();
      next += interval_;
      if (next <= clock::now()) next = clock::now() + interval_;  // fell behind: skip
    }
  }
}

void FlowPoller::tick() {
  auto t0 = std::chrono::steady_clock::now();
  if (membarrier_ok_) {
    unsigned old = active_;
    flip(old ^ 1u);
    // Without a grace period `old` may still be written: it is drained at
    // the next tick, one interval after it was switched out.
    if (grace_period()) drain(old);
  } else {
    drain(active_ ^ 1u);
    flip(active_ ^ 1u);
  }
  update_dp_stats();
  auto us = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
          .count());
  stats_.drains.add();
  stats_.drain_time_us.add(us);
  if (us > stats_.drain_max_us.value()) stats_.drain_max_us.set(us);
}

void FlowPoller::final_drain() {
  if (membarrier_ok_) grace_period();
  // No grace period available: programs run for microseconds; the links are
  // gone, so a pause is a grace period in practice.
  if (!membarrier_ok_) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  drain(active_ ^ 1u);
  drain(active_);
  update_dp_stats();
  if (samples_ != nullptr) samples_->drain();
}

bool FlowPoller::grace_period() {
  if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0) return true;
  int err = errno;
  membarrier_ok_ = false;
  stats_.membarrier_fallback.add();
  log()->warn(
      "membarrier(MEMBARRIER_CMD_GLOBAL): {}; draining each flow buffer one interval after it "
      "is switched out instead",
      std::strerror(err));
  return false;
}

void FlowPoller::flip(unsigned buffer) {
  __u32 key = 0;
  __u32 value = buffer;
  if (bpf_map_update_elem(object_.gen_fd(), &key, &value, BPF_ANY) != 0) {
    stats_.drain_errors.add();
    log()->error("flip flow buffer to {}: {}", buffer, std::strerror(errno));
    return;
  }
  active_ = buffer;
}

bool FlowPoller::read_totals(unsigned buffer, std::uint32_t obs_id, std::uint32_t dir,
                             xacct_obs_totals* out) {
  __u32 key = XACCT_TOTALS_INDEX(buffer, obs_id, dir);
  if (bpf_map_lookup_elem(object_.obs_totals_fd(), &key, percpu_buf_.data()) != 0) return false;
  *out = xacct_obs_totals{};
  std::size_t stride = (sizeof(xacct_obs_totals) + 7) & ~std::size_t{7};
  for (int cpu = 0; cpu < ncpu_; ++cpu) {
    xacct_obs_totals t;
    std::memcpy(&t, percpu_buf_.data() + static_cast<std::size_t>(cpu) * stride, sizeof(t));
    add_totals(*out, t);
  }
  return true;
}

void FlowPoller::drain(unsigned buffer) {
  const std::int64_t offset = mono_to_epoch_offset();
  // Points are added at run time. Every flow in the idle buffer was written
  // before the flip, so its point was published before this drain began
  // (Probe publishes a point before the datapath can use its id): by_id()
  // names every flow, and the points read after the flows cover them all.
  std::vector<DrainSums> sums(std::size_t{XACCT_MAX_OBS} * 2);
  const ObsPoint& unknown = registry_.points()[XACCT_OBS_UNKNOWN];
  int fd = object_.flows_fd(buffer);

  bpf_map_batch_opts opts;
  std::memset(&opts, 0, sizeof(opts));
  opts.sz = sizeof(opts);
  __u32 in_batch = 0;
  __u32 out_batch = 0;
  bool first = true;
  std::uint64_t drained = 0;
  for (;;) {
    __u32 count = kBatchKeys;
    int err = bpf_map_lookup_and_delete_batch(fd, first ? nullptr : &in_batch, &out_batch,
                                              keys_.data(), values_.data(), &count, &opts);
    int e = err < 0 ? errno : 0;
    if (count > 0) {
      userspace::RecordBatch batch;
      batch.reserve(count);
      for (__u32 i = 0; i < count; ++i) {
        const xacct_flow_key& k = keys_[i];
        const xacct_flow_value& v = values_[i];
        const ObsPoint* p = registry_.by_id(k.obs_id);
        if (p == nullptr) p = &unknown;
        std::uint32_t dir = (k.flags & XACCT_KF_DIR_OUT) ? XACCT_DIR_OUT : XACCT_DIR_IN;
        DrainSums& s = sums[p->obs_id * 2 + dir];
        s.packets += v.packets;
        s.bytes += v.bytes;
        s.flows += 1;
        batch.push_back(to_flow_record(k, v, *p, offset));
      }
      drained += count;
      callback_(std::move(batch));
    }
    if (err < 0) {
      if (e != ENOENT) {  // ENOENT: the map is now empty
        stats_.drain_errors.add();
        log()->error("drain flow buffer {}: {}", buffer, std::strerror(e));
      }
      break;
    }
    in_batch = out_batch;
    first = false;
  }
  stats_.flows_drained.add(drained);

  userspace::RecordBatch overflow;
  for (const ObsPoint& p : registry_.points()) {
    for (std::uint32_t dir = 0; dir < 2; ++dir) {
      std::size_t slot = p.obs_id * 2 + dir;
      xacct_obs_totals cur;
      if (!read_totals(buffer, p.obs_id, dir, &cur)) {
        stats_.drain_errors.add();
        log()->error("read totals of {}: {}", p.ifname, std::strerror(errno));
        continue;
      }
      xacct_obs_totals delta = sub_totals(cur, last_[buffer][slot]);
      last_[buffer][slot] = cur;
      ObsDirCounters& c = stats_.at(p.obs_id, dir);
      c.packets->add(delta.packets);
      c.bytes->add(delta.bytes);
      c.flows->add(sums[slot].flows);
      c.overflow_packets->add(delta.overflow_packets);
      c.overflow_bytes->add(delta.overflow_bytes);
      c.insert_fail->add(delta.insert_fail);
      c.not_parsed->add(delta.not_parsed);
      c.non_ip->add(delta.non_ip);
      c.skipped_marked->add(delta.skipped_marked);
      if (delta.overflow_packets != 0 || delta.overflow_bytes != 0) {
        overflow.push_back(overflow_record(p, dir, delta.overflow_packets, delta.overflow_bytes));
      }
      audit_.check(p, dir, buffer, sums[slot], delta);
    }
  }
  if (!overflow.empty()) callback_(std::move(overflow));
}

void FlowPoller::update_dp_stats() {
  std::vector<xacct_dp_stats> v(static_cast<std::size_t>(ncpu_));
  __u32 key = 0;
  if (bpf_map_lookup_elem(object_.dp_stats_fd(), &key, v.data()) != 0) return;
  xacct_dp_stats sum{};
  for (const auto& s : v) {
    sum.samples += s.samples;
    sum.sample_drops += s.sample_drops;
    sum.xdp_no_meta += s.xdp_no_meta;
    sum.sample_weight += s.sample_weight;
  }
  stats_.ringbuf_samples.set(sum.samples);
  stats_.ringbuf_drops.set(sum.sample_drops);
  stats_.ringbuf_weight.set(sum.sample_weight);
  stats_.xdp_no_meta.set(sum.xdp_no_meta);
}

}  // namespace xacct::probe
