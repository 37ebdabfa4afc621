// BGP-4 wire codec (RFC 4271): pure functions over byte spans, no I/O, no
// exceptions, no state beyond what the caller passes in. The passive speaker
// (bgp_session.*) and the BMP station (bmp_*: BGP PDUs inside BMP messages)
// both decode with it.
//
//   stream bytes -> peek_message()  one complete message at the front?
//   message      -> parse_open / parse_update / parse_notification /
//                   parse_route_refresh / parse_keepalive
//   OPEN pair    -> session_caps()  how the UPDATEs of a session are encoded
//                   (4-octet ASNs, ADD-PATH path ids per family)
//   replies      -> encode_open / encode_keepalive / encode_notification
//
// Every parser takes a whole message, header included, and on failure
// returns a WireError saying what was wrong, at which byte offset of the
// message, and which NOTIFICATION (RFC 4271 section 6) a session would send.
// UPDATE errors follow RFC 7606: most malformed attributes do not fail the
// parse but turn the announcements into withdrawals ("treat-as-withdraw") or
// drop the one attribute ("attribute discard"), reported in UpdateInfo; only
// what makes the NLRI impossible to locate fails it (session reset).
//
// For the BMP station (RFC 7854): a Peer Up carries the OPEN the monitored
// router sent and the one it received. Decode both with parse_open(), then
//   SessionCaps caps = session_caps(sent_open, received_open);
// and decode each Route Monitoring BGP PDU (an UPDATE from that peer) with
//   parse_update(pdu, caps, update, info);
// The per-peer header's A flag (RFC 7854 4.2: set = legacy 2-byte AS_PATH)
// overrides the OPENs: caps.as4 = !a_flag. ADD-PATH comes from the OPENs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "bgp/bgp_types.hpp"

namespace xacct::bgp {

using Bytes = std::span<const std::uint8_t>;

constexpr std::size_t kHeaderSize = 19;                 // marker 16 + length 2 + type 1
constexpr std::size_t kMaxMessageSize = 4096;           // RFC 4271 4.1
constexpr std::size_t kMaxExtendedMessageSize = 65535;  // RFC 8654
constexpr std::uint16_t kAsTrans = 23456;               // RFC 6793

enum class MessageType : std::uint8_t {
  kOpen = 1,
  kUpdate = 2,
  kNotification = 3,
  kKeepalive = 4,
  kRouteRefresh = 5,  // RFC 2918
};

// NOTIFICATION error codes (RFC 4271 4.5, RFC 4486 for Cease subcodes).
namespace notify {
constexpr std::uint8_t kHeaderError = 1;
constexpr std::uint8_t kOpenError = 2;
constexpr std::uint8_t kUpdateError = 3;
constexpr std::uint8_t kHoldTimerExpired = 4;
constexpr std::uint8_t kFsmError = 5;
constexpr std::uint8_t kCease = 6;
// kHeaderError subcodes
constexpr std::uint8_t kConnectionNotSynchronized = 1;
constexpr std::uint8_t kBadMessageLength = 2;
constexpr std::uint8_t kBadMessageType = 3;
// kOpenError subcodes
constexpr std::uint8_t kUnsupportedVersion = 1;
constexpr std::uint8_t kBadPeerAs = 2;
constexpr std::uint8_t kBadBgpIdentifier = 3;
constexpr std::uint8_t kUnsupportedOptionalParameter = 4;
constexpr std::uint8_t kUnacceptableHoldTime = 6;
// kUpdateError subcodes
constexpr std::uint8_t kMalformedAttributeList = 1;
constexpr std::uint8_t kAttributeLengthError = 5;
constexpr std::uint8_t kInvalidNetworkField = 10;
constexpr std::uint8_t kMalformedAsPath = 11;
// kCease subcodes
constexpr std::uint8_t kMaxPrefixes = 1;
constexpr std::uint8_t kAdministrativeShutdown = 2;
constexpr std::uint8_t kAdministrativeReset = 4;
constexpr std::uint8_t kConnectionRejected = 5;
}  // namespace notify

struct WireError {
  std::string what;        // "UPDATE: withdrawn routes length 40 beyond message end"
  std::size_t offset = 0;  // byte offset in the message (header included)
  std::uint8_t code = 0;   // NOTIFICATION a session sends for it
  std::uint8_t subcode = 0;
  std::vector<std::uint8_t> data;  // NOTIFICATION data (e.g. the bad length field)
};

// ok() or the error. [[nodiscard]]: a parse result is never ignored.
class [[nodiscard]] WireStatus {
 public:
  WireStatus() = default;
  WireStatus(WireError e) : error_(std::move(e)) {}  // NOLINT: implicit by design
  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const WireError& error() const { return *error_; }

