// See network_policy.hpp.
#include "userspace/maps/network_policy.hpp"

#include <algorithm>
#include <string>

#include "userspace/maps/ip_prefix.hpp"

namespace xacct::maps {

using userspace::FlowRecord;
using userspace::IpAddress;
using userspace::make_error;

userspace::Result<NetworkPolicy> NetworkPolicy::resolve(const MapsConfig& c) {
  NetworkPolicy p;
  const std::string net_key = c.collector ? "nfacctd_net" : "pmacctd_net";
  const std::string as_key = c.collector ? "nfacctd_as" : "pmacctd_as";
  const bool have_file = !c.networks_file.empty();
  const std::string& net = c.net_source;
  if (net.empty()) {
    p.net_file = have_file;
    p.net_mask = c.networks_mask > 0;
    p.net_keep = c.collector && !p.net_file && !p.net_mask;
  } else if (net == "netflow" || net == "sflow") {
    if (!c.collector) return make_error(net_key + ": '" + net + "' applies to the collector only");
    p.net_keep = true;
  } else if (net == "file") {
    if (!have_file) return make_error(net_key + ": file needs networks_file");
    p.net_file = true;
  } else if (net == "mask") {
    if (c.networks_mask == 0) return make_error(net_key + ": mask needs networks_mask");
    p.net_mask = true;
  } else if (net == "longest" || net == "fallback") {
    p.net_fallback = true;
    p.net_keep = c.collector;
    p.net_file = have_file;
  } else if (c.collector && (net == "bgp" || net == "bmp")) {
    // bgp/bgp_enrich.* has set the masks and next hop from the RIB before
    // the maps run; here the nets follow the masks, as with the exporter's.
    // (The probe has no BGP daemon yet: "invalid value" below.)
    p.net_bgp = true;
    p.net_keep = true;
  } else {
    return make_error(net_key + ": invalid value '" + net + "'");
  }

  const std::string& as = c.as_source;
  if (as.empty()) {
    // Collector: keep the exporter's ASNs (nothing to do); probe: none.
  } else if (as == "netflow" || as == "sflow") {
    if (!c.collector) return make_error(as_key + ": '" + as + "' applies to the collector only");
  } else if (as == "file") {
    if (!have_file) return make_error(as_key + ": file needs networks_file");
    p.as_file = true;
  } else if (as == "longest" || as == "fallback") {
    p.as_fallback = true;
    p.as_file = have_file;
  } else if (c.collector && (as == "bgp" || as == "bmp")) {
    // Set by bgp/bgp_enrich.* before the maps; networks_file is not used.
    p.as_bgp = true;
  } else {
    return make_error(as_key + ": invalid value '" + as + "'");
  }

  p.filter = c.networks_file_filter && have_file;
  p.no_lpm = c.networks_file_no_lpm;
  p.no_mask_if_zero = c.networks_no_mask_if_zero;
  p.static_mask = static_cast<std::uint8_t>(std::min<std::uint32_t>(c.networks_mask, 128));
  return p;
}

namespace {

struct Side {
  const IpAddress& host;
  IpAddress& net;
  std::uint8_t& mask;
  std::uint32_t& as;
  std::uint32_t& peer_as;
  IpAddress* peer_dst_ip;  // dst side only
};

// Returns whether the table has a prefix for the host.
bool apply_side(const NetworkPolicy& p, const NetworksTable* table, Side s) {
  const Family f = family_of(s.host);
  if (f == Family::kNone) return false;
  const unsigned width = f == Family::kV6 ? 128 : 32;
  if (p.net_mask) s.mask = static_cast<std::uint8_t>(std::min<unsigned>(p.static_mask, width));

  bool found = false;
  if (table != nullptr && !table->empty() && (p.net_file || p.as_file)) {
    const NetworkMatch e = table->match(s.host);
    found = e.found();
    const std::uint8_t m = e.length;  // 0 when not found
    if (p.net_file) {
      if (!p.net_fallback) {
        s.mask = m;
      } else {
        if (p.no_lpm) {
          if (found) s.mask = m;
        } else if (m > s.mask) {
          s.mask = m;
        }
        if (p.filter && !found) s.mask = 0;
      }
      if (s.peer_dst_ip != nullptr && (!p.net_fallback || (p.no_lpm ? found : m >= s.mask))) {
        *s.peer_dst_ip = e.nexthop != 0 ? table->nexthop(e.nexthop) : IpAddress{};
      }
    }
    if (p.as_file && (!p.as_fallback || (p.no_lpm ? found : m >= s.mask))) {
      s.as = e.as;
      s.peer_as = e.peer_as;
    }
  }
  if (p.net_file || p.net_mask || p.net_keep) {
    s.net = s.host;
    if (!(p.no_mask_if_zero && s.mask == 0)) mask_address(s.net, s.mask);
  }
  return found;
}

void zero_keep_family(IpAddress& a) {
  if (a.is_v6) {
    a.bytes.fill(0);
  } else {
    std::fill(a.bytes.begin() + 12, a.bytes.end(), 0);
  }
}

}  // namespace

NetworkLookup apply_networks(const NetworkPolicy& p, const NetworksTable* table, FlowRecord& r) {
  NetworkLookup l;
  if (!p.active()) return l;
  l.src_found = apply_side(p, table, {r.src_host, r.src_net, r.src_mask, r.src_as, r.peer_src_as, nullptr});
  l.dst_found =
      apply_side(p, table, {r.dst_host, r.dst_net, r.dst_mask, r.dst_as, r.peer_dst_as, &r.peer_dst_ip});
  l.looked_up = table != nullptr && !table->empty() && (p.net_file || p.as_file);
  return l;
}

void apply_networks_filter(const NetworkPolicy& p, const NetworkLookup& l, FlowRecord& r) {
  if (!p.filter || !l.looked_up) return;
  if (!l.src_found && family_of(r.src_host) != Family::kNone) {
    zero_keep_family(r.src_host);
    zero_keep_family(r.src_net);
    r.src_mask = 0;
  }
  if (!l.dst_found && family_of(r.dst_host) != Family::kNone) {
    zero_keep_family(r.dst_host);
    zero_keep_family(r.dst_net);
    r.dst_mask = 0;
  }
}

}  // namespace xacct::maps
