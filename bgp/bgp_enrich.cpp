// See bgp_enrich.hpp.
#include "bgp/bgp_enrich.hpp"

#include "userspace/maps/ip_prefix.hpp"

namespace xacct::bgp {

using userspace::FlowRecord;
using userspace::IpAddress;

Enricher::Enricher(const Rib& rib, EnrichOptions options, const AgentMapFile* bgp_agents,
                   const AgentMapFile* bmp_agents, userspace::Stats& stats)
    : rib_(rib),
      options_(options),
      bgp_agents_(bgp_agents),
      bmp_agents_(bmp_agents),
      records_(stats.counter("bgp.enrich.records")),
      no_peer_(stats.counter("bgp.enrich.no_peer")),
      src_routes_(stats.counter("bgp.enrich.src_routes")),
      dst_routes_(stats.counter("bgp.enrich.dst_routes")) {}

namespace {

// Which view holds the record's routes: BGP first, then BMP (xacct may run
// both daemons; docs/bgp.md).
const RibView* find_view(const RibSnapshot& snap, const EnrichOptions& o, const AgentMap* bgp_map,
                         const AgentMap* bmp_map, const FlowRecord& r) {
  // A row that matches names the session; no matching row: the exporter's
  // own address, as pmacct (BTA_find_id leaves the agent address).
  if (o.use_bgp && !snap.bgp.empty()) {
    const AgentTarget* t = bgp_map != nullptr ? bgp_map->lookup(r) : nullptr;
    const RibView* v = t != nullptr ? snap.find_bgp(t->bgp_ip, t->bgp_port) : snap.find_bgp(r.peer_src_ip);
    if (v != nullptr) return v;
  }
  if (o.use_bmp && !snap.bmp.empty()) {
    const AgentTarget* t = bmp_map != nullptr ? bmp_map->lookup(r) : nullptr;
    return snap.find_bmp(t != nullptr ? t->bgp_ip : r.peer_src_ip);
  }
  return nullptr;
}

}  // namespace

void Enricher::apply(userspace::RecordBatch& batch) const {
  if (!options_.active() || batch.empty()) return;
  const std::shared_ptr<const RibSnapshot> snap = rib_.snapshot();
  const std::shared_ptr<const AgentMap> bgp_map = bgp_agents_ != nullptr ? bgp_agents_->current() : nullptr;
  const std::shared_ptr<const AgentMap> bmp_map = bmp_agents_ != nullptr ? bmp_agents_->current() : nullptr;
  // The view depends on the exporter alone unless a map row matches on more.
  const bool per_exporter =
      (bgp_map == nullptr || bgp_map->exporter_only()) && (bmp_map == nullptr || bmp_map->exporter_only());
  const EnrichOptions& o = options_;

  std::uint64_t no_peer = 0;
  std::uint64_t src_routes = 0;
  std::uint64_t dst_routes = 0;
  bool cached = false;
  IpAddress cached_exporter;
  const RibView* cached_view = nullptr;

  for (FlowRecord& r : batch) {
    const RibView* view = nullptr;
    if (per_exporter && cached && r.peer_src_ip == cached_exporter) {
      view = cached_view;
    } else {
      view = find_view(*snap, o, bgp_map.get(), bmp_map.get(), r);
      cached = per_exporter;
      cached_exporter = r.peer_src_ip;
      cached_view = view;
    }
    RouteMatch src;
    RouteMatch dst;
    if (view != nullptr) {
      if (maps::family_of(r.src_host) != maps::Family::kNone) src = view->lookup(r.src_host, nullptr);
      // ADD-PATH: the path towards the exporter's own BGP next hop.
      if (maps::family_of(r.dst_host) != maps::Family::kNone) dst = view->lookup(r.dst_host, &r.peer_dst_ip);
    } else {
      ++no_peer;
    }
    src_routes += src ? 1 : 0;
    dst_routes += dst ? 1 : 0;

    // longest: the route wins when its prefix is at least as long as the
    // exporter's mask (pmacct sets lm_method to BGP on >=).
    const bool src_wins = src && src.length >= r.src_mask;
    const bool dst_wins = dst && dst.length >= r.dst_mask;

    if (o.as_bgp) {
      r.src_as = src ? src.info->origin_as : 0;
      r.dst_as = dst ? dst.info->origin_as : 0;
      r.peer_dst_as = dst ? dst.info->first_as : 0;
      // nfacctd_as: bgp drops the exporter's peer_src_as (pmacct installs
      // its netflow handler only with the netflow AS source); a map
      // (bgp_peer_src_as_map) may set it afterwards.
      r.peer_src_as = o.peer_src_as_bgp && src ? src.info->first_as : 0;
    } else if (o.as_longest) {
      if (src_wins) {
        r.src_as = src.info->origin_as;
        if (o.peer_src_as_bgp) r.peer_src_as = src.info->first_as;
      }
      if (dst_wins) {
        r.dst_as = dst.info->origin_as;
        r.peer_dst_as = dst.info->first_as;
      }
    }

    if (o.net_bgp) {
      r.src_mask = src ? src.length : 0;
      r.dst_mask = dst ? dst.length : 0;
      r.peer_dst_ip = dst && dst.info->has_next_hop ? dst.info->next_hop : IpAddress{};
    } else if (o.net_longest) {
      if (src_wins) r.src_mask = src.length;
      if (dst_wins) {
        r.dst_mask = dst.length;
        r.peer_dst_ip = dst.info->has_next_hop ? dst.info->next_hop : IpAddress{};
      }
    }
  }
  records_.add(batch.size());
  if (no_peer != 0) no_peer_.add(no_peer);
  if (src_routes != 0) src_routes_.add(src_routes);
  if (dst_routes != 0) dst_routes_.add(dst_routes);
}

}  // namespace xacct::bgp
