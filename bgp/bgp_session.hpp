// One passive BGP session (pmacct's bgp_daemon peer): a TCP connection
// accepted by BgpServer, driven on the server's io_context thread.
//
//   accepted -> OpenWait: the peer's OPEN (checked by parse_open) ->
//   we send OPEN (passive_open_reply) + KEEPALIVE -> OpenConfirm: the peer's
//   KEEPALIVE -> Established: UPDATEs decoded (parse_update) and handed to
//   the RouteSink; KEEPALIVEs every hold/3; the hold timer (min of both
//   OPENs' hold times, none when 0) closes silent peers.
//
// Errors send the NOTIFICATION RFC 4271 6 names (the WireError's code) and
// close. Whenever an Established session ends, for any reason (error, the
// peer's NOTIFICATION or EOF, hold timer, stop), RouteSink::on_peer_down runs
// once. The session never sends UPDATEs. Data path: no exceptions (Asio's
// error_code overloads only); bad input is counted and logged, rate limited.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bgp/bgp_types.hpp"
#include "bgp/bgp_wire.hpp"
#include "userspace/stats.hpp"

namespace xacct::bgp {

// Session events besides routes, for the taps of later issues (msglog,
// looking glass peer list). Called on the I/O thread; default no-ops.
class SessionObserver {
 public:
  virtual ~SessionObserver() = default;
  virtual void on_established(const PeerKey& /*peer*/, const OpenMessage& /*received*/,
                              const OpenMessage& /*sent*/) {}
  virtual void on_closed(const PeerKey& /*peer*/, bool /*was_established*/, const std::string& /*reason*/) {}
};

struct SessionConfig {
  std::uint32_t local_as = 0;         // 0 = mirror the peer's AS
  std::uint32_t bgp_id = 0x01020304;  // host order
  std::uint16_t hold_time = 0;        // what we propose; 0 = the peer's value
  // Hold timer before the OPEN arrives (RFC 4271 8.2.2 suggests 4 minutes).
  std::chrono::milliseconds open_wait{std::chrono::minutes(4)};
};

// bgp.peer.<ip>.* counters of one peer address.
struct PeerCounters {
  userspace::Counter* updates = nullptr;
  userspace::Counter* prefixes_announced = nullptr;
  userspace::Counter* prefixes_withdrawn = nullptr;
  userspace::Counter* malformed = nullptr;
  userspace::Counter* notifications_sent = nullptr;
  userspace::Counter* notifications_received = nullptr;
  userspace::Counter* skipped_families = nullptr;  // MP_REACH/MP_UNREACH of families not kept
};

class BgpSession : public std::enable_shared_from_this<BgpSession> {
 public:
  // on_closed: called once when the session ends (after on_peer_down).
  BgpSession(boost::asio::ip::tcp::socket socket, const SessionConfig& config, RouteSink& sink,
             SessionObserver* observer, PeerCounters counters, userspace::Counter& established,
             std::function<void(BgpSession*)> on_closed);

  void start();
  // Cease / Administrative Shutdown with `text` (RFC 9003), then close (at
  // most 1 s later if the peer does not read).
  void shutdown(const std::string& text);

  const PeerKey& peer() const { return peer_; }
  bool established() const { return state_ == State::kEstablished; }

 private:
  enum class State : std::uint8_t { kOpenWait, kOpenConfirm, kEstablished, kClosing, kClosed };

  void read();
  void on_read(std::size_t n);
  // One complete message; false when the session closes.
  bool handle(Bytes message, MessageType type);
  bool handle_open(Bytes message);
  bool handle_update(Bytes message);
  void deliver(UpdateMessage& update, const UpdateInfo& info);
  void send(std::vector<std::uint8_t> message);
  void write_next();
  // Sends the NOTIFICATION and closes once it is written.
  void fail(std::uint8_t code, std::uint8_t subcode, Bytes data, const std::string& reason);
  void close(const std::string& reason);
  void arm_hold_timer(std::chrono::milliseconds after);
  void arm_keepalive_timer();
  void log_malformed(const std::string& what);

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer hold_timer_;
  boost::asio::steady_timer keepalive_timer_;
  const SessionConfig& config_;
  RouteSink& sink_;
  SessionObserver* observer_;
  PeerCounters counters_;
  userspace::Counter& established_;
  std::function<void(BgpSession*)> on_closed_;

  State state_ = State::kOpenWait;
  bool reached_established_ = false;  // on_peer_down is owed when it closes
  PeerKey peer_;
  std::string peer_text_;  // "198.18.0.2:40000" for logs
  OpenMessage received_open_;
  OpenMessage sent_open_;
  SessionCaps caps_;
  std::chrono::seconds hold_{0};
  std::chrono::milliseconds hold_limit_{0};  // silence that closes the session; 0 = none
  std::chrono::steady_clock::time_point last_rx_{};
  std::vector<std::uint8_t> buf_;
  std::size_t have_ = 0;
  std::deque<std::vector<std::uint8_t>> out_;
  bool writing_ = false;
  bool close_after_write_ = false;
  std::string close_reason_;
  std::chrono::steady_clock::time_point last_log_{};
  std::uint64_t suppressed_logs_ = 0;
  UpdateMessage update_;  // reused across UPDATEs
  UpdateMessage mp_part_;
  UpdateInfo info_;
};

}  // namespace xacct::bgp
