// /proc/net/route: a header line, then "Iface Destination Gateway Flags
// RefCnt Use Metric Mask ..." in hex; a default route has destination and
// mask 0 and RTF_UP set. /proc/net/ipv6_route: "dest plen src plen nexthop
// metric refcnt use flags iface" with no header; default = ::/0, skipping
// the kernel's unreachable ::/0 entry on lo.
#include "probe/default_route.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace xacct::probe {

namespace {

constexpr unsigned long kRtfUp = 0x1;

bool default_v4(const std::string& path, std::string* iface) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return false;  // header
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string name, dest, gw, flags, refcnt, use, metric, mask;
    if (!(f >> name >> dest >> gw >> flags >> refcnt >> use >> metric >> mask)) continue;
    unsigned long fl = std::strtoul(flags.c_str(), nullptr, 16);
    if (dest == "00000000" && mask == "00000000" && (fl & kRtfUp) != 0) {
      *iface = name;
      return true;
    }
  }
  return false;
}

bool default_v6(const std::string& path, std::string* iface) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string dest, plen, src, splen, nexthop, metric, refcnt, use, flags, name;
    if (!(f >> dest >> plen >> src >> splen >> nexthop >> metric >> refcnt >> use >> flags >> name))
      continue;
    unsigned long fl = std::strtoul(flags.c_str(), nullptr, 16);
    if (dest == std::string(32, '0') && plen == "00" && name != "lo" && (fl & kRtfUp) != 0) {
      *iface = name;
      return true;
    }
  }
  return false;
}

}  // namespace

userspace::Result<std::string> default_route_interface(const std::string& ipv4_routes,
                                                       const std::string& ipv6_routes) {
  std::string iface;
  if (default_v4(ipv4_routes, &iface) || default_v6(ipv6_routes, &iface)) return iface;
  return userspace::make_error(
      "no default route (read " + ipv4_routes + " and " + ipv6_routes +
      "); hint: name the interface to monitor with -i IFACE or `interface:` in the config");
}

}  // namespace xacct::probe
