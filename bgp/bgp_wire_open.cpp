// The BGP codec's framing and session messages (bgp_wire.hpp): message
// header (RFC 4271 4.1), OPEN and capabilities (4.2, RFC 5492), NOTIFICATION
// (4.5, RFC 9003 shutdown communication), KEEPALIVE (4.4), ROUTE-REFRESH
// (RFC 2918, RFC 7313) and the encoders a passive speaker needs. UPDATE is
// in bgp_wire_update.cpp.
#include <algorithm>
#include <string_view>

#include "bgp/bgp_wire.hpp"
#include "bgp/bgp_wire_reader.hpp"

namespace xacct::bgp {
namespace {

using wire::ByteReader;

WireError error(std::string what, std::size_t offset, std::uint8_t code, std::uint8_t subcode,
                std::vector<std::uint8_t> data = {}) {
  return WireError{std::move(what), offset, code, subcode, std::move(data)};
}

void put16(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put16(out, v >> 16);
  put16(out, v & 0xffff);
}

// Header with a zero length; finish() fills it in.
std::vector<std::uint8_t> start(MessageType type) {
  std::vector<std::uint8_t> m(16, 0xff);
  put16(m, 0);
  m.push_back(static_cast<std::uint8_t>(type));
  return m;
}
std::vector<std::uint8_t> finish(std::vector<std::uint8_t> m) {
  m[16] = static_cast<std::uint8_t>(m.size() >> 8);
  m[17] = static_cast<std::uint8_t>(m.size());
  return m;
}

// Checks the header of a whole message of the expected type.
WireStatus check_header(Bytes message, MessageType expected) {
  std::size_t length = 0;
  MessageType type{};
  if (auto st = peek_message(message, kMaxExtendedMessageSize, length, type); !st) return st;
  if (length == 0 || length != message.size()) {
    return error("message length field " +
                     std::to_string(message.size() >= 18 ? wire::load_be16(&message[16]) : 0) +
                     " != " + std::to_string(message.size()) + " bytes given",
                 16, notify::kHeaderError, notify::kBadMessageLength);
  }
  if (type != expected) {
    return error(std::string("expected ") + message_type_name(expected) + ", got " + message_type_name(type),
                 18, notify::kHeaderError, notify::kBadMessageType);
  }
  return {};
}

// One capability (RFC 5492 4) of `length` bytes at r.
WireStatus parse_capability(std::uint8_t code, ByteReader r, Capabilities& caps) {
  const std::size_t at = r.offset();
  auto bad = [&](const char* name) {
    return error(
        std::string("OPEN: ") + name + " capability length " + std::to_string(r.remaining()) + " invalid", at,
        notify::kOpenError, 0);
  };
  switch (code) {
    case 1: {  // multiprotocol: AFI 2, reserved 1, SAFI 1
      if (r.remaining() != 4) return bad("multiprotocol");
      AfiSafi f;
      f.afi = r.u16();
      r.u8();
      f.safi = r.u8();
      if (!caps.has_family(f)) caps.multiprotocol.push_back(f);
      return {};
    }
    case 2:
    case 128:  // route refresh (128: Cisco's pre-standard code)
      caps.route_refresh = true;
      return {};
    case 6:
      caps.extended_message = true;
      return {};
    case 64:  // graceful restart: flags+time, then (AFI, SAFI, flags) tuples
      if (r.remaining() < 2 || (r.remaining() - 2) % 4 != 0) return bad("graceful restart");
      caps.graceful_restart = true;
      caps.restart_flags_time = r.u16();
      return {};
    case 65:
      if (r.remaining() != 4) return bad("4-octet AS");
      caps.as4 = true;
      caps.as4_number = r.u32();
      return {};
    case 69:  // ADD-PATH: (AFI 2, SAFI 1, send/receive 1) tuples
      if (r.remaining() == 0 || r.remaining() % 4 != 0) return bad("ADD-PATH");
      while (!r.empty()) {
        AddPathFamily a;
        a.family.afi = r.u16();
        a.family.safi = r.u8();
        a.mode = r.u8();
        if (a.mode < 1 || a.mode > 3) {
          return error("OPEN: ADD-PATH send/receive value " + std::to_string(a.mode) + " invalid",
                       r.offset() - 1, notify::kOpenError, 0);
        }
        caps.add_path.push_back(a);
      }
      return {};
    case 70:
      caps.enhanced_route_refresh = true;
      return {};
    default:
      caps.other.push_back(code);
      return {};
  }
}

}  // namespace

std::uint8_t Capabilities::add_path_mode(AfiSafi f) const {
  for (const auto& a : add_path) {
    if (a.family == f) return a.mode;
  }
  return 0;
}

bool Capabilities::has_family(AfiSafi f) const {
  return std::find(multiprotocol.begin(), multiprotocol.end(), f) != multiprotocol.end();
}

WireStatus peek_message(Bytes stream, std::size_t max_size, std::size_t& length, MessageType& type) {
  length = 0;
  const std::size_t have = std::min<std::size_t>(stream.size(), 16);
  for (std::size_t i = 0; i < have; ++i) {
    if (stream[i] != 0xff) {
      return error("header: marker byte " + std::to_string(i) + " is not 0xff", i, notify::kHeaderError,
                   notify::kConnectionNotSynchronized);
    }
  }
  if (stream.size() < kHeaderSize) return {};
  const std::uint16_t len = wire::load_be16(&stream[16]);
  const std::uint8_t t = stream[18];
  if (len < kHeaderSize || len > max_size) {
    return error("header: length " + std::to_string(len) + " outside 19.." + std::to_string(max_size), 16,
                 notify::kHeaderError, notify::kBadMessageLength, {stream[16], stream[17]});
  }
  if (t < 1 || t > 5) {
    return error("header: unknown message type " + std::to_string(t), 18, notify::kHeaderError,
                 notify::kBadMessageType, {t});
  }
  type = static_cast<MessageType>(t);
  if (stream.size() >= len) length = len;
  return {};
}

WireStatus parse_open(Bytes message, OpenMessage& out) {
  if (auto st = check_header(message, MessageType::kOpen); !st) return st;
  out = OpenMessage{};
  ByteReader r(message.subspan(kHeaderSize), kHeaderSize);
  out.version = r.u8();
  out.my_as = r.u16();
  out.hold_time = r.u16();
  out.bgp_id = r.u32();
  const std::uint8_t opt_len = r.u8();
  if (!r.ok()) {
    return error("OPEN: " + std::to_string(message.size()) + " bytes, shorter than 29", 16,
                 notify::kHeaderError, notify::kBadMessageLength, {message[16], message[17]});
  }
  if (out.version != 4) {
    return error("OPEN: version " + std::to_string(out.version) + " (only 4)", kHeaderSize,
                 notify::kOpenError, notify::kUnsupportedVersion, {0, 4});
  }
  if (out.hold_time == 1 || out.hold_time == 2) {
    return error("OPEN: hold time " + std::to_string(out.hold_time) + " (must be 0 or at least 3)",
                 kHeaderSize + 3, notify::kOpenError, notify::kUnacceptableHoldTime);
  }
  if (out.bgp_id == 0) {
    return error("OPEN: BGP Identifier 0.0.0.0", kHeaderSize + 5, notify::kOpenError,
                 notify::kBadBgpIdentifier);
  }
  if (opt_len != r.remaining()) {
    return error("OPEN: optional parameters length " + std::to_string(opt_len) +
                     " != " + std::to_string(r.remaining()) + " bytes left",
                 kHeaderSize + 9, notify::kOpenError, 0);
  }
  while (!r.empty()) {
    const std::size_t param_at = r.offset();
    const std::uint8_t ptype = r.u8();
    const std::uint8_t plen = r.u8();
    if (!r.has(plen)) {
      return error("OPEN: optional parameter length " + std::to_string(plen) + " beyond the message",
                   param_at + 1, notify::kOpenError, 0);
    }
    if (ptype != 2) {
      return error("OPEN: optional parameter type " + std::to_string(ptype) + " unsupported", param_at,
                   notify::kOpenError, notify::kUnsupportedOptionalParameter);
    }
    ByteReader params(r.take(plen), param_at + 2);
    // Several capabilities may share one parameter (RFC 5492 4).
    while (!params.empty()) {
      const std::size_t cap_at = params.offset();
      const std::uint8_t code = params.u8();
      const std::uint8_t clen = params.u8();
      if (!params.has(clen)) {
        return error("OPEN: capability " + std::to_string(code) + " length " + std::to_string(clen) +
                         " beyond its parameter",
                     cap_at + 1, notify::kOpenError, 0);
      }
      if (auto st = parse_capability(code, ByteReader(params.take(clen), cap_at + 2), out.caps); !st)
        return st;
    }
  }
  return {};
}

SessionCaps session_caps(const OpenMessage& sender, const OpenMessage& receiver) {
  SessionCaps s;
  s.as4 = sender.caps.as4 && receiver.caps.as4;
  s.extended_message = sender.caps.extended_message && receiver.caps.extended_message;
  const AfiSafi families[2] = {kIpv4Unicast, kIpv6Unicast};
  for (int i = 0; i < 2; ++i) {
    s.add_path[static_cast<std::size_t>(i)] =
        (sender.caps.add_path_mode(families[i]) & kAddPathSend) != 0 &&
        (receiver.caps.add_path_mode(families[i]) & kAddPathReceive) != 0;
  }
  return s;
}

OpenMessage passive_open_reply(const OpenMessage& peer, std::uint32_t local_as, std::uint32_t bgp_id,
                               std::uint16_t hold_time) {
  OpenMessage o;
  const std::uint32_t as = local_as != 0 ? local_as : peer.asn();
  o.my_as = as > 0xffff ? kAsTrans : static_cast<std::uint16_t>(as);
  o.hold_time = hold_time;
  o.bgp_id = bgp_id;
  o.caps.multiprotocol = peer.caps.multiprotocol;
  o.caps.route_refresh = true;
  o.caps.extended_message = peer.caps.extended_message;
  if (peer.caps.as4) {
    o.caps.as4 = true;
    o.caps.as4_number = as;
  }
  for (const auto& a : peer.caps.add_path) {
    if ((a.mode & kAddPathSend) != 0) o.caps.add_path.push_back({a.family, kAddPathReceive});
  }
  return o;
}

WireStatus parse_notification(Bytes message, NotificationMessage& out) {
  if (auto st = check_header(message, MessageType::kNotification); !st) return st;
  out = NotificationMessage{};
  ByteReader r(message.subspan(kHeaderSize), kHeaderSize);
  out.code = r.u8();
  out.subcode = r.u8();
  if (!r.ok()) {
    return error("NOTIFICATION: " + std::to_string(message.size()) + " bytes, shorter than 21", 16,
                 notify::kHeaderError, notify::kBadMessageLength);
  }
  auto data = r.take(r.remaining());
  out.data.assign(data.begin(), data.end());
  // RFC 9003 2: length byte, then that much UTF-8; a length beyond the data
  // is a malformed communication, kept only as raw data.
  if (out.code == notify::kCease &&
      (out.subcode == notify::kAdministrativeShutdown || out.subcode == notify::kAdministrativeReset) &&
      !out.data.empty() && out.data[0] != 0 && out.data[0] < out.data.size()) {
    out.shutdown_text.assign(reinterpret_cast<const char*>(out.data.data() + 1), out.data[0]);
  }
  return {};
}

WireStatus parse_keepalive(Bytes message) {
  if (auto st = check_header(message, MessageType::kKeepalive); !st) return st;
  if (message.size() != kHeaderSize) {
    return error("KEEPALIVE: length " + std::to_string(message.size()) + " != 19", 16, notify::kHeaderError,
                 notify::kBadMessageLength, {message[16], message[17]});
  }
  return {};
}

WireStatus parse_route_refresh(Bytes message, RouteRefreshMessage& out) {
  if (auto st = check_header(message, MessageType::kRouteRefresh); !st) return st;
  if (message.size() != kHeaderSize + 4) {
    return error("ROUTE-REFRESH: length " + std::to_string(message.size()) + " != 23", 16,
                 notify::kHeaderError, notify::kBadMessageLength, {message[16], message[17]});
  }
  ByteReader r(message.subspan(kHeaderSize), kHeaderSize);
  out.family.afi = r.u16();
  out.subtype = r.u8();
  out.family.safi = r.u8();
  return {};
}

const char* message_type_name(MessageType t) {
  switch (t) {
    case MessageType::kOpen:
      return "OPEN";
    case MessageType::kUpdate:
      return "UPDATE";
    case MessageType::kNotification:
      return "NOTIFICATION";
    case MessageType::kKeepalive:
      return "KEEPALIVE";
    case MessageType::kRouteRefresh:
      return "ROUTE-REFRESH";
  }
  return "unknown";
}

std::string notification_text(std::uint8_t code, std::uint8_t subcode) {
  static constexpr const char* kCodes[] = {"",
                                           "Message Header Error",
                                           "OPEN Message Error",
                                           "UPDATE Message Error",
                                           "Hold Timer Expired",
                                           "FSM Error",
                                           "Cease"};
  std::string s = code < 7 && code > 0 ? kCodes[code] : "code " + std::to_string(code);
  if (code == notify::kCease) {
    static constexpr const char* kCease[] = {"",
                                             "Maximum Number of Prefixes Reached",
                                             "Administrative Shutdown",
                                             "Peer De-configured",
                                             "Administrative Reset",
                                             "Connection Rejected",
                                             "Other Configuration Change",
                                             "Connection Collision Resolution",
                                             "Out of Resources",
                                             "Hard Reset"};
    if (subcode > 0 && subcode < 10) return s + "/" + kCease[subcode];
  }
  return s + "/" + std::to_string(subcode);
}

std::vector<std::uint8_t> encode_open(const OpenMessage& open) {
  std::vector<std::uint8_t> caps;
  auto cap = [&caps](std::uint8_t code, const std::vector<std::uint8_t>& value) {
    // The optional parameters length is one byte (RFC 9072's extended
    // form is not sent): what does not fit is left out.
    if (value.size() > 251 || caps.size() + value.size() + 4 > 255) return;
    caps.push_back(2);  // optional parameter type: capabilities
    caps.push_back(static_cast<std::uint8_t>(value.size() + 2));
    caps.push_back(code);
    caps.push_back(static_cast<std::uint8_t>(value.size()));
    caps.insert(caps.end(), value.begin(), value.end());
  };
  for (const AfiSafi& f : open.caps.multiprotocol) {
    cap(1, {static_cast<std::uint8_t>(f.afi >> 8), static_cast<std::uint8_t>(f.afi), 0, f.safi});
  }
  if (open.caps.route_refresh) cap(2, {});
  if (open.caps.extended_message) cap(6, {});
  if (open.caps.as4) {
    std::vector<std::uint8_t> v;
    put32(v, open.caps.as4_number);
    cap(65, v);
  }
  if (!open.caps.add_path.empty()) {
    std::vector<std::uint8_t> v;
    for (const auto& a : open.caps.add_path) {
      put16(v, a.family.afi);
      v.push_back(a.family.safi);
      v.push_back(a.mode);
    }
    cap(69, v);
  }
  std::vector<std::uint8_t> m = start(MessageType::kOpen);
  m.push_back(open.version);
  put16(m, open.my_as);
  put16(m, open.hold_time);
  put32(m, open.bgp_id);
  m.push_back(static_cast<std::uint8_t>(caps.size()));
  m.insert(m.end(), caps.begin(), caps.end());
  return finish(std::move(m));
}

std::vector<std::uint8_t> encode_keepalive() { return finish(start(MessageType::kKeepalive)); }

std::vector<std::uint8_t> encode_notification(std::uint8_t code, std::uint8_t subcode, Bytes data) {
  std::vector<std::uint8_t> m = start(MessageType::kNotification);
  m.push_back(code);
  m.push_back(subcode);
  const std::size_t room = kMaxMessageSize - m.size();
  m.insert(m.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(std::min(room, data.size())));
  return finish(std::move(m));
}

std::vector<std::uint8_t> encode_shutdown(std::uint8_t subcode, std::string_view text) {
  std::vector<std::uint8_t> data;
  const std::size_t n = std::min<std::size_t>(text.size(), 255);
  data.push_back(static_cast<std::uint8_t>(n));
  data.insert(data.end(), text.begin(), text.begin() + static_cast<std::ptrdiff_t>(n));
  return encode_notification(notify::kCease, subcode, data);
}

}  // namespace xacct::bgp
