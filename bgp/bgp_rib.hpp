// Rib: the routes of every BGP session and BMP-monitored peer, kept so that
// flow enrichment (bgp_enrich.*) can look up both ends of each record
// without taking a lock per record (docs/bgp.md, "RIB").
//
//   BGP/BMP I/O threads ──► Rib::on_update / on_peer_down (RouteSink)
//        (mutex; per peer, per family: prefix -> paths; attributes interned)
//                              │ marks the peer's view dirty
//   publisher thread ──────────┴► compiles dirty views into immutable
//        longest-prefix-match tables (maps::PrefixTable) and publishes one
//        RibSnapshot through an atomic shared_ptr: at most every
//        publish_interval, at once after End-of-RIB and peer down
//   enrichment (input threads) ► rib.snapshot() once per batch, then
//        RibView::lookup per address: no lock, no allocation
//
// Views (what one flow lookup searches):
//   BGP: one view per session (peer address + TCP port); the collect role
//        finds it by the exporter's address = the peer's address or its BGP
//        Identifier (pmacct bgp_lookup_find_bgp_peer);
//   BMP: one view per BMP router (the BMP session's remote address) holding
//        the routes of every peer it monitors (pmacct's "edge router" case),
//        found by that address or the router's own BGP Identifier.
// Paths of one prefix are kept in arrival order (a replaced path id keeps
// its place). A lookup takes the oldest path, which is what pmacct 1.7.7's
// bgp_node_match returns (it prepends new paths and keeps the last match);
// with ADD-PATH a destination lookup takes the oldest path whose next hop
// is the flow's BGP next hop and, when no path of the longest prefix has it,
// tries the shorter covering prefixes, as pmacct does. No best-path
// selection.
//
// Stats: bgp.rib.publishes, bgp.rib.compile_us (last compile), bgp.rib.peers,
// bgp.rib.prefixes, bgp.rib.paths, bgp.rib.attr_sets, bgp.rib.updates,
// bgp.rib.withdraws_unknown, bgp.rib.bad_prefixes; per BGP peer
// bgp.peer.<ip>.{rib_prefixes,end_of_rib}; per BMP-monitored peer
// bgp.bmp.<router>.peer.<ip>.<pre|post|loc>.{rib_prefixes,end_of_rib}.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bgp/bgp_types.hpp"
#include "userspace/maps/prefix_table.hpp"
#include "userspace/stats.hpp"

namespace xacct::bgp {

// One interned attribute set with what a flow lookup reads of it, computed
// once (pmacct semantics, see docs/bgp.md "Lookup semantics").
struct RouteAttrs {
  PathAttributes attrs;
  // src_as/dst_as: the last ASN of the AS_PATH as written, whatever its
  // segment type (pmacct's aspath last_as); 0 for an empty path (a route of
  // the local AS).
  std::uint32_t origin_as = 0;
  // peer_src_as/peer_dst_as: the first ASN when the path starts with an
  // AS_SEQUENCE or AS_CONFED_SEQUENCE; 0 when it starts with a set or is
  // empty (pmacct's evaluate_first_asn over the path text).
  std::uint32_t first_as = 0;
};

// pmacct's view of an AS_PATH (exposed for tests).
std::uint32_t pmacct_origin_as(const std::vector<AsPathSegment>& path);
std::uint32_t pmacct_first_as(const std::vector<AsPathSegment>& path);

// What a flow lookup reads of a route, 32 bytes, one cache line at most;
// the full attribute set is one more indirection (RouteMatch::attrs()).
struct alignas(32) RouteInfo {
  userspace::IpAddress next_hop;
  bool has_next_hop = false;
  std::uint32_t origin_as = 0;
  std::uint32_t first_as = 0;
};

class RibView;

struct RouteMatch {
  const RouteInfo* info = nullptr;  // null: no route
  const RibView* view = nullptr;
  std::uint32_t index = 0;  // the attribute set within the view
  std::uint8_t length = 0;  // prefix length of the matched route
  explicit operator bool() const { return info != nullptr; }
  const RouteAttrs& attrs() const;  // the full set (AS path, communities, ...)
};

// Immutable longest-prefix-match table of one view. The interval table's
// value packs what a lookup without ADD-PATH needs (the first path's route
// info and the prefix length), so that lookup touches the 64 Ki bucket
// array, the interval starts, the value and the RouteInfo only.
class RibView {
 public:
  // `next_hop`: with ADD-PATH in use for the family, only paths with this
  // next hop match (pass null for source lookups: any path).
  RouteMatch lookup(const userspace::IpAddress& addr, const userspace::IpAddress* next_hop) const;

