// pcap_interfaces_map: the interfaces one daemon counts, one line each
// (pmacct's format, spec/maps.md §5: key=value tokens, `!`/`#` comments):
//   ifname=NAME      mandatory: the interface
//   ifindex=N        records carry N in in_iface/out_iface (pcap_ifindex: map)
//   direction=in|out capture direction (libpcap) / the hooks that count
//                    (eBPF); unset = both, and then no ifindex in records
//                    for libpcap (as pmacct)
//   method=xdp|tc|pcap   xacct's extension: how this interface is counted
//                    (unset: the default the daemon derives from
//                    capture_method and ebpf_hooks). pmacctd rejects the
//                    key: a map that uses it is xacct's only.
// One interface is counted by exactly one method: a second line for the
// same ifname is an error. Bad lines are skipped with a "file:line: why"
// message and the rest loads; only an unreadable file fails the load.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "userspace/flow_record.hpp"
#include "userspace/result.hpp"

namespace xacct::capture {

enum class CountMethod : std::uint8_t { kXdp, kTc, kPcap };

std::string_view to_string(CountMethod method);

struct InterfaceLine {
  std::string ifname;
  std::uint32_t ifindex = 0;  // 0 = not given
  userspace::Direction direction = userspace::Direction::kUnknown;
  CountMethod method = CountMethod::kTc;
  std::string where;  // "file:line", for messages

  // Same setup (what a reload compares): an interface whose line changed is
  // restarted, one whose line did not is left running.
  bool same_setup(const InterfaceLine& o) const {
    return ifname == o.ifname && ifindex == o.ifindex && direction == o.direction && method == o.method;
  }
};

struct InterfacesMap {
  std::vector<InterfaceLine> lines;  // file order, one per ifname
  std::vector<std::string> errors;   // "file:line: why" for each skipped line
};

// max_entries: maps_entries (lines beyond it are skipped); max_row_len:
// maps_row_len (0 = no limit).
InterfacesMap parse_interfaces_map(std::string_view text, std::string_view path, CountMethod default_method,
                                   std::size_t max_entries, std::uint32_t max_row_len);

userspace::Result<InterfacesMap> load_interfaces_map(const std::string& path, CountMethod default_method,
                                                     std::size_t max_entries, std::uint32_t max_row_len);

}  // namespace xacct::capture
