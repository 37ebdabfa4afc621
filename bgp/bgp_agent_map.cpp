// See bgp_agent_map.hpp.
#include "bgp/bgp_agent_map.hpp"

#include <algorithm>
#include <set>

#include "userspace/filter/record_packet.hpp"
#include "userspace/logging.hpp"
#include "userspace/maps/ip_prefix.hpp"
#include "userspace/maps/match_key.hpp"

namespace xacct::bgp {

using maps::LoadReport;
using maps::MatchKey;
using maps::MatchTerm;

struct AgentMap::Rule {
  unsigned line = 0;
  std::optional<maps::IpPrefix> ip;
  std::vector<MatchTerm> matches;  // filters last
  AgentTarget target;
};

AgentMap::AgentMap() = default;
AgentMap::~AgentMap() = default;

std::size_t AgentMap::size() const { return rules_.size(); }

userspace::Result<std::shared_ptr<const AgentMap>> AgentMap::load(const std::string& path,
                                                                  std::string_view what,
                                                                  std::uint32_t max_entries,
                                                                  std::uint32_t max_row_len,
                                                                  LoadReport& report) {
  auto text = maps::read_map_file(path, what);
  if (!text) return text.error();
  return parse(text.value(), path, what, max_entries, max_row_len, report);
}

std::shared_ptr<const AgentMap> AgentMap::parse(std::string_view text, std::string_view file,
                                                std::string_view what, std::uint32_t max_entries,
                                                std::uint32_t max_row_len, LoadReport& report) {
  std::shared_ptr<AgentMap> map(new AgentMap());
  for (const maps::MapRow& row : maps::parse_key_value_rows(text, max_row_len)) {
    const maps::RowCheck check = maps::check_row(row, map->rules_.size(), max_entries, file, report);
    if (check == maps::RowCheck::kStop) break;
    if (check == maps::RowCheck::kSkip) continue;
    Rule rule;
    rule.line = row.line;
    std::string error;
    bool has_target = false;
    std::set<std::string> seen;
    for (const maps::MapToken& t : row.tokens) {
      // bmp_ip is the same key as bgp_ip (spec/maps.md section 6).
      const std::string key = t.key == "bmp_ip" ? "bgp_ip" : t.key;
      if (!seen.insert(key).second) {
        error = "key '" + t.key + "' given twice";
        break;
      }
      std::string_view v = t.value;
      if (key == "bgp_ip") {
        auto a = maps::parse_ip(v);
        if (!a) {
          error = "invalid " + t.key + " '" + t.value + "': " + a.error().message;
          break;
        }
        rule.target.bgp_ip = a.value();
        has_target = true;
      } else if (key == "bgp_port") {
        std::uint64_t port = 0;
        if (!maps::parse_u64(v, port) || port > 65535) {
          error = "invalid bgp_port '" + t.value + "' (expected 0..65535)";
          break;
        }
        rule.target.bgp_port = static_cast<std::uint16_t>(port);
      } else if (key == "ip") {
        auto p = maps::parse_prefix(v);
        if (!p) {
          error = "invalid ip '" + t.value + "': " + p.error().message;
          break;
        }
        rule.ip = p.value();
      } else if (key == "filter") {
        auto f = filter::PcapFilter::compile(v);
        if (!f) {
          error = "invalid filter '" + t.value + "': " + f.error().message;
          break;
        }
        MatchTerm m;
        m.key = MatchKey::kFilter;
        m.filter = std::move(f.value());
        rule.matches.push_back(std::move(m));
      } else if (key == "in" || key == "out") {
        MatchTerm m;
        m.key = key == "in" ? MatchKey::kIn : MatchKey::kOut;
        if (!v.empty() && v.front() == '-') {
          m.neg = true;
          v.remove_prefix(1);
        }
        if (!maps::parse_u64(v, m.number) || m.number > 0xffffffffu) {
          error = "invalid " + key + " '" + t.value + "' (expected an ifIndex 0..4294967295)";
          break;
        }
        rule.matches.push_back(std::move(m));
      } else {
        error = "key '" + t.key + "' is not valid in " + std::string(what) +
                " (expected bgp_ip, bmp_ip, bgp_port, ip, in, out, filter)";
        break;
      }
    }
    if (error.empty() && !has_target) error = "no bgp_ip= (or bmp_ip=) on the line";
    if (error.empty() && !rule.ip) error = "no ip= on the line (the exporter is mandatory)";
    if (!error.empty()) {
      report.warn(file, row.line, error + "; line skipped");
      continue;
    }
    std::stable_partition(rule.matches.begin(), rule.matches.end(),
                          [](const MatchTerm& m) { return m.key != MatchKey::kFilter; });
    if (!rule.matches.empty()) map->exporter_only_ = false;
    map->rules_.push_back(std::move(rule));
  }
  return map;
}

const AgentTarget* AgentMap::lookup(const userspace::FlowRecord& r) const {
  filter::RecordPacket packet;
  bool built = false;
  for (const Rule& rule : rules_) {
    if (maps::match_record(rule.ip, rule.matches, r, packet, built)) return &rule.target;
  }
  return nullptr;
}

userspace::Result<std::unique_ptr<AgentMapFile>> AgentMapFile::create(Options options) {
  std::unique_ptr<AgentMapFile> f(new AgentMapFile(std::move(options)));
  auto st = f->load();
  if (!st) return st.error();
  return f;
}

userspace::Status AgentMapFile::load() {
  auto log = userspace::get_logger("bgp");
  LoadReport report;
  auto map = AgentMap::load(options_.path, options_.what, options_.max_entries, options_.max_row_len, report);
  for (const std::string& w : report.warnings) log->warn("{}", w);
  if (!map) return map.error();
  log->info("[{}] {} loaded: {} rules ({} line(s) skipped)", options_.path, options_.what,
            map.value()->size(), report.warnings.size());
  current_.store(std::move(map.value()), std::memory_order_release);
  return userspace::Ok{};
}

userspace::Status AgentMapFile::reload() {
  std::lock_guard lock(reload_mu_);
  return load();
}

}  // namespace xacct::bgp
