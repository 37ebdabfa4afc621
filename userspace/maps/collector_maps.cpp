// See collector_maps.hpp.
#include "userspace/maps/collector_maps.hpp"

#include <algorithm>
#include <set>

#include "userspace/filter/record_packet.hpp"
#include "userspace/maps/match_key.hpp"
#include "userspace/primitive_encodings.hpp"

namespace xacct::maps {

using userspace::FlowRecord;

namespace {

// The MATCH keys each map takes (pmacct's examples/*.map.example).
bool key_allowed(IdMapKind kind, std::string_view key) {
  if (key == "ip" || key == "in" || key == "out") return true;
  switch (kind) {
    case IdMapKind::kSampling:
      return false;
    case IdMapKind::kFlowToRd:
      return key == "bgp_nexthop" || key == "mpls_label_bottom";
    case IdMapKind::kPeerSrcAs:
      return key == "src_mac" || key == "bgp_nexthop" || key == "vlan" || key == "filter";
  }
  return false;
}

}  // namespace

const char* id_map_name(IdMapKind kind) {
  switch (kind) {
    case IdMapKind::kSampling:
      return "sampling_map";
    case IdMapKind::kFlowToRd:
      return "flow_to_rd_map";
    case IdMapKind::kPeerSrcAs:
      return "bgp_peer_src_as_map";
  }
  return "map";
}

std::optional<std::uint64_t> parse_route_distinguisher(std::string_view text) {
  const std::size_t c1 = text.find(':');
  const std::size_t c2 = c1 == std::string_view::npos ? c1 : text.find(':', c1 + 1);
  if (c2 == std::string_view::npos || text.find(':', c2 + 1) != std::string_view::npos) return std::nullopt;
  std::uint64_t type = 0;
  std::uint64_t number = 0;
  if (!parse_u64(text.substr(0, c1), type) || !parse_u64(text.substr(c2 + 1), number)) return std::nullopt;
  const std::string_view admin = text.substr(c1 + 1, c2 - c1 - 1);
  std::uint64_t value = 0;
  if (type == 0) {  // 2-byte ASN : 4-byte number
    std::uint64_t as = 0;
    if (!parse_u64(admin, as) || as > 0xffff || number > 0xffffffffu) return std::nullopt;
    value = as << 32 | number;
  } else if (type == 1) {  // IPv4 : 2-byte number
    auto ip = parse_ip(admin);
    if (!ip || ip.value().is_v6 || number > 0xffff) return std::nullopt;
    const auto& b = ip.value().bytes;
    const std::uint64_t v4 =
        std::uint64_t{b[12]} << 24 | std::uint64_t{b[13]} << 16 | std::uint64_t{b[14]} << 8 | b[15];
    value = v4 << 16 | number;
  } else if (type == 2) {  // 4-byte ASN : 2-byte number
    std::uint64_t as = 0;
    if (!parse_u64(admin, as) || as > 0xffffffffu || number > 0xffff) return std::nullopt;
    value = as << 16 | number;
  } else {
    return std::nullopt;
  }
  return type << 48 | value;
}

std::string format_route_distinguisher(std::uint64_t rd) {
  std::string out;
  userspace::append_route_distinguisher(rd, out);
  return out;
}

struct IdMap::Rule {
  unsigned line = 0;
  std::optional<IpPrefix> ip;
  std::vector<MatchTerm> matches;  // filters last
  std::uint64_t id = 0;
};

IdMap::IdMap(IdMapKind kind) : kind_(kind) {}
IdMap::~IdMap() = default;

std::size_t IdMap::size() const { return rules_.size(); }

userspace::Result<std::shared_ptr<const IdMap>> IdMap::load(IdMapKind kind, const std::string& path,
                                                            std::uint32_t max_entries,
                                                            std::uint32_t max_row_len, LoadReport& report) {
  auto text = read_map_file(path, id_map_name(kind));
  if (!text) return text.error();
  return parse(kind, text.value(), path, max_entries, max_row_len, report);
}

std::shared_ptr<const IdMap> IdMap::parse(IdMapKind kind, std::string_view text, std::string_view file,
                                          std::uint32_t max_entries, std::uint32_t max_row_len,
                                          LoadReport& report) {
  std::shared_ptr<IdMap> map(new IdMap(kind));
  for (const MapRow& row : parse_key_value_rows(text, max_row_len)) {
    const RowCheck check = check_row(row, map->rules_.size(), max_entries, file, report);
    if (check == RowCheck::kStop) break;
    if (check == RowCheck::kSkip) continue;
    Rule rule;
    rule.line = row.line;
    std::string error;
    bool has_id = false;
    std::set<std::string> seen;
    for (const MapToken& t : row.tokens) {
      if (!error.empty()) break;
      if (!seen.insert(t.key).second) {
        error = "key '" + t.key + "' given twice";
        break;
      }
      std::string_view v = t.value;
      if (t.key == "id") {
        has_id = true;
        if (kind == IdMapKind::kFlowToRd) {
          auto rd = parse_route_distinguisher(v);
          if (!rd)
            error = "invalid id '" + t.value +
                    "' (expected an RD: 0:<asn16>:<n32>, 1:<ipv4>:<n16>, 2:<asn32>:<n16>)";
          else
            rule.id = *rd;
        } else if (!parse_u64(v, rule.id) || rule.id > 0xffffffffu ||
                   (kind == IdMapKind::kSampling && rule.id == 0)) {
          error = "invalid id '" + t.value + "' (expected " +
                  (kind == IdMapKind::kSampling ? "a sampling rate 1..2^32-1" : "an AS number") + ")";
        }
        continue;
      }
      if (!key_allowed(kind, t.key)) {
        error = "key '" + t.key + "' is not valid in " + id_map_name(kind);
        break;
      }
      if (t.key == "ip") {
        auto p = parse_prefix(v);
        if (!p)
          error = "invalid ip '" + t.value + "': " + p.error().message;
        else
          rule.ip = p.value();
        continue;
      }
      MatchTerm m;
      if (t.key == "filter") {
        auto f = filter::PcapFilter::compile(v);
        if (!f) {
          error = "invalid filter '" + t.value + "': " + f.error().message;
          break;
        }
        m.key = MatchKey::kFilter;
        m.filter = std::move(f.value());
        rule.matches.push_back(std::move(m));
        continue;
      }
      if (!v.empty() && v.front() == '-' && t.key != "bgp_nexthop" && t.key != "src_mac") {
        m.neg = true;
        v.remove_prefix(1);
      }
      if (t.key == "src_mac") {
        m.key = MatchKey::kSrcMac;
        if (!parse_mac(v, m.mac)) error = "invalid src_mac '" + t.value + "' (expected xx:xx:xx:xx:xx:xx)";
      } else if (t.key == "bgp_nexthop") {
        m.key = MatchKey::kNexthop;
        auto a = parse_ip(v);
        if (!a)
          error = "invalid bgp_nexthop '" + t.value + "': " + a.error().message;
        else
          m.address = a.value();
      } else {
        const std::uint64_t max = t.key == "vlan"                ? 4095
                                  : t.key == "mpls_label_bottom" ? 0xfffff
                                                                 : 0xffffffffu;
        m.key = t.key == "in"     ? MatchKey::kIn
                : t.key == "out"  ? MatchKey::kOut
                : t.key == "vlan" ? MatchKey::kVlan
                                  : MatchKey::kMplsLabelBottom;
        if (!parse_u64(v, m.number) || m.number > max) {
          error = "invalid " + t.key + " '" + t.value + "' (expected 0.." + std::to_string(max) + ")";
        }
      }
      rule.matches.push_back(std::move(m));
    }
    if (error.empty() && !has_id) error = "no id= on the line";
    if (error.empty() && !rule.ip)
      error = "no ip= on the line (the exporter is mandatory in " + std::string(id_map_name(kind)) + ")";
    if (!error.empty()) {
      report.warn(file, row.line, error + "; line skipped");
      continue;
    }
    // Filters last: the most expensive.
    std::stable_partition(rule.matches.begin(), rule.matches.end(),
                          [](const MatchTerm& m) { return m.key != MatchKey::kFilter; });
    map->rules_.push_back(std::move(rule));
  }
  return map;
}

std::optional<std::uint64_t> IdMap::lookup(const FlowRecord& r) const {
  filter::RecordPacket packet;
  bool built = false;
  for (const Rule& rule : rules_) {
    if (match_record(rule.ip, rule.matches, r, packet, built)) return rule.id;
  }
  return std::nullopt;
}

bool IdMap::apply(FlowRecord& r) const {
  const auto id = lookup(r);
  if (!id) return false;
  switch (kind_) {
    case IdMapKind::kSampling:
      r.sampling_rate = static_cast<std::uint32_t>(*id);
      break;
    case IdMapKind::kFlowToRd:
      r.mpls_vpn_rd = *id;
      break;
    case IdMapKind::kPeerSrcAs:
      r.peer_src_as = static_cast<std::uint32_t>(*id);
      break;
  }
  return true;
}

}  // namespace xacct::maps
