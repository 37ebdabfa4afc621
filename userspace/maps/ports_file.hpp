// PortsTable: pmacct's ports_file (spec/maps.md §3): one port (1..65535)
// per line; '!' / '#' comments. Applied to a record, src_port and dst_port
// values that are not listed become 0, so traffic on unlisted ports folds
// into one aggregate per side. Bad lines are reported and skipped.
#pragma once

#include <bitset>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "userspace/flow_record.hpp"
#include "userspace/maps/map_text.hpp"
#include "userspace/result.hpp"

namespace xacct::maps {

class PortsTable {
 public:
  static userspace::Result<std::shared_ptr<const PortsTable>> load(const std::string& path, LoadReport& report);
  static std::shared_ptr<const PortsTable> parse(std::string_view text, std::string_view file, LoadReport& report);

  bool listed(std::uint16_t port) const { return ports_.test(port); }
  std::size_t size() const { return ports_.count(); }

  void apply(userspace::FlowRecord& r) const {
    if (!listed(r.src_port)) r.src_port = 0;
    if (!listed(r.dst_port)) r.dst_port = 0;
  }

 private:
  PortsTable() = default;
  std::bitset<65536> ports_;
};

}  // namespace xacct::maps
