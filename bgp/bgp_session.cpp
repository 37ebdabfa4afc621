// See bgp_session.hpp.
#include "bgp/bgp_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/write.hpp>
#include <cstring>

#include "userspace/logging.hpp"
#include "userspace/primitive_encodings.hpp"

namespace xacct::bgp {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// Room for one extended message plus a partial next one.
constexpr std::size_t kBufferSize = 2 * kMaxExtendedMessageSize;

std::shared_ptr<spdlog::logger> logger() { return userspace::get_logger("bgp"); }

IpAddress to_ip(asio::ip::address a) {
  IpAddress ip;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    ip.bytes[10] = ip.bytes[11] = 0xff;
    std::memcpy(ip.bytes.data() + 12, b.data(), 4);
  } else {
    auto b = a.to_v6().to_bytes();
    std::memcpy(ip.bytes.data(), b.data(), 16);
    ip.is_v6 = true;
  }
  return ip;
}

std::string id_text(std::uint32_t id) {
  return std::to_string(id >> 24) + "." + std::to_string(id >> 16 & 0xff) + "." +
         std::to_string(id >> 8 & 0xff) + "." + std::to_string(id & 0xff);
}

}  // namespace

BgpSession::BgpSession(tcp::socket socket, const SessionConfig& config, RouteSink& sink,
                       SessionObserver* observer, PeerCounters counters, userspace::Counter& established,
                       std::function<void(BgpSession*)> on_closed)
    : socket_(std::move(socket)),
      hold_timer_(socket_.get_executor()),
      keepalive_timer_(socket_.get_executor()),
      config_(config),
      sink_(sink),
      observer_(observer),
      counters_(counters),
      established_(established),
      on_closed_(std::move(on_closed)),
      buf_(kBufferSize) {
  boost::system::error_code ec;
  auto remote = socket_.remote_endpoint(ec);
  peer_.source = PeerKey::Source::kBgp;
  if (!ec) {
    peer_.peer_addr = to_ip(remote.address());
    peer_.peer_port = remote.port();
  }
  peer_.router = peer_.peer_addr;
  peer_text_ = userspace::ip_text(peer_.peer_addr) + ":" + std::to_string(peer_.peer_port);
}

void BgpSession::start() {
  boost::system::error_code ec;
  socket_.set_option(tcp::no_delay(true), ec);
  last_rx_ = std::chrono::steady_clock::now();
  hold_limit_ = config_.open_wait;
  arm_hold_timer(config_.open_wait);
  read();
}

void BgpSession::read() {
  if (state_ == State::kClosed) return;
  auto self = shared_from_this();
  socket_.async_read_some(
      asio::buffer(buf_.data() + have_, buf_.size() - have_),
      [this, self](const boost::system::error_code& ec, std::size_t n) {
        if (state_ == State::kClosed) return;
        if (ec) {
          close(ec == asio::error::eof ? "peer closed the connection" : "read: " + ec.message());
          return;
        }
        on_read(n);
      });
}

void BgpSession::on_read(std::size_t n) {
  // Any message restarts the hold timer (RFC 4271 6.5): the time of the
  // last read is enough, the timer checks it when it fires.
  last_rx_ = std::chrono::steady_clock::now();
  have_ += n;
  std::size_t pos = 0;
  while (state_ != State::kClosed && state_ != State::kClosing) {
    Bytes rest(buf_.data() + pos, have_ - pos);
    std::size_t len = 0;
    MessageType type{};
    auto st =
        peek_message(rest, caps_.extended_message ? kMaxExtendedMessageSize : kMaxMessageSize, len, type);
    if (!st) {
      counters_.malformed->add();
      log_malformed(st.error().what);
      fail(st.error().code, st.error().subcode, st.error().data, st.error().what);
      return;
    }
    if (len == 0) break;
    if (!handle(rest.first(len), type)) return;
    pos += len;
  }
  if (state_ == State::kClosed || state_ == State::kClosing) return;
  std::memmove(buf_.data(), buf_.data() + pos, have_ - pos);
  have_ -= pos;
  read();
}

