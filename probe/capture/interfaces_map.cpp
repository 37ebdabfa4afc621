// See interfaces_map.hpp. Tokenizing is the maps library's (one reader of
// pmacct's key=value rows); this file only gives the keys their meaning.
#include "probe/capture/interfaces_map.hpp"

#include <charconv>

#include "userspace/maps/map_text.hpp"
#include "userspace/text.hpp"

namespace xacct::capture {

std::string_view to_string(CountMethod method) {
  switch (method) {
    case CountMethod::kXdp:
      return "xdp";
    case CountMethod::kTc:
      return "tc";
    case CountMethod::kPcap:
      return "pcap";
  }
  return "?";
}

namespace {

// Empty when the row is good; else why not.
std::string parse_row(const maps::MapRow& row, CountMethod default_method, InterfaceLine& out) {
  out.method = default_method;
  bool seen_ifname = false, seen_ifindex = false, seen_direction = false, seen_method = false;
  for (const maps::MapToken& t : row.tokens) {
    const std::string key = userspace::lower(t.key);
    auto twice = [&](bool& seen) {
      if (seen) return true;
      seen = true;
      return false;
    };
    if (key == "ifname") {
      if (twice(seen_ifname)) return "ifname given twice";
      if (t.value.empty()) return "empty ifname";
      out.ifname = t.value;
    } else if (key == "ifindex") {
      if (twice(seen_ifindex)) return "ifindex given twice";
      std::uint32_t n = 0;
      auto [end, ec] = std::from_chars(t.value.data(), t.value.data() + t.value.size(), n);
      if (ec != std::errc{} || end != t.value.data() + t.value.size() || n == 0) {
        return "ifindex '" + t.value + "': expected a positive 32-bit integer";
      }
      out.ifindex = n;
    } else if (key == "direction") {
      if (twice(seen_direction)) return "direction given twice";
      const std::string v = userspace::lower(t.value);
      if (v == "in") {
        out.direction = userspace::Direction::kIn;
      } else if (v == "out") {
        out.direction = userspace::Direction::kOut;
      } else {
        return "direction '" + t.value + "': expected in or out";
      }
    } else if (key == "method") {
      if (twice(seen_method)) return "method given twice";
      const std::string v = userspace::lower(t.value);
      if (v == "xdp") {
        out.method = CountMethod::kXdp;
      } else if (v == "tc") {
        out.method = CountMethod::kTc;
      } else if (v == "pcap") {
        out.method = CountMethod::kPcap;
      } else {
        return "method '" + t.value + "': expected xdp, tc or pcap";
      }
    } else {
      return "unknown key '" + t.key + "' (pcap_interfaces_map keys: ifname, ifindex, direction, method)";
    }
  }
  if (!seen_ifname) return "no ifname (mandatory)";
  if (out.method == CountMethod::kXdp && out.direction == userspace::Direction::kOut) {
    return "method xdp counts ingress only: direction=out needs method=tc or pcap";
  }
  return {};
}

}  // namespace

InterfacesMap parse_interfaces_map(std::string_view text, std::string_view path, CountMethod default_method,
                                   std::size_t max_entries, std::uint32_t max_row_len) {
  InterfacesMap map;
  for (const maps::MapRow& row : maps::parse_key_value_rows(text, max_row_len)) {
    const std::string where = std::string(path) + ":" + std::to_string(row.line);
    if (!row.error.empty()) {
      map.errors.push_back(where + ": " + row.error + "; line skipped");
      continue;
    }
    InterfaceLine line;
    line.where = where;
    if (std::string why = parse_row(row, default_method, line); !why.empty()) {
      map.errors.push_back(where + ": " + why + "; line skipped");
      continue;
    }
    bool dup = false;
    for (const InterfaceLine& l : map.lines) {
      if (l.ifname == line.ifname) {
        map.errors.push_back(where + ": " + line.ifname + " already listed at " + l.where +
                             " (one counting method per interface); line skipped");
        dup = true;
        break;
      }
    }
    if (dup) continue;
    if (max_entries != 0 && map.lines.size() >= max_entries) {
      map.errors.push_back(where + ": more than maps_entries (" + std::to_string(max_entries) +
                           ") lines; line skipped");
      continue;
    }
    map.lines.push_back(std::move(line));
  }
  return map;
}

userspace::Result<InterfacesMap> load_interfaces_map(const std::string& path, CountMethod default_method,
                                                     std::size_t max_entries, std::uint32_t max_row_len) {
  auto text = maps::read_map_file(path, "pcap_interfaces_map");
  if (!text) return text.error();
  return parse_interfaces_map(text.value(), path, default_method, max_entries, max_row_len);
}

}  // namespace xacct::capture
