// BmpDaemonConfig: the BMP station's keys (pmacct's bmp_daemon_*, spec
// config.md 3.10) as validated by the config key table. Plain data,
// header-only, so the daemon config can hold it without linking bgp/;
// make_bmp_station_options() (bmp_station.hpp) turns it into the station's
// options.
#pragma once

#include <cstdint>
#include <string>

namespace xacct::bgp {

struct BmpDaemonConfig {
  bool enabled = false;         // bmp_daemon
  std::string ip;               // bmp_daemon_ip; "" = every address, IPv4 and IPv6
  std::uint16_t port = 1790;    // bmp_daemon_port
  std::uint32_t max_peers = 4;  // bmp_daemon_max_peers (pmacct's code default; its docs say 10)
  std::string allow_file;       // bmp_daemon_allow_file; "" = every router may connect

  bool operator==(const BmpDaemonConfig&) const = default;
};

}  // namespace xacct::bgp
