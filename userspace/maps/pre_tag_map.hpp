// PreTagMap: pmacct's pre_tag_map (spec/maps.md §1), loaded into an
// immutable object that sets tag, tag2 and label on records.
//
// Evaluation, as pmacct 1.7.7 (pretag.c pretag_entry_process / find_id):
//   - Rules are tried top-down; a rule matches when all its MATCH keys do
//     (a missing key is a wildcard; "-value" negates in, out, vlan, ...).
//   - The first matching rule wins: its SET key applies and evaluation
//     stops, unless it has jeq=NAME: then evaluation continues at the first
//     rule labelled NAME (label=NAME) after it ("next" = the following
//     rule); backward or unknown labels are reported and the jeq ignored.
//   - SET: set_tag (id), set_tag2 (id2), set_label. One rule applies one of
//     them, tag before tag2 before label (pmacct ignores the others; a line
//     with all three is rejected). "N++" starts at N and counts up at every
//     match. stack=sum (or +) / stack=or combines the rule's tag (tag2) with
//     the one set so far along a jeq chain; without it the later one wins.
//     Labels matched along a chain are joined with ','.
//   - return=true on a rule with jeq (deprecated in pmacct) emits a copy of
//     the record tagged so far, then continues with cleared tags.
//   - Each evaluation starts from tag 0, tag2 0, no label: the map replaces
//     tags an input may have carried.
//   - ip= (exporter address, peer_src_ip) selects the rules by family as
//     pmacct's v4/v6 tables do: a rule with ip only applies to records from
//     an exporter of that family, and jeq/"next" resolve within those rules.
//     Records without an exporter (the probe) see only rules without ip.
//
// MATCH keys and the record field they compare (xacct applies every key the
// record carries, whichever input made it; pmacctd ignores most of them):
//   ip -> peer_src_ip (prefix)        in / out -> in_iface / out_iface
//   direction (0|in, 1|out)           vlan -> vlan
//   src_mac / dst_mac                 src_net / dst_net -> src/dst_host in prefix
//   nexthop, bgp_nexthop -> peer_dst_ip (the one next hop a record has)
//   src_as, dst_as, peer_src_as, peer_dst_as
//   engine_id / source_id -> export_proto_sysid
//   is_multicast (true|false) -> dst_mac group bit
//   fwdstatus -> fwd_status (64/128/192 match the whole class, as pmacct)
//   filter='libpcap expression' -> the rebuilt packet (filter/record_packet.hpp)
// Keys pmacct has that records do not carry (engine_type, flowset_id,
// agent_id, sample_type, is_bi_flow, nat_event, cvlan, mpls_pw_id, the BGP
// community/local-pref/ROA/RD keys, set_tos) are reported and the line skipped.
//
// apply() is const and thread-safe (the N++ counters are atomic).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "userspace/filter/pcap_filter.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/maps/ip_prefix.hpp"
#include "userspace/maps/map_text.hpp"
#include "userspace/result.hpp"

namespace xacct::maps {

struct PreTagOptions {
  std::uint32_t max_entries = 384;  // maps_entries
  std::uint32_t max_row_len = 256;  // maps_row_len
  // pre_tag_label_encode_as_map (pmacct after 1.7.7): set_label must be
  // "key%value[,key%value...]".
  bool label_encode_as_map = false;
};

class PreTagMap {
 public:
  // Fails only when the file cannot be read; bad lines go to `report`.
  static userspace::Result<std::shared_ptr<const PreTagMap>> load(const std::string& path,
                                                                  const PreTagOptions& options,
                                                                  LoadReport& report);
  // The same from text (`file` names it in warnings).
  static std::shared_ptr<const PreTagMap> parse(std::string_view text, std::string_view file,
                                                const PreTagOptions& options, LoadReport& report);

  ~PreTagMap();
  PreTagMap(const PreTagMap&) = delete;
  PreTagMap& operator=(const PreTagMap&) = delete;

  // Sets r.tag, r.tag2 and r.label_id. Copies emitted by return=true rules
  // are appended to `copies` (dropped when it is nullptr).
  void apply(userspace::FlowRecord& r, userspace::RecordBatch* copies) const;

  std::size_t rule_count() const;

 private:
  struct Rule;
  // The rules that apply to records of one exporter family, in file order,
  // with each rule's jeq target as a position in this view (-1 = none).
  struct View {
    std::vector<std::uint32_t> rules;
    std::vector<std::int32_t> jump;
  };

  PreTagMap();

  std::vector<Rule> rules_;
  std::array<View, 3> views_;  // indexed by Family: none, v4, v6
};

}  // namespace xacct::maps
