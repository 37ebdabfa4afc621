// run_probe(): the `xacctd probe` role. Wires the configuration to the
// components (the eBPF probe as input, the pipeline of plugins as output)
// and runs the signal loop until SIGINT/SIGTERM.
#pragma once

#include "userspace/config.hpp"
#include "userspace/stats.hpp"

namespace xacct::tools {

// Returns the process exit code.
int run_probe(const userspace::DaemonConfig& config, userspace::Stats& stats);

}  // namespace xacct::tools
