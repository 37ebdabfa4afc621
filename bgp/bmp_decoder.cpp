// See bmp_decoder.hpp. Section numbers are RFC 7854's unless said otherwise.
#include "bgp/bmp_decoder.hpp"

#include "bgp/bmp_reader.hpp"

namespace xacct::bgp::bmp {
namespace {

bool fail(DecodeError& err, std::size_t offset, const char* what) {
  err.offset = offset;
  err.what = what;
  return false;
}

// Safe string of a TLV value: at most its length, cut at the first NUL.
std::string tlv_string(std::span<const std::uint8_t> v) {
  std::size_t n = 0;
  while (n < v.size() && v[n] != 0) ++n;
  return std::string(reinterpret_cast<const char*>(v.data()), n);
}

// Information TLVs (4.4) up to the end of `r`.
bool read_info_tlvs(Reader& r, std::vector<InfoTlv>& out, DecodeError& err, const char* what) {
  while (r.remaining() > 0) {
    const std::size_t at = r.offset();
    InfoTlv t;
    t.type = r.u16();
    const std::uint16_t len = r.u16();
    if (!r.ok()) return fail(err, at, what);
    auto v = r.bytes(len);
    if (!r.ok()) return fail(err, at, what);
    t.value = tlv_string(v);
    out.push_back(std::move(t));
  }
  return true;
}

}  // namespace

std::string DecodeError::text() const { return "offset " + std::to_string(offset) + ": " + what; }

bool decode_common_header(Bytes msg, CommonHeader& out, DecodeError& err) {
  Reader r(msg);
  out.version = r.u8();
  out.length = r.u32();
  out.type = r.u8();
  if (!r.ok()) return fail(err, 0, "common header truncated");
  if (out.version != kVersion) return fail(err, 0, "unsupported BMP version (not 3)");
  if (out.length < kCommonHeaderLen || out.length > kMaxMessageLen) return fail(err, 1, "bad message length");
  if (out.length > msg.size()) return fail(err, 1, "message shorter than its length field");
  return true;
}

bool decode_per_peer_header(Bytes msg, PerPeerHeader& out, DecodeError& err) {
  if (msg.size() < kCommonHeaderLen) return fail(err, 0, "common header truncated");
  Reader r(msg.subspan(kCommonHeaderLen), kCommonHeaderLen);
  out.type = r.u8();
  out.flags = r.u8();
  out.distinguisher = r.u64();
  if (!r.ok()) return fail(err, kCommonHeaderLen, "per-peer header truncated");
  // RFC 9069 4.1: a Loc-RIB instance has no peer address (zero) and no V flag.
  out.address = r.address16(out.v6());
  out.as = r.u32();
  out.bgp_id = r.u32();
  out.ts_sec = r.u32();
  out.ts_usec = r.u32();
  if (!r.ok()) return fail(err, kCommonHeaderLen, "per-peer header truncated");
  if (out.type > static_cast<std::uint8_t>(PeerType::kLocRib)) {
    return fail(err, kCommonHeaderLen, "unknown peer type");
  }
  return true;
}

bool decode_initiation(Bytes msg, Initiation& out, DecodeError& err) {
  CommonHeader h;
  if (!decode_common_header(msg, h, err)) return false;
  Reader r(msg.first(h.length).subspan(kCommonHeaderLen), kCommonHeaderLen);
  if (!read_info_tlvs(r, out.tlvs, err, "initiation: information TLV truncated")) return false;
  for (const InfoTlv& t : out.tlvs) {
    if (t.type == kInfoSysName) out.sys_name = t.value;
    if (t.type == kInfoSysDescr) out.sys_descr = t.value;
    if (t.type == kInfoString) out.strings.push_back(t.value);
  }
  return true;
}

bool decode_termination(Bytes msg, Termination& out, DecodeError& err) {
  CommonHeader h;
  if (!decode_common_header(msg, h, err)) return false;
  Reader r(msg.first(h.length).subspan(kCommonHeaderLen), kCommonHeaderLen);
  while (r.remaining() > 0) {
    const std::size_t at = r.offset();
    InfoTlv t;
    t.type = r.u16();
    const std::uint16_t len = r.u16();
    auto v = r.bytes(len);
    if (!r.ok()) return fail(err, at, "termination: information TLV truncated");
    if (t.type == kTermReason) {
      if (len != 2) return fail(err, at, "termination: reason TLV is not 2 bytes");
      out.reason = static_cast<std::uint16_t>(v[0] << 8 | v[1]);
      out.has_reason = true;
    } else {
      t.value = tlv_string(v);
      if (t.type == kInfoString) out.strings.push_back(t.value);
    }
    out.tlvs.push_back(std::move(t));
  }
  return true;
}

namespace {

// The BGP message at the reader (header included) as a span; advances past
// it. Empty on failure (err filled, offsets in the BMP message).
Bytes next_bgp_message(Reader& r, DecodeError& err, const char* what) {
  const std::size_t at = r.offset();
  std::size_t len = 0;
  MessageType type{};
  Bytes rest(r.cursor(), r.remaining());
  WireStatus st = peek_message(rest, kMaxExtendedMessageSize, len, type);
  if (!st) {
    fail(err, at + st.error().offset, what);
    err.what += ": " + st.error().what;
    return {};
  }
  if (len == 0) {
    fail(err, at, what);
    err.what += ": truncated";
    return {};
  }
  return r.bytes(len);
}

// A wire codec error inside a BMP message at `base`.
bool wire_fail(DecodeError& err, std::size_t base, const char* what, const WireError& e) {
  fail(err, base + e.offset, what);
  err.what += ": " + e.what;
  return false;
}

}  // namespace

bool decode_peer_up(Bytes msg, PeerUp& out, DecodeError& err) {
  CommonHeader h;
  if (!decode_common_header(msg, h, err)) return false;
  msg = msg.first(h.length);
  if (!decode_per_peer_header(msg, out.peer, err)) return false;
  const std::size_t base = kCommonHeaderLen + kPerPeerHeaderLen;
  Reader r(msg.subspan(base), base);
  // The local address has the family of the peer address (V flag).
  out.local_address = r.address16(out.peer.v6());
  out.local_port = r.u16();
  out.remote_port = r.u16();
  if (!r.ok()) return fail(err, base, "peer up: local address/ports truncated");
  std::size_t at = r.offset();
  Bytes sent = next_bgp_message(r, err, "peer up: sent OPEN");
  if (sent.empty()) return false;
  if (WireStatus st = parse_open(sent, out.sent_open); !st) {
    return wire_fail(err, at, "peer up: sent OPEN", st.error());
  }
  at = r.offset();
  Bytes received = next_bgp_message(r, err, "peer up: received OPEN");
  if (received.empty()) return false;
  if (WireStatus st = parse_open(received, out.received_open); !st) {
    return wire_fail(err, at, "peer up: received OPEN", st.error());
  }
  // Route Monitoring carries what the router received from the peer.
  out.caps = session_caps(out.received_open, out.sent_open);
  return read_info_tlvs(r, out.tlvs, err, "peer up: information TLV truncated");
}

bool decode_peer_down(Bytes msg, PeerDown& out, DecodeError& err) {
  CommonHeader h;
  if (!decode_common_header(msg, h, err)) return false;
  msg = msg.first(h.length);
  if (!decode_per_peer_header(msg, out.peer, err)) return false;
  const std::size_t base = kCommonHeaderLen + kPerPeerHeaderLen;
  Reader r(msg.subspan(base), base);
  out.reason = r.u8();
  if (!r.ok()) return fail(err, base, "peer down: reason missing");
  switch (static_cast<PeerDownReason>(out.reason)) {
    case PeerDownReason::kLocalNotification:
    case PeerDownReason::kRemoteNotification: {
      const std::size_t at = r.offset();
      Bytes pdu = next_bgp_message(r, err, "peer down: NOTIFICATION");
      if (pdu.empty()) return false;
      if (WireStatus st = parse_notification(pdu, out.notification); !st) {
        return wire_fail(err, at, "peer down: NOTIFICATION", st.error());
      }
      break;
    }
    case PeerDownReason::kLocalNoNotification:
      out.fsm_event = r.u16();
      if (!r.ok()) return fail(err, base + 1, "peer down: FSM event code truncated");
      break;
    case PeerDownReason::kRemoteNoData:
    case PeerDownReason::kDeconfigured:
    case PeerDownReason::kLocRibClosed:
      break;
    default:
      return fail(err, base, "peer down: unknown reason code");
  }
  return true;
}

bool decode_route_monitoring(Bytes msg, const SessionCaps& caps, RouteMonitoring& out, DecodeError& err) {
  CommonHeader h;
  if (!decode_common_header(msg, h, err)) return false;
  msg = msg.first(h.length);
  if (!decode_per_peer_header(msg, out.peer, err)) return false;
  const std::size_t base = kCommonHeaderLen + kPerPeerHeaderLen;
  Reader r(msg.subspan(base), base);
  Bytes pdu = next_bgp_message(r, err, "route monitoring: BGP message");
  if (pdu.empty()) return false;
  if (pdu[18] != static_cast<std::uint8_t>(MessageType::kUpdate)) {
    return fail(err, base + 18, "route monitoring: BGP message is not an UPDATE");
  }
  SessionCaps c = caps;
  c.as4 = !out.peer.two_byte_as();
  if (WireStatus st = parse_update(pdu, c, out.update, out.info); !st) {
    return wire_fail(err, base, "route monitoring: UPDATE", st.error());
  }
  return true;
}

bool decode_stats_report(Bytes msg, StatsReport& out, DecodeError& err) {
  CommonHeader h;
  if (!decode_common_header(msg, h, err)) return false;
  msg = msg.first(h.length);
  if (!decode_per_peer_header(msg, out.peer, err)) return false;
  const std::size_t base = kCommonHeaderLen + kPerPeerHeaderLen;
  Reader r(msg.subspan(base), base);
  const std::uint32_t count = r.u32();
  if (!r.ok()) return fail(err, base, "stats report: count truncated");
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t at = r.offset();
    StatCounter c;
    c.type = r.u16();
    const std::uint16_t len = r.u16();
    Reader v = r.sub(len);
    if (!r.ok()) return fail(err, at, "stats report: counter truncated");
    // Section 4.8 and the IANA "BMP Statistics Types" registry: 32-bit
    // counters, 64-bit gauges, and per AFI/SAFI 64-bit gauges (2+1+8 bytes).
    if (len == 4) {
      c.value = v.u32();
    } else if (len == 8) {
      c.value = v.u64();
    } else if (len == 11) {
      c.afi = v.u16();
      c.safi = v.u8();
      c.value = v.u64();
    } else {
      continue;  // unknown shape: skipped
    }
    out.counters.push_back(c);
  }
  return true;
}

bool decode_route_mirroring(Bytes msg, PerPeerHeader& out, DecodeError& err) {
  CommonHeader h;
  if (!decode_common_header(msg, h, err)) return false;
  return decode_per_peer_header(msg.first(h.length), out, err);
}

std::uint32_t StreamSplitter::check_header(const std::uint8_t* p, DecodeError& err) {
  const std::uint32_t len = static_cast<std::uint32_t>(p[1]) << 24 | static_cast<std::uint32_t>(p[2]) << 16 |
                            static_cast<std::uint32_t>(p[3]) << 8 | p[4];
  if (p[0] != kVersion) {
    broken_ = true;
    err.offset = static_cast<std::size_t>(consumed_);
    err.what = "stream: BMP version is not 3";
    return 0;
  }
  if (len < kCommonHeaderLen || len > kMaxMessageLen) {
    broken_ = true;
    err.offset = static_cast<std::size_t>(consumed_ + 1);
    err.what = "stream: bad message length";
    return 0;
  }
  return len;
}

}  // namespace xacct::bgp::bmp
