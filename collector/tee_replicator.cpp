// See tee_replicator.hpp.
#include "collector/tee_replicator.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "collector/tee_brokers.hpp"
#include "collector/tee_packet.hpp"
#include "collector/tee_receivers.hpp"
#include "userspace/logging.hpp"
#include "userspace/maps/map_text.hpp"

namespace xacct::collector {

using userspace::Counter;
using userspace::make_error;

struct TeeReceiverRt {
  TeeReceiverAddress addr;
  userspace::IpAddress ip;  // addr as IpAddress (IPv4-mapped), for transparent headers
  std::uint16_t port = 0;   // host order
  int fd = -1;              // own UDP socket (non-transparent)
  Counter* sent = nullptr;
  Counter* bytes = nullptr;
  Counter* errors = nullptr;
};

struct TeePoolRt {
  TeePoolSpec spec;  // receivers moved to `receivers`
  std::vector<TeeReceiverRt> receivers;
  // kafka_broker= / zmq_address= pools: the output instead of `receivers`.
  // Shared with the next set on reload, so a reload neither rebinds the
  // ZeroMQ address (still bound by the old set) nor loses Kafka's queue.
  std::shared_ptr<TeeBrokerOutput> broker;
  mutable std::atomic<std::uint64_t> rr{0};
};

struct TeeSet {
  std::vector<std::unique_ptr<TeePoolRt>> pools;
  bool transparent = false;
  std::uint8_t tos = 0;
  int raw4 = -1;
  int raw6 = -1;

  TeeSet() = default;
  TeeSet(const TeeSet&) = delete;
  TeeSet& operator=(const TeeSet&) = delete;
  ~TeeSet() {
    for (auto& p : pools) {
      for (auto& r : p->receivers) {
        if (r.fd >= 0) ::close(r.fd);
      }
    }
    if (raw4 >= 0) ::close(raw4);
    if (raw6 >= 0) ::close(raw6);
  }
};

namespace {

std::string errno_text() { return std::strerror(errno); }

void set_sndbuf(int fd, std::uint32_t bytes) {
  if (bytes == 0) return;
  const int v = static_cast<int>(std::min<std::uint32_t>(bytes, 1u << 30));
  // FORCE ignores net.core.wmem_max (root); the plain one is the fallback.
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof v) != 0) {
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
  }
}

userspace::IpAddress to_ip(const TeeReceiverAddress& a, std::uint16_t& port) {
  userspace::IpAddress ip;
  if (a.family == AF_INET) {
    sockaddr_in sa{};
    std::memcpy(&sa, &a.addr, sizeof sa);
    ip.bytes[10] = ip.bytes[11] = 0xff;
    std::memcpy(ip.bytes.data() + 12, &sa.sin_addr, 4);
    port = ntohs(sa.sin_port);
  } else {
    sockaddr_in6 sa{};
    std::memcpy(&sa, &a.addr, sizeof sa);
    std::memcpy(ip.bytes.data(), &sa.sin6_addr, 16);
    ip.is_v6 = true;
    port = ntohs(sa.sin6_port);
  }
  return ip;
}

// A non-transparent receiver's UDP socket: source address/port if asked.
userspace::Result<int> open_udp(const TeeConfig& cfg, const TeeReceiverAddress& dst, std::uint16_t src_port,
                                std::uint8_t tos) {
  const int fd = ::socket(dst.family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return make_error("tee: socket for " + dst.text + ": " + errno_text());
  set_sndbuf(fd, cfg.pipe_size);
  if (tos != 0) {
    const int v = tos;
    if (dst.family == AF_INET) {
      (void)setsockopt(fd, IPPROTO_IP, IP_TOS, &v, sizeof v);
    } else {
      (void)setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &v, sizeof v);
    }
  }
  sockaddr_storage src{};
  socklen_t src_len = 0;
  bool bind_needed = src_port != 0;
  if (dst.family == AF_INET) {
    sockaddr_in s{};
    s.sin_family = AF_INET;
    s.sin_port = htons(src_port);
    if (!cfg.source_ip.empty() && inet_pton(AF_INET, cfg.source_ip.c_str(), &s.sin_addr) == 1)
      bind_needed = true;
    std::memcpy(&src, &s, sizeof s);
    src_len = sizeof s;
  } else {
    sockaddr_in6 s{};
    s.sin6_family = AF_INET6;
    s.sin6_port = htons(src_port);
    if (!cfg.source_ip.empty() && inet_pton(AF_INET6, cfg.source_ip.c_str(), &s.sin6_addr) == 1)
      bind_needed = true;
    std::memcpy(&src, &s, sizeof s);
    src_len = sizeof s;
  }
  if (bind_needed) {
    const int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&src), src_len) != 0) {
      const std::string e = errno_text();
      ::close(fd);
      return make_error("tee: bind the source of " + dst.text + " (tee_source_ip '" + cfg.source_ip +
                        "', src_port " + std::to_string(src_port) + "): " + e);
    }
  }
  return fd;
}

