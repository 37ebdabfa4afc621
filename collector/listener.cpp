// See listener.hpp.
#include "collector/listener.hpp"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "collector/decode_counted.hpp"
#include "collector/exporter_stats.hpp"
#include "collector/listen_address.hpp"
#include "userspace/logging.hpp"

namespace xacct::collector {
namespace {

// Datagrams per recvmmsg: after a coalescing pause (below) the socket
// holds about this many at a few M records/s, taken in one system call.
constexpr unsigned kBatch = 128;
// Each datagram is received into a slot of kSlot bytes, the slots packed
// side by side, plus an overflow area for the rest of a larger one (two
// iovecs). Typical datagrams (at most an MTU) then sit in 256 KiB of
// contiguous, cache-resident memory, instead of at the start of 64 KiB
// buffers whose identical low address bits map them all to the same few
// cache sets (each batch evicted itself from L1/L2 before it was decoded).
// A datagram longer than a slot is joined into one buffer before decoding.
constexpr std::size_t kSlot = 2048;
constexpr std::size_t kBufSize = 65536;  // the largest UDP payload fits
constexpr long kReceiveTimeoutUs = 200000;
// Records handed on together: fewer, larger batches mean fewer wake-ups of
// the plugin threads; small enough (~400 KB of FlowRecords) to still be in
// this core's L2 cache when the input feed's map pass (networks,
// pre_tag_map: tools/daemon_loop.hpp) reads them at push time. A batch
// goes when it is this big, when it is older than kBatchAgeNs, or when the
// socket is idle.
constexpr std::size_t kPushRecords = 1024;
constexpr std::size_t kSpareRecords = 1024;  // room for the datagram that fills it
constexpr userspace::TimestampNs kBatchAgeNs = 2000000;
// When a receive returned fewer than kBatch / 2 datagrams, wait before the
// next one so that datagrams accumulate in the socket (one wake-up per many
// datagrams instead of one per few): 1 ns per byte of half the receive
// buffer (what arrives meanwhile must fit in it even at ~1 GB/s), between
// 200 us (default buffers) and 1 ms (the latency this adds at most).
constexpr long kCoalesceMinNs = 200000;
constexpr long kCoalesceMaxNs = 1000000;

std::string errno_text(int e) { return std::strerror(e); }

userspace::TimestampNs now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<userspace::TimestampNs>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

userspace::IpAddress from_sockaddr(const sockaddr_storage& ss) {
  userspace::IpAddress a;
  if (ss.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(ss);
    a.bytes[10] = 0xff;
    a.bytes[11] = 0xff;
    std::memcpy(a.bytes.data() + 12, &in.sin_addr, 4);
  } else if (ss.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(ss);
    std::memcpy(a.bytes.data(), &in6.sin6_addr, 16);
    a.is_v6 = !IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr);
  }
  return a;
}

std::uint16_t port_of(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(ss).sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(ss).sin6_port);
  return 0;
}

// Picks the reuseport socket from the exporter's source address only (not
// its port): index = hash(src) % n. Loads reach the IP header through
// SKF_NET_OFF (the program itself sees the UDP payload).
std::vector<sock_filter> steering_program(unsigned n) {
  constexpr std::uint32_t kNet = static_cast<std::uint32_t>(SKF_NET_OFF);
  return {
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, kNet + 0),      // 0: version/IHL
      BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 4),            // 1
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6, 2, 0),      // 2: IPv6 -> 5
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kNet + 12),     // 3: IPv4 source
      BPF_JUMP(BPF_JMP | BPF_JA, 10, 0, 0),              // 4: -> 15
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kNet + 8),      // 5: IPv6 source, 4 words xor-ed
      BPF_STMT(BPF_MISC | BPF_TAX, 0),                   // 6
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kNet + 12),     // 7
      BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),            // 8
      BPF_STMT(BPF_MISC | BPF_TAX, 0),                   // 9
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kNet + 16),     // 10
      BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),            // 11
      BPF_STMT(BPF_MISC | BPF_TAX, 0),                   // 12
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kNet + 20),     // 13
      BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),            // 14
      BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 0x9E3779B1u),  // 15: mix
      BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 16),           // 16
      BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, n),            // 17
      BPF_STMT(BPF_RET | BPF_A, 0),                      // 18
  };
}

}  // namespace

