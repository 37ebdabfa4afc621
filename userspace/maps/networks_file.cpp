// See networks_file.hpp.
#include "userspace/maps/networks_file.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>

#include "userspace/maps/ip_prefix.hpp"
#include "userspace/primitive_encodings.hpp"

namespace xacct::maps {

using userspace::IpAddress;

namespace {

bool parse_u32(std::string_view s, std::uint32_t& out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size();
}

std::uint32_t v4_key(const IpAddress& a) {
  return static_cast<std::uint32_t>(a.bytes[12]) << 24 | static_cast<std::uint32_t>(a.bytes[13]) << 16 |
         static_cast<std::uint32_t>(a.bytes[14]) << 8 | static_cast<std::uint32_t>(a.bytes[15]);
}

U128 v6_key(const IpAddress& a) {
  U128 k;
  for (int i = 0; i < 8; ++i) k.hi = k.hi << 8 | a.bytes[static_cast<std::size_t>(i)];
  for (int i = 8; i < 16; ++i) k.lo = k.lo << 8 | a.bytes[static_cast<std::size_t>(i)];
  return k;
}

std::uint32_t v4_last(std::uint32_t first, unsigned len) {
  return len == 0 ? 0xffffffffu : first | (len >= 32 ? 0u : 0xffffffffu >> len);
}

U128 v6_last(U128 first, unsigned len) {
  U128 last = first;
  if (len < 64) {
    last.hi |= len == 0 ? ~0ull : ~0ull >> len;
    last.lo = ~0ull;
  } else if (len < 128) {
    last.lo |= len == 64 ? ~0ull : ~0ull >> (len - 64);
  }
  return last;
}

// One data line into `e`; "" or why it is skipped.
std::string parse_line(std::string_view raw, NetworkEntry& e) {
  std::string line;
  for (char c : raw) {
    if (c != ' ' && c != '\t' && c != '\f' && c != '\v') line += c;
  }
  std::vector<std::string_view> fields;
  std::string_view rest = line;
  while (true) {
    const std::size_t comma = rest.find(',');
    fields.push_back(rest.substr(0, comma));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (fields.size() > 4) return "too many fields (expected [label,][next-hop,][[peer_AS_]AS,]prefix/len)";
  std::string_view prefix_text = fields.back();
  if (prefix_text.find('/') == std::string_view::npos) return "missing '/' in prefix '" + std::string(prefix_text) + "'";
  auto prefix = parse_prefix(prefix_text);
  if (!prefix) return prefix.error().message;
  e.net = prefix.value().addr;
  e.length = prefix.value().length;

  if (fields.size() >= 2) {
    std::string_view as_text = fields[fields.size() - 2];
    const std::size_t us = as_text.find('_');
    std::string_view origin = us == std::string_view::npos ? as_text : as_text.substr(us + 1);
    if (us != std::string_view::npos && !parse_u32(as_text.substr(0, us), e.peer_as)) {
      return "bad peer AS '" + std::string(as_text.substr(0, us)) + "'";
    }
    // An empty AS field reads as 0, like pmacct's strtoul.
    if (!origin.empty() && !parse_u32(origin, e.as)) return "bad AS '" + std::string(origin) + "'";
  }
  if (fields.size() >= 3) {
    std::string_view nh = fields[fields.size() - 3];
    if (!nh.empty()) {
      auto a = parse_ip(nh);
      if (!a) return "bad next hop: " + a.error().message;
      e.nexthop = a.value();
    }
  }
  return {};
}

}  // namespace

userspace::Result<std::shared_ptr<const NetworksTable>> NetworksTable::load(const std::string& path,
                                                                            LoadReport& report) {
  auto text = read_map_file(path, "networks_file");
  if (!text) return text.error();
  return parse(text.value(), path, report);
}

std::shared_ptr<const NetworksTable> NetworksTable::parse(std::string_view text, std::string_view file,
                                                          LoadReport& report) {
  std::shared_ptr<NetworksTable> t(new NetworksTable());
  std::vector<PrefixTable<std::uint32_t, NetworkMatch>::Prefix> v4;
  std::vector<PrefixTable<U128, NetworkMatch>::Prefix> v6;
  std::map<std::array<std::uint8_t, 17>, std::uint32_t> nexthop_ids;
  for (const TextLine& l : content_lines(text)) {
    NetworkEntry e;
    e.line = l.number;
    const std::string error = parse_line(l.text, e);
    if (!error.empty()) {
      report.warn(file, l.number, error + "; line skipped");
      continue;
    }
    const auto index = static_cast<std::int32_t>(t->entries_.size());
    const auto order = static_cast<std::uint32_t>(index);
    NetworkMatch m;
    m.entry = index;
    m.as = e.as;
    m.peer_as = e.peer_as;
    m.length = e.length;
    if (!userspace::ip_is_unset(e.nexthop)) {
      std::array<std::uint8_t, 17> key{};
      std::copy(e.nexthop.bytes.begin(), e.nexthop.bytes.end(), key.begin());
      key[16] = e.nexthop.is_v6 ? 1 : 0;
      auto [it, added] = nexthop_ids.emplace(key, static_cast<std::uint32_t>(t->nexthops_.size() + 1));
      if (added) t->nexthops_.push_back(e.nexthop);
      m.nexthop = it->second;
    }
    if (e.net.is_v6) {
      const U128 first = v6_key(e.net);
      v6.push_back({first, v6_last(first, e.length), e.length, order, m});
    } else {
      const std::uint32_t first = v4_key(e.net);
      v4.push_back({first, v4_last(first, e.length), e.length, order, m});
    }
    t->entries_.push_back(e);
  }
  t->v4_.build(std::move(v4));
  t->v6_.build(std::move(v6));
  return t;
}

NetworkMatch NetworksTable::match(const IpAddress& a) const {
  switch (family_of(a)) {
    case Family::kV4: return v4_.find(v4_key(a));
    case Family::kV6: return v6_.find(v6_key(a));
    case Family::kNone: break;
  }
  return {};
}

const NetworkEntry* NetworksTable::lookup(const IpAddress& a) const {
  const NetworkMatch m = match(a);
  return m.found() ? &entries_[static_cast<std::size_t>(m.entry)] : nullptr;
}

}  // namespace xacct::maps