userspace::Result<int> open_raw(int family, std::uint32_t sndbuf) {
  // IPPROTO_RAW: the socket only sends, and always with our own IP header
  // (IP_HDRINCL implied; for IPv6 IPV6_HDRINCL implied since Linux 4.5).
  const int fd = ::socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
  if (fd < 0) {
    return make_error(std::string("tee_transparent: raw ") + (family == AF_INET ? "IPv4" : "IPv6") +
                      " socket: " + errno_text() + " (needs root or CAP_NET_RAW)");
  }
  if (family == AF_INET) {
    const int one = 1;
    (void)setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof one);
  }
  set_sndbuf(fd, sndbuf);
  return fd;
}

std::string broker_key(const TeePoolSpec& s) {
  return s.zmq_address.empty() ? "kafka:" + s.kafka_broker + "/" + s.kafka_topic : "zmq:" + s.zmq_address;
}

// The pool's Kafka/ZeroMQ output: the previous set's when it has the same
// one (reload), else a new one.
userspace::Result<std::shared_ptr<TeeBrokerOutput>> broker_output(const TeeConfig& cfg,
                                                                  userspace::Stats& stats,
                                                                  const TeePoolSpec& spec,
                                                                  const TeeSet* previous) {
  const std::string key = broker_key(spec);
  if (previous != nullptr) {
    for (const auto& p : previous->pools) {
      if (p->broker != nullptr && broker_key(p->spec) == key) return p->broker;
    }
  }
  const std::string prefix = "tee." + cfg.plugin_name + "." + key + ".";
  TeeBrokerCounters c{&stats.counter(prefix + "sent"), &stats.counter(prefix + "bytes"),
                      &stats.counter(prefix + "send_errors")};
  auto out = spec.zmq_address.empty()
                 ? make_kafka_tee_output(spec.kafka_broker, spec.kafka_topic, cfg.kafka_config_file, c)
                 : make_zmq_tee_output(spec.zmq_address, c);
  if (!out)
    return make_error("tee_receivers " + cfg.receivers_file + ":" + std::to_string(spec.line) + ": " +
                      out.error().message);
  return std::shared_ptr<TeeBrokerOutput>(std::move(out.value()));
}

