// See live_capture.hpp.
#include "probe/capture/live_capture.hpp"

#include <linux/if_packet.h>
#include <poll.h>
#include <sys/socket.h>
#include <pcap/pcap.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

#include "probe/capture/capture_stats.hpp"
#include "probe/capture/packet_batcher.hpp"
#include "userspace/logging.hpp"

namespace xacct::capture {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStatsInterval = std::chrono::seconds(1);
// pcap_dispatch() calls per wake-up before the loop looks at stop and stats
// again: under a constant flood the ring is never empty.
constexpr int kMaxDispatchRounds = 64;

std::shared_ptr<spdlog::logger> log() { return userspace::get_logger("capture"); }

std::string direction_name(userspace::Direction d) {
  switch (d) {
    case userspace::Direction::kIn: return "in";
    case userspace::Direction::kOut: return "out";
    default: return "in+out";
  }
}

// pcap_stat fields are 32 bits (libpcap accumulates them on Linux): turn
// successive readings into a 64-bit total that survives the wrap.
class WrapCounter {
 public:
  explicit WrapCounter(userspace::Counter& counter) : counter_(counter) {}
  void update(unsigned int reading) {
    counter_.add(static_cast<std::uint32_t>(reading - last_));
    last_ = reading;
  }

 private:
  userspace::Counter& counter_;
  unsigned int last_ = 0;
};

}  // namespace

struct LiveCapture::Interface {
  Interface(const CaptureConfig& config, userspace::Stats& stats, std::string ifname,
            std::shared_ptr<const BatchOutput> out)
      : name(std::move(ifname)),
        output(std::move(out)),
        counters(stats, name),
        ps_recv(stats.counter(counters.prefix() + "packets")),
        ps_drop(stats.counter(counters.prefix() + "kernel_drops")),
        ps_ifdrop(stats.counter(counters.prefix() + "ifdrops")),
        tpacket_version(stats.counter(counters.prefix() + "tpacket_version")),
        ring_bytes(stats.counter(counters.prefix() + "ring_bytes")),
        immediate(stats.counter(counters.prefix() + "immediate")),
        block_timeout(std::chrono::milliseconds(std::max(config.block_timeout_ms, 1))),
        batcher(Datalink::kEthernet, RecordContext{}, counters,
                [this](userspace::RecordBatch&& b) { output->push(std::move(b)); }, config.batch_records) {}

  ~Interface() {
    if (thread.joinable()) thread.join();
    if (pcap != nullptr) pcap_close(pcap);
    if (event_fd >= 0) close(event_fd);
  }

  userspace::Status open(const CaptureConfig& config, const LiveInterface& spec);
  void run();
  void read_ready();
  void update_stats();
  void wake() {
    const std::uint64_t one = 1;
    ssize_t n = write(event_fd, &one, sizeof one);
    (void)n;  // an eventfd write only fails when the counter would overflow
  }
  static void on_packet(u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
    auto* self = reinterpret_cast<Interface*>(user);
    const userspace::TimestampNs ts = static_cast<userspace::TimestampNs>(h->ts.tv_sec) * 1'000'000'000 +
                                      static_cast<userspace::TimestampNs>(h->ts.tv_usec) * self->usec_scale;
    self->batcher.packet(bytes, h->caplen, ts);
  }

  std::string name;
  std::shared_ptr<const BatchOutput> output;  // shared by every interface thread
  SourceCounters counters;
  WrapCounter ps_recv;
  WrapCounter ps_drop;
  WrapCounter ps_ifdrop;
  userspace::Counter& tpacket_version;
  userspace::Counter& ring_bytes;
  userspace::Counter& immediate;
  userspace::Direction direction = userspace::Direction::kUnknown;
  std::chrono::milliseconds block_timeout;
  PacketBatcher batcher;
  pcap_t* pcap = nullptr;
  int pcap_fd = -1;
  int event_fd = -1;
  Datalink datalink = Datalink::kEthernet;
  std::uint32_t ifindex = 0;
  userspace::TimestampNs usec_scale = 1;  // 1 with nanosecond timestamps, else 1000
  std::atomic<bool> failed{false};
  std::thread thread;

  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> stats_requested{0};
  std::mutex mu;
  std::condition_variable cv;
  std::uint64_t stats_served = 0;  // under mu
};

