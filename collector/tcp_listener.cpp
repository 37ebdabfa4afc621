// See tcp_listener.hpp.
#include "collector/tcp_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "collector/decode_counted.hpp"
#include "collector/exporter_stats.hpp"
#include "collector/ipfix_stream.hpp"
#include "collector/listen_address.hpp"
#include "userspace/logging.hpp"

namespace xacct::collector {
namespace {

constexpr int kPollTimeoutMs = 200;
constexpr std::size_t kReadSize = 65536;
constexpr std::size_t kPushRecords = 4096;
constexpr userspace::TimestampNs kLogEveryNs = 1000000000;
constexpr userspace::TimestampNs kAcceptPauseNs = 100000000;  // after running out of descriptors

userspace::TimestampNs now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<userspace::TimestampNs>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

userspace::IpAddress address_of(const sockaddr_storage& ss, std::uint16_t& port) {
  userspace::IpAddress a;
  port = 0;
  if (ss.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(ss);
    a.bytes[10] = 0xff;
    a.bytes[11] = 0xff;
    std::memcpy(a.bytes.data() + 12, &in.sin_addr, 4);
    port = ntohs(in.sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(ss);
    std::memcpy(a.bytes.data(), &in6.sin6_addr, 16);
    a.is_v6 = !IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr);
    port = ntohs(in6.sin6_port);
  }
  return a;
}

}  // namespace

struct TcpListener::Conn {
  int fd = -1;
  userspace::IpAddress exporter;
  std::uint16_t exporter_port = 0;
  std::string name;  // "192.0.2.1:40000" for logs
  IpfixStreamSplitter splitter;
  std::unique_ptr<DatagramDecoder> decoder;
};

struct TcpListener::Counters {
  Counters(userspace::Stats& s, const std::string& p)
      : accepted(s.counter(p + "accepted")),
        closed(s.counter(p + "closed")),
        rejected(s.counter(p + "rejected")),
        denied(s.counter(p + "denied")),
        framing_errors(s.counter(p + "framing_errors")),
        receive_errors(s.counter(p + "receive_errors")),
        messages(s.counter(p + "messages")),
        bytes(s.counter(p + "bytes")),
        records(s.counter(p + "records")),
        decode_errors(s.counter(p + "decode_errors")),
        template_misses(s.counter(p + "template_misses")),
        sequence_gaps(s.counter(p + "sequence_gaps")),
        options_records(s.counter(p + "options_records")),
        connections(s.counter(p + "connections")) {}
  userspace::Counter& accepted;
  userspace::Counter& closed;
  userspace::Counter& rejected;
  userspace::Counter& denied;
  userspace::Counter& framing_errors;
  userspace::Counter& receive_errors;
  userspace::Counter& messages;
  userspace::Counter& bytes;
  userspace::Counter& records;
  userspace::Counter& decode_errors;
  userspace::Counter& template_misses;
  userspace::Counter& sequence_gaps;
  userspace::Counter& options_records;
  userspace::Counter& connections;  // gauge
};

TcpListener::TcpListener(TcpListenerOptions options, DecoderFactory decoders, const AllowList* allow,
                         ListenerOutput output, userspace::Stats& stats)
    : options_(std::move(options)),
      decoders_(std::move(decoders)),
      allow_(allow),
      output_(std::move(output)),
      stats_(stats) {}

TcpListener::~TcpListener() {
  stop();
  if (fd_ >= 0) close(fd_);
}

userspace::Result<std::unique_ptr<TcpListener>> TcpListener::create(const TcpListenerOptions& options,
                                                                    DecoderFactory decoders,
                                                                    const AllowList* allow,
                                                                    ListenerOutput output,
                                                                    userspace::Stats& stats) {
  std::unique_ptr<TcpListener> l(
      new TcpListener(options, std::move(decoders), allow, std::move(output), stats));
  if (l->options_.max_connections == 0) l->options_.max_connections = 1;
  auto st = l->bind_socket();
  if (!st) return st.error();
  l->counters_ = std::make_unique<Counters>(stats, "collector.tcp_listener." + l->bound_ + ".");
  return l;
}

userspace::Status TcpListener::bind_socket() {
  auto parsed = parse_listen_address(options_.ip, options_.port, options_.protocol);
  if (!parsed) return parsed.error();
  const ListenAddress& la = parsed.value();
  const int family = la.family;
  const std::string& host = la.host;
  const std::string where =
      options_.protocol + " listener " + host + ":" + std::to_string(options_.port) + ": ";
  fd_ = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return userspace::make_error(where + "socket: " + std::strerror(errno));
  const int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (family == AF_INET6) {
    const int v6only = options_.ipv6_only ? 1 : 0;
    setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  }
  if (bind(fd_, reinterpret_cast<const sockaddr*>(&la.addr), la.len) != 0) {
    return userspace::make_error(where + "bind: " + std::strerror(errno));
  }
  if (listen(fd_, 64) != 0) return userspace::make_error(where + "listen: " + std::strerror(errno));
  sockaddr_storage got{};
  socklen_t glen = sizeof got;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&got), &glen);
  (void)address_of(got, port_);
  bound_ = host + ":" + std::to_string(port_);
  return userspace::Ok{};
}

std::string TcpListener::describe() const {
  return options_.protocol + " on " + bound_ + ", at most " + std::to_string(options_.max_connections) +
         " connections";
}

void TcpListener::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void TcpListener::stop() {
  stop_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
}