userspace::Result<std::shared_ptr<const TeeSet>> load_set(const TeeConfig& cfg, userspace::Stats& stats,
                                                          const TeeSet* previous) {
  auto log = userspace::get_logger("tee");
  if (cfg.receivers_file.empty())
    return make_error("tee plugin '" + cfg.plugin_name + "': tee_receivers is not set");
  auto text = maps::read_map_file(cfg.receivers_file, "tee_receivers");
  if (!text) return text.error();
  maps::LoadReport report;
  TeeReceiversLimits limits{cfg.max_receivers, cfg.max_pools, cfg.max_row_len, cfg.transparent};
  std::vector<TeePoolSpec> specs = parse_tee_receivers(text.value(), cfg.receivers_file, limits, report);
  for (const std::string& w : report.warnings) log->warn("{}", w);

  auto set = std::make_shared<TeeSet>();
  set->transparent = cfg.transparent;
  set->tos = static_cast<std::uint8_t>((cfg.ipprec & 7) << 5);
  bool need4 = false, need6 = false;
  const std::string prefix = "tee." + cfg.plugin_name + ".";
  for (TeePoolSpec& spec : specs) {
    auto pool = std::make_unique<TeePoolRt>();
    if (!spec.kafka_broker.empty() || !spec.zmq_address.empty()) {
      // Pools of this file with the same output share it (a second bind of
      // one ZeroMQ address would fail), else the previous set's, else new.
      const TeeSet* have = set.get();
      const bool here = std::any_of(have->pools.begin(), have->pools.end(), [&](const auto& p) {
        return p->broker != nullptr && broker_key(p->spec) == broker_key(spec);
      });
      auto out = broker_output(cfg, stats, spec, here ? have : previous);
      if (!out) return out.error();
      pool->broker = std::move(out.value());
    }
    for (TeeReceiverAddress& a : spec.receivers) {
      TeeReceiverRt r;
      r.addr = std::move(a);
      r.ip = to_ip(r.addr, r.port);
      r.sent = &stats.counter(prefix + r.addr.text + ".sent");
      r.bytes = &stats.counter(prefix + r.addr.text + ".bytes");
      r.errors = &stats.counter(prefix + r.addr.text + ".send_errors");
      (r.addr.family == AF_INET ? need4 : need6) = true;
      if (!cfg.transparent) {
        auto fd = open_udp(cfg, r.addr, spec.src_port, set->tos);
        if (!fd) return fd.error();  // `set` closes what was opened
        r.fd = fd.value();
      }
      pool->receivers.push_back(std::move(r));
    }
    spec.receivers.clear();
    pool->spec = std::move(spec);
    set->pools.push_back(std::move(pool));
  }
  if (cfg.transparent) {
    if (need4) {
      auto fd = open_raw(AF_INET, cfg.pipe_size);
      if (!fd) return fd.error();
      set->raw4 = fd.value();
    }
    if (need6) {
      auto fd = open_raw(AF_INET6, cfg.pipe_size);
      if (!fd) return fd.error();
      set->raw6 = fd.value();
    }
  }
  std::size_t receivers = 0;
  for (const auto& p : set->pools) receivers += p->receivers.size();
  log->info("tee plugin '{}': {} pools, {} receivers from {}{}", cfg.plugin_name, set->pools.size(),
            receivers, cfg.receivers_file, cfg.transparent ? " (transparent)" : "");
  return std::shared_ptr<const TeeSet>(std::move(set));
}

std::uint64_t fnv1a(const std::uint8_t* p, std::size_t n) {
  std::uint64_t h = 1469598103934665603ull;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

// CRC-32 (IEEE 802.3, reflected, as zlib's crc32()).
std::uint32_t crc32(const std::uint8_t* p, std::size_t n) {
  std::uint32_t c = 0xffffffffu;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return ~c;
}

// Kafka/ZeroMQ: the datagram in the IP + UDP headers of a transparent
// send to the unspecified address, port 0 (tee_brokers.hpp).
void send_broker(const TeeSet& set, TeeBrokerOutput& out, const Datagram& d) {
  thread_local std::vector<std::uint8_t> buf;
  userspace::IpAddress any;
  any.is_v6 = d.exporter.is_v6;
  if (!any.is_v6) any.bytes[10] = any.bytes[11] = 0xff;
  if (!build_udp_packet(d.exporter, d.exporter_port, any, 0, set.tos, d.data, buf)) return;
  out.send(buf);
}

void send_one(const TeeSet& set, const TeeReceiverRt& r, const Datagram& d) {
  ssize_t n = -1;
  if (!set.transparent) {
    n = ::sendto(r.fd, d.data.data(), d.data.size(), MSG_DONTWAIT,
                 reinterpret_cast<const sockaddr*>(&r.addr.addr), r.addr.addr_len);
  } else {
    const int fd = r.addr.family == AF_INET ? set.raw4 : set.raw6;
    thread_local std::vector<std::uint8_t> buf;
    if (fd < 0 || !build_udp_packet(d.exporter, d.exporter_port, r.ip, r.port, set.tos, d.data, buf)) {
      r.errors->add();  // other family than the receiver's, or too big
      return;
    }
    sockaddr_storage dst = r.addr.addr;
    // Raw sockets take the port from our UDP header; the address's port
    // would be read as a protocol number for IPv6.
    if (r.addr.family == AF_INET) {
      reinterpret_cast<sockaddr_in*>(&dst)->sin_port = 0;
    } else {
      reinterpret_cast<sockaddr_in6*>(&dst)->sin6_port = 0;
    }
    n = ::sendto(fd, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&dst),
                 r.addr.addr_len);
  }
  if (n < 0) {
    r.errors->add();
    return;
  }
  r.sent->add();
  r.bytes->add(d.data.size());
}

}  // namespace

