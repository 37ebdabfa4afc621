// default_route_interface(): the interface of the first default route, for
// the probe's embedded default configuration. IPv4 (/proc/net/route) first,
// then IPv6 (/proc/net/ipv6_route).
#pragma once

#include <string>

#include "userspace/result.hpp"

namespace xacct::probe {

userspace::Result<std::string> default_route_interface(
    const std::string& ipv4_routes = "/proc/net/route",
    const std::string& ipv6_routes = "/proc/net/ipv6_route");

}  // namespace xacct::probe
