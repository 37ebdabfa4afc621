// BMP (RFC 7854) message decoding: pure functions over the bytes of one
// message, plus a splitter that cuts a TCP byte stream into messages.
//
//   common header   version 3, length (whole message), type           (4.1)
//   per-peer header peer type (global / RD / local / Loc-RIB, RFC 9069),
//                   flags V L A O (O: Adj-RIB-Out, RFC 8671; F for
//                   Loc-RIB), distinguisher, address, AS, BGP ID, time (4.2)
//   Initiation / Termination   information TLVs (sysName, sysDescr,
//                   strings, reason)                               (4.3-4.5)
//   Peer Up         local address and ports, the sent and received OPEN
//                   (bgp::parse_open); the session's capabilities (4-byte
//                   AS, ADD-PATH per AFI) are derived here, and later Route
//                   Monitoring of that peer is parsed with them      (4.10)
//   Peer Down       reason, embedded NOTIFICATION or FSM event code  (4.9)
//   Route Monitoring  the embedded BGP UPDATE as bgp::UpdateMessage,
//                   decoded by the BGP codec (bgp::parse_update)     (4.6)
//   Statistics Report counters (RFC 7854 4.8 and the IANA registry)  (4.8)
//   Route Mirroring  only its per-peer header (the station counts and
//                   skips it)                                        (4.7)
//
// Data path: no exceptions, nothing thrown for any input. A function that
// returns false fills DecodeError with the offset (from the start of the BMP
// message) and what was wrong. Every read goes through one bounds-checked
// reader (bmp_decoder.cpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bgp/bgp_types.hpp"
#include "bgp/bgp_wire.hpp"

namespace xacct::bgp::bmp {

constexpr std::uint8_t kVersion = 3;
constexpr std::size_t kCommonHeaderLen = 6;
constexpr std::size_t kPerPeerHeaderLen = 42;
// Longest message accepted: RFC 8654 extended BGP messages (64 KiB) inside
// a Route Monitoring message, with room to spare. A length field beyond it
// means the stream is broken (it cannot be resynchronised).
constexpr std::uint32_t kMaxMessageLen = 1u << 20;

enum class MsgType : std::uint8_t {
  kRouteMonitoring = 0,
  kStatisticsReport = 1,
  kPeerDown = 2,
  kPeerUp = 3,
  kInitiation = 4,
  kTermination = 5,
  kRouteMirroring = 6,
};
constexpr std::uint8_t kMaxMsgType = 6;

enum class PeerType : std::uint8_t { kGlobal = 0, kRd = 1, kLocal = 2, kLocRib = 3 };

// Per-peer header flags (RFC 7854 4.2, RFC 8671 section 4, RFC 9069 4.2).
constexpr std::uint8_t kFlagV = 0x80;  // peer address is IPv6
constexpr std::uint8_t kFlagL = 0x40;  // post-policy Adj-RIB-In (or Adj-RIB-Out)
constexpr std::uint8_t kFlagA = 0x20;  // legacy 2-byte AS_PATH
constexpr std::uint8_t kFlagO = 0x10;  // Adj-RIB-Out
constexpr std::uint8_t kFlagF = 0x80;  // Loc-RIB: filtered

struct DecodeError {
  std::size_t offset = 0;  // from the start of the BMP message
  std::string what;
  std::string text() const;  // "offset 42: peer up: sent OPEN truncated"
};

struct CommonHeader {
  std::uint8_t version = 0;
  std::uint32_t length = 0;  // whole message, header included
  std::uint8_t type = 0;
};

struct PerPeerHeader {
  std::uint8_t type = 0;  // PeerType, or an unknown value
  std::uint8_t flags = 0;
  std::uint64_t distinguisher = 0;
  IpAddress address;  // IPv4 stored IPv4-mapped (is_v6 false); Loc-RIB: 0.0.0.0
  std::uint32_t as = 0;
  std::uint32_t bgp_id = 0;  // host order
  std::uint32_t ts_sec = 0;
  std::uint32_t ts_usec = 0;

