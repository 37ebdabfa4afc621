// The probe role: eBPF datapath -> pipeline -> sinks; with
// pcap_interfaces_map, eBPF and libpcap interfaces side by side (each by the
// method its line gives) into the same pipeline. Start order matters:
// the pipeline starts before the probe so that the first drained batch has
// somewhere to go; stop order is the reverse, so that the probe's final drain
// (after detach) still reaches the plugins before their final flush.
#include "tools/probe_role.hpp"

#include <chrono>

#include "probe/capture/capture_config.hpp"
#include "probe/capture/interfaces_map.hpp"
#include "probe/capture/live_capture.hpp"
#include "probe/interface_set.hpp"
#include "probe/probe.hpp"
#include "tools/capture_role.hpp"
#include "tools/daemon_loop.hpp"
#include "tools/stats_report.hpp"
#include "userspace/logging.hpp"
#include "userspace/maps/map_set.hpp"
#include "userspace/pipeline.hpp"

namespace xacct::tools {
namespace {

probe::ProbeConfig to_probe_config(const userspace::CoreConfig& core) {
  probe::ProbeConfig pc;
  pc.interfaces = core.interfaces;
  pc.hook_xdp = core.ebpf.hook_xdp;
  pc.hook_tc = core.ebpf.hook_tc;
  pc.dir_in = core.ebpf.dir_in;
  pc.dir_out = core.ebpf.dir_out;
  pc.force_clsact = core.ebpf.attach == userspace::EbpfAttach::kClsact;
  pc.flow_entries = core.ebpf.flow_entries;
  pc.drain_interval_s = core.ebpf.drain_interval_s;
  pc.sample_every = core.ebpf.sampling_rate;  // sampling_rate: 1:N eBPF header samples
  pc.nflog = core.nflog;                      // uacctd_group set: the NFLOG input runs too
  return pc;
}

capture::CountMethod default_method(const userspace::CoreConfig& core) {
  if (core.pcap.method == "pcap") return capture::CountMethod::kPcap;
  return core.ebpf.hook_xdp ? capture::CountMethod::kXdp : capture::CountMethod::kTc;
}

// pcap_interfaces_map: the interfaces come from the map, each counted by
// its line's method; SIGUSR2 re-reads it (probe/interface_set.hpp).
int run_interfaces_map(const userspace::DaemonConfig& config, userspace::Stats& stats) {
  auto log = userspace::get_logger("xacctd");
  const userspace::CoreConfig& core = config.core;
  auto cc = capture::make_capture_config(core);
  if (!cc) {
    log->error("{}", cc.error().message);
    return 1;
  }
  probe::InterfaceSetOptions opts;
  opts.map_path = core.pcap.interfaces_map;
  opts.default_method = default_method(core);
  opts.ifindex_from_map = cc.value().ifindex_mode == capture::IfindexMode::kMap;
  opts.dir_in = core.ebpf.dir_in;
  opts.dir_out = core.ebpf.dir_out;
  opts.max_entries = core.maps.maps_entries;
  opts.max_row_len = core.maps.maps_row_len;
  auto first =
      capture::load_interfaces_map(opts.map_path, opts.default_method, opts.max_entries, opts.max_row_len);
  if (!first) {
    log->error("{}", first.error().message);
    return 1;
  }
  bool needs_ebpf = false;
  for (const auto& l : first.value().lines)
    needs_ebpf = needs_ebpf || l.method != capture::CountMethod::kPcap;

  auto role = make_role_core(config, stats);
  if (!role) {
    log->error("{}", role.error().message);
    return 1;
  }
  maps::MapSet& ms = *role.value().maps;
  userspace::Pipeline& pl = *role.value().pipeline;
  auto feed = make_input_feed(pl, ms);

  // The eBPF datapath is loaded even when every line is pcap, so that a
  // reload can move an interface to xdp or tc. Without it (no BPF here),
  // a map of pcap lines still runs.
  probe::ProbeConfig pc = to_probe_config(core);
  pc.interfaces.clear();
  pc.dynamic_interfaces = true;
  std::unique_ptr<probe::Probe> probe;
  if (auto p = probe::Probe::create(pc, stats, feed); p) {
    probe = std::move(p.value());
  } else if (needs_ebpf) {
    log->error("{}", p.error().message);
    return 1;
  } else {
    log->warn("eBPF datapath not loaded ({}): only method=pcap lines of pcap_interfaces_map can run",
              p.error().message);
    if (pc.nflog.enabled) {
      pc.dynamic_interfaces = false;
      auto n = probe::Probe::create(pc, stats, feed);
      if (!n) {
        log->error("{}", n.error().message);
        return 1;
      }
      probe = std::move(n.value());
    }
  }
  capture::BatchOutput out;
  out.push = feed;
  auto live = capture::LiveCapture::create_empty(cc.value(), stats, std::move(out));
  probe::InterfaceSet set(opts, cc.value(), probe.get(), *live, stats);
  set.apply(first.value());

  pl.start();
  if (probe) probe->start();
  live->start();
  log->info("counting interfaces: {}", set.describe());
  if (probe && pc.nflog.enabled) log->info("counting: {}", probe->describe());

  run_signal_loop(
      stats, ms, std::chrono::milliseconds(1000), [&] { live->refresh_stats(); }, {},
      [&] {
        if (!core.maps.maps_refresh) {
          log->info("SIGUSR2: maps_refresh is false: pcap_interfaces_map not reloaded");
          return;
        }
        if (auto st = set.reload(); !st) {
          log->error("SIGUSR2: pcap_interfaces_map not reloaded, the running interfaces stay: {}",
                     st.error().message);
          return;
        }
        log->info("SIGUSR2: pcap_interfaces_map reloaded: {}", set.describe());
      });
  log->info("stopping: final read of the capture rings, detaching, final drain and flush");
  live->stop();
  if (probe) probe->stop();
  pl.stop();
  print_capture_totals(stats);
  log_final_totals(stats);
  return 0;
}

}  // namespace

int run_probe(const userspace::DaemonConfig& config, userspace::Stats& stats) {
  auto log = userspace::get_logger("xacctd");
  if (!config.core.pcap.interfaces_map.empty()) return run_interfaces_map(config, stats);
  probe::ProbeConfig pc = to_probe_config(config.core);
  if (pc.interfaces.empty() && !pc.nflog.enabled) {  // NFLOG alone needs no interface
    auto iface = probe::default_route_interface();
    if (!iface) {
      log->error("no interface configured and {}; set `interface:` or use -i IFACE", iface.error().message);
      return 1;
    }
    pc.interfaces.push_back(iface.value());
    log->info("no interface configured: using {}, the interface of the default route", iface.value());
  }

  // Core-level maps (pre_tag_map, networks_file, ports_file) enrich every
  // batch on the input thread, before the fan-out to plugins.
  auto role = make_role_core(config, stats);
  if (!role) {
    log->error("{}", role.error().message);
    return 1;
  }
  maps::MapSet& ms = *role.value().maps;
  userspace::Pipeline& pl = *role.value().pipeline;
  auto probe = probe::Probe::create(pc, stats, make_input_feed(pl, ms));
  if (!probe) {
    log->error("{}", probe.error().message);
    return 1;
  }
  pl.start();
  probe.value()->start();
  log->info("counting: {}", probe.value()->describe());

  run_signal_loop(stats, ms, std::chrono::milliseconds(1000));
  log->info("stopping: detaching, final drain and flush");
  probe.value()->stop();
  pl.stop();
  log_final_totals(stats);
  return 0;
}

}  // namespace xacct::tools
