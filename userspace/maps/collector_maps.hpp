// The collector's "id" maps (spec/maps.md §0 and §10): rows of key=value
// MATCH keys and one `id=` value, evaluated top-down, first match wins.
//
//   sampling_map         id=<rate>  ip= [in=] [out=]                -> sampling_rate
//   flow_to_rd_map       id=<RD>    ip= [in=] [out=] [bgp_nexthop=]
//                                   [mpls_label_bottom=]            -> mpls_vpn_rd
//   bgp_peer_src_as_map  id=<ASN>   ip= [in=] [out=] [src_mac=]
//                                   [bgp_nexthop=] [vlan=] [filter=] -> peer_src_as
//
// MATCH keys compare against the record as pre_tag_map does: ip -> the
// exporter (peer_src_ip, a prefix), in/out -> in_iface/out_iface, vlan,
// src_mac, bgp_nexthop -> peer_dst_ip, mpls_label_bottom, filter -> libpcap
// on the packet rebuilt from the record. Values of in, out, vlan,
// mpls_label_bottom may be negated with a leading '-'. A record matched by
// no row keeps what the exporter reported (pmacct: "the sampling rate
// advertised by the router itself is applied"); a matched row overrides it
// (flow_to_rd_map: "definitions in this map do override same data received
// from the export protocol").
//
// RD text (id of flow_to_rd_map) is pmacct's "<type>:<admin>:<number>":
// type 0 = 2-byte ASN : 4-byte number, 1 = IPv4 : 2-byte number, 2 = 4-byte
// ASN : 2-byte number; FlowRecord::mpls_vpn_rd holds its 8 wire bytes
// (RFC 4364 §4.2) as a big-endian integer, as NetFlow/IPFIX IE 90 carries it.
//
// Bad lines are reported (file:line) and skipped; rows beyond maps_entries
// are dropped. Immutable once built; apply() is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "userspace/filter/pcap_filter.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/maps/ip_prefix.hpp"
#include "userspace/maps/map_text.hpp"
#include "userspace/result.hpp"

namespace xacct::maps {

enum class IdMapKind : std::uint8_t { kSampling, kFlowToRd, kPeerSrcAs };

// "0:65512:1" -> the 8 RD bytes as an integer; nullopt when malformed.
std::optional<std::uint64_t> parse_route_distinguisher(std::string_view text);
// The inverse, as pmacct prints mpls_vpn_rd.
std::string format_route_distinguisher(std::uint64_t rd);

class IdMap {
 public:
  static userspace::Result<std::shared_ptr<const IdMap>> load(IdMapKind kind, const std::string& path,
                                                              std::uint32_t max_entries, std::uint32_t max_row_len,
                                                              LoadReport& report);
  static std::shared_ptr<const IdMap> parse(IdMapKind kind, std::string_view text, std::string_view file,
                                            std::uint32_t max_entries, std::uint32_t max_row_len,
                                            LoadReport& report);

  ~IdMap();
  IdMap(const IdMap&) = delete;
  IdMap& operator=(const IdMap&) = delete;

  // The id of the first matching row, if any.
  std::optional<std::uint64_t> lookup(const userspace::FlowRecord& r) const;
  // Writes the matched id into the kind's field; false when no row matched.
  bool apply(userspace::FlowRecord& r) const;

  IdMapKind kind() const { return kind_; }
  std::size_t size() const;

 private:
  struct Rule;
  explicit IdMap(IdMapKind kind);

  IdMapKind kind_;
  std::vector<Rule> rules_;
};

const char* id_map_name(IdMapKind kind);

}  // namespace xacct::maps
