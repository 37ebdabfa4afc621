// xacct::probe::Probe: the kernel inputs of `xacctd probe`.
//
// The eBPF flow probe: loads bpf/flow.bpf.c, attaches it to the configured
// interfaces (TC ingress/egress through TCX or clsact, optional XDP ingress;
// one counting owner per interface and direction), drains the kernel's flow
// buffers every drain interval from its own thread and hands FlowRecord
// batches to a callback. Every datapath counter is in the Stats registry
// ("probe.*", see probe/probe_stats.hpp), and every interval is audited:
// drained flows + overflow == kernel totals. With sample_every (the
// sampling_rate key) it also hands on 1:N header samples (sample_consumer.hpp).
//
// Interfaces can also come and go at run time (add_interface,
// remove_interface: pcap_interfaces_map reloads, probe/interface_set.hpp),
// each with its own hooks (XDP + TC or TC only).
//
// The NFLOG input (nflog_input.hpp, uacctd): when config.nflog is enabled,
// alone (no interfaces: nothing is loaded or attached) or next to the eBPF
// interfaces. Each input counts what it sees; an operator who logs with nft
// on an interface the eBPF path also counts gets both views (see
// docs/datapath.md, "NFLOG").
//
//   auto probe = Probe::create(cfg, stats, [&](RecordBatch&& b) { pipeline.push(b); });
//   if (!probe) return fail(probe.error().message);
//   (*probe)->start();  ...  (*probe)->stop();   // detach + final drain
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "probe/default_route.hpp"
#include "probe/obs_registry.hpp"
#include "userspace/config.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/result.hpp"
#include "userspace/stats.hpp"

namespace xacct::probe {

struct ProbeConfig {
  std::vector<std::string> interfaces;
  bool hook_xdp = false;  // XDP ingress (counts first; TC ingress skips what it marked)
  bool hook_tc = true;    // TC ingress and/or egress
  bool dir_in = true;
  bool dir_out = true;
  bool force_clsact = false;        // skip TCX even when the kernel has it
  std::uint32_t flow_entries = 262144;  // per flow buffer (two buffers)
  double drain_interval_s = 1.0;
  std::uint32_t sample_every = 0;   // header samples 1:N to the ring buffer; 0 = off
  std::uint32_t sample_snaplen = 128;
  userspace::NflogConfig nflog;     // uacctd_*: the NFLOG input when enabled
  // Load the datapath even with no interface: they come later through
  // add_interface() (pcap_interfaces_map).
  bool dynamic_interfaces = false;
};

// The hooks that count one interface (one counting owner per direction).
struct InterfaceHooks {
  bool xdp_in = false;  // XDP counts ingress (TC ingress then only takes what XDP could not mark)
  bool tc_in = false;
  bool tc_out = false;
};

// The hooks of ebpf_hooks / ebpf_direction for an interface.
InterfaceHooks hooks_from(const ProbeConfig& config);

class Probe {
 public:
  using Callback = std::function<void(userspace::RecordBatch&&)>;

  // Loads and attaches; on error nothing stays attached. The callback runs
  // on the probe's poller thread (and on the caller's thread in stop()).
  static userspace::Result<std::unique_ptr<Probe>> create(const ProbeConfig& config,
                                                          userspace::Stats& stats,
                                                          Callback callback);
  // Detaches everything (no drain: call stop() first to get the last records).
  ~Probe();
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

  // Starts the poller thread.
  void start();
  // Stops the poller, detaches the programs, waits for in-flight runs and
  // drains both flow buffers (final records and audit). Idempotent.
  void stop();

  // Attaches the datapath to one more interface, at run time (control
  // thread only). record_ifindex: the ifindex its records carry, 0 = its
  // own. On error nothing of it stays attached. Returns its description.
  userspace::Result<std::string> add_interface(const std::string& ifname, const InterfaceHooks& hooks,
                                               std::uint32_t record_ifindex = 0);
  // Detaches one interface. Its counts still in the kernel's flow buffers
  // are drained by the next poller interval (both buffers are drained within
  // one interval), and named after it: nothing is lost.
  userspace::Status remove_interface(const std::string& ifname);
  // True when the eBPF datapath is loaded (interfaces can be added).
  bool loaded() const;

  const ObsRegistry& registry() const;
  // "eth0: tc ingress (tcx), tc egress (tcx); ...; nflog group 5 (...)" for
  // the start-up log.
  std::string describe() const;

 private:
  struct Impl;
  explicit Probe(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace xacct::probe
