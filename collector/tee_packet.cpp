// See tee_packet.hpp.
#include "collector/tee_packet.hpp"

#include <cstring>

namespace xacct::collector {
namespace {

void put16(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

// One's complement sum of 16-bit words (RFC 1071), not yet folded.
std::uint64_t sum16(const std::uint8_t* p, std::size_t n, std::uint64_t acc) {
  for (; n >= 2; p += 2, n -= 2) acc += (static_cast<std::uint32_t>(p[0]) << 8) | p[1];
  if (n == 1) acc += static_cast<std::uint32_t>(p[0]) << 8;
  return acc;
}

std::uint16_t fold(std::uint64_t acc) {
  while ((acc >> 16) != 0) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc & 0xffff);
}

}  // namespace

bool build_udp_packet(const userspace::IpAddress& src, std::uint16_t src_port, const userspace::IpAddress& dst,
                      std::uint16_t dst_port, std::uint8_t tos, std::span<const std::uint8_t> payload,
                      std::vector<std::uint8_t>& out) {
  if (src.is_v6 != dst.is_v6) return false;
  const bool v6 = src.is_v6;
  const std::size_t ip_len = v6 ? kIpv6HeaderLen : kIpv4HeaderLen;
  const std::size_t udp_len = kUdpHeaderLen + payload.size();
  if (udp_len > 0xffff || (!v6 && ip_len + udp_len > 0xffff)) return false;
  out.assign(ip_len + udp_len, 0);
  std::uint8_t* ip = out.data();
  std::uint8_t* udp = ip + ip_len;

  // Pseudo header sum (RFC 768 / RFC 8200 §8.1): addresses, protocol, length.
  std::uint64_t acc = 0;
  if (v6) {
    ip[0] = static_cast<std::uint8_t>(0x60 | (tos >> 4));
    ip[1] = static_cast<std::uint8_t>((tos & 0x0f) << 4);
    put16(ip + 4, static_cast<std::uint32_t>(udp_len));
    ip[6] = 17;  // next header: UDP
    ip[7] = 255;
    std::memcpy(ip + 8, src.bytes.data(), 16);
    std::memcpy(ip + 24, dst.bytes.data(), 16);
    acc = sum16(ip + 8, 32, acc);
  } else {
    ip[0] = 0x45;
    ip[1] = tos;
    put16(ip + 2, static_cast<std::uint32_t>(ip_len + udp_len));
    ip[8] = 255;
    ip[9] = 17;
    std::memcpy(ip + 12, src.bytes.data() + 12, 4);
    std::memcpy(ip + 16, dst.bytes.data() + 12, 4);
    put16(ip + 10, fold(sum16(ip, kIpv4HeaderLen, 0)));
    acc = sum16(ip + 12, 8, acc);
  }
  acc += 17 + udp_len;

  put16(udp, src_port);
  put16(udp + 2, dst_port);
  put16(udp + 4, static_cast<std::uint32_t>(udp_len));
  if (!payload.empty()) std::memcpy(udp + kUdpHeaderLen, payload.data(), payload.size());
  std::uint16_t csum = fold(sum16(udp, udp_len, acc));
  if (csum == 0) csum = 0xffff;  // 0 means "no checksum" (and is illegal in IPv6)
  put16(udp + 6, csum);
  return true;
}

}  // namespace xacct::collector