struct Listener::Counters {
  explicit Counters(userspace::Stats& s, const std::string& p)
      : datagrams(s.counter(p + "datagrams")),
        bytes(s.counter(p + "bytes")),
        records(s.counter(p + "records")),
        denied(s.counter(p + "denied")),
        truncated(s.counter(p + "truncated")),
        socket_drops(s.counter(p + "socket_drops")),
        receive_errors(s.counter(p + "receive_errors")),
        decode_errors(s.counter(p + "decode_errors")),
        template_misses(s.counter(p + "template_misses")),
        sequence_gaps(s.counter(p + "sequence_gaps")),
        options_records(s.counter(p + "options_records")) {}
  userspace::Counter& datagrams;
  userspace::Counter& bytes;
  userspace::Counter& records;
  userspace::Counter& denied;
  userspace::Counter& truncated;
  userspace::Counter& socket_drops;
  userspace::Counter& receive_errors;
  userspace::Counter& decode_errors;
  userspace::Counter& template_misses;
  userspace::Counter& sequence_gaps;
  userspace::Counter& options_records;
};

Listener::Listener(ListenerOptions options, DecoderFactory decoders, const AllowList* allow,
                   ListenerOutput output, userspace::Stats& stats)
    : options_(std::move(options)),
      decoders_(std::move(decoders)),
      allow_(allow),
      output_(std::move(output)),
      stats_(stats) {}

Listener::~Listener() {
  stop();
  for (int fd : fds_) close(fd);
}

userspace::Result<std::unique_ptr<Listener>> Listener::create(const ListenerOptions& options,
                                                              DecoderFactory decoders, const AllowList* allow,
                                                              ListenerOutput output,
                                                              userspace::Stats& stats) {
  std::unique_ptr<Listener> l(new Listener(options, std::move(decoders), allow, std::move(output), stats));
  if (l->options_.threads == 0) l->options_.threads = std::max(1u, std::thread::hardware_concurrency());
  auto st = l->bind_sockets();
  if (!st) return st.error();
  l->counters_ = std::make_unique<Counters>(stats, "collector.listener." + l->bound_ + ".");
  for (std::size_t i = 0; i < l->fds_.size(); ++i) {
    auto d = l->decoders_();
    if (!d) return userspace::make_error(options.protocol + " listener " + l->bound_ + ": no decoder");
    l->decoder_objs_.push_back(std::move(d));
  }
  return l;
}

userspace::Status Listener::bind_sockets() {
  auto parsed = parse_listen_address(options_.ip, options_.port, options_.protocol);
  if (!parsed) return parsed.error();
  ListenAddress& la = parsed.value();
  const int family = la.family;
  const std::string& host = la.host;
  std::uint16_t port = options_.port;
  const int one = 1;
  for (unsigned i = 0; i < options_.threads; ++i) {
    auto where = [&] { return options_.protocol + " listener " + host + ":" + std::to_string(port) + ": "; };
    int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return userspace::make_error(where() + "socket: " + errno_text(errno));
    fds_.push_back(fd);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      return userspace::make_error(where() + "SO_REUSEPORT: " + errno_text(errno));
    }
    if (family == AF_INET6) {
      const int v6only = options_.ipv6_only ? 1 : 0;
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
    }
    if (options_.pipe_size > 0) {
      const int size = static_cast<int>(options_.pipe_size);
      if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0 &&
          setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) != 0) {
        return userspace::make_error(where() + "SO_RCVBUF " + std::to_string(size) + ": " +
                                     errno_text(errno));
      }
    }
    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
    timeval tv{0, kReceiveTimeoutUs};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    la.set_port(port);
    if (bind(fd, reinterpret_cast<const sockaddr*>(&la.addr), la.len) != 0) {
      return userspace::make_error(where() + "bind: " + errno_text(errno));
    }
    if (port == 0) {  // ephemeral: the other sockets join the same port
      sockaddr_storage got{};
      socklen_t glen = sizeof got;
      getsockname(fd, reinterpret_cast<sockaddr*>(&got), &glen);
      port = port_of(got);
    }
  }
  port_ = port;
  bound_ = host + ":" + std::to_string(port);
  int rcvbuf = 0;
  socklen_t rlen = sizeof rcvbuf;
  getsockopt(fds_[0], SOL_SOCKET, SO_RCVBUF, &rcvbuf, &rlen);
  rcvbuf_ = rcvbuf;
  if (fds_.size() > 1) {
    auto prog = steering_program(static_cast<unsigned>(fds_.size()));
    sock_fprog fprog{static_cast<unsigned short>(prog.size()), prog.data()};
    if (setsockopt(fds_[0], SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &fprog, sizeof fprog) != 0) {
      return userspace::make_error(options_.protocol + " listener " + bound_ +
                                   ": SO_ATTACH_REUSEPORT_CBPF: " + errno_text(errno));
    }
  }
  return userspace::Ok{};
}