userspace::Status LiveCapture::Interface::open(const CaptureConfig& config, const LiveInterface& spec) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  const std::string where = "pcap_interface " + name;
  pcap = pcap_create(name.c_str(), errbuf);
  if (pcap == nullptr) return userspace::make_error(where + ": " + errbuf);
  pcap_set_snaplen(pcap, static_cast<int>(config.snaplen));
  pcap_set_promisc(pcap, config.promisc ? 1 : 0);
  pcap_set_timeout(pcap, config.block_timeout_ms);
  // Immediate mode would make libpcap fall back to TPACKET_V2 and wake per
  // packet; off, it uses TPACKET_V3 blocks.
  pcap_set_immediate_mode(pcap, 0);
  pcap_set_buffer_size(pcap, static_cast<int>(config.buffer_bytes));
  const bool nano = pcap_set_tstamp_precision(pcap, PCAP_TSTAMP_PRECISION_NANO) == 0;
  const int rc = pcap_activate(pcap);
  if (rc < 0) {
    std::string detail = pcap_geterr(pcap);
    std::string msg = where + ": " + pcap_statustostr(rc);
    if (!detail.empty()) msg += " (" + detail + ")";
    if (rc == PCAP_ERROR_PERM_DENIED) msg += "; hint: run as root or with CAP_NET_RAW";
    return userspace::make_error(msg);
  }
  if (rc > 0) log()->warn("{}: {} ({})", where, pcap_statustostr(rc), pcap_geterr(pcap));
  usec_scale = nano && pcap_get_tstamp_precision(pcap) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;

  direction = spec.direction;
  if (direction != userspace::Direction::kUnknown) {
    const pcap_direction_t d = direction == userspace::Direction::kIn ? PCAP_D_IN : PCAP_D_OUT;
    if (pcap_setdirection(pcap, d) != 0) {
      return userspace::make_error(where + ": pcap_direction " + direction_name(direction) + ": " +
                                   pcap_geterr(pcap));
    }
  }
  const int dlt = pcap_datalink(pcap);
  auto dl = datalink_from_dlt(dlt);
  if (!dl) return userspace::make_error(where + ": datalink " + describe_dlt(dlt) + " is not supported");
  datalink = *dl;
  if (!config.filter.empty()) {
    bpf_program prog{};
    if (pcap_compile(pcap, &prog, config.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      return userspace::make_error("pcap_filter '" + config.filter + "' on " + name + ": " + pcap_geterr(pcap));
    }
    const int set = pcap_setfilter(pcap, &prog);
    pcap_freecode(&prog);
    if (set != 0) return userspace::make_error(where + ": set pcap_filter: " + pcap_geterr(pcap));
  }
  if (pcap_setnonblock(pcap, 1, errbuf) != 0) return userspace::make_error(where + ": non-blocking: " + errbuf);
  pcap_fd = pcap_get_selectable_fd(pcap);
  if (pcap_fd < 0) return userspace::make_error(where + ": no selectable file descriptor");
  event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (event_fd < 0) return userspace::make_error(where + ": eventfd: " + std::strerror(errno));

  // What the socket really runs: libpcap picks TPACKET_V3 unless immediate
  // mode is on (or the kernel lacks it); the stats say which it got.
  int version = -1;
  socklen_t len = sizeof version;
  if (getsockopt(pcap_fileno(pcap), SOL_PACKET, PACKET_VERSION, &version, &len) == 0) {
    tpacket_version.set(static_cast<std::uint64_t>(version) + 1);  // TPACKET_V1 is 0
    if (version != TPACKET_V3) {
      log()->warn("{}: libpcap runs TPACKET_V{}, not V3: one wake-up per packet, more drops under load", where,
                  version + 1);
    }
  }
  ring_bytes.set(config.buffer_bytes);
  immediate.set(0);

  ifindex = spec.ifindex;
  RecordContext ctx;
  ctx.direction = direction;
  if (direction != userspace::Direction::kUnknown) {
    ctx.ifindex = ifindex;
    ctx.ifindex_from_link = spec.ifindex_from_link;
  }
  batcher.set_datalink(datalink);
  batcher.set_context(ctx);
  return userspace::Ok{};
}