void TcpListener::run() {
  auto log = userspace::get_logger("collector");
  Counters& c = *counters_;
  ExporterStats exporters(stats_);
  std::vector<std::unique_ptr<Conn>> conns;
  std::vector<pollfd> fds;
  std::vector<std::uint8_t> buf(kReadSize);
  userspace::RecordBatch batch;
  userspace::TimestampNs last_reject_log = 0;
  userspace::TimestampNs accept_paused_until = 0;
  auto push = [&] {
    if (!batch.empty() && output_.push) output_.push(std::move(batch));
    batch = userspace::RecordBatch();
  };
  auto close_conn = [&](std::size_t i) {
    close(conns[i]->fd);
    conns[i] = std::move(conns.back());
    conns.pop_back();
    c.closed.add();
    c.connections.set(conns.size());
  };
  // Decodes what `conn` has to read; false when the connection is to close.
  auto serve = [&](Conn& conn) -> bool {
    for (int reads = 0; reads < 16; ++reads) {
      const ssize_t n = recv(conn.fd, buf.data(), buf.size(), MSG_DONTWAIT);
      if (n == 0) return false;  // the exporter closed
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
        c.receive_errors.add();
        log->warn("{} {}: receive: {}; connection closed", options_.protocol, conn.name,
                  std::strerror(errno));
        return false;
      }
      c.bytes.add(static_cast<std::uint64_t>(n));
      const userspace::TimestampNs arrival = now_ns();
      const bool ok =
          conn.splitter.feed(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)),
                             [&](std::span<const std::uint8_t> msg) {
                               Datagram d;
                               d.data = msg;
                               d.exporter = conn.exporter;
                               d.exporter_port = conn.exporter_port;
                               d.arrival_ns = arrival;
                               c.messages.add();
                               if (output_.tap) output_.tap(d);
                               decode_counted(*conn.decoder, d, batch, exporters, c, options_.time_new);
                               if (batch.size() >= kPushRecords) push();
                             });
      if (!ok) {
        c.framing_errors.add();
        log->warn("{} {}: not an IPFIX message stream (version or length); connection closed",
                  options_.protocol, conn.name);
        return false;
      }
      if (static_cast<std::size_t>(n) < buf.size()) return true;
    }
    return true;  // more to read: next round, after the other connections
  };
  auto accept_all = [&] {
    for (;;) {
      sockaddr_storage ss{};
      socklen_t slen = sizeof ss;
      const int fd = accept4(fd_, reinterpret_cast<sockaddr*>(&ss), &slen, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // The connection stays in the backlog: polling the listening
          // socket again at once would spin. Leave it alone for 100 ms.
          c.receive_errors.add();
          accept_paused_until = now_ns() + kAcceptPauseNs;
          const auto t = now_ns();
          if (t - last_reject_log > kLogEveryNs) {
            log->warn("{} on {}: accept: {}", options_.protocol, bound_, std::strerror(errno));
            last_reject_log = t;
          }
        }
        return;
      }
      auto conn = std::make_unique<Conn>();
      conn->fd = fd;
      conn->exporter = address_of(ss, conn->exporter_port);
      conn->name = format_ip(conn->exporter) + ":" + std::to_string(conn->exporter_port);
      std::shared_ptr<const AllowRules> rules = allow_ != nullptr ? allow_->rules() : nullptr;
      if (rules && !rules->allowed(conn->exporter)) {
        c.denied.add();
        close(fd);
        continue;
      }
      if (conns.size() >= options_.max_connections) {
        c.rejected.add();
        const auto t = now_ns();
        if (t - last_reject_log > kLogEveryNs) {
          log->warn("{} on {}: {} refused: already {} connections (the maximum)", options_.protocol, bound_,
                    conn->name, conns.size());
          last_reject_log = t;
        }
        close(fd);
        continue;
      }
      conn->decoder = decoders_();
      if (!conn->decoder) {
        close(fd);
        continue;
      }
      c.accepted.add();
      log->info("{} on {}: exporter {} connected", options_.protocol, bound_, conn->name);
      conns.push_back(std::move(conn));
      c.connections.set(conns.size());
    }
  };
  bool draining = false;
  for (;;) {
    fds.clear();
    fds.push_back({fd_, static_cast<short>(now_ns() >= accept_paused_until ? POLLIN : 0), 0});
    for (const auto& conn : conns) fds.push_back({conn->fd, POLLIN, 0});
    const int ready = poll(fds.data(), fds.size(), draining ? 0 : kPollTimeoutMs);
    if (ready > 0) {
      // Connections first (indices match fds[1..]), from the back so that
      // closing one (swap with the last) does not skip another.
      for (std::size_t i = conns.size(); i-- > 0;) {
        if (fds[i + 1].revents == 0) continue;
        if (!serve(*conns[i])) {
          if (conns[i]->splitter.buffered() != 0) {
            log->info("{} {}: closed with {} bytes of an incomplete message", options_.protocol,
                      conns[i]->name, conns[i]->splitter.buffered());
          } else {
            log->info("{} {}: connection closed; its templates are dropped", options_.protocol,
                      conns[i]->name);
          }
          close_conn(i);
        }
      }
      if (!draining && (fds[0].revents & POLLIN) != 0) accept_all();
    }
    push();
    if (draining) break;
    // stop(): one more round without waiting reads what has arrived.
    if (stop_.load(std::memory_order_relaxed)) draining = true;
  }
  while (!conns.empty()) close_conn(conns.size() - 1);
}

}  // namespace xacct::collector
