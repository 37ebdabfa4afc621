// See bmp_station.hpp. One io_context on one thread: the acceptor and every
// session's reads run there, so a session (BmpRouter) is only ever touched
// by that thread and needs no lock; the sink is the only shared object.
#include "bgp/bmp_station.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "bgp/bmp_decoder.hpp"
#include "bgp/bmp_router.hpp"
#include "collector/allow_list.hpp"
#include "userspace/logging.hpp"
#include "userspace/primitive_encodings.hpp"

namespace xacct::bgp {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

IpAddress to_ip(const asio::ip::address& a) {
  IpAddress ip;
  if (a.is_v6() && !a.to_v6().is_v4_mapped()) {
    auto b = a.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), ip.bytes.begin());
    ip.is_v6 = true;
    return ip;
  }
  const auto v4 = a.is_v4() ? a.to_v4() : asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  auto b = v4.to_bytes();
  ip.bytes[10] = 0xff;
  ip.bytes[11] = 0xff;
  std::copy(b.begin(), b.end(), ip.bytes.begin() + 12);
  return ip;
}

std::string endpoint_text(const std::string& ip, std::uint16_t port) {
  const bool v6 = ip.empty() || ip.find(':') != std::string::npos;
  return (v6 ? "[" + (ip.empty() ? std::string("::") : ip) + "]" : ip) + ":" + std::to_string(port);
}

}  // namespace

userspace::Result<BmpStationOptions> make_bmp_station_options(const BmpDaemonConfig& config) {
  BmpStationOptions o;
  o.ip = config.ip;
  o.port = config.port;
  o.max_peers = config.max_peers;
  o.allow_file = config.allow_file;
  if (!o.ip.empty()) {
    boost::system::error_code ec;
    asio::ip::make_address(o.ip, ec);
    if (ec) return userspace::make_error("bmp_daemon_ip: '" + o.ip + "' is not an IP address");
  }
  if (o.max_peers == 0) return userspace::make_error("bmp_daemon_max_peers: must be at least 1");
  return o;
}

// One router's TCP session.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const IpAddress& router, RouteSink& sink, userspace::Stats& stats,
          std::function<void(Session*)> on_closed)
      : socket_(std::move(socket)), router_(router, sink, stats), on_closed_(std::move(on_closed)) {}

  void start() { read(); }

  // Router gone or station stopping: withdraw its peers, close the socket.
  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    router_.close();
    on_closed_(this);
  }

  const BmpRouter& router() const { return router_; }

 private:
  void read() {
    socket_.async_read_some(
        asio::buffer(buf_), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (self->closed_) return;
          if (ec) return self->close();
          bmp::DecodeError err;
          const bool ok = self->splitter_.feed(
              Bytes(self->buf_.data(), n), [&](Bytes msg) { self->router_.on_message(msg); }, err);
          if (!ok) {
            // The length or version field is broken: no way to find the next
            // message boundary.
            self->router_.malformed(err);
            userspace::get_logger("bmp")->warn(
                "router {}: closing the session: stream cannot be resynchronised", self->router_.name());
            return self->close();
          }
          self->read();
        });
  }

  tcp::socket socket_;
  BmpRouter router_;
  bmp::StreamSplitter splitter_;
  std::array<std::uint8_t, 65536> buf_{};
  std::function<void(Session*)> on_closed_;
  bool closed_ = false;
};

class BmpStation::Impl {
 public:
  Impl(BmpStationOptions options, RouteSink& sink, userspace::Stats& stats)
      : options_(std::move(options)),
        sink_(sink),
        stats_(stats),
        log_(userspace::get_logger("bmp")),
        acceptor_(io_),
        retry_(io_),
        accepted_(stats.counter("bmp.sessions.accepted")),
        refused_(stats.counter("bmp.sessions.refused")),
        closed_(stats.counter("bmp.sessions.closed")) {}

