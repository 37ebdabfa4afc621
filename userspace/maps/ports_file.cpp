// See ports_file.hpp.
#include "userspace/maps/ports_file.hpp"

#include <charconv>

namespace xacct::maps {

userspace::Result<std::shared_ptr<const PortsTable>> PortsTable::load(const std::string& path, LoadReport& report) {
  auto text = read_map_file(path, "ports_file");
  if (!text) return text.error();
  return parse(text.value(), path, report);
}

std::shared_ptr<const PortsTable> PortsTable::parse(std::string_view text, std::string_view file,
                                                    LoadReport& report) {
  std::shared_ptr<PortsTable> t(new PortsTable());
  for (const TextLine& l : content_lines(text)) {
    std::string_view v = l.text;
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), port);
    if (ec != std::errc{} || end != v.data() + v.size() || port == 0 || port > 65535) {
      report.warn(file, l.number, "invalid port '" + std::string(v) + "' (expected 1..65535); line skipped");
      continue;
    }
    t->ports_.set(port);
  }
  return t;
}

}  // namespace xacct::maps
