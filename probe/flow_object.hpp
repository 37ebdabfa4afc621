// FlowObject: the loaded flow datapath (bpf/flow.bpf.c through its
// skeleton). Sizes the maps before load, checks after load that the object
// and this binary agree on the shared structs (bpf/flow_types.h), and hands
// out the map fds and programs the attach code and the poller need.
#pragma once

#include <cstdint>
#include <memory>

#include "userspace/result.hpp"

struct bpf_program;

namespace xacct::probe {

struct FlowObjectOptions {
  std::uint32_t flow_entries = 262144;  // per flow buffer
  std::uint32_t sample_every = 0;       // 0 = no header samples
  std::uint32_t snaplen = 128;          // bytes per header sample
  std::uint32_t ringbuf_bytes = 4u << 20;  // with sampling on; power of 2
};

class FlowObject {
 public:
  static userspace::Result<std::unique_ptr<FlowObject>> load(const FlowObjectOptions& opts);
  ~FlowObject();
  FlowObject(const FlowObject&) = delete;
  FlowObject& operator=(const FlowObject&) = delete;

  int flows_fd(unsigned buffer) const;  // inner hash map 0 or 1
  int gen_fd() const;
  int obs_totals_fd() const;
  int obs_ids_fd() const;
  int dp_stats_fd() const;
  int samples_fd() const;
  std::uint32_t flow_entries() const;

  bpf_program* tc_ingress() const;
  bpf_program* tc_egress() const;
  bpf_program* xdp_ingress() const;

 private:
  struct Impl;
  explicit FlowObject(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace xacct::probe