  bool add_path(Afi afi) const { return add_path_[static_cast<int>(afi)]; }
  std::size_t prefixes() const { return entries_.size(); }
  std::size_t intervals() const { return v4_.intervals() + v6_.intervals(); }
  std::size_t memory_bytes() const;
  const RouteAttrs& attrs(std::uint32_t index) const { return *attrs_[index]; }

 private:
  friend class RibCompiler;
  struct Entry {
    std::uint32_t first_path = 0;  // into paths_
    std::uint32_t parent = 0;      // covering prefix's entry + 1, 0 = none
    std::uint16_t path_count = 0;
    std::uint8_t length = 0;
  };
  // Interval value: bits 0-7 prefix length, 8-31 entry + 1, 32-63 the first
  // path's info + 1; 0 = no prefix. (At most 16 M prefixes per view.)
  using Packed = std::uint64_t;
  RouteMatch from_packed(Packed v, const userspace::IpAddress* next_hop) const;
  RouteMatch match_entry(std::uint32_t e, const userspace::IpAddress* next_hop) const;

  maps::PrefixTable<std::uint32_t, Packed> v4_;
  maps::PrefixTable<maps::U128, Packed> v6_;
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> paths_;                      // into infos_/attrs_, oldest first
  std::vector<RouteInfo> infos_;                          // one per attribute set of the view
  std::vector<std::shared_ptr<const RouteAttrs>> attrs_;  // keeps the sets alive
  std::array<bool, 2> add_path_{};
};

inline const RouteAttrs& RouteMatch::attrs() const { return view->attrs(index); }

// What the enrichment searches: every view of one moment.
struct RibSnapshot {
  struct BgpPeer {
    userspace::IpAddress addr;
    std::uint16_t port = 0;
    userspace::IpAddress bgp_id;  // the BGP Identifier as an IPv4 address
    std::shared_ptr<const RibView> view;
  };
  struct BmpRouter {
    userspace::IpAddress router;
    // The router's own BGP Identifiers (as IPv4 addresses) from its Peer
    // Ups / Loc-RIB headers (PeerKey::router_bgp_id): pmacct matches the
    // exporter against them too.
    std::vector<userspace::IpAddress> bgp_ids;
    std::shared_ptr<const RibView> view;
  };
  std::vector<BgpPeer> bgp;  // oldest session first
  std::vector<BmpRouter> bmp;
  std::uint64_t generation = 0;

  // The first session (oldest first) whose address, or BGP Identifier,
  // equals `addr`; with `port`, the address must also come from that TCP
  // port (bgp_agent_map bgp_port). Null when none.
  const RibView* find_bgp(const userspace::IpAddress& addr, std::optional<std::uint16_t> port = {}) const;
  // The BMP router whose session address, or own BGP Identifier, equals
  // `router` (pmacct's edge-router case). Null when none.
  const RibView* find_bmp(const userspace::IpAddress& router) const;
};

struct RibOptions {
  // Shortest time between two compilations of one busy view (a full table
  // arriving); End-of-RIB and peer down publish at once.
  std::chrono::milliseconds publish_interval{500};
};

class Rib final : public RouteSink {
 public:
  // `stats` null: counters live in the Rib.
  explicit Rib(RibOptions options = {}, userspace::Stats* stats = nullptr);
  ~Rib() override;
  Rib(const Rib&) = delete;
  Rib& operator=(const Rib&) = delete;

  // RouteSink (any thread).
  void on_update(const PeerKey& peer, const UpdateMessage& update) override;
  void on_peer_down(const PeerKey& peer) override;

  // The publisher thread; stop() joins it (idempotent, also in ~Rib).
  void start();
  void stop();

  // Compiles every dirty view and publishes now, on the caller's thread
  // (tests, benchmarks; also what the publisher thread runs).
  void publish_now();

  // Readers: one load per batch.
  std::shared_ptr<const RibSnapshot> snapshot() const { return current_.load(std::memory_order_acquire); }

  // Counts for tests and the stats report.
  std::size_t peer_count() const;
  std::size_t prefix_count() const;  // over every peer and family
  std::size_t attr_set_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<std::shared_ptr<const RibSnapshot>> current_;
};

}  // namespace xacct::bgp
