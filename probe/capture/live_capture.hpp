// LiveCapture: pmacctd's live libpcap capture, one thread per interface.
// Each interface is opened with pcap_create() and immediate mode off, so
// that libpcap uses TPACKET_V3 (its default on Linux): the kernel fills
// blocks of a large ring (CaptureConfig::buffer_bytes) and wakes the reader
// once per block, not once per packet; a block is handed over when full or
// after block_timeout_ms. Then snaplen, promisc, pcap_filter and
// pcap_direction (pcap_setdirection). The thread polls the socket and an
// eventfd (stop and stats requests), reads every ready block with
// pcap_dispatch() in non-blocking mode and delivers the partial batch after
// each read, so a record waits at most one block timeout at low rates.
//
// Counters, per interface under "capture.<ifname>.": those of
// capture_stats.hpp, plus libpcap's pcap_stats(), refreshed every second
// and on refresh_stats() (SIGUSR1):
//   packets       ps_recv: packets the kernel passed to the socket (after
//                 the filter), dropped ones included
//   kernel_drops  ps_drop: dropped because the ring was full
//   ifdrops       ps_ifdrop: dropped by the interface before the capture
//   tpacket_version 3 when the socket runs TPACKET_V3 (read back from the
//                 socket with PACKET_VERSION, not assumed)
//   ring_bytes    the ring size asked for (CaptureConfig::buffer_bytes)
//   immediate     0: immediate mode is off (blocks, not per-packet wake-ups)
// Interfaces can be added and removed while the others run
// (pcap_interfaces_map reloads): remove_interface() stops that one thread
// the way stop() does, so what reached its ring is counted.
// stop() waits for the block in progress to be handed over (at most twice
// the block timeout) and reads it, so packets that reached the ring before
// stop() are counted.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "probe/capture/batch_output.hpp"
#include "probe/capture/capture_config.hpp"
#include "userspace/result.hpp"
#include "userspace/stats.hpp"

namespace xacct::capture {

// One interface and how its records are tagged (pcap_interfaces_map gives
// them per line; without a map they come from pcap_direction/pcap_ifindex).
struct LiveInterface {
  std::string name;
  userspace::Direction direction = userspace::Direction::kUnknown;  // capture direction; unknown = both
  std::uint32_t ifindex = 0;       // records carry it only with a direction (as pmacct)
  bool ifindex_from_link = false;  // pcap_ifindex: sys (a cooked v2 capture gives it per packet)
};

class LiveCapture {
 public:
  // No interface yet: add them with add_interface().
  static std::unique_ptr<LiveCapture> create_empty(const CaptureConfig& config, userspace::Stats& stats,
                                                   BatchOutput output);
  // Opens and activates every interface of config.interfaces (none may
  // fail: on error nothing stays open). Packets are captured from then on,
  // and read once start() runs.
  static userspace::Result<std::unique_ptr<LiveCapture>> create(const CaptureConfig& config,
                                                                userspace::Stats& stats, BatchOutput output);
  ~LiveCapture();  // stop()
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  void start();
  // Opens one more interface (its thread starts at once if start() ran).
  // Returns its description. Control thread only.
  userspace::Result<std::string> add_interface(const LiveInterface& iface);
  // Stops one interface with a final read of its ring, and closes it.
  userspace::Status remove_interface(const std::string& name);
  bool has_interface(const std::string& name) const;
  // True when that interface's capture stopped on an error (the interface
  // went away, ...): a reload restarts it.
  bool failed(const std::string& name) const;
  // Final read of every ring, pcap_stats, last batches delivered; joins.
  void stop();
  // Asks every interface thread for fresh pcap_stats and waits (at most
  // about a second) until they are in the Stats registry.
  void refresh_stats();

  // "eth0 (EN10MB, ifindex 2, in), ..." for the start-up log.
  std::string describe() const;

 private:
  struct Interface;
  LiveCapture(const CaptureConfig& config, userspace::Stats& stats, BatchOutput output);
  static std::string describe(const Interface& i);
  CaptureConfig config_;
  userspace::Stats& stats_;
  std::shared_ptr<const BatchOutput> output_;
  std::vector<std::unique_ptr<Interface>> interfaces_;
  bool started_ = false;
};

}  // namespace xacct::capture
