// What the daemon prints from the Stats registry: every counter on SIGUSR1,
// and the per-interface totals at exit.
#pragma once

#include "userspace/stats.hpp"

namespace xacct::tools {

// Every counter, one "name value" line each, to the "stats" logger.
void log_stats(const userspace::Stats& stats);

// "eth0 in: N packets, M bytes" per interface and direction, then anything
// lost anywhere (queue drops, overflow, audit mismatches), to stdout.
void log_final_totals(const userspace::Stats& stats);

}  // namespace xacct::tools
