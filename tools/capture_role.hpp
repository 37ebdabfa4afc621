// run_capture(): the `xacctd probe` role when packets come from libpcap
// instead of the eBPF datapath (see probe/capture/capture_config.hpp):
//   pcap_savefile set        read the files (pcap_savefile_delay, _replay),
//                            then stop and exit 0, or keep running until
//                            SIGINT/SIGTERM with pcap_savefile_wait;
//   capture_method: pcap     live libpcap on pcap_interface (or the interface
//                            of the default route) until SIGINT/SIGTERM.
// SIGUSR1 logs every counter (live: with fresh pcap_stats). At exit: the
// final flush of every plugin, then the capture totals on stdout.
//
// pcap_interfaces_map (libpcap and eBPF interfaces side by side) is run by
// the probe role (tools/probe_role.cpp), not here.
//
// In main (or the probe role): if (capture_selected(config)) return run_capture(config, stats);
#pragma once

#include "userspace/config.hpp"
#include "userspace/stats.hpp"

namespace xacct::tools {

// True when the configuration counts with libpcap, not eBPF.
bool capture_selected(const userspace::DaemonConfig& config);

// The `capture totals` lines on stdout: one per libpcap source
// ("capture.<source>.received" names them).
void print_capture_totals(const userspace::Stats& stats);

// Returns the process exit code.
int run_capture(const userspace::DaemonConfig& config, userspace::Stats& stats);

}  // namespace xacct::tools
