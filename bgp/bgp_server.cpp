// See bgp_server.hpp.
#include "bgp/bgp_server.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <map>

#include "collector/allow_list.hpp"
#include "userspace/logging.hpp"
#include "userspace/maps/ip_prefix.hpp"
#include "userspace/primitive_encodings.hpp"

namespace xacct::bgp {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

std::shared_ptr<spdlog::logger> logger() { return userspace::get_logger("bgp"); }

IpAddress to_ip(asio::ip::address a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  auto parsed = maps::parse_ip(a.to_string());
  return parsed ? parsed.value() : IpAddress{};
}

std::uint32_t ipv4_host_order(const IpAddress& a) {
  return static_cast<std::uint32_t>(a.bytes[12]) << 24 | static_cast<std::uint32_t>(a.bytes[13]) << 16 |
         static_cast<std::uint32_t>(a.bytes[14]) << 8 | a.bytes[15];
}

}  // namespace

userspace::Result<BgpServerOptions> bgp_server_options(const BgpDaemonConfig& c) {
  BgpServerOptions o;
  o.ip = c.ip;
  o.port = c.port;
  o.max_peers = c.max_peers;
  o.allow_file = c.allow_file;
  o.session.local_as = c.as;
  std::uint32_t id = 0x01020304;  // pmacct's default when there is no IPv4 listening address
  if (!c.ip.empty()) {
    auto ip = maps::parse_ip(c.ip);
    if (!ip) return userspace::make_error("bgp_daemon_ip: " + ip.error().message);
    if (!ip.value().is_v6 && ipv4_host_order(ip.value()) != 0) id = ipv4_host_order(ip.value());
  }
  if (!c.id.empty()) {
    auto ip = maps::parse_ip(c.id);
    if (!ip || ip.value().is_v6 || ipv4_host_order(ip.value()) == 0) {
      return userspace::make_error("bgp_daemon_id: '" + c.id + "' is not a non-zero IPv4 address");
    }
    id = ipv4_host_order(ip.value());
  }
  o.session.bgp_id = id;
  return o;
}

struct BgpServer::Impl {
  Impl(BgpServerOptions opts, RouteSink& s, userspace::Stats& st, std::atomic<std::size_t>& a)
      : options(std::move(opts)),
        sink(s),
        stats(st),
        active(a),
        acceptor(io),
        accept_retry(io),
        accepted(st.counter("bgp.sessions.accepted")),
        refused(st.counter("bgp.sessions.refused")),
        established(st.counter("bgp.sessions.established")),
        closed(st.counter("bgp.sessions.closed")) {}

  BgpServerOptions options;
  RouteSink& sink;
  userspace::Stats& stats;
  std::atomic<std::size_t>& active;
  asio::io_context io;
  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;  // after an accept error (out of descriptors)
  std::unique_ptr<collector::AllowList> allow;
  std::thread thread;
  bool stopping = false;                                        // I/O thread only
  std::map<BgpSession*, std::shared_ptr<BgpSession>> sessions;  // I/O thread only
  userspace::Counter& accepted;
  userspace::Counter& refused;
  userspace::Counter& established;
  userspace::Counter& closed;

  // Counters live as long as the daemon: after kMaxPeerCounterSets
  // distinct peer addresses (connections from ever-new addresses), further
  // peers share "bgp.peer.other.*" so that memory stays bounded.
  static constexpr std::size_t kMaxPeerCounterSets = 4096;

  PeerCounters counters(const IpAddress& peer) {
    const std::string name = stats.bounded_label("bgp.peer", userspace::ip_text(peer), kMaxPeerCounterSets);
    const std::string p = "bgp.peer." + name + ".";
    PeerCounters c;
    c.updates = &stats.counter(p + "updates");
    c.prefixes_announced = &stats.counter(p + "prefixes_announced");
    c.prefixes_withdrawn = &stats.counter(p + "prefixes_withdrawn");
    c.malformed = &stats.counter(p + "malformed");
    c.notifications_sent = &stats.counter(p + "notifications_sent");
    c.notifications_received = &stats.counter(p + "notifications_received");
    c.skipped_families = &stats.counter(p + "skipped_families");
    return c;
  }

