// What pre_tag_map and the collector's id maps (sampling_map, flow_to_rd_map,
// bgp_peer_src_as_map) share (spec/maps.md §0, §10): the MATCH terms of a
// row and how a record is tested against them, the number and MAC value
// syntax, and the walk over a file's rows (the maps_entries cut, malformed
// lines skipped). Each map keeps its own key names, value ranges and
// messages; both compare a key against the record the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "userspace/filter/pcap_filter.hpp"
#include "userspace/filter/record_packet.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/maps/ip_prefix.hpp"
#include "userspace/maps/map_text.hpp"

namespace xacct::maps {

// Decimal digits only (no sign, no blanks), at most 2^64-1.
bool parse_u64(std::string_view s, std::uint64_t& out);

// "00:11:22:33:44:55" (1 or 2 hex digits per byte, as ether_aton).
bool parse_mac(std::string_view s, userspace::MacAddress& out);

// The record field a term compares. Rows keep their terms sorted by key:
// kFilter last, the most expensive.
enum class MatchKey : std::uint8_t {
  kIn,
  kOut,
  kDirection,
  kVlan,
  kSrcMac,
  kDstMac,
  kSrcNet,
  kDstNet,
  kNexthop,
  kSrcAs,
  kDstAs,
  kPeerSrcAs,
  kPeerDstAs,
  kEngineId,
  kIsMulticast,
  kFwdStatus,
  kMplsLabelBottom,
  kFilter,
};

struct MatchTerm {
  MatchKey key = MatchKey::kIn;
  bool neg = false;          // a leading '-': the term holds when the field differs
  std::uint64_t number = 0;  // in, out, vlan, AS numbers, engine_id, fwdstatus, ...; direction 0 in 1 out
  userspace::MacAddress mac{};
  IpPrefix prefix;                                   // src_net, dst_net
  userspace::IpAddress address;                      // bgp_nexthop
  std::shared_ptr<const filter::PcapFilter> filter;  // filter
};

// True when the record's exporter (peer_src_ip) is inside `ip` (if set) and
// every term holds. `packet` is rebuilt from the record on the first filter
// term only (`packet_built` remembers it across rows of one record).
bool match_record(const std::optional<IpPrefix>& ip, const std::vector<MatchTerm>& terms,
                  const userspace::FlowRecord& r, filter::RecordPacket& packet, bool& packet_built);

enum class RowCheck : std::uint8_t { kParse, kSkip, kStop };

// Before parsing `row` of `file`, with `kept` rules kept so far: kStop (and
// a warning) once max_entries rules are kept, kSkip (and a warning) for a
// malformed row, else kParse.
RowCheck check_row(const MapRow& row, std::size_t kept, std::uint32_t max_entries, std::string_view file,
                   LoadReport& report);

}  // namespace xacct::maps
