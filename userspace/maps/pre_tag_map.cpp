// See pre_tag_map.hpp.
#include "userspace/maps/pre_tag_map.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <string>

#include "userspace/label_pool.hpp"
#include "userspace/maps/match_key.hpp"

namespace xacct::maps {

using userspace::FlowRecord;

namespace {

enum class SetKind : std::uint8_t { kNone, kTag, kTag2, kLabel };
enum class Stack : std::uint8_t { kNone, kSum, kOr };

// pmacct keys that records do not carry (yet).
constexpr std::string_view kUnsupportedKeys[] = {
    "engine_type", "flowset_id", "agent_id",       "sample_type", "is_bi_flow", "nat_event",
    "cvlan",       "mpls_pw_id", "src_local_pref", "local_pref",  "src_roa",    "dst_roa",
    "src_comms",   "comms",      "mpls_vpn_rd",    "set_tos",
};

std::optional<bool> parse_bool(std::string_view s) {
  if (s == "true") return true;
  if (s == "false") return false;
  return std::nullopt;
}

std::size_t family_index(Family f) { return static_cast<std::size_t>(f); }

MatchTerm make_term(MatchKey key, bool neg) {
  MatchTerm m;
  m.key = key;
  m.neg = neg;
  return m;
}

}  // namespace

struct PreTagMap::Rule {
  unsigned line = 0;
  std::optional<IpPrefix> ip;
  std::vector<MatchTerm> matches;  // sorted by key: filters last
  SetKind set = SetKind::kNone;
  std::uint64_t value = 0;  // set_tag / set_tag2 value
  // "N++": the value of the next match (shared by all threads).
  std::unique_ptr<std::atomic<std::uint64_t>> counter;
  std::string label;           // set_label
  std::uint32_t label_id = 0;  // label interned at load
  Stack stack = Stack::kNone;
  std::string name;  // label=NAME
  std::string jeq;   // jeq=NAME
  bool ret = false;  // return=true

