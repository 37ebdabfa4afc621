// BgpServer: the passive BGP speaker of the collect role (pmacct's
// bgp_daemon thread of nfacctd; later the pmbgpd-like role). One Boost.Asio
// io_context on a thread of its own: a listening socket (bgp_daemon_ip /
// bgp_daemon_port, SO_REUSEPORT; "" listens on every IPv4 and IPv6 address
// through one dual-stack socket) and one BgpSession per accepted peer.
//
// Peers beyond bgp_daemon_max_peers, or not in bgp_daemon_allow_file, are
// accepted, sent a Cease / Connection Rejected NOTIFICATION and closed
// (pmacct closes them silently), counted in bgp.sessions.refused and logged.
// Decoded routes go to the RouteSink the caller passes in; the server keeps
// no routes itself.
//
// Stats (userspace/stats.hpp):
//   bgp.sessions.{accepted,refused,established,closed}
//   bgp.peer.<ip>.{updates,prefixes_announced,prefixes_withdrawn,malformed,
//                  notifications_sent,notifications_received,skipped_families}
// Logger "bgp".
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "bgp/bgp_server_config.hpp"
#include "bgp/bgp_session.hpp"
#include "bgp/bgp_types.hpp"
#include "userspace/result.hpp"
#include "userspace/stats.hpp"

namespace xacct::bgp {

struct BgpServerOptions {
  std::string ip;                       // "" = every IPv4 and IPv6 address (dual-stack "::", else 0.0.0.0)
  std::uint16_t port = 179;             // 0 = any free port (tests; see BgpServer::port())
  std::uint32_t max_peers = 4;          // sessions at once
  std::string allow_file;               // "" = every peer (collector/allow_list.hpp format)
  SessionConfig session;                // local AS, BGP ID, hold time
  SessionObserver* observer = nullptr;  // optional tap of session events
};

// From the config keys (bgp_server_config.hpp): bgp_daemon_ip/port/as/id/
// max_peers/allow_file. Fails on an address that does not parse or a BGP ID
// that is not IPv4. bgp_daemon_id defaults to bgp_daemon_ip when that is a
// specific IPv4 address, else 1.2.3.4 (pmacct).
userspace::Result<BgpServerOptions> bgp_server_options(const BgpDaemonConfig& config);

class BgpServer {
 public:
  BgpServer(BgpServerOptions options, RouteSink& sink, userspace::Stats& stats);
  ~BgpServer();
  BgpServer(const BgpServer&) = delete;
  BgpServer& operator=(const BgpServer&) = delete;

  // Binds and listens, then runs the I/O thread; returns at once.
  userspace::Status start();
  // Sends every session a Cease / Administrative Shutdown NOTIFICATION,
  // closes it (on_peer_down for each established one), joins the thread.
  // Idempotent; the destructor calls it.
  void stop();

  // The bound port (the configured one, or the kernel's pick for port 0).
  std::uint16_t port() const { return bound_port_; }
  // Sessions open now (any state).
  std::size_t sessions() const { return active_.load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t bound_port_ = 0;
  std::atomic<std::size_t> active_{0};
};

}  // namespace xacct::bgp
