// See nflog_input.hpp. Netlink plumbing with libmnl; the NFLOG config and
// packet messages through libnetfilter_log's nlmsg helpers.
//
// Buffers: the kernel batches up to uacctd_threshold packets in an skb of
// nlbufsiz bytes (the kernel refuses more than 128 KiB, and allocates that
// much per message even for one packet, so it is capped at what `threshold`
// packets of `snaplen` bytes need); the socket's receive buffer, which
// absorbs bursts while xacct is busy, is 64 times uacctd_nl_size.
#include "probe/nflog_input.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_log/libnetfilter_log.h>
#include <linux/netfilter/nfnetlink.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "probe/logger.hpp"
#include "probe/nflog_packet.hpp"

namespace xacct::probe {

using userspace::make_error;
using userspace::Result;

namespace {

constexpr std::size_t kRecvBuffer = 256 * 1024;   // > the kernel's largest NFLOG skb (128 KiB)
constexpr std::uint32_t kKernelBufMin = 8192;      // >= the kernel's NLMSG_GOODSIZE minimum
constexpr std::uint32_t kKernelBufMax = 131072;    // the kernel's maximum
constexpr std::uint32_t kPerPacketOverhead = 256;  // netlink + NFLOG attributes of one packet
constexpr std::uint64_t kRcvbufMax = 64u << 20;
constexpr int kAckTimeoutMs = 2000;

std::string errstr(int e) { return std::strerror(e); }

userspace::TimestampNs now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<userspace::TimestampNs>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::uint32_t kernel_bufsize(const userspace::NflogConfig& c) {
  const std::uint64_t need = static_cast<std::uint64_t>(c.threshold) * (c.snaplen + kPerPacketOverhead);
  const std::uint64_t want = std::min<std::uint64_t>(c.nl_size, need);
  return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(want, kKernelBufMin, kKernelBufMax));
}

userspace::Direction parse_direction(const std::string& d) {
  if (d == "in") return userspace::Direction::kIn;
  if (d == "out") return userspace::Direction::kOut;
  return userspace::Direction::kUnknown;
}

}  // namespace

NflogInput::Counters::Counters(userspace::Stats& stats)
    : messages(stats.counter("nflog.messages")),
      packets(stats.counter("nflog.packets")),
      bytes(stats.counter("nflog.bytes")),
      records(stats.counter("nflog.records")),
      not_ip(stats.counter("nflog.not_ip")),
      bad_messages(stats.counter("nflog.bad_messages")),
      enobufs(stats.counter("nflog.enobufs")),
      lost_packets(stats.counter("nflog.lost_packets")),
      recv_errors(stats.counter("nflog.recv_errors")),
      batches(stats.counter("nflog.batches")) {}

NflogInput::NflogInput(const userspace::NflogConfig& config, userspace::Stats& stats, Callback callback)
    : config_(config),
      direction_(parse_direction(config.direction)),
      counters_(stats),
      callback_(std::move(callback)),
      buf_(kRecvBuffer) {}

Result<std::unique_ptr<NflogInput>> NflogInput::create(const userspace::NflogConfig& config,
                                                       userspace::Stats& stats, Callback callback) {
  if (!config.enabled) return make_error("nflog: uacctd_group is not set");
  std::unique_ptr<NflogInput> in(new NflogInput(config, stats, std::move(callback)));
  if (auto ok = in->open(); !ok) return ok.error();
  return in;
}

