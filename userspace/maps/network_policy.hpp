// How networks_file, networks_mask and the *acctd_net / *acctd_as keys fill
// a record's src_net/dst_net, src_mask/dst_mask, src_as/dst_as,
// peer_src_as/peer_dst_as and peer_dst_ip, following pmacct 1.7.7
// (net_aggr.c set_net_funcs and the search_* functions):
//
//   net sources: mask (networks_mask), file (networks_file), keep (the
//     exporter's masks, collector only); unset = file if networks_file,
//     mask if networks_mask, else keep (collector) / nothing (probe).
//   as sources: file, keep; unset = keep (collector) / nothing (probe): the
//     probe takes ASNs from networks_file only with pmacctd_as: file (obs).
//   longest (fallback): the file's value is used only when its prefix is at
//     least as long as the mask the record already has (networks_file_no_lpm:
//     whenever the file has a prefix at all).
//   Without fallback a file source always overwrites: 0 / no next hop when
//   the address is in no prefix. peer_dst_ip comes from the next-hop column
//   with a file net source.
//   src_net = src_host masked to src_mask (networks_no_mask_if_zero: the host
//   itself when the mask is 0).
//   networks_file_filter: hosts (and nets) in no prefix are zeroed, after
//   pre_tag_map has seen them (pmacct zeroes them in the plugins).
//   bgp / bmp (collector): the BGP enrichment (bgp/bgp_enrich.*) runs before
//     the maps and sets masks, next hop and ASNs from the RIB; here the nets
//     follow those masks (net_keep) and networks_file is not consulted for
//     what BGP provides. With longest, BGP has already competed with the
//     exporter's masks and the file competes with the result.
#pragma once

#include <cstdint>

#include "userspace/flow_record.hpp"
#include "userspace/maps/maps_config.hpp"
#include "userspace/maps/networks_file.hpp"
#include "userspace/result.hpp"

namespace xacct::maps {

struct NetworkPolicy {
  bool net_file = false;
  bool net_mask = false;
  bool net_keep = false;
  bool net_fallback = false;
  bool as_file = false;
  bool as_fallback = false;
  bool net_bgp = false;  // nfacctd_net: bgp|bmp (masks set by bgp_enrich)
  bool as_bgp = false;   // nfacctd_as: bgp|bmp (ASNs set by bgp_enrich)
  bool filter = false;
  bool no_lpm = false;
  bool no_mask_if_zero = false;
  std::uint8_t static_mask = 0;

  // Something to do per record.
  bool active() const { return net_file || net_mask || net_keep || as_file; }

  // Errors: "pmacctd_net: file needs networks_file".
  static userspace::Result<NetworkPolicy> resolve(const MapsConfig& config);
};

// What the networks table said about a record's addresses.
struct NetworkLookup {
  bool src_found = false;
  bool dst_found = false;
  bool looked_up = false;
};

// Nets, masks, ASNs and next hop (before pre_tag_map). `table` may be null.
NetworkLookup apply_networks(const NetworkPolicy& policy, const NetworksTable* table,
                             userspace::FlowRecord& r);

// networks_file_filter (after pre_tag_map): zeroes hosts and nets that the
// lookup found in no prefix.
void apply_networks_filter(const NetworkPolicy& policy, const NetworkLookup& lookup,
                           userspace::FlowRecord& r);

}  // namespace xacct::maps
