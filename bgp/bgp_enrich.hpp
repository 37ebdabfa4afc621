// Enricher: the per-batch BGP/BMP stage of the collect role, between the
// decoders and the core maps (docs/bgp.md, "Lookup semantics"):
//
//   listener thread: decode ► Enricher::apply(batch) ► MapSet::apply (id maps,
//                    nets from masks, pre_tag_map, ...) ► pipeline
//
// For each record: the RIB view of its exporter (peer_src_ip) -- the session
// a bgp_agent_map / bmp_agent_map row names when one matches, else the BGP
// session whose address or BGP Identifier is the exporter, else the BMP
// router whose address is the exporter -- then one longest-prefix lookup
// per end:
//
//   dst_host ► dst_as (origin AS), peer_dst_as (first AS), dst_mask and
//              peer_dst_ip (the route's BGP next hop). With ADD-PATH the path
//              whose next hop is the exporter's BGP next hop (pmacct).
//   src_host ► src_as, src_mask, peer_src_as (bgp_peer_src_as_type: bgp).
//
// nfacctd_as / nfacctd_net: bgp (or bmp) replace the exporter's values: no
// route (or no session for the exporter) gives 0 / no next hop, as pmacct.
// longest: the route's values are used when its prefix is at least as long
// as the exporter's mask, else the exporter's stay (pmacct's NF_*_FALLBACK
// with BGP among the methods); networks_file then competes in MapSet.
//
// apply() takes one RibSnapshot (and one agent map version) per batch: no
// lock and no allocation per record. Thread-safe (any number of inputs).
// Stats: bgp.enrich.records, bgp.enrich.no_peer (records whose exporter has
// no RIB), bgp.enrich.src_routes, bgp.enrich.dst_routes (ends with a route).
#pragma once

#include "bgp/bgp_agent_map.hpp"
#include "bgp/bgp_rib.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/stats.hpp"

namespace xacct::bgp {

struct EnrichOptions {
  bool as_bgp = false;           // nfacctd_as: bgp|bmp
  bool as_longest = false;       // nfacctd_as: longest (with a BGP/BMP daemon)
  bool net_bgp = false;          // nfacctd_net: bgp|bmp
  bool net_longest = false;      // nfacctd_net: longest
  bool peer_src_as_bgp = false;  // bgp_peer_src_as_type: bgp
  bool use_bgp = false;          // bgp_daemon: true
  bool use_bmp = false;          // bmp_daemon: true

  bool active() const { return (use_bgp || use_bmp) && (as_bgp || as_longest || net_bgp || net_longest); }
};

class Enricher {
 public:
  // `bgp_agents` / `bmp_agents` may be null (not configured); they, the Rib
  // and `stats` must outlive the Enricher.
  Enricher(const Rib& rib, EnrichOptions options, const AgentMapFile* bgp_agents,
           const AgentMapFile* bmp_agents, userspace::Stats& stats);

  bool active() const { return options_.active(); }
  void apply(userspace::RecordBatch& batch) const;

 private:
  const Rib& rib_;
  const EnrichOptions options_;
  const AgentMapFile* bgp_agents_;
  const AgentMapFile* bmp_agents_;
  userspace::Counter& records_;
  userspace::Counter& no_peer_;
  userspace::Counter& src_routes_;
  userspace::Counter& dst_routes_;
};

}  // namespace xacct::bgp
