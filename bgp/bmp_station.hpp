// BmpStation: the BMP station (RFC 7854) of `xacctd collect` with
// `bmp_daemon: true` (pmacct's bmp_daemon thread; a pmbmpd-like role can run
// it on its own). Routers connect over TCP and stream BMP messages; the
// station decodes them (bmp_decoder.hpp) and hands routes to a RouteSink.
//
//   listener   one Boost.Asio acceptor on bmp_daemon_ip:bmp_daemon_port
//              ("" = "::" dual stack, IPv4 routers reported as IPv4),
//              SO_REUSEADDR + SO_REUSEPORT, one I/O thread for every session.
//              A connection beyond bmp_daemon_max_peers, or from a router
//              not in bmp_daemon_allow_file, is closed at once and counted.
//   per router PeerKey{source kBmp, router = the session's remote address,
//              peer_addr / bgp_id / peer_as / distinguisher / post_policy /
//              loc_rib from the per-peer header}. Peer Up stores the peer's
//              capabilities (ADD-PATH per AFI) for its Route Monitoring;
//              Route Monitoring without a Peer Up is still decoded (no
//              ADD-PATH), as gobgpd sends Loc-RIB that way. Adj-RIB-Out
//              (RFC 8671 O flag) is counted and not delivered: flows are
//              enriched from what a router received or selected.
//   down       Peer Down calls on_peer_down for every key of that peer that
//              had routes (pre-policy, post-policy); the router's TCP close,
//              a broken stream and stop() do so for all its peers.
//   errors     a malformed message is counted and skipped (logged at most
//              once a second per router, with the number suppressed); only
//              a broken common header (version, length) closes the session,
//              because the stream cannot be resynchronised after it.
//
// Stats: bmp.sessions.{accepted,refused,closed};
// bmp.router.<ip>.{messages,route_monitoring,peer_up,peer_down,stats_reports,
// malformed,initiation,termination,route_mirroring,adj_rib_out,
// rm_without_peer_up,announced,withdrawn,stats_dropped}; statistics reports
// of a known peer (Peer Up or routes seen) set
// bmp.router.<ip>.peer.<peer ip>.stat.<type>[.<afi>.<safi>] to the value
// last reported (at most 1024 such counters per router; more are counted in
// stats_dropped). Logger "bmp".
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "bgp/bgp_types.hpp"
#include "bgp/bmp_config.hpp"
#include "userspace/result.hpp"
#include "userspace/stats.hpp"

namespace xacct::bgp {

struct BmpStationOptions {
  std::string ip;               // "" or "::" = dual stack; an IPv4 address binds AF_INET
  std::uint16_t port = 1790;    // 0 = an ephemeral port (tests; see BmpStation::port())
  std::uint32_t max_peers = 4;  // concurrent router sessions
  std::string allow_file;       // "" = allow every router (collector/allow_list.hpp format)
};

// bmp_daemon_* keys -> options; fails on an address that does not parse or
// max_peers 0 ("bmp_daemon_ip: 'x' is not an IP address").
userspace::Result<BmpStationOptions> make_bmp_station_options(const BmpDaemonConfig& config);

class BmpStation {
 public:
  // Nothing happens until start(). `sink` and `stats` must outlive the station.
  BmpStation(BmpStationOptions options, RouteSink& sink, userspace::Stats& stats);
  ~BmpStation();  // stop()
  BmpStation(const BmpStation&) = delete;
  BmpStation& operator=(const BmpStation&) = delete;

  // Reads the allow file, binds and listens (errors name the address:
  // "bmp: bind [::]:1790: Address already in use"), starts the I/O thread.
  userspace::Status start();
  // Closes the listener and every session (their peers go down through the
  // sink), joins the thread. Idempotent.
  void stop();

  // The bound port (after start(); useful with port 0).
  std::uint16_t port() const;
  // Re-reads bmp_daemon_allow_file (SIGUSR2); new connections use it.
  userspace::Status reload_allow_file();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xacct::bgp