bool BgpSession::handle(Bytes message, MessageType type) {
  if (type == MessageType::kNotification) {
    counters_.notifications_received->add();
    NotificationMessage n;
    std::string text = "NOTIFICATION received";
    if (parse_notification(message, n).ok()) {
      text += ": " + notification_text(n.code, n.subcode);
      if (!n.shutdown_text.empty()) text += " \"" + n.shutdown_text + "\"";
    }
    logger()->info("peer {}: {}", peer_text_, text);
    close(text);
    return false;
  }
  switch (state_) {
    case State::kOpenWait:
      if (type == MessageType::kOpen) return handle_open(message);
      fail(notify::kFsmError, 1, {}, std::string(message_type_name(type)) + " before OPEN");
      return false;
    case State::kOpenConfirm:
      if (type == MessageType::kKeepalive) {
        if (auto st = parse_keepalive(message); !st) {
          fail(st.error().code, st.error().subcode, st.error().data, st.error().what);
          return false;
        }
        state_ = State::kEstablished;
        reached_established_ = true;
        established_.add();
        logger()->info("peer {}: established, AS {}, BGP ID {}, hold time {} s{}{}", peer_text_,
                       peer_.peer_as, id_text(peer_.bgp_id), hold_.count(), caps_.as4 ? ", 4-byte AS" : "",
                       caps_.add_path[0] || caps_.add_path[1] ? ", ADD-PATH" : "");
        if (observer_ != nullptr) observer_->on_established(peer_, received_open_, sent_open_);
        arm_keepalive_timer();
        return true;
      }
      fail(notify::kFsmError, 2, {}, std::string(message_type_name(type)) + " in OpenConfirm");
      return false;
    case State::kEstablished:
      switch (type) {
        case MessageType::kUpdate:
          return handle_update(message);
        case MessageType::kKeepalive:
          if (auto st = parse_keepalive(message); !st) {
            counters_.malformed->add();
            fail(st.error().code, st.error().subcode, st.error().data, st.error().what);
            return false;
          }
          return true;
        case MessageType::kRouteRefresh:
          return true;  // we send no routes: nothing to refresh
        default:
          fail(notify::kFsmError, 3, {}, std::string(message_type_name(type)) + " in Established");
          return false;
      }
    case State::kClosing:
    case State::kClosed:
      return false;
  }
  return false;
}

bool BgpSession::handle_open(Bytes message) {
  if (auto st = parse_open(message, received_open_); !st) {
    counters_.malformed->add();
    log_malformed(st.error().what);
    fail(st.error().code, st.error().subcode, st.error().data, st.error().what);
    return false;
  }
  peer_.bgp_id = received_open_.bgp_id;
  peer_.peer_as = received_open_.asn();
  const std::uint16_t ours = config_.hold_time != 0 ? config_.hold_time : received_open_.hold_time;
  sent_open_ = passive_open_reply(received_open_, config_.local_as, config_.bgp_id, ours);
  caps_ = session_caps(received_open_, sent_open_);
  peer_.add_path = caps_.add_path;  // (rib) flow lookups compare next hops with ADD-PATH
  hold_ = std::chrono::seconds(std::min(ours, received_open_.hold_time));
  send(encode_open(sent_open_));
  send(encode_keepalive());
  state_ = State::kOpenConfirm;
  hold_limit_ = hold_;
  if (hold_.count() > 0) {
    arm_hold_timer(hold_);
  } else {
    hold_timer_.cancel();
  }
  return true;
}

bool BgpSession::handle_update(Bytes message) {
  counters_.updates->add();
  auto st = parse_update(message, caps_, update_, info_);
  if (!st) {
    counters_.malformed->add();
    log_malformed(st.error().what + " (offset " + std::to_string(st.error().offset) + ")");
    fail(st.error().code, st.error().subcode, st.error().data, st.error().what);
    return false;
  }
  if (info_.treat_as_withdraw || info_.discarded_attributes > 0) {
    counters_.malformed->add();
    log_malformed(std::string(info_.treat_as_withdraw ? "treat-as-withdraw: " : "attribute discarded: ") +
                  info_.reason + " (offset " + std::to_string(info_.reason_offset) + ")");
  }
  if (info_.skipped_families > 0) counters_.skipped_families->add(info_.skipped_families);
  counters_.prefixes_announced->add(update_.announced.size());
  counters_.prefixes_withdrawn->add(update_.withdrawn.size());
  deliver(update_, info_);
  return true;
}

void BgpSession::deliver(UpdateMessage& update, const UpdateInfo& info) {
  if (update.announced.empty() && update.withdrawn.empty() && !update.end_of_rib) return;
  // IPv4 NLRI with NEXT_HOP and MP NLRI with their own next hop: two
  // updates, each with its next hop.
  if (split_mixed_next_hops(update, info, mp_part_)) {
    sink_.on_update(peer_, update);
    sink_.on_update(peer_, mp_part_);
    return;
  }
  sink_.on_update(peer_, update);
}

