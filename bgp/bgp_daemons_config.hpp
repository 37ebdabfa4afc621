// BgpDaemonsConfig: the collect role's BGP/BMP keys as validated by the
// config key table: the BGP daemon (bgp_daemon_*), the BMP station
// (bmp_daemon_*, bmp_config.hpp), the agent maps and where the enrichment
// takes its values from. Plain data, header-only, so userspace/config.hpp can
// hold it without linking bgp/; bgp_daemons.hpp starts what it says.
#pragma once

#include <cstdint>
#include <string>

#include "bgp/bgp_server_config.hpp"
#include "bgp/bmp_config.hpp"

namespace xacct::bgp {

struct BgpDaemonsConfig {
  BgpDaemonConfig bgp;           // bgp_daemon_* (bgp_server_config.hpp)
  BmpDaemonConfig bmp;           // bmp_daemon_* (bmp_config.hpp)
  std::string bgp_agent_map;     // "" = none
  std::string bmp_agent_map;     // "" = none
  bool peer_src_as_bgp = false;  // bgp_peer_src_as_type: bgp

  bool operator==(const BgpDaemonsConfig&) const = default;
};

}  // namespace xacct::bgp