  void accept() {
    acceptor.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
      if (stopping || !acceptor.is_open()) return;
      if (!ec) {
        admit(std::move(socket));
        return accept();
      }
      // Out of descriptors or memory: accepting again at once would spin
      // (the connection stays in the backlog); retry in 100 ms.
      logger()->warn("accept: {}", ec.message());
      accept_retry.expires_after(std::chrono::milliseconds(100));
      accept_retry.async_wait([this](const boost::system::error_code& wait_ec) {
        if (!wait_ec && !stopping && acceptor.is_open()) accept();
      });
    });
  }

  void refuse(tcp::socket& socket, const std::string& who, const std::string& why) {
    refused.add();
    logger()->warn("peer {}: connection refused: {}", who, why);
    // Cease / Connection Rejected (RFC 4486); 21 bytes into a fresh socket's
    // empty send buffer does not block.
    auto m = encode_notification(notify::kCease, notify::kConnectionRejected);
    boost::system::error_code ec;
    asio::write(socket, asio::buffer(m), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  void admit(tcp::socket socket) {
    boost::system::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (ec) return;
    const IpAddress peer = to_ip(remote.address());
    const std::string who = userspace::ip_text(peer) + ":" + std::to_string(remote.port());
    if (allow && !allow->rules()->allowed(peer)) {
      refuse(socket, who, "not in bgp_daemon_allow_file");
      return;
    }
    if (sessions.size() >= options.max_peers) {
      refuse(socket, who,
             "bgp_daemon_max_peers (" + std::to_string(options.max_peers) + ") sessions are open");
      return;
    }
    accepted.add();
    auto session = std::make_shared<BgpSession>(std::move(socket), options.session, sink, options.observer,
                                                counters(peer), established, [this](BgpSession* s) {
                                                  closed.add();
                                                  sessions.erase(s);
                                                  active.store(sessions.size());
                                                });
    sessions.emplace(session.get(), session);
    active.store(sessions.size());
    logger()->info("peer {}: connected ({}/{} sessions)", who, sessions.size(), options.max_peers);
    session->start();
  }
};

BgpServer::BgpServer(BgpServerOptions options, RouteSink& sink, userspace::Stats& stats)
    : impl_(std::make_unique<Impl>(std::move(options), sink, stats, active_)) {}

BgpServer::~BgpServer() { stop(); }

userspace::Status BgpServer::start() {
  Impl& m = *impl_;
  if (!m.options.allow_file.empty()) {
    auto allow = collector::AllowList::create(m.options.allow_file);
    if (!allow) return userspace::make_error("bgp_daemon_allow_file: " + allow.error().message);
    m.allow = std::move(allow.value());
  }
  boost::system::error_code ec;
  // "" = dual-stack "::" (IPv4 peers arrive v4-mapped), or 0.0.0.0 where
  // the host has no IPv6.
  std::vector<asio::ip::address> candidates;
  if (m.options.ip.empty()) {
    candidates = {asio::ip::address_v6::any(), asio::ip::address_v4::any()};
  } else {
    auto a = asio::ip::make_address(m.options.ip, ec);
    if (ec) return userspace::make_error("bgp_daemon_ip '" + m.options.ip + "': " + ec.message());
    candidates = {a};
  }
  std::string last_error;
  for (const auto& addr : candidates) {
    tcp::endpoint ep(addr, m.options.port);
    const std::string where = "[" + addr.to_string() + "]:" + std::to_string(m.options.port);
    m.acceptor.open(ep.protocol(), ec);
    if (ec) {
      last_error = "bgp: socket for " + where + ": " + ec.message();
      continue;
    }
    m.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    m.acceptor.set_option(reuse_port(true), ec);
    if (addr.is_v6() && addr.is_unspecified()) m.acceptor.set_option(asio::ip::v6_only(false), ec);
    m.acceptor.bind(ep, ec);
    if (!ec) m.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      last_error = "bgp: listen on " + where + ": " + ec.message();
      boost::system::error_code ignored;
      m.acceptor.close(ignored);
      continue;
    }
    last_error.clear();
    break;
  }
  if (!last_error.empty()) return userspace::make_error(last_error);
  bound_port_ = m.acceptor.local_endpoint(ec).port();
  logger()->info("listening on [{}]:{}, at most {} peers, BGP ID {}.{}.{}.{}, AS {}",
                 m.acceptor.local_endpoint(ec).address().to_string(), bound_port_, m.options.max_peers,
                 m.options.session.bgp_id >> 24, m.options.session.bgp_id >> 16 & 0xff,
                 m.options.session.bgp_id >> 8 & 0xff, m.options.session.bgp_id & 0xff,
                 m.options.session.local_as != 0 ? std::to_string(m.options.session.local_as)
                                                 : std::string("of each peer"));
  m.accept();
  m.thread = std::thread([&m] {
    auto guard = asio::make_work_guard(m.io);
    m.io.run();
  });
  return userspace::Ok{};
}

void BgpServer::stop() {
  Impl& m = *impl_;
  if (!m.thread.joinable()) return;
  asio::post(m.io, [&m] {
    m.stopping = true;
    boost::system::error_code ec;
    m.acceptor.close(ec);
    m.accept_retry.cancel();
    // Copies: shutdown may close (and erase) a session at once.
    std::vector<std::shared_ptr<BgpSession>> all;
    for (auto& [p, s] : m.sessions) all.push_back(s);
    for (auto& s : all) s->shutdown("xacct shutting down");
  });
  // Sessions close once their NOTIFICATION is written, at most 1 s later.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (active_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  m.io.stop();
  m.thread.join();
}

}  // namespace xacct::bgp