Result<userspace::Ok> NflogInput::open() {
  const std::string where = "nflog group " + std::to_string(config_.group);
  nl_ = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (nl_ == nullptr) return make_error(where + ": open netlink socket: " + errstr(errno));
  if (mnl_socket_bind(nl_, 0, MNL_SOCKET_AUTOPID) < 0) {
    return make_error(where + ": bind netlink socket: " + errstr(errno));
  }
  portid_ = mnl_socket_get_portid(nl_);
  const int fd = mnl_socket_get_fd(nl_);
  // FORCE goes past net.core.rmem_max (we are root); plain SO_RCVBUF is
  // capped by it, which is still better than nothing.
  const int rcvbuf = static_cast<int>(std::min<std::uint64_t>(std::uint64_t{config_.nl_size} * 64, kRcvbufMax));
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0 &&
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0) {
    log()->warn("{}: set the receive buffer to {} bytes: {}", where, rcvbuf, errstr(errno));
  }
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) return make_error(where + ": eventfd: " + errstr(errno));

  if (auto ok = configure(NFULNL_CFG_CMD_BIND, false); !ok) {
    const bool busy = ok.error().message.find(errstr(EBUSY)) != std::string::npos;
    return make_error(where + ": bind: " + ok.error().message +
                      (busy ? " (another process, e.g. ulogd or uacctd, reads this group)" : ""));
  }
  bound_ = true;
  if (auto ok = configure(NFULNL_CFG_CMD_NONE, true); !ok) {
    return make_error(where + ": set copy mode, buffer and threshold: " + ok.error().message);
  }
  flush_batch();  // packets logged while we configured
  return userspace::Ok{};
}

Result<userspace::Ok> NflogInput::configure(std::uint8_t command, bool with_mode) {
  alignas(nlmsghdr) char msg[1024];  // one config message: a few attributes
  nlmsghdr* nlh = nflog_nlmsg_put_header(msg, NFULNL_MSG_CONFIG, AF_UNSPEC, static_cast<std::uint16_t>(config_.group));
  nlh->nlmsg_flags |= NLM_F_ACK;
  nlh->nlmsg_seq = ++seq_;
  if (command != NFULNL_CFG_CMD_NONE) nflog_attr_put_cfg_cmd(nlh, command);
  if (with_mode) {
    nflog_attr_put_cfg_mode(nlh, NFULNL_COPY_PACKET, config_.snaplen);
    mnl_attr_put_u32(nlh, NFULA_CFG_NLBUFSIZ, htonl(kernel_bufsize(config_)));
    mnl_attr_put_u32(nlh, NFULA_CFG_QTHRESH, htonl(config_.threshold));
    mnl_attr_put_u16(nlh, NFULA_CFG_FLAGS, htons(NFULNL_CFG_F_SEQ));
  }
  if (mnl_socket_sendto(nl_, nlh, nlh->nlmsg_len) < 0) return make_error("send: " + errstr(errno));

  const int fd = mnl_socket_get_fd(nl_);
  timespec start{};
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    int ack_error = 0;
    bool acked = false;
    if (!read_available(nlh->nlmsg_seq, &ack_error, &acked)) return make_error("read the answer: " + errstr(errno));
    if (acked) {
      if (ack_error != 0) return make_error(errstr(ack_error));
      return userspace::Ok{};
    }
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const long waited_ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    if (waited_ms >= kAckTimeoutMs) return make_error("no answer from the kernel (nfnetlink_log loaded?)");
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(kAckTimeoutMs - waited_ms));
  }
}

bool NflogInput::read_available(std::uint32_t ack_seq, int* ack_error, bool* acked) {
  const int fd = mnl_socket_get_fd(nl_);
  for (;;) {
    const ssize_t n = ::recv(fd, buf_.data(), buf_.size(), MSG_DONTWAIT);
    if (n < 0) {
      const int e = errno;
      if (e == EINTR) continue;
      if (e == EAGAIN || e == EWOULDBLOCK) break;
      if (e == ENOBUFS) {
        // The receive buffer overflowed: the kernel dropped messages (the
        // sequence gaps say how many packets). The socket stays usable.
        counters_.enobufs.add();
        continue;
      }
      counters_.recv_errors.add();
      errno = e;
      return false;
    }
    handle_datagram(buf_.data(), static_cast<std::size_t>(n), ack_seq, ack_error, acked);
    if (batch_.size() >= kBatchRecords) flush_batch();
    if (acked != nullptr && *acked) break;
  }
  return true;
}