void BgpSession::send(std::vector<std::uint8_t> message) {
  if (state_ == State::kClosed) return;
  out_.push_back(std::move(message));
  if (!writing_) write_next();
}

void BgpSession::write_next() {
  if (out_.empty()) {
    writing_ = false;
    if (close_after_write_) close(close_reason_);
    return;
  }
  writing_ = true;
  auto self = shared_from_this();
  asio::async_write(socket_, asio::buffer(out_.front()),
                    [this, self](const boost::system::error_code& ec, std::size_t) {
                      if (state_ == State::kClosed) return;
                      out_.pop_front();
                      if (ec) {
                        out_.clear();
                        writing_ = false;
                        close(close_after_write_ ? close_reason_ : "write: " + ec.message());
                        return;
                      }
                      write_next();
                    });
}

void BgpSession::fail(std::uint8_t code, std::uint8_t subcode, Bytes data, const std::string& reason) {
  if (state_ == State::kClosed || state_ == State::kClosing) return;
  counters_.notifications_sent->add();
  logger()->warn("peer {}: sending NOTIFICATION {}: {}", peer_text_, notification_text(code, subcode),
                 reason);
  send(encode_notification(code, subcode, data));
  state_ = State::kClosing;
  close_after_write_ = true;
  close_reason_ = reason;
  // A peer that does not read must not keep the session: close within 1 s.
  hold_timer_.expires_after(std::chrono::seconds(1));
  auto self = shared_from_this();
  hold_timer_.async_wait([this, self](const boost::system::error_code& ec) {
    if (!ec) close(close_reason_);
  });
  keepalive_timer_.cancel();
  if (!writing_) write_next();
}

void BgpSession::shutdown(const std::string& text) {
  if (state_ == State::kClosed || state_ == State::kClosing) return;
  counters_.notifications_sent->add();
  send(encode_shutdown(notify::kAdministrativeShutdown, text));
  state_ = State::kClosing;
  close_after_write_ = true;
  close_reason_ = "shutdown: " + text;
  hold_timer_.expires_after(std::chrono::seconds(1));
  auto self = shared_from_this();
  hold_timer_.async_wait([this, self](const boost::system::error_code& ec) {
    if (!ec) close(close_reason_);
  });
  keepalive_timer_.cancel();
}

void BgpSession::close(const std::string& reason) {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  boost::system::error_code ec;
  hold_timer_.cancel();
  keepalive_timer_.cancel();
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  logger()->info("peer {}: session closed: {}", peer_text_, reason);
  if (reached_established_) sink_.on_peer_down(peer_);
  if (observer_ != nullptr) observer_->on_closed(peer_, reached_established_, reason);
  if (on_closed_) on_closed_(this);
}

void BgpSession::arm_hold_timer(std::chrono::milliseconds after) {
  hold_timer_.expires_after(after);
  auto self = shared_from_this();
  hold_timer_.async_wait([this, self](const boost::system::error_code& ec) {
    if (ec || state_ == State::kClosed || state_ == State::kClosing || hold_limit_.count() == 0) return;
    const auto silent =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - last_rx_);
    if (silent < hold_limit_) {
      arm_hold_timer(hold_limit_ - silent);
      return;
    }
    fail(notify::kHoldTimerExpired, 0, {},
         state_ == State::kOpenWait ? "no OPEN received" : "hold timer expired");
  });
}

void BgpSession::arm_keepalive_timer() {
  if (hold_.count() == 0) return;
  keepalive_timer_.expires_after(std::chrono::milliseconds(hold_) / 3);
  auto self = shared_from_this();
  keepalive_timer_.async_wait([this, self](const boost::system::error_code& ec) {
    if (ec || state_ != State::kEstablished) return;
    send(encode_keepalive());
    arm_keepalive_timer();
  });
}

void BgpSession::log_malformed(const std::string& what) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_log_ < std::chrono::seconds(1)) {
    ++suppressed_logs_;
    return;
  }
  last_log_ = now;
  if (suppressed_logs_ > 0) {
    logger()->warn("peer {}: malformed message: {} ({} more not logged)", peer_text_, what, suppressed_logs_);
  } else {
    logger()->warn("peer {}: malformed message: {}", peer_text_, what);
  }
  suppressed_logs_ = 0;
}

}  // namespace xacct::bgp