void LiveCapture::Interface::read_ready() {
  for (int i = 0; i < kMaxDispatchRounds; ++i) {
    const int n = pcap_dispatch(pcap, -1, &Interface::on_packet, reinterpret_cast<u_char*>(this));
    if (n > 0) continue;
    if (n == PCAP_ERROR) {
      failed = true;
      log()->error("capture on {} failed: {}; this interface is no longer counted", name, pcap_geterr(pcap));
    }
    break;
  }
  batcher.flush();
}

void LiveCapture::Interface::update_stats() {
  pcap_stat ps{};
  if (pcap_stats(pcap, &ps) != 0) return;
  ps_recv.update(ps.ps_recv);
  ps_drop.update(ps.ps_drop);
  ps_ifdrop.update(ps.ps_ifdrop);
}

void LiveCapture::Interface::run() {
  auto next_stats = Clock::now() + kStatsInterval;
  std::uint64_t served = 0;
  auto serve_stats = [&] {
    update_stats();
    const std::uint64_t req = stats_requested.load(std::memory_order_acquire);
    if (req != served) {
      served = req;
      {
        std::lock_guard lock(mu);
        stats_served = req;
      }
      cv.notify_all();
    }
  };
  while (!stop.load(std::memory_order_acquire) && !failed) {
    const auto now = Clock::now();
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_stats - now).count();
    pollfd fds[2] = {{pcap_fd, POLLIN, 0}, {event_fd, POLLIN, 0}};
    const int rc = poll(fds, 2, static_cast<int>(std::max<long long>(wait, 0)));
    if (rc < 0 && errno != EINTR) {
      log()->error("capture on {}: poll: {}", name, std::strerror(errno));
      failed = true;
      break;
    }
    if (fds[1].revents != 0) {
      std::uint64_t v = 0;
      ssize_t n = read(event_fd, &v, sizeof v);
      (void)n;  // a wake-up; the value does not matter
    }
    if (fds[0].revents != 0) read_ready();
    if (Clock::now() >= next_stats) {
      next_stats = Clock::now() + kStatsInterval;
      serve_stats();
    } else if (stats_requested.load(std::memory_order_acquire) != served) {
      serve_stats();
    }
  }
  // Final read: the kernel hands over the block in progress once its
  // timeout expires; read until the ring stays empty for two timeouts, but
  // not forever if traffic keeps coming.
  const auto give_up = Clock::now() + 4 * block_timeout;
  while (!failed && Clock::now() < give_up) {
    pollfd fd{pcap_fd, POLLIN, 0};
    const int rc = poll(&fd, 1, static_cast<int>(2 * block_timeout.count()));
    if (rc <= 0) break;
    read_ready();
  }
  if (!failed) read_ready();
  batcher.flush();
  serve_stats();
}

LiveCapture::LiveCapture(const CaptureConfig& config, userspace::Stats& stats, BatchOutput output)
    : config_(config), stats_(stats), output_(std::make_shared<const BatchOutput>(std::move(output))) {}

std::unique_ptr<LiveCapture> LiveCapture::create_empty(const CaptureConfig& config, userspace::Stats& stats,
                                                       BatchOutput output) {
  return std::unique_ptr<LiveCapture>(new LiveCapture(config, stats, std::move(output)));
}

