// BmpRouter: what the station knows about one connected router (one BMP
// session), and what it does with each of its messages. No I/O: the station
// (bmp_station.cpp) feeds it whole messages from the stream splitter, so the
// per-router logic is tested without sockets.
//
//   peers      keyed by (peer address, distinguisher, Loc-RIB): the
//              capabilities from Peer Up (ADD-PATH per AFI), the remote
//              port, and the PeerKeys that had routes delivered (pre-policy,
//              post-policy), so Peer Down withdraws exactly those.
//   messages   see bmp_station.hpp for what each type does and the stats.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "bgp/bgp_types.hpp"
#include "bgp/bmp_decoder.hpp"
#include "userspace/stats.hpp"

namespace spdlog {
class logger;
}

namespace xacct::bgp {

class BmpRouter {
 public:
  BmpRouter(const IpAddress& router, RouteSink& sink, userspace::Stats& stats);

  // One complete BMP message (bmp::StreamSplitter output).
  void on_message(Bytes msg);
  // A malformed message or broken stream seen by the caller (counted, logged).
  void malformed(const bmp::DecodeError& err);
  // The router is gone (TCP close, broken stream, station stop): every peer
  // with routes goes down through the sink. Idempotent.
  void close();

  const std::string& name() const { return name_; }
  std::size_t peer_count() const { return peers_.size(); }

 private:
  using PeerId = std::tuple<std::array<std::uint8_t, 16>, bool, std::uint64_t, bool>;
  struct Peer {
    bool up = false;  // a Peer Up was seen
    SessionCaps caps;
    std::uint16_t remote_port = 0;
    std::vector<PeerKey> keys;  // keys with routes delivered
  };

  static PeerId peer_id(const bmp::PerPeerHeader& h);
  PeerKey key_of(const bmp::PerPeerHeader& h, const Peer& p) const;
  void peer_down(PeerId id);
  void route_monitoring(Bytes msg);
  void peer_up(Bytes msg);
  void peer_down_msg(Bytes msg);
  void stats_report(Bytes msg);

  IpAddress router_;
  std::string name_;    // router address as text
  std::string prefix_;  // "bmp.router.<ip>."
  RouteSink& sink_;
  userspace::Stats& stats_;
  std::shared_ptr<spdlog::logger> log_;
  std::map<PeerId, Peer> peers_;
  bool closed_ = false;
  std::uint32_t router_bgp_id_ = 0;  // PeerKey::router_bgp_id

  userspace::Counter& messages_;
  userspace::Counter& route_monitoring_;
  userspace::Counter& peer_up_;
  userspace::Counter& peer_down_;
  userspace::Counter& stats_reports_;
  userspace::Counter& malformed_;
  userspace::Counter& initiation_;
  userspace::Counter& termination_;
  userspace::Counter& route_mirroring_;
  userspace::Counter& adj_rib_out_;
  userspace::Counter& rm_without_peer_up_;
  userspace::Counter& announced_;
  userspace::Counter& withdrawn_;
  userspace::Counter& stats_dropped_;  // statistics beyond kMaxStatCounters

  static constexpr std::size_t kMaxStatCounters = 1024;
  std::map<std::string, userspace::Counter*> stat_counters_;

  // Rate limit of the malformed-message log: one line a second.
  std::chrono::steady_clock::time_point last_log_{};
  std::uint64_t suppressed_ = 0;
};

}  // namespace xacct::bgp