  std::uint64_t next_value() const {
    return counter ? counter->fetch_add(1, std::memory_order_relaxed) : value;
  }
};

PreTagMap::PreTagMap() = default;
PreTagMap::~PreTagMap() = default;

std::size_t PreTagMap::rule_count() const { return rules_.size(); }

userspace::Result<std::shared_ptr<const PreTagMap>> PreTagMap::load(const std::string& path,
                                                                    const PreTagOptions& options,
                                                                    LoadReport& report) {
  auto text = read_map_file(path, "pre_tag_map");
  if (!text) return text.error();
  return parse(text.value(), path, options, report);
}

namespace {

// Parses the tokens of one row into `rule`; "" or why the line is skipped.
std::string parse_rule_tokens(const std::vector<MapToken>& tokens, const PreTagOptions& options, auto& rule) {
  std::set<std::string> seen;
  bool has_tag = false;
  bool has_tag2 = false;
  bool has_label = false;
  for (const MapToken& t : tokens) {
    std::string key = t.key;
    if (key == "id") key = "set_tag";
    if (key == "id2") key = "set_tag2";
    if (key == "source_id") key = "engine_id";
    if (!seen.insert(key).second) return "key '" + t.key + "' given twice";
    std::string_view v = t.value;

    if (key == "set_tag" || key == "set_tag2") {
      bool inc = false;
      if (v.size() > 2 && v.substr(v.size() - 2) == "++") {
        inc = true;
        v.remove_suffix(2);
      }
      std::uint64_t n = 0;
      if (!parse_u64(v, n))
        return "invalid " + key + " '" + t.value + "' (expected 0..2^64-1, optionally N++)";
      if (key == "set_tag") {
        has_tag = true;
        rule.tag_value = n;
        rule.tag_inc = inc;
      } else {
        has_tag2 = true;
        rule.tag2_value = n;
        rule.tag2_inc = inc;
      }
      continue;
    }
    if (key == "set_label") {
      if (options.label_encode_as_map) {
        bool ok = true;
        std::string_view rest = v;
        while (ok) {
          const std::size_t comma = rest.find(',');
          std::string_view item = rest.substr(0, comma);
          const std::size_t pct = item.find('%');
          ok = pct != std::string_view::npos && pct > 0 && pct + 1 < item.size();
          if (comma == std::string_view::npos) break;
          rest.remove_prefix(comma + 1);
        }
        if (!ok) {
          return "invalid set_label '" + t.value +
                 "' (pre_tag_label_encode_as_map needs key%value items separated by ',')";
        }
      }
      has_label = true;
      rule.label = t.value;
      continue;
    }
    if (key == "label") {
      rule.name = t.value;
      continue;
    }
    if (key == "jeq") {
      rule.jeq = t.value;
      continue;
    }
    if (key == "return") {
      auto b = parse_bool(v);
      if (!b) return "invalid return '" + t.value + "' (expected true or false)";
      rule.ret = *b;
      continue;
    }
    if (key == "stack") {
      if (v == "sum" || v == "+") {
        rule.stack = Stack::kSum;
      } else if (v == "or") {
        rule.stack = Stack::kOr;
      } else {
        return "invalid stack '" + t.value + "' (expected sum or or)";
      }
      continue;
    }
    if (key == "ip") {
      auto p = parse_prefix(v);
      if (!p)
        return "invalid ip '" + t.value + "': " + p.error().message + " (negation is not supported for ip)";
      rule.ip = p.value();
      continue;
    }
    if (key == "filter") {
      auto f = filter::PcapFilter::compile(v);
      if (!f) return "invalid filter '" + t.value + "': " + f.error().message;
      auto m = make_term(MatchKey::kFilter, false);
      m.filter = std::move(f.value());
      rule.matches.push_back(std::move(m));
      continue;
    }

    // MATCH keys with negation.
    bool neg = false;
    if (!v.empty() && v.front() == '-') {
      neg = true;
      v.remove_prefix(1);
    }
    std::uint64_t n = 0;
    auto number_key = [&](MatchKey k, std::uint64_t max, std::string_view what) -> std::string {
      if (!parse_u64(v, n) || n > max) {
        return "invalid " + key + " '" + t.value + "' (expected " + std::string(what) + ")";
      }
      auto m = make_term(k, neg);
      m.number = n;
      rule.matches.push_back(std::move(m));
      return {};
    };
    std::string error;
    if (key == "in") {
      error = number_key(MatchKey::kIn, 0xffffffffu, "an ifindex");
    } else if (key == "out") {
      error = number_key(MatchKey::kOut, 0xffffffffu, "an ifindex");
    } else if (key == "vlan") {
      error = number_key(MatchKey::kVlan, 4096, "0..4096");
    } else if (key == "src_as") {
      error = number_key(MatchKey::kSrcAs, 0xffffffffu, "an AS number");
    } else if (key == "dst_as") {
      error = number_key(MatchKey::kDstAs, 0xffffffffu, "an AS number");
    } else if (key == "peer_src_as") {
      error = number_key(MatchKey::kPeerSrcAs, 0xffffffffu, "an AS number");
    } else if (key == "peer_dst_as") {
      error = number_key(MatchKey::kPeerDstAs, 0xffffffffu, "an AS number");
    } else if (key == "engine_id") {
      error = number_key(MatchKey::kEngineId, 0xffffffffu, "a number");
    } else if (key == "fwdstatus") {
      error = number_key(MatchKey::kFwdStatus, 255, "0..255");
    } else if (key == "direction") {
      if (v == "in") v = "0";
      if (v == "out") v = "1";
      error = number_key(MatchKey::kDirection, 1, "0 (ingress), 1 (egress), in or out");
    } else if (key == "is_multicast") {
      auto b = parse_bool(v);
      if (!b) return "invalid is_multicast '" + t.value + "' (expected true or false)";
      auto m = make_term(MatchKey::kIsMulticast, neg);
      m.number = *b ? 1 : 0;
      rule.matches.push_back(std::move(m));
    } else if (key == "src_mac" || key == "dst_mac") {
      auto m = make_term(key == "src_mac" ? MatchKey::kSrcMac : MatchKey::kDstMac, neg);
      if (!parse_mac(v, m.mac)) return "invalid " + key + " '" + t.value + "' (expected xx:xx:xx:xx:xx:xx)";
      rule.matches.push_back(std::move(m));
    } else if (key == "src_net" || key == "dst_net") {
      auto p = parse_prefix(v);
      if (!p) return "invalid " + key + " '" + t.value + "': " + p.error().message;
      auto m = make_term(key == "src_net" ? MatchKey::kSrcNet : MatchKey::kDstNet, neg);
      m.prefix = p.value();
      rule.matches.push_back(std::move(m));
    } else if (key == "nexthop" || key == "bgp_nexthop") {
      if (seen.count(key == "nexthop" ? "bgp_nexthop" : "nexthop") != 0) {
        return "nexthop and bgp_nexthop on one line (xacct compares both with the record's one next hop)";
      }
      auto a = parse_ip(v);
      if (!a) return "invalid " + key + " '" + t.value + "': " + a.error().message;
      auto m = make_term(MatchKey::kNexthop, neg);
      m.address = a.value();
      rule.matches.push_back(std::move(m));
    } else if (std::find(std::begin(kUnsupportedKeys), std::end(kUnsupportedKeys), key) !=
               std::end(kUnsupportedKeys)) {
      return "key '" + key + "' is not supported by xacct yet (records do not carry it)";
    } else {
      return "unknown key '" + t.key + "'";
    }
    if (!error.empty()) return error;
  }
  if (has_tag && has_tag2 && has_label) {
    return "set_tag, set_tag2 and set_label are mutually exclusive";
  }
  rule.set = has_tag     ? SetKind::kTag
             : has_tag2  ? SetKind::kTag2
             : has_label ? SetKind::kLabel
                         : SetKind::kNone;
  rule.shadowed = static_cast<int>(has_tag) + static_cast<int>(has_tag2) + static_cast<int>(has_label) > 1;
  return {};
}

}  // namespace

std::shared_ptr<const PreTagMap> PreTagMap::parse(std::string_view text, std::string_view file,
                                                  const PreTagOptions& options, LoadReport& report) {
  std::shared_ptr<PreTagMap> map(new PreTagMap());
  const std::vector<MapRow> rows = parse_key_value_rows(text, options.max_row_len);

  // What parse_rule_tokens fills; turned into a Rule when the line is good.
  struct Draft {
    std::optional<IpPrefix> ip;
    std::vector<MatchTerm> matches;
    SetKind set = SetKind::kNone;
    bool shadowed = false;
    std::uint64_t tag_value = 0;
    bool tag_inc = false;
    std::uint64_t tag2_value = 0;
    bool tag2_inc = false;
    std::string label;
    Stack stack = Stack::kNone;
    std::string name;
    std::string jeq;
    bool ret = false;
  };
  for (const MapRow& row : rows) {
    const RowCheck check = check_row(row, map->rules_.size(), options.max_entries, file, report);
    if (check == RowCheck::kStop) break;
    if (check == RowCheck::kSkip) continue;
    Draft d;
    const std::string error = parse_rule_tokens(row.tokens, options, d);
    if (!error.empty()) {
      report.warn(file, row.line, error + "; line skipped");
      continue;
    }
    if (d.shadowed) {
      report.warn(file, row.line,
                  std::string("more than one of set_tag, set_tag2, set_label: only ") +
                      (d.set == SetKind::kTag ? "set_tag" : "set_tag2") + " applies (as in pmacct)");
    }
    Rule rule;
    rule.line = row.line;
    rule.ip = d.ip;
    rule.matches = std::move(d.matches);
    std::stable_sort(rule.matches.begin(), rule.matches.end(),
                     [](const MatchTerm& a, const MatchTerm& b) { return a.key < b.key; });
    rule.set = d.set;
    const bool inc = d.set == SetKind::kTag ? d.tag_inc : d.set == SetKind::kTag2 && d.tag2_inc;
    rule.value = d.set == SetKind::kTag ? d.tag_value : d.tag2_value;
    if (inc) rule.counter = std::make_unique<std::atomic<std::uint64_t>>(rule.value);
    if (d.set == SetKind::kLabel) {
      rule.label = d.label;
      rule.label_id = userspace::LabelPool::global().intern(d.label);
    }
    rule.stack = d.stack;
    rule.name = std::move(d.name);
    rule.jeq = std::move(d.jeq);
    rule.ret = d.ret;
    map->rules_.push_back(std::move(rule));
  }

  // Views by exporter family, and jeq targets within each view.
  std::vector<unsigned> unresolved(map->rules_.size(), 0);  // bit per view
  std::vector<unsigned> present(map->rules_.size(), 0);
  for (std::size_t f = 0; f < map->views_.size(); ++f) {
    View& view = map->views_[f];
    for (std::uint32_t i = 0; i < map->rules_.size(); ++i) {
      const Rule& r = map->rules_[i];
      if (!r.ip || family_index(r.ip->family) == f) {
        view.rules.push_back(i);
        present[i] |= 1u << f;
      }
    }
    view.jump.assign(view.rules.size(), -1);
    for (std::size_t pos = 0; pos < view.rules.size(); ++pos) {
      const Rule& r = map->rules_[view.rules[pos]];
      if (r.jeq.empty()) continue;
      if (r.jeq == "next") {
        view.jump[pos] = static_cast<std::int32_t>(pos + 1);
        continue;
      }
      // The first rule with that label, which must come later (pmacct
      // only jumps forward).
      for (std::size_t t = 0; t < view.rules.size(); ++t) {
        if (map->rules_[view.rules[t]].name == r.jeq) {
          if (t > pos) view.jump[pos] = static_cast<std::int32_t>(t);
          break;
        }
      }
      if (view.jump[pos] < 0) unresolved[view.rules[pos]] |= 1u << f;
    }
  }
  static constexpr const char* kViewNames[] = {"records without exporter", "IPv4 exporters",
                                               "IPv6 exporters"};
  for (std::size_t i = 0; i < map->rules_.size(); ++i) {
    if (unresolved[i] == 0) continue;
    const Rule& r = map->rules_[i];
    std::string message = "jeq '" + r.jeq + "': no rule labelled so after this one";
    if (unresolved[i] != present[i]) {  // resolved for some exporters only
      std::string which;
      for (std::size_t f = 0; f < 3; ++f) {
        if ((unresolved[i] & (1u << f)) != 0) which += std::string(which.empty() ? "" : ", ") + kViewNames[f];
      }
      message += " for " + which;
    }
    report.warn(file, r.line, message + "; jeq ignored");
  }
  return map;
}

void PreTagMap::apply(FlowRecord& r, userspace::RecordBatch* copies) const {
  const View& view = views_[family_index(family_of(r.peer_src_ip))];
  std::uint64_t tag = 0;
  std::uint64_t tag2 = 0;
  // Labels matched along a jeq chain, joined at the end (rarely more than one).
  const Rule* first_label = nullptr;
  std::string joined;
  filter::RecordPacket packet;
  bool packet_built = false;

  auto stacked = [](Stack s, std::uint64_t value, std::uint64_t so_far) {
    switch (s) {
      case Stack::kSum:
        return value + so_far;
      case Stack::kOr:
        return value | so_far;
      case Stack::kNone:
        break;
    }
    return value;
  };
  auto label_id = [&]() -> std::uint32_t {
    if (!joined.empty()) return userspace::LabelPool::global().intern(joined);
    return first_label != nullptr ? first_label->label_id : 0;
  };

  for (std::size_t pos = 0; pos < view.rules.size();) {
    const Rule& rule = rules_[view.rules[pos]];
    if (!match_record(rule.ip, rule.matches, r, packet, packet_built)) {
      ++pos;
      continue;
    }
    switch (rule.set) {
      case SetKind::kTag:
        tag = stacked(rule.stack, rule.next_value(), tag);
        break;
      case SetKind::kTag2:
        tag2 = stacked(rule.stack, rule.next_value(), tag2);
        break;
      case SetKind::kLabel:
        if (first_label == nullptr) {
          first_label = &rule;
        } else {
          if (joined.empty()) joined = first_label->label;
          joined += ',';
          joined += rule.label;
        }
        break;
      case SetKind::kNone:
        break;
    }
    const std::int32_t jump = view.jump[pos];
    if (jump < 0) break;
    if (rule.ret) {
      if (copies != nullptr) {
        FlowRecord copy = r;
        copy.tag = tag;
        copy.tag2 = tag2;
        copy.label_id = label_id();
        copies->push_back(copy);
      }
      tag = 0;
      tag2 = 0;
      first_label = nullptr;
      joined.clear();
    }
    pos = static_cast<std::size_t>(jump);
  }
  r.tag = tag;
  r.tag2 = tag2;
  r.label_id = label_id();
}

}  // namespace xacct::maps
