// The socket address a collector listener binds (nfacctd_ip / sfacctd_ip
// and the port), shared by the UDP listener and the IPFIX-over-TCP
// listener: unset = the IPv6 wildcard (dual stack unless *_ipv6_only), an
// address with ':' = IPv6, anything else = IPv4.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "userspace/result.hpp"

namespace xacct::collector {

struct ListenAddress {
  sockaddr_storage addr{};
  socklen_t len = 0;
  int family = AF_INET6;
  std::string host;  // for names and logs: "[::]", "[2001:db8::1]", "127.0.0.1"

  void set_port(std::uint16_t port) {
    if (family == AF_INET6) {
      reinterpret_cast<sockaddr_in6&>(addr).sin6_port = htons(port);
    } else {
      reinterpret_cast<sockaddr_in&>(addr).sin_port = htons(port);
    }
  }
};

// Errors: "<protocol> listener: bad address '<ip>'".
inline userspace::Result<ListenAddress> parse_listen_address(const std::string& ip, std::uint16_t port,
                                                             const std::string& protocol) {
  ListenAddress a;
  if (ip.empty() || ip.find(':') != std::string::npos) {
    auto& in6 = reinterpret_cast<sockaddr_in6&>(a.addr);
    in6.sin6_family = AF_INET6;
    in6.sin6_addr = in6addr_any;
    if (!ip.empty() && inet_pton(AF_INET6, ip.c_str(), &in6.sin6_addr) != 1) {
      return userspace::make_error(protocol + " listener: bad address '" + ip + "'");
    }
    a.len = sizeof(sockaddr_in6);
    a.host = "[" + (ip.empty() ? std::string("::") : ip) + "]";
  } else {
    a.family = AF_INET;
    auto& in = reinterpret_cast<sockaddr_in&>(a.addr);
    in.sin_family = AF_INET;
    if (inet_pton(AF_INET, ip.c_str(), &in.sin_addr) != 1) {
      return userspace::make_error(protocol + " listener: bad address '" + ip + "'");
    }
    a.len = sizeof(sockaddr_in);
    a.host = ip;
  }
  a.set_port(port);
  return a;
}

}  // namespace xacct::collector
