// xacct_tee_driver: a minimal collector that only replicates, for the tee
// vmtest (vmtests/test_tee.py) until `xacctd collect` runs tee plugins. It
// receives UDP datagrams on the --listen addresses and hands each one to a
// TeeReplicator (collector/tee_replicator.hpp), exactly as the collect role
// would: exporter address and port from recvfrom, the payload untouched.
//
//   xacct_tee_driver --listen 198.18.1.2:6343 [--listen [2001:db8::2]:6343]
//                    --receivers FILE [--transparent] [--tag N] [--tag2 N] [--name P]
//
// Prints "ready" once listening. SIGUSR2 reloads tee_receivers; SIGINT or
// SIGTERM prints every stats counter as "name value" lines and exits 0.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "collector/tee_receivers.hpp"
#include "collector/tee_replicator.hpp"

namespace {

volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_reload = 0;

void on_stop(int) { g_stop = 1; }
void on_reload(int) { g_reload = 1; }

int usage() {
  std::fprintf(stderr,
               "usage: xacct_tee_driver --listen ADDR:PORT [--listen ...] --receivers FILE [--transparent] "
               "[--tag N] [--tag2 N] [--name PLUGIN]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace xacct;
  collector::TeeConfig cfg;
  cfg.plugin_name = "tee";
  std::vector<std::string> listen;
  std::uint64_t tag = 0, tag2 = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--listen" && (v = next())) {
      listen.emplace_back(v);
    } else if (a == "--receivers" && (v = next())) {
      cfg.receivers_file = v;
    } else if (a == "--transparent") {
      cfg.transparent = true;
    } else if (a == "--tag" && (v = next())) {
      tag = std::strtoull(v, nullptr, 10);
    } else if (a == "--tag2" && (v = next())) {
      tag2 = std::strtoull(v, nullptr, 10);
    } else if (a == "--name" && (v = next())) {
      cfg.plugin_name = v;
    } else {
      return usage();
    }
  }
  if (listen.empty() || cfg.receivers_file.empty()) return usage();

  std::vector<pollfd> fds;
  for (const std::string& l : listen) {
    auto addr = collector::parse_receiver_address(l);
    if (!addr) {
      std::fprintf(stderr, "--listen %s: %s\n", l.c_str(), addr.error().message.c_str());
      return 2;
    }
    const int fd = ::socket(addr.value().family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    if (addr.value().family == AF_INET6) (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    // The test sends bursts: no input drop before the replicator sees them.
    const int rcvbuf = 16 << 20;
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
    if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&addr.value().addr), addr.value().addr_len) != 0) {
      std::fprintf(stderr, "bind %s: %s\n", l.c_str(), std::strerror(errno));
      return 2;
    }
    fds.push_back(pollfd{fd, POLLIN, 0});
  }

  userspace::Stats stats;
  auto tee = collector::make_tee(cfg, stats);
  if (!tee) {
    std::fprintf(stderr, "%s\n", tee.error().message.c_str());
    return 2;
  }
  std::signal(SIGINT, on_stop);
  std::signal(SIGTERM, on_stop);
  std::signal(SIGUSR2, on_reload);
  std::printf("ready\n");
  std::fflush(stdout);

  std::vector<std::uint8_t> buf(65536);
  while (g_stop == 0) {
    if (g_reload != 0) {
      g_reload = 0;
      if (auto st = tee.value()->reload(); !st) std::fprintf(stderr, "reload: %s\n", st.error().message.c_str());
    }
    if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
    for (pollfd& p : fds) {
      if ((p.revents & POLLIN) == 0) continue;
      sockaddr_storage from{};
      socklen_t fl = sizeof from;
      const ssize_t n = ::recvfrom(p.fd, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &fl);
      if (n < 0) continue;
      collector::Datagram d;
      d.data = std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n));
      if (from.ss_family == AF_INET) {
        const auto* s = reinterpret_cast<const sockaddr_in*>(&from);
        d.exporter.bytes[10] = d.exporter.bytes[11] = 0xff;
        std::memcpy(d.exporter.bytes.data() + 12, &s->sin_addr, 4);
        d.exporter_port = ntohs(s->sin_port);
      } else {
        const auto* s = reinterpret_cast<const sockaddr_in6*>(&from);
        std::memcpy(d.exporter.bytes.data(), &s->sin6_addr, 16);
        d.exporter.is_v6 = true;
        d.exporter_port = ntohs(s->sin6_port);
      }
      tee.value()->replicate(d, tag, tag2);
    }
  }
  for (const auto& [name, value] : stats.snapshot()) std::printf("%s %llu\n", name.c_str(), static_cast<unsigned long long>(value));
  std::fflush(stdout);
  for (pollfd& p : fds) ::close(p.fd);
  return 0;
}