userspace::Result<std::unique_ptr<LiveCapture>> LiveCapture::create(const CaptureConfig& config,
                                                                    userspace::Stats& stats, BatchOutput output) {
  if (config.interfaces.empty()) return userspace::make_error("live capture: no interface configured");
  if (!output.push) return userspace::make_error("live capture: no output");
  std::unique_ptr<LiveCapture> live(new LiveCapture(config, stats, std::move(output)));
  for (const std::string& name : config.interfaces) {
    LiveInterface spec;
    spec.name = name;
    spec.direction = config.direction;
    spec.ifindex = interface_ifindex(config, name);
    spec.ifindex_from_link = config.ifindex_mode == IfindexMode::kSys;
    if (auto added = live->add_interface(spec); !added) return added.error();
  }
  return live;
}

userspace::Result<std::string> LiveCapture::add_interface(const LiveInterface& spec) {
  if (has_interface(spec.name)) return userspace::make_error("pcap_interface " + spec.name + ": listed twice");
  if (!output_->push) return userspace::make_error("live capture: no output");
  auto iface = std::make_unique<Interface>(config_, stats_, spec.name, output_);
  if (auto st = iface->open(config_, spec); !st) return st.error();
  Interface* raw = iface.get();
  interfaces_.push_back(std::move(iface));
  if (started_) raw->thread = std::thread([raw] { raw->run(); });
  return describe(*raw);
}

userspace::Status LiveCapture::remove_interface(const std::string& name) {
  auto it = std::find_if(interfaces_.begin(), interfaces_.end(), [&](const auto& i) { return i->name == name; });
  if (it == interfaces_.end()) return userspace::make_error("pcap_interface " + name + ": not captured");
  Interface& i = **it;
  i.stop.store(true, std::memory_order_release);
  if (i.event_fd >= 0) i.wake();
  if (i.thread.joinable()) i.thread.join();  // final read of its ring, last batch delivered
  interfaces_.erase(it);                     // closes it
  return userspace::Ok{};
}

bool LiveCapture::failed(const std::string& name) const {
  for (const auto& i : interfaces_) {
    if (i->name == name) return i->failed.load();
  }
  return false;
}

bool LiveCapture::has_interface(const std::string& name) const {
  return std::any_of(interfaces_.begin(), interfaces_.end(), [&](const auto& i) { return i->name == name; });
}

LiveCapture::~LiveCapture() { stop(); }

void LiveCapture::start() {
  if (started_) return;
  started_ = true;
  for (auto& i : interfaces_) {
    Interface* iface = i.get();
    iface->thread = std::thread([iface] { iface->run(); });
  }
}

void LiveCapture::stop() {
  for (auto& i : interfaces_) {
    i->stop.store(true, std::memory_order_release);
    if (i->event_fd >= 0) i->wake();
  }
  for (auto& i : interfaces_) {
    if (i->thread.joinable()) i->thread.join();
  }
}

void LiveCapture::refresh_stats() {
  if (!started_) return;
  std::vector<std::uint64_t> want;
  for (auto& i : interfaces_) {
    want.push_back(i->stats_requested.fetch_add(1, std::memory_order_acq_rel) + 1);
    i->wake();
  }
  const auto deadline = Clock::now() + std::chrono::milliseconds(1500);
  for (std::size_t k = 0; k < interfaces_.size(); ++k) {
    Interface& i = *interfaces_[k];
    std::unique_lock lock(i.mu);
    i.cv.wait_until(lock, deadline, [&] {
      return i.stats_served >= want[k] || !i.thread.joinable() || i.failed;
    });
  }
}

std::string LiveCapture::describe(const Interface& i) {
  std::string s = i.name + " (" + std::string(to_string(i.datalink)) + ", ifindex " + std::to_string(i.ifindex);
  if (i.direction != userspace::Direction::kUnknown) s += ", " + direction_name(i.direction);
  s += i.tpacket_version.value() == 3 ? ", TPACKET_V3" : ", TPACKET_V" + std::to_string(i.tpacket_version.value());
  return s + ")";
}

std::string LiveCapture::describe() const {
  std::string s;
  for (const auto& i : interfaces_) {
    if (!s.empty()) s += ", ";
    s += describe(*i);
  }
  return s;
}

}  // namespace xacct::capture
