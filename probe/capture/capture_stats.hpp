// The counters of one capture source (a live interface or the savefile
// input), in the Stats registry under "capture.<source>.":
//   received            frames libpcap handed to xacct (after pcap_filter)
//   ip_packets/ip_bytes what went into records: packets and IP bytes
//   partial             IP packets whose L4 header was cut or malformed:
//                       counted by addresses with ports 0 (also in ip_packets)
//   not_parsed          frames not counted: the sum of
//     not_parsed_non_ip     not IP (ARP, LLDP, an unknown address family)
//     not_parsed_truncated  cut inside the link, VLAN, MPLS or IP header
//     not_parsed_malformed  inconsistent headers (IP version, IHL, ...)
// so that, at every publish, received == ip_packets + not_parsed. IPv4
// fragments of TCP/UDP (fragment_table.hpp), all also in ip_packets:
//   frag_first          first fragments, whose ports were remembered
//   frag_ports          later fragments that got their first fragment's ports
//   frag_no_first       later fragments whose first was not seen (ports 0)
//   frag_evictions      datagrams dropped from the full fragment table
// Live
// interfaces add libpcap's pcap_stats (packets, kernel_drops, ifdrops, see
// live_capture.hpp); savefiles add filtered, files, read_errors and
// backpressure_waits (savefile_input.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "userspace/stats.hpp"

namespace xacct::capture {

// Per-thread tallies, added to the shared counters in one go (publish) so
// the per-packet path touches no atomics.
struct PacketTally {
  std::uint64_t received = 0;
  std::uint64_t ip_packets = 0;
  std::uint64_t ip_bytes = 0;
  std::uint64_t partial = 0;
  std::uint64_t non_ip = 0;
  std::uint64_t truncated = 0;
  std::uint64_t malformed = 0;
  std::uint64_t frag_first = 0;
  std::uint64_t frag_ports = 0;
  std::uint64_t frag_no_first = 0;
  std::uint64_t frag_evictions = 0;
};

class SourceCounters {
 public:
  SourceCounters(userspace::Stats& stats, const std::string& source);

  // Adds `t` to the counters and zeroes it.
  void publish(PacketTally& t);

  const std::string& prefix() const { return prefix_; }  // "capture.<source>."
  userspace::Counter& received() { return received_; }
  userspace::Counter& ip_packets() { return ip_packets_; }
  userspace::Counter& ip_bytes() { return ip_bytes_; }
  userspace::Counter& not_parsed() { return not_parsed_; }

 private:
  std::string prefix_;
  userspace::Counter& received_;
  userspace::Counter& ip_packets_;
  userspace::Counter& ip_bytes_;
  userspace::Counter& partial_;
  userspace::Counter& not_parsed_;
  userspace::Counter& non_ip_;
  userspace::Counter& truncated_;
  userspace::Counter& malformed_;
  userspace::Counter& frag_first_;
  userspace::Counter& frag_ports_;
  userspace::Counter& frag_no_first_;
  userspace::Counter& frag_evictions_;
};

}  // namespace xacct::capture
