// run_collect(): the `xacctd collect` role (nfacctd/sfacctd): UDP listeners
// for NetFlow v5/v9/IPFIX (nfacctd_port) and sFlow (sfacctd_port) decode
// datagrams into FlowRecords, which go through the core maps (pre_tag_map
// keyed by the exporter's address, networks_file, ...) to the plugins, as
// the probe and capture roles do (docs/collector.md).
//
// Tee plugins (plugins: tee[x]) are not record plugins: each becomes a
// collector::TeeReplicator that the listener threads hand every allowed
// datagram to, byte for byte, before decoding.
//
// Start order: maps, pipeline, allow lists, listeners (bound before the
// pipeline starts so that a busy port fails fast), then the signal loop:
//   SIGUSR1          every counter (collector.exporter.<ip>.*,
//                    collector.listener.<ip:port>.*, plugins, maps)
//   SIGUSR2 / SIGHUP reload the maps, the allow files and tee_receivers
//   SIGINT / SIGTERM stop the listeners (they decode what the sockets still
//                    hold), then the final flush of every plugin.
//
// In main: if (role == "collect") return run_collect(config, stats);
#pragma once

#include "userspace/config.hpp"
#include "userspace/stats.hpp"

namespace xacct::tools {

// Returns the process exit code.
int run_collect(const userspace::DaemonConfig& config, userspace::Stats& stats);

}  // namespace xacct::tools
