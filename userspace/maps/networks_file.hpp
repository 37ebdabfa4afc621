// NetworksTable: pmacct's networks_file (spec/maps.md §2), one prefix per
// line with optional data before it:
//
//   [<label>,][<next-hop>,][[<peer_AS>_]<origin_AS>,]<prefix>/<len>
//
// (the optional first field of a four-field line is pmacct's prefix label,
// read and ignored as 1.7.7 does). IPv4 and IPv6 prefixes may be mixed.
// Host bits of a prefix are cleared; when a prefix appears twice the later
// line wins (as pmacct's sorted table does). Lookups are longest-prefix
// match over a compiled interval table per family (prefix_table.hpp).
//
// Bad lines (no '/', bad address, length, AS or next hop) are reported with
// file:line and skipped. Immutable once built; lookup() is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "userspace/flow_record.hpp"
#include "userspace/maps/map_text.hpp"
#include "userspace/maps/prefix_table.hpp"
#include "userspace/result.hpp"

namespace xacct::maps {

struct NetworkEntry {
  userspace::IpAddress net;  // host bits cleared (IPv4 IPv4-mapped)
  std::uint8_t length = 0;   // of its family: 0..32 or 0..128
  std::uint32_t as = 0;       // origin AS, 0 = none
  std::uint32_t peer_as = 0;  // peer AS, 0 = none
  userspace::IpAddress nexthop;  // all-zero when the line has none
  unsigned line = 0;
};

// What a lookup returns, kept in the compiled table itself (20 bytes) so
// that enriching a record touches no per-line entry.
struct NetworkMatch {
  std::int32_t entry = -1;     // index of the line's NetworkEntry; -1 = no prefix
  std::uint32_t as = 0;
  std::uint32_t peer_as = 0;
  std::uint32_t nexthop = 0;   // 1-based id for nexthop(); 0 = none
  std::uint8_t length = 0;

  bool found() const { return entry >= 0; }
  bool operator==(const NetworkMatch&) const = default;
};

class NetworksTable {
 public:
  // Fails only when the file cannot be read.
  static userspace::Result<std::shared_ptr<const NetworksTable>> load(const std::string& path, LoadReport& report);
  static std::shared_ptr<const NetworksTable> parse(std::string_view text, std::string_view file, LoadReport& report);

  // The longest prefix containing `a`; not found() when none does or `a`
  // has no family (non-IP record).
  NetworkMatch match(const userspace::IpAddress& a) const;
  // The next hop of a match (id > 0).
  const userspace::IpAddress& nexthop(std::uint32_t id) const { return nexthops_[id - 1]; }
  // The same as match(), as the line's entry; nullptr when none.
  const NetworkEntry* lookup(const userspace::IpAddress& a) const;

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // Intervals of the compiled tables (for the curious and the benchmark).
  std::size_t intervals_v4() const { return v4_.intervals(); }
  std::size_t intervals_v6() const { return v6_.intervals(); }

 private:
  NetworksTable() = default;

  std::vector<NetworkEntry> entries_;
  std::vector<userspace::IpAddress> nexthops_;  // distinct next hops
  PrefixTable<std::uint32_t, NetworkMatch> v4_;
  PrefixTable<U128, NetworkMatch> v6_;
};

}  // namespace xacct::maps
