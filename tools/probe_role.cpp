// The probe role: eBPF datapath -> pipeline -> sinks. Start order matters:
// the pipeline starts before the probe so that the first drained batch has
// somewhere to go; stop order is the reverse, so that the probe's final drain
// (after detach) still reaches the plugins before their final flush.
#include "tools/probe_role.hpp"

#include <chrono>

#include "probe/probe.hpp"
#include "sinks/sink_factory.hpp"
#include "tools/daemon_loop.hpp"
#include "tools/plugin_filters.hpp"
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

}  // namespace

int run_probe(const userspace::DaemonConfig& config, userspace::Stats& stats) {
  auto log = userspace::get_logger("xacctd");
  probe::ProbeConfig pc = to_probe_config(config.core);
  if (pc.interfaces.empty() && !pc.nflog.enabled) {  // NFLOG alone needs no interface
    auto iface = probe::default_route_interface();
    if (!iface) {
      log->error("no interface configured and {}; set `interface:` or use -i IFACE",
                 iface.error().message);
      return 1;
    }
    pc.interfaces.push_back(iface.value());
    log->info("no interface configured: using {}, the interface of the default route", iface.value());
  }

  // Core-level maps (pre_tag_map, networks_file, ports_file) enrich every
  // batch on the input thread, before the fan-out to plugins.
  auto maps = maps::MapSet::create(config.core.maps, &stats);
  if (!maps) {
    log->error("{}", maps.error().message);
    return 1;
  }
  maps::MapSet& ms = *maps.value();

  auto pipeline = userspace::Pipeline::create(config, stats, sinks::make_sink, userspace::system_clock_ns,
                                              make_plugin_filter);
  if (!pipeline) {
    log->error("{}", pipeline.error().message);
    return 1;
  }
  userspace::Pipeline& pl = *pipeline.value();
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