 private:
  std::optional<WireError> error_;
};

// --- framing ----------------------------------------------------------------

// Looks at the front of a received byte stream. Sets `length` to the size of
// the complete message there (header included), or 0 when more bytes are
// needed; fails on a bad marker, a length outside 19..max_size, or an
// unknown type. max_size: kMaxMessageSize, or kMaxExtendedMessageSize once
// both sides advertised the extended message capability.
WireStatus peek_message(Bytes stream, std::size_t max_size, std::size_t& length, MessageType& type);

// --- OPEN and capabilities (RFC 5492) ------------------------------------------

// ADD-PATH (RFC 7911) Send/Receive field.
enum AddPathMode : std::uint8_t { kAddPathReceive = 1, kAddPathSend = 2, kAddPathBoth = 3 };

struct AfiSafi {
  std::uint16_t afi = 0;  // 1 IPv4, 2 IPv6
  std::uint8_t safi = 0;  // 1 unicast
  bool operator==(const AfiSafi&) const = default;
};
constexpr AfiSafi kIpv4Unicast{1, 1};
constexpr AfiSafi kIpv6Unicast{2, 1};

struct AddPathFamily {
  AfiSafi family;
  std::uint8_t mode = 0;  // AddPathMode
  bool operator==(const AddPathFamily&) const = default;
};

struct Capabilities {
  std::vector<AfiSafi> multiprotocol;    // code 1, RFC 4760
  bool route_refresh = false;            // code 2, RFC 2918 (or 128, the pre-standard code)
  bool extended_message = false;         // code 6, RFC 8654
  bool graceful_restart = false;         // code 64, RFC 4724
  std::uint16_t restart_flags_time = 0;  // its first 2 bytes: R flag + restart time
  bool as4 = false;                      // code 65, RFC 6793
  std::uint32_t as4_number = 0;
  std::vector<AddPathFamily> add_path;  // code 69, RFC 7911
  bool enhanced_route_refresh = false;  // code 70, RFC 7313
  std::vector<std::uint8_t> other;      // codes of the capabilities not decoded
  bool operator==(const Capabilities&) const = default;

  // ADD-PATH mode for a family, 0 if not advertised.
  std::uint8_t add_path_mode(AfiSafi f) const;
  bool has_family(AfiSafi f) const;
};

struct OpenMessage {
  std::uint8_t version = 4;
  std::uint16_t my_as = 0;  // 2-byte field; AS_TRANS when the ASN needs 4 bytes
  std::uint16_t hold_time = 0;
  std::uint32_t bgp_id = 0;  // host order
  Capabilities caps;
  bool operator==(const OpenMessage&) const = default;

