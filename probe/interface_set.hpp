// InterfaceSet: the interfaces of one daemon as pcap_interfaces_map lists
// them, each counted by exactly one method: eBPF (XDP ingress + TC, or TC)
// through the Probe, or libpcap through LiveCapture. Both feed the same
// pipeline. apply() brings the running set to a map:
//   - an interface no longer listed, or whose line changed (method,
//     direction, ifindex), is stopped first: libpcap reads what reached its
//     ring, eBPF detaches and its counts are drained with the next poller
//     interval; nothing counted is lost;
//   - then every new (or changed) line starts;
//   - an unchanged line's interface is not touched, unless it broke: an
//     interface deleted and created again (another ifindex) or whose
//     libpcap capture failed is restarted.
// A line that cannot start (no such interface, XDP refused, ...) is skipped
// with "file:line: ifname: why" and retried at the next reload.
//
// Counters: interfaces_map.reloads, .reload_errors (unreadable file: the
// running set stays), .lines_skipped, .added, .removed, .active.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "probe/capture/capture_config.hpp"
#include "probe/capture/interfaces_map.hpp"
#include "probe/capture/live_capture.hpp"
#include "probe/probe.hpp"
#include "userspace/stats.hpp"

namespace xacct::probe {

struct InterfaceSetOptions {
  std::string map_path;
  capture::CountMethod default_method = capture::CountMethod::kTc;
  bool ifindex_from_map = false;  // pcap_ifindex: map (else the pcap_ifindex mode of `capture`)
  bool dir_in = true;             // ebpf_direction, for lines without a direction
  bool dir_out = true;
  std::size_t max_entries = 384;    // maps_entries
  std::uint32_t max_row_len = 256;  // maps_row_len
};

class InterfaceSet {
 public:
  // probe: nullptr when the eBPF datapath is not loaded (eBPF lines are
  // then skipped with that reason). live: the libpcap input (no interface).
  InterfaceSet(InterfaceSetOptions options, const capture::CaptureConfig& capture, Probe* probe,
               capture::LiveCapture& live, userspace::Stats& stats);

  // Reads the map file and applies it. Fails only when the file cannot be
  // read (then nothing changes).
  userspace::Status reload();
  // Brings the running set to `map` (see the overview).
  void apply(const capture::InterfacesMap& map);

  // "eth0 pcap (...); eth1 xdp (...)" for the logs.
  std::string describe() const;
  std::size_t size() const { return running_.size(); }

 private:
  struct Running {
    capture::InterfaceLine line;
    std::string desc;
    std::uint32_t ifindex = 0;  // when it started
  };
  bool broken(const Running& r) const;
  userspace::Result<std::string> start(const capture::InterfaceLine& line);
  void stop(const Running& r);

  InterfaceSetOptions options_;
  capture::CaptureConfig capture_;
  Probe* probe_;
  capture::LiveCapture& live_;
  std::map<std::string, Running> running_;  // by ifname
  userspace::Counter& reloads_;
  userspace::Counter& reload_errors_;
  userspace::Counter& lines_skipped_;
  userspace::Counter& added_;
  userspace::Counter& removed_;
  userspace::Counter& active_;
};

}  // namespace xacct::probe