TeeReplicator::TeeReplicator(TeeConfig config, userspace::Stats& stats, std::shared_ptr<const TeeSet> set)
    : config_(std::move(config)),
      stats_(stats),
      set_(std::move(set)),
      datagrams_(stats.counter("tee." + config_.plugin_name + ".datagrams")),
      unmatched_(stats.counter("tee." + config_.plugin_name + ".unmatched")),
      reloads_(stats.counter("tee." + config_.plugin_name + ".reloads")),
      reload_errors_(stats.counter("tee." + config_.plugin_name + ".reload_errors")) {}

TeeReplicator::~TeeReplicator() = default;

void TeeReplicator::replicate(const Datagram& dgram, std::uint64_t tag, std::uint64_t tag2) {
  const std::shared_ptr<const TeeSet> set = set_.load(std::memory_order_acquire);
  datagrams_.add();
  bool taken = false;
  for (const auto& pool : set->pools) {
    const TeePoolSpec& spec = pool->spec;
    if (!filter::tag_list_accepts(spec.tags, tag) || !filter::tag_list_accepts(spec.tags2, tag2)) continue;
    taken = true;
    if (pool->broker != nullptr) {
      send_broker(*set, *pool->broker, dgram);
      continue;
    }
    const std::size_t n = pool->receivers.size();
    const std::uint8_t* agent =
        dgram.exporter.is_v6 ? dgram.exporter.bytes.data() : dgram.exporter.bytes.data() + 12;
    const std::size_t agent_len = dgram.exporter.is_v6 ? 16 : 4;
    switch (spec.balance) {
      case TeeBalance::kAll:
        for (const TeeReceiverRt& r : pool->receivers) send_one(*set, r, dgram);
        break;
      case TeeBalance::kRoundRobin:
        send_one(*set, pool->receivers[pool->rr.fetch_add(1, std::memory_order_relaxed) % n], dgram);
        break;
      case TeeBalance::kHashAgent:
        send_one(*set, pool->receivers[fnv1a(agent, agent_len) % n], dgram);
        break;
      case TeeBalance::kHashCrc32:
        send_one(*set, pool->receivers[crc32(agent, agent_len) % n], dgram);
        break;
      case TeeBalance::kHashTag:
        send_one(*set, pool->receivers[tag % n], dgram);
        break;
    }
  }
  if (!taken) unmatched_.add();
}

userspace::Status TeeReplicator::reload() {
  auto set = load_set(config_, stats_, set_.load(std::memory_order_acquire).get());
  if (!set) {
    reload_errors_.add();
    userspace::get_logger("tee")->error("{} (keeping the previous receivers)", set.error().message);
    return set.error();
  }
  // The replaced set is kept until the next reload (or the end), so that its
  // last reference, and with it a Kafka producer's flush, goes on this
  // thread and not on a listener thread that was still using it.
  retired_ = set_.exchange(std::move(set.value()), std::memory_order_acq_rel);
  reloads_.add();
  return userspace::Ok{};
}

std::size_t TeeReplicator::pool_count() const { return set_.load()->pools.size(); }

std::size_t TeeReplicator::receiver_count() const {
  std::size_t n = 0;
  for (const auto& p : set_.load()->pools) n += p->receivers.size();
  return n;
}

userspace::Result<std::unique_ptr<TeeReplicator>> make_tee(const TeeConfig& config, userspace::Stats& stats) {
  auto set = load_set(config, stats, nullptr);
  if (!set) return set.error();
  if (set.value()->pools.empty()) {
    return make_error("tee plugin '" + config.plugin_name + "': no valid pool in " + config.receivers_file);
  }
  return std::make_unique<TeeReplicator>(config, stats, std::move(set.value()));
}

}  // namespace xacct::collector