  // The speaker's ASN: the 4-octet AS capability's if present, else my_as.
  std::uint32_t asn() const { return caps.as4 ? caps.as4_number : my_as; }
};

// Decodes an OPEN. Capabilities may come several per optional parameter or
// one per parameter; unknown capabilities are listed in caps.other.
// Optional parameters other than capabilities (type 2) fail with OPEN error
// "unsupported optional parameter". Version != 4, hold time 1 or 2 and BGP
// Identifier 0 fail with their OPEN error subcodes.
WireStatus parse_open(Bytes message, OpenMessage& out);

// How UPDATEs sent by one speaker to another are encoded.
struct SessionCaps {
  bool as4 = false;  // AS_PATH/AGGREGATOR carry 4-byte ASNs (both advertised 4-octet AS)
  // Path identifiers in front of each NLRI, per family (Afi::kIpv4 = [0]):
  // the sender advertised ADD-PATH send and the receiver receive.
  std::array<bool, 2> add_path{};
  bool extended_message = false;  // both advertised it: messages up to 65535 bytes
};

// The encoding of the UPDATEs that the speaker of `sender` sends to the
// speaker of `receiver`. Passive speaker: session_caps(peer_open, our_open).
// BMP Peer Up (UPDATEs from the monitored peer, as the monitored router
// received them): session_caps(received_open, sent_open).
SessionCaps session_caps(const OpenMessage& sender, const OpenMessage& receiver);

// What a passive speaker (pmacct's bgp_daemon) answers to `peer`: MP for the
// families the peer offered, 4-octet AS if the peer has it, ADD-PATH receive
// for each family the peer can send with ADD-PATH, extended message if the
// peer has it, route refresh. local_as 0 = mirror the peer's AS (iBGP).
OpenMessage passive_open_reply(const OpenMessage& peer, std::uint32_t local_as, std::uint32_t bgp_id,
                               std::uint16_t hold_time);

// --- UPDATE -------------------------------------------------------------------

// What parse_update skipped or repaired (RFC 7606) in one UPDATE.
struct UpdateInfo {
  // Announcements turned into withdrawals because an attribute was
  // malformed (RFC 7606 2 "treat-as-withdraw"); `reason` says which.
  bool treat_as_withdraw = false;
  std::string reason;  // first treat-as-withdraw or discard reason
  std::size_t reason_offset = 0;
  std::uint32_t discarded_attributes = 0;  // RFC 7606 "attribute discard" + duplicates
  std::uint32_t unknown_attributes = 0;    // attribute types this codec does not keep
  // MP_REACH/MP_UNREACH of families other than IPv4/IPv6 unicast (skipped).
  std::uint32_t skipped_families = 0;
  // An UPDATE carrying IPv4 NLRI with NEXT_HOP and MP_REACH NLRI with its
  // own next hop: attrs.next_hop is NEXT_HOP (for the IPv4 NLRI),
  // announced[mp_first..] are the MP_REACH ones whose next hop is this.
  bool mixed_next_hops = false;
  std::size_t mp_first = 0;
  IpAddress mp_next_hop;
};

// Decodes an UPDATE (RFC 4271 4.3) with the session's encoding. IPv4
// withdrawn routes and NLRI, MP_UNREACH/MP_REACH (RFC 4760) for AFI 1/2
// SAFI 1; ORIGIN, AS_PATH (2- or 4-byte, AS4_PATH merged per RFC 6793
// 4.2.3), NEXT_HOP, MED, LOCAL_PREF, ATOMIC_AGGREGATE,
// AGGREGATOR/AS4_AGGREGATOR, COMMUNITIES, EXTENDED_COMMUNITIES,
// LARGE_COMMUNITIES. End-of-RIB (RFC 4724 2) sets out.end_of_rib for IPv4
// (empty UPDATE) and IPv6 (MP_UNREACH with no NLRI). Prefix host bits are
// cleared. `out` and `info` are overwritten.
WireStatus parse_update(Bytes message, const SessionCaps& caps, UpdateMessage& out, UpdateInfo& info);

// An UPDATE with info.mixed_next_hops holds routes of two next hops (see
// UpdateInfo): moves the MP_REACH routes, with their next hop and the same
// attributes, from `update` into `mp` and returns true; `update` keeps the
// IPv4 NLRI and the withdrawals. False (nothing moved) otherwise. Every
// consumer of parse_update that keys routes by next hop (RIB) wants this.
bool split_mixed_next_hops(UpdateMessage& update, const UpdateInfo& info, UpdateMessage& mp);

// --- NOTIFICATION, KEEPALIVE, ROUTE-REFRESH --------------------------------------

struct NotificationMessage {
  std::uint8_t code = 0;
  std::uint8_t subcode = 0;
  std::vector<std::uint8_t> data;
  // Cease / Administrative Shutdown or Reset with a Shutdown Communication
  // (RFC 8203, RFC 9003): the UTF-8 text, else empty.
  std::string shutdown_text;
  bool operator==(const NotificationMessage&) const = default;
};
WireStatus parse_notification(Bytes message, NotificationMessage& out);

// A KEEPALIVE is exactly the 19-byte header.
WireStatus parse_keepalive(Bytes message);

struct RouteRefreshMessage {
  AfiSafi family;
  std::uint8_t subtype = 0;  // RFC 7313: 0 request, 1 BoRR, 2 EoRR
};
WireStatus parse_route_refresh(Bytes message, RouteRefreshMessage& out);

// "OPEN", "UPDATE", ... for logs.
const char* message_type_name(MessageType t);
// "Cease/Administrative Shutdown" style text for logs.
std::string notification_text(std::uint8_t code, std::uint8_t subcode);

// --- encoders (what a passive speaker sends) -----------------------------------------

// One capability per optional parameter (as most speakers do).
std::vector<std::uint8_t> encode_open(const OpenMessage& open);
std::vector<std::uint8_t> encode_keepalive();
std::vector<std::uint8_t> encode_notification(std::uint8_t code, std::uint8_t subcode, Bytes data = {});
// Cease with a Shutdown Communication (RFC 9003: at most 255 bytes of UTF-8;
// longer text is cut).
std::vector<std::uint8_t> encode_shutdown(std::uint8_t subcode, std::string_view text);

}  // namespace xacct::bgp
