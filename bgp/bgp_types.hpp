// The BGP data every part of bgp/ shares: prefixes, path attributes, a
// decoded UPDATE, the peer a route came from, and the interface through
// which a BGP session or a BMP station hands routes to the RIB.
//
//   BGP sessions (bgp_session.*) and BMP stations (bmp_station.*) decode
//   routes and call RouteSink::on_update / on_peer_down; the RIB (bgp_rib.*)
//   is a RouteSink; flow enrichment (bgp_enrich.*) looks up the source and
//   destination of each record in the RIB of the record's exporter.
//
// Plain data only; the wire codec (bgp_wire.*) fills it, the RIB stores it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "userspace/flow_record.hpp"

namespace xacct::bgp {

using userspace::IpAddress;

enum class Afi : std::uint8_t { kIpv4 = 0, kIpv6 = 1 };

// One NLRI: address (IPv4 stored IPv4-mapped as in IpAddress), prefix length
// in bits of its own family (0..32 / 0..128), ADD-PATH path identifier (0
// when the session does not use ADD-PATH for this family).
struct Prefix {
  IpAddress addr;
  std::uint8_t len = 0;
  std::uint32_t path_id = 0;

  Afi afi() const { return addr.is_v6 ? Afi::kIpv6 : Afi::kIpv4; }
  bool operator==(const Prefix&) const = default;
};

enum class Origin : std::uint8_t { kIgp = 0, kEgp = 1, kIncomplete = 2 };

// One AS_PATH segment (RFC 4271 5.1.2), 4-byte ASNs (2-byte paths are
// widened, AS4_PATH merged per RFC 6793 by the codec).
struct AsPathSegment {
  enum class Type : std::uint8_t { kSet = 1, kSequence = 2, kConfedSequence = 3, kConfedSet = 4 };
  Type type = Type::kSequence;
  std::vector<std::uint32_t> asns;
  bool operator==(const AsPathSegment&) const = default;
};

using LargeCommunity = std::array<std::uint32_t, 3>;

// The attributes of one UPDATE (RFC 4271 5, RFC 4760, RFC 1997, RFC 4360,
// RFC 8092). next_hop: NEXT_HOP for IPv4 NLRI, MP_REACH's (global) next hop
// for MP NLRI; unknown attributes are skipped (counted by the codec).
struct PathAttributes {
  Origin origin = Origin::kIncomplete;
  std::vector<AsPathSegment> as_path;
  IpAddress next_hop;
  bool has_next_hop = false;
  std::uint32_t med = 0;
  bool has_med = false;
  std::uint32_t local_pref = 0;
  bool has_local_pref = false;
  bool atomic_aggregate = false;
  std::uint32_t aggregator_as = 0;
  IpAddress aggregator_addr;
  std::vector<std::uint32_t> communities;      // RFC 1997, as on the wire (ASN << 16 | value)
  std::vector<std::uint64_t> ext_communities;  // RFC 4360, 8 bytes big-endian as one integer
  std::vector<LargeCommunity> large_communities;

  // The origin AS (last ASN of the last AS_SEQUENCE, pmacct's src_as/dst_as;
  // 0 for an empty path, i.e. a route of the local AS) and the neighbour AS
  // (first ASN of the path: peer_src_as/peer_dst_as).
  std::uint32_t origin_as() const;
  std::uint32_t first_as() const;

  bool operator==(const PathAttributes&) const = default;
};

// A decoded UPDATE: what it withdraws and what it announces with `attrs`,
// for IPv4 and IPv6 unicast (the families this RIB keeps). end_of_rib: the
// message is an End-of-RIB marker (RFC 4724) for `end_of_rib_afi`.
struct UpdateMessage {
  std::vector<Prefix> withdrawn;
  std::vector<Prefix> announced;
  PathAttributes attrs;
  bool end_of_rib = false;
  Afi end_of_rib_afi = Afi::kIpv4;
};

// Which RIB a route belongs to. For a BGP session: the peer's address and
// TCP port as seen on the socket, its BGP Identifier; for BMP: `router` is
// the BMP exporter's address, the rest describe the monitored peer from the
// per-peer header (peer address, BGP ID, distinguisher, post-policy flag).
struct PeerKey {
  enum class Source : std::uint8_t { kBgp = 0, kBmp = 1 };
  Source source = Source::kBgp;
  IpAddress router;  // BGP: == peer_addr; BMP: the BMP session's remote address
  IpAddress peer_addr;
  std::uint16_t peer_port = 0;
  std::uint32_t bgp_id = 0;  // host order
  std::uint32_t peer_as = 0;
  std::uint64_t peer_distinguisher = 0;
  bool post_policy = false;
  bool loc_rib = false;  // BMP Loc-RIB (RFC 9069) peer type
  // (appended by rib) Families, indexed by Afi, whose NLRI from this peer
  // carry ADD-PATH path ids (RFC 7911; SessionCaps::add_path). With ADD-PATH
  // the flow lookup of a destination takes the path whose next hop is the
  // flow's BGP next hop, as pmacct does. Not part of the peer's identity.
  std::array<bool, 2> add_path{};
  // (appended by bmp) BMP only: the monitored router's own BGP Identifier
  // (host order; the sent OPEN of its Peer Ups, or a Loc-RIB per-peer
  // header), 0 until known. pmacct matches a flow's exporter against the BMP
  // session's address or this ID (bmp_lookup.c). Not part of the identity.
  std::uint32_t router_bgp_id = 0;

  // A BGP session is its address and TCP port: when a router reconnects
  // before its old session has timed out, the two keep separate routes, and
  // the old one's end drops only its own. A BMP peer ignores the port (it
  // is 0 until the Peer Up).
  bool operator==(const PeerKey& o) const {
    return source == o.source && router == o.router && peer_addr == o.peer_addr &&
           peer_distinguisher == o.peer_distinguisher && post_policy == o.post_policy &&
           loc_rib == o.loc_rib && (source != Source::kBgp || peer_port == o.peer_port);
  }
};

// Where sessions and BMP stations deliver routes. Implementations are
// called from the BGP/BMP I/O threads and must be thread-safe.
class RouteSink {
 public:
  virtual ~RouteSink() = default;
  virtual void on_update(const PeerKey& peer, const UpdateMessage& update) = 0;
  // Session closed / BMP Peer Down / BMP router gone: all its routes go.
  virtual void on_peer_down(const PeerKey& peer) = 0;
};

}  // namespace xacct::bgp
