// The IP + UDP headers of a transparent tee send (tee_transparent): the
// replicated datagram leaves with the exporter's address and port as its
// source, so the receiving collector sees the original exporter. Written
// for raw sockets with IP_HDRINCL / IPV6_HDRINCL (RFC 791, RFC 8200, RFC 768;
// UDP checksum over the pseudo header, also for IPv4 where 0 would be
// allowed). Pure functions, unit-tested without privileges.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "userspace/flow_record.hpp"

namespace xacct::collector {

inline constexpr std::size_t kIpv4HeaderLen = 20;
inline constexpr std::size_t kIpv6HeaderLen = 40;
inline constexpr std::size_t kUdpHeaderLen = 8;

// Writes IPv4 (src.is_v6 false: src/dst IPv4-mapped) or IPv6 + UDP +
// payload into `out` (replaced). `tos` = ToS / traffic class, TTL/hop
// limit 255 as pmacct. Returns false when the payload does not fit one
// IP packet or the families differ.
bool build_udp_packet(const userspace::IpAddress& src, std::uint16_t src_port, const userspace::IpAddress& dst,
                      std::uint16_t dst_port, std::uint8_t tos, std::span<const std::uint8_t> payload,
                      std::vector<std::uint8_t>& out);

}  // namespace xacct::collector
