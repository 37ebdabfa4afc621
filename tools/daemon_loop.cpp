#include "tools/daemon_loop.hpp"

#include <utility>

#include "sinks/sink_factory.hpp"
#include "tools/daemon_signals.hpp"
#include "tools/plugin_filters.hpp"
#include "tools/stats_report.hpp"
#include "userspace/logging.hpp"
#include "userspace/maps/map_set.hpp"

namespace xacct::tools {

userspace::Result<RoleCore> make_role_core(const userspace::DaemonConfig& config, userspace::Stats& stats) {
  auto maps = maps::MapSet::create(config.core.maps, &stats);
  if (!maps) return maps.error();
  auto pipeline = userspace::Pipeline::create(config, stats, sinks::make_sink, userspace::system_clock_ns,
                                              make_plugin_filter);
  if (!pipeline) return pipeline.error();
  return RoleCore{std::move(maps.value()), std::move(pipeline.value())};
}

std::function<void(userspace::RecordBatch&&)> make_input_feed(userspace::Pipeline& pipeline,
                                                              maps::MapSet& maps) {
  return [&pipeline, &maps](userspace::RecordBatch&& batch) {
    maps.apply(batch);  // returns at once when no map is configured
    pipeline.push(std::move(batch));
  };
}

void reload_maps(maps::MapSet& maps) {
  auto log = userspace::get_logger("xacctd");
  if (!maps.active()) {
    log->info("SIGUSR2: no maps configured, nothing to reload");
    return;
  }
  auto status = maps.reload();
  if (status) {
    log->info("SIGUSR2: maps reloaded (generation {})", maps.snapshot()->generation);
  } else {
    log->error("SIGUSR2: maps not reloaded, the previous ones stay in use: {}", status.error().message);
  }
}

void run_signal_loop(const userspace::Stats& stats, maps::MapSet& maps, std::chrono::milliseconds tick,
                     const std::function<void()>& refresh_stats, const std::function<bool()>& done,
                     const std::function<void()>& reload) {
  for (;;) {
    DaemonSignal sig = DaemonSignals::wait(tick);
    if (sig == DaemonSignal::kStop) return;
    if (sig == DaemonSignal::kStats) {
      if (refresh_stats) refresh_stats();
      log_stats(stats);
    }
    if (sig == DaemonSignal::kReload) {
      reload_maps(maps);
      if (reload) reload();
    }
    if (done && done()) return;
  }
}

}  // namespace xacct::tools