std::string Listener::describe() const {
  return options_.protocol + " on " + bound_ + ", " + std::to_string(fds_.size()) + " thread" +
         (fds_.size() == 1 ? "" : "s") + ", SO_RCVBUF " + std::to_string(rcvbuf_);
}

void Listener::start() {
  for (std::size_t i = 0; i < fds_.size(); ++i) {
    threads_.emplace_back([this, i] { run(i, *decoder_objs_[i]); });
  }
}

void Listener::stop() {
  stop_.store(true, std::memory_order_relaxed);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void Listener::run(std::size_t index, DatagramDecoder& decoder) {
  auto log = userspace::get_logger("collector");
  const int fd = fds_[index];
  Counters& c = *counters_;
  ExporterStats exporters(stats_);
  std::vector<std::uint8_t> slots(kBatch * kSlot);
  // Overflow areas: only touched (paged in) by datagrams longer than kSlot.
  // (default-initialised: no page is written until a datagram needs it).
  const std::unique_ptr<std::uint8_t[]> overflow(new std::uint8_t[kBatch * (kBufSize - kSlot)]);
  std::vector<std::uint8_t> joined;  // a long datagram, contiguous
  std::vector<mmsghdr> msgs(kBatch);
  std::vector<iovec> iovs(2 * kBatch);
  std::vector<sockaddr_storage> addrs(kBatch);
  constexpr std::size_t kCtrl = CMSG_SPACE(sizeof(std::uint32_t));
  std::vector<std::uint8_t> ctrl(kBatch * kCtrl);
  std::uint32_t drops_seen = 0;
  userspace::TimestampNs last_error_log = 0;
  bool draining = false;
  const long coalesce_ns = std::clamp<long>(rcvbuf_ / 2, kCoalesceMinNs, kCoalesceMaxNs);
  userspace::RecordBatch batch;
  userspace::TimestampNs batch_start = 0;
  // The pipeline hands back, in `batch`, the buffer of a batch the plugins
  // are done with (userspace::Pipeline::push): reused, not reallocated.
  auto push = [&] {
    if (!batch.empty() && output_.push) output_.push(std::move(batch));
    batch.clear();
    if (batch.capacity() < kPushRecords + kSpareRecords) batch.reserve(kPushRecords + kSpareRecords);
  };
  push();
  // SO_RXQ_OVFL reports the socket's drop count with each datagram; drops
  // after the last datagram received are read with SO_MEMINFO when the
  // socket is idle and before the thread ends.
  auto note_drops = [&](std::uint32_t drops) {
    // Counters only grow (mod 2^32): an older value (a datagram queued
    // before the last SO_MEMINFO read) is not a step back.
    const auto step = static_cast<std::int32_t>(drops - drops_seen);
    if (step > 0) {
      c.socket_drops.add(static_cast<std::uint32_t>(step));
      drops_seen = drops;
    }
  };
  auto poll_drops = [&] {
    std::uint32_t mem[SK_MEMINFO_VARS] = {};
    socklen_t len = sizeof mem;
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) == 0 &&
        len > SK_MEMINFO_DROPS * sizeof(std::uint32_t)) {
      note_drops(mem[SK_MEMINFO_DROPS]);
    }
  };
  for (;;) {
    for (unsigned i = 0; i < kBatch; ++i) {
      iovs[2 * i] = {slots.data() + i * kSlot, kSlot};
      iovs[2 * i + 1] = {overflow.get() + i * (kBufSize - kSlot), kBufSize - kSlot};
      msgs[i].msg_hdr = {};
      msgs[i].msg_hdr.msg_name = &addrs[i];
      msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      msgs[i].msg_hdr.msg_iov = &iovs[2 * i];
      msgs[i].msg_hdr.msg_iovlen = 2;
      msgs[i].msg_hdr.msg_control = ctrl.data() + i * kCtrl;
      msgs[i].msg_hdr.msg_controllen = kCtrl;
      msgs[i].msg_len = 0;
    }
    const int n = recvmmsg(fd, msgs.data(), kBatch, draining ? MSG_DONTWAIT : MSG_WAITFORONE, nullptr);
    if (n <= 0) {
      const int e = errno;
      push();  // idle socket: hand on what is there
      poll_drops();
      if (n < 0 && e != EAGAIN && e != EWOULDBLOCK && e != EINTR) {
        c.receive_errors.add();
        const auto t = now_ns();
        if (t - last_error_log > 1000000000) {
          log->error("{}: recvmmsg: {}", bound_, errno_text(e));
          last_error_log = t;
        }
      }
      if (draining) return;
      if (stop_.load(std::memory_order_relaxed)) draining = true;  // read what is queued, then exit
      continue;
    }
    const userspace::TimestampNs arrival = now_ns();
    std::shared_ptr<const AllowRules> rules = allow_ != nullptr ? allow_->rules() : nullptr;
    for (int i = 0; i < n; ++i) {
      const msghdr& h = msgs[i].msg_hdr;
      for (cmsghdr* cm = CMSG_FIRSTHDR(const_cast<msghdr*>(&h)); cm != nullptr;
           cm = CMSG_NXTHDR(const_cast<msghdr*>(&h), cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
          std::uint32_t drops = 0;
          std::memcpy(&drops, CMSG_DATA(cm), sizeof drops);
          note_drops(drops);
        }
      }
      c.datagrams.add();
      c.bytes.add(msgs[i].msg_len);
      if ((h.msg_flags & MSG_TRUNC) != 0) {
        c.truncated.add();
        continue;
      }
      Datagram d;
      const std::size_t len = msgs[i].msg_len;
      if (len <= kSlot) {
        d.data = std::span<const std::uint8_t>(slots.data() + i * kSlot, len);
      } else {
        joined.resize(kBufSize);
        std::memcpy(joined.data(), slots.data() + i * kSlot, kSlot);
        std::memcpy(joined.data() + kSlot, overflow.get() + i * (kBufSize - kSlot), len - kSlot);
        d.data = std::span<const std::uint8_t>(joined.data(), len);
      }
      d.exporter = from_sockaddr(addrs[i]);
      d.exporter_port = port_of(addrs[i]);
      d.arrival_ns = arrival;
      if (rules && !rules->allowed(d.exporter)) {
        c.denied.add();
        continue;
      }
      if (output_.tap) output_.tap(d);
      if (batch.empty()) batch_start = arrival;
      decode_counted(decoder, d, batch, exporters, c, options_.time_new);
      if (batch.size() >= kPushRecords) push();  // per datagram: the batch stays about this size
    }
    if (!batch.empty() && arrival - batch_start >= kBatchAgeNs) push();
    if (!draining && stop_.load(std::memory_order_relaxed)) draining = true;
    if (!draining && n < static_cast<int>(kBatch / 2)) {
      timespec pause{0, coalesce_ns};
      nanosleep(&pause, nullptr);
    }
  }
}

}  // namespace xacct::collector