void NflogInput::handle_datagram(const std::uint8_t* buf, std::size_t len, std::uint32_t ack_seq, int* ack_error,
                                 bool* acked) {
  const userspace::TimestampNs receipt = now_ns();
  int remaining = static_cast<int>(len);
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(buf);
  NflogPacket p;
  for (; mnl_nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
    if (nlh->nlmsg_type == NLMSG_ERROR) {
      // Our config messages' acks (error 0) or failures.
      if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(nlmsgerr)) continue;
      const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
      if (ack_seq != 0 && err->msg.nlmsg_seq == ack_seq && acked != nullptr) {
        *acked = true;
        if (ack_error != nullptr) *ack_error = -err->error;
      }
      continue;
    }
    switch (parse_nflog_message(nlh, p)) {
      case NflogMessage::kOther:
        continue;
      case NflogMessage::kBad:
        ++bad_;
        continue;
      case NflogMessage::kPacket:
        break;
    }
    ++messages_;
    if (p.has_seq) {
      if (have_pkt_seq_ && p.seq != next_pkt_seq_) {
        // Packets the kernel numbered but could not deliver (wraps at 2^32).
        counters_.lost_packets.add(static_cast<std::uint32_t>(p.seq - next_pkt_seq_));
      }
      have_pkt_seq_ = true;
      next_pkt_seq_ = p.seq + 1;
    }
    userspace::FlowRecord& r = batch_.emplace_back();
    if (nflog_to_record(p, direction_, receipt, pkt_, r) == NflogDecode::kNotIp) {
      batch_.pop_back();
      ++not_ip_;
      continue;
    }
    ++packets_;
    bytes_ += r.bytes;
  }
}

void NflogInput::flush_batch() {
  counters_.messages.add(messages_);
  counters_.packets.add(packets_);
  counters_.bytes.add(bytes_);
  counters_.not_ip.add(not_ip_);
  counters_.bad_messages.add(bad_);
  messages_ = packets_ = bytes_ = not_ip_ = bad_ = 0;
  if (batch_.empty()) return;
  counters_.records.add(batch_.size());
  counters_.batches.add();
  userspace::RecordBatch out;
  out.reserve(kBatchRecords);
  out.swap(batch_);
  callback_(std::move(out));
}

void NflogInput::run() {
  pollfd fds[2] = {{mnl_socket_get_fd(nl_), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (!stopping_) {
    const int n = ::poll(fds, 2, -1);
    if (n < 0 && errno != EINTR) {
      log()->error("nflog group {}: poll: {}", config_.group, errstr(errno));
      break;
    }
    if (stopping_) break;
    if (!read_available()) {
      log()->error("nflog group {}: read: {}; the NFLOG input stops", config_.group, errstr(errno));
      break;
    }
    flush_batch();
  }
}

void NflogInput::start() {
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void NflogInput::stop() {
  if (nl_ == nullptr) return;
  stopping_ = true;
  const std::uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  // Whatever the thread had not read yet, then what the kernel was
  // batching: it sends that before it acks the unbind.
  read_available();
  flush_batch();
  const std::uint64_t before = counters_.messages.value();
  if (bound_) {
    if (auto ok = configure(NFULNL_CFG_CMD_UNBIND, false); !ok) {
      log()->warn("nflog group {}: unbind: {}", config_.group, ok.error().message);
    }
    bound_ = false;
  }
  read_available();
  flush_batch();
  log()->info("nflog group {}: unbound; {} logged packets were flushed by the kernel at unbind", config_.group,
              counters_.messages.value() - before);
  mnl_socket_close(nl_);
  nl_ = nullptr;
  if (wake_fd_ >= 0) ::close(wake_fd_);
  wake_fd_ = -1;
}

NflogInput::~NflogInput() { stop(); }

std::string NflogInput::describe() const {
  std::string d = "nflog group " + std::to_string(config_.group) + " (copy " + std::to_string(config_.snaplen) +
                  " bytes, threshold " + std::to_string(config_.threshold);
  if (!config_.direction.empty()) d += ", direction " + config_.direction;
  return d + ")";
}

}  // namespace xacct::probe