  userspace::Status start() {
    auto allow = collector::AllowList::create(options_.allow_file);
    if (!allow) return userspace::make_error("bmp: bmp_daemon_allow_file: " + allow.error().message);
    allow_ = std::move(allow.value());
    const std::string where = endpoint_text(options_.ip, options_.port);
    boost::system::error_code ec;
    asio::ip::address addr = options_.ip.empty() ? asio::ip::address(asio::ip::address_v6::any())
                                                 : asio::ip::make_address(options_.ip, ec);
    if (ec) return userspace::make_error("bmp: listen address '" + options_.ip + "': " + ec.message());
    tcp::endpoint ep(addr, options_.port);
    if (acceptor_.open(ep.protocol(), ec))
      return userspace::make_error("bmp: socket " + where + ": " + ec.message());
    if (addr.is_v6()) acceptor_.set_option(asio::ip::v6_only(false), ec);  // IPv4 routers too
    acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (acceptor_.set_option(ReusePort(true), ec)) {
      return userspace::make_error("bmp: SO_REUSEPORT on " + where + ": " + ec.message());
    }
    if (acceptor_.bind(ep, ec)) return userspace::make_error("bmp: bind " + where + ": " + ec.message());
    if (acceptor_.listen(asio::socket_base::max_listen_connections, ec)) {
      return userspace::make_error("bmp: listen " + where + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint(ec).port();
    log_->info("BMP station listening on {} (max {} routers)", endpoint_text(options_.ip, port_),
               options_.max_peers);
    accept();
    thread_ = std::thread([this] { io_.run(); });
    return userspace::Ok{};
  }

  void stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] {
      boost::system::error_code ec;
      acceptor_.close(ec);
      retry_.cancel();
      // close() erases from sessions_ (on_closed): iterate over a copy.
      auto sessions = sessions_;
      for (const auto& s : sessions) s->close();
    });
    thread_.join();
  }

  std::uint16_t port() const { return port_; }

  userspace::Status reload_allow_file() {
    if (!allow_) return userspace::Ok{};
    return allow_->reload();
  }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (!acceptor_.is_open()) return;
      if (!ec) {
        admit(std::move(socket));
        return accept();
      }
      // Out of descriptors or memory: accepting again at once would spin.
      log_->warn("accept on port {}: {}", port_, ec.message());
      retry_.expires_after(std::chrono::milliseconds(100));
      retry_.async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec && acceptor_.is_open()) accept();
      });
    });
  }

  void admit(tcp::socket socket) {
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) return;
    const IpAddress router = to_ip(remote.address());
    const char* why = nullptr;
    if (sessions_.size() >= options_.max_peers) {
      why = "bmp_daemon_max_peers reached";
    } else if (!allow_->rules()->allowed(router)) {
      why = "not in bmp_daemon_allow_file";
    }
    if (why != nullptr) {
      refused_.add();
      log_->warn("router {} port {}: connection refused: {}", userspace::ip_text(router), remote.port(), why);
      socket.close(ec);
      return;
    }
    accepted_.add();
    log_->info("router {} port {}: BMP session up ({} of {})", userspace::ip_text(router), remote.port(),
               sessions_.size() + 1, options_.max_peers);
    auto s = std::make_shared<Session>(std::move(socket), router, sink_, stats_, [this](Session* gone) {
      closed_.add();
      log_->info("router {}: BMP session closed", gone->router().name());
      for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
        if (it->get() == gone) {
          sessions_.erase(it);
          break;
        }
      }
    });
    sessions_.insert(s);
    s->start();
  }

  BmpStationOptions options_;
  RouteSink& sink_;
  userspace::Stats& stats_;
  std::shared_ptr<spdlog::logger> log_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  std::unique_ptr<collector::AllowList> allow_;
  std::set<std::shared_ptr<Session>> sessions_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  userspace::Counter& accepted_;
  userspace::Counter& refused_;
  userspace::Counter& closed_;
};

BmpStation::BmpStation(BmpStationOptions options, RouteSink& sink, userspace::Stats& stats)
    : impl_(std::make_unique<Impl>(std::move(options), sink, stats)) {}

BmpStation::~BmpStation() { stop(); }

userspace::Status BmpStation::start() { return impl_->start(); }
void BmpStation::stop() { impl_->stop(); }
std::uint16_t BmpStation::port() const { return impl_->port(); }
userspace::Status BmpStation::reload_allow_file() { return impl_->reload_allow_file(); }

}  // namespace xacct::bgp
