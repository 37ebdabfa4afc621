// What every role shares around its inputs: the core maps and the plugin
// pipeline they feed, the callback through which inputs hand batches on
// (core maps enrich them, then the pipeline fans them out), and the main
// thread's signal loop.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "userspace/config.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/pipeline.hpp"
#include "userspace/result.hpp"
#include "userspace/stats.hpp"

namespace xacct::maps {
class MapSet;
}

namespace xacct::tools {

// The core maps (pre_tag_map, networks_file, ports_file) and the pipeline of
// config.plugins (sinks::make_sink, each plugin's filters). Declared in this
// order so that the pipeline is destroyed before the maps its input feed uses.
struct RoleCore {
  std::unique_ptr<maps::MapSet> maps;
  std::unique_ptr<userspace::Pipeline> pipeline;
};

// Builds both, maps first; the error is the failing part's own message.
userspace::Result<RoleCore> make_role_core(const userspace::DaemonConfig& config, userspace::Stats& stats);

// pre_tag_map / networks_file / ports_file on the input's thread, then push.
std::function<void(userspace::RecordBatch&&)> make_input_feed(userspace::Pipeline& pipeline,
                                                              maps::MapSet& maps);

// SIGUSR2: reload every map; on failure the old maps stay (and it says why).
void reload_maps(maps::MapSet& maps);

// Waits for signals until SIGINT/SIGTERM, or until `done` (checked every
// `tick`) returns true. SIGUSR1 runs `refresh_stats` (if any) and logs every
// counter; SIGUSR2 reloads the maps, then runs `reload` (if any: the
// role's own reloadable parts, e.g. pcap_interfaces_map).
void run_signal_loop(const userspace::Stats& stats, maps::MapSet& maps, std::chrono::milliseconds tick,
                     const std::function<void()>& refresh_stats = {}, const std::function<bool()>& done = {},
                     const std::function<void()>& reload = {});

}  // namespace xacct::tools
