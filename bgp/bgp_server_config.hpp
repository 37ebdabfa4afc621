// BgpDaemonConfig: the bgp_daemon* keys of the collect role (pmacct's
// bgp_daemon thread of nfacctd/sfacctd; spec/config.md 3.9), as validated by
// the config key table. Plain data, header-only, so userspace/config.hpp can
// hold it without linking bgp/; bgp_server.hpp's bgp_server_options() turns
// it into the server's options (the one place that says which key reaches
// which option).
#pragma once

#include <cstdint>
#include <string>

namespace xacct::bgp {

struct BgpDaemonConfig {
  // In-class defaults = the key table's.
  bool enabled = false;         // bgp_daemon
  std::string ip;               // bgp_daemon_ip; "" = every IPv4 and IPv6 address
  std::uint16_t port = 179;     // bgp_daemon_port
  std::uint32_t as = 0;         // bgp_daemon_as; 0 = mirror each peer's AS (iBGP), as pmacct
  std::string id;               // bgp_daemon_id; "" = bgp_daemon_ip if IPv4, else 1.2.3.4
  std::uint32_t max_peers = 4;  // bgp_daemon_max_peers (pmacct's code default; its docs say 10)
  std::string allow_file;       // bgp_daemon_allow_file; "" = every peer

  bool operator==(const BgpDaemonConfig&) const = default;
};

}  // namespace xacct::bgp