  bool loc_rib() const { return type == static_cast<std::uint8_t>(PeerType::kLocRib); }
  bool v6() const { return !loc_rib() && (flags & kFlagV) != 0; }
  bool post_policy() const { return !loc_rib() && (flags & kFlagL) != 0; }
  bool two_byte_as() const { return !loc_rib() && (flags & kFlagA) != 0; }
  bool adj_rib_out() const { return !loc_rib() && (flags & kFlagO) != 0; }
  bool filtered() const { return loc_rib() && (flags & kFlagF) != 0; }
};

// Information TLV (4.4); string values are cut at the first NUL (routers
// that zero-terminate) and never read past their length.
struct InfoTlv {
  std::uint16_t type = 0;
  std::string value;
};
constexpr std::uint16_t kInfoString = 0;
constexpr std::uint16_t kInfoSysDescr = 1;
constexpr std::uint16_t kInfoSysName = 2;
constexpr std::uint16_t kTermReason = 1;  // Termination: 2-byte reason code

struct Initiation {
  std::string sys_name;
  std::string sys_descr;
  std::vector<std::string> strings;
  std::vector<InfoTlv> tlvs;  // every TLV in order, unknown types included
};

struct Termination {
  std::vector<std::string> strings;
  std::uint16_t reason = 0;
  bool has_reason = false;
  std::vector<InfoTlv> tlvs;
};

struct PeerUp {
  PerPeerHeader peer;
  IpAddress local_address;
  std::uint16_t local_port = 0;
  std::uint16_t remote_port = 0;
  OpenMessage sent_open;      // by the monitored router
  OpenMessage received_open;  // from the peer
  // How the peer's UPDATEs (Route Monitoring) are encoded:
  // session_caps(received_open, sent_open) (bgp_wire.hpp).
  SessionCaps caps;
  std::vector<InfoTlv> tlvs;
};

// Peer Down reasons (RFC 7854 4.9, RFC 9069 4.4).
enum class PeerDownReason : std::uint8_t {
  kLocalNotification = 1,
  kLocalNoNotification = 2,
  kRemoteNotification = 3,
  kRemoteNoData = 4,
  kDeconfigured = 5,
  kLocRibClosed = 6,
};

struct PeerDown {
  PerPeerHeader peer;
  std::uint8_t reason = 0;
  NotificationMessage notification;  // reasons 1 and 3
  std::uint16_t fsm_event = 0;       // reason 2
};

struct RouteMonitoring {
  PerPeerHeader peer;
  UpdateMessage update;
  UpdateInfo info;  // what the codec repaired or skipped (RFC 7606)
};

struct StatCounter {
  std::uint16_t type = 0;
  std::uint16_t afi = 0;  // types 9, 10, 16, 17
  std::uint8_t safi = 0;
  std::uint64_t value = 0;
};

struct StatsReport {
  PerPeerHeader peer;
  std::vector<StatCounter> counters;  // unknown types are skipped
};

bool decode_common_header(Bytes msg, CommonHeader& out, DecodeError& err);
// `msg` is the whole message; reads the per-peer header at offset 6.
bool decode_per_peer_header(Bytes msg, PerPeerHeader& out, DecodeError& err);

bool decode_initiation(Bytes msg, Initiation& out, DecodeError& err);
bool decode_termination(Bytes msg, Termination& out, DecodeError& err);
bool decode_peer_up(Bytes msg, PeerUp& out, DecodeError& err);
bool decode_peer_down(Bytes msg, PeerDown& out, DecodeError& err);
// The embedded UPDATE is parsed with bgp::parse_update (bgp_wire.hpp): the
// AS_PATH size follows the per-peer header's A flag (RFC 7854 4.2: set =
// 2-byte), ADD-PATH follows `caps` (that peer's Peer Up; default: none).
bool decode_route_monitoring(Bytes msg, const SessionCaps& caps, RouteMonitoring& out, DecodeError& err);
bool decode_stats_report(Bytes msg, StatsReport& out, DecodeError& err);
bool decode_route_mirroring(Bytes msg, PerPeerHeader& out, DecodeError& err);

// Cuts a TCP byte stream into BMP messages. Messages may straddle reads;
// complete ones are handed out without copying when they lie in one read.
// A common header whose version is not 3 or whose length is below 6 or above
// kMaxMessageLen breaks the stream: nothing after it can be trusted, the
// splitter stays broken and the caller closes the session.
class StreamSplitter {
 public:
  // Calls on_message(Bytes) for every complete message in buffered + `data`;
  // returns false once the stream is broken (err says why; its offset is the
  // stream offset of the bad header).
  template <typename F>
  bool feed(Bytes data, F&& on_message, DecodeError& err);

  bool broken() const { return broken_; }
  std::size_t buffered() const { return buf_.size(); }
  std::uint64_t stream_offset() const { return consumed_; }

 private:
  // Length of the message at `p` (>= 6 bytes available), or 0 if broken.
  std::uint32_t check_header(const std::uint8_t* p, DecodeError& err);

  std::vector<std::uint8_t> buf_;
  std::uint64_t consumed_ = 0;  // stream bytes handed out as messages
  bool broken_ = false;
};

template <typename F>
bool StreamSplitter::feed(Bytes data, F&& on_message, DecodeError& err) {
  if (broken_) return false;
  // Finish a message started in an earlier read.
  while (!buf_.empty()) {
    if (buf_.size() < kCommonHeaderLen) {
      const std::size_t take = std::min(kCommonHeaderLen - buf_.size(), data.size());
      buf_.insert(buf_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
      data = data.subspan(take);
      if (buf_.size() < kCommonHeaderLen) return true;  // read used up
    }
    const std::uint32_t len = check_header(buf_.data(), err);
    if (len == 0) return false;
    const std::size_t take = std::min(len - buf_.size(), data.size());
    buf_.insert(buf_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
    data = data.subspan(take);
    if (buf_.size() < len) return true;  // read used up
    consumed_ += len;
    on_message(Bytes(buf_.data(), buf_.size()));
    buf_.clear();
  }
  // Whole messages straight from this read.
  while (data.size() >= kCommonHeaderLen) {
    const std::uint32_t len = check_header(data.data(), err);
    if (len == 0) return false;
    if (data.size() < len) break;
    consumed_ += len;
    on_message(data.first(len));
    data = data.subspan(len);
  }
  buf_.insert(buf_.end(), data.begin(), data.end());
  return true;
}

}  // namespace xacct::bgp::bmp
