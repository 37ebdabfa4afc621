// See datalink.hpp. Link header layouts:
//   Linux cooked v1 (16 bytes): packet type (2), ARPHRD type (2), address
//     length (2), address (8), protocol (2).
//   Linux cooked v2 (20 bytes): protocol (2), reserved (2), ifindex (4),
//     ARPHRD type (2), packet type (1), address length (1), address (8).
//   BSD null/loop (4 bytes): address family.
#include "probe/capture/datalink.hpp"

#include <pcap/pcap.h>

#include <cstring>

namespace xacct::capture {
namespace {

// LINKTYPE_RAW as written in savefiles; libpcap hands it out as DLT_RAW,
// but a datalink number from elsewhere may still carry it.
constexpr int kLinktypeRaw = 101;

// Address families seen in DLT_NULL/DLT_LOOP headers: AF_INET is 2
// everywhere; AF_INET6 depends on the capturing system.
constexpr std::uint32_t kAfInet = 2;
constexpr std::uint32_t kAfInet6Linux = 10;
constexpr std::uint32_t kAfInet6Bsd = 24;      // NetBSD, OpenBSD, BSD/OS
constexpr std::uint32_t kAfInet6FreeBsd = 28;  // FreeBSD, DragonFly
constexpr std::uint32_t kAfInet6Darwin = 30;   // macOS

std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((static_cast<unsigned>(p[0]) << 8) | p[1]);
}
std::uint32_t be32(const std::uint8_t* p) {
  return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
         (static_cast<std::uint32_t>(p[2]) << 8) | p[3];
}
std::uint32_t le32(const std::uint8_t* p) {
  return (static_cast<std::uint32_t>(p[3]) << 24) | (static_cast<std::uint32_t>(p[2]) << 16) |
         (static_cast<std::uint32_t>(p[1]) << 8) | p[0];
}

int done(xacct_pkt& pkt, int status) {
  std::memset(&pkt, 0, sizeof pkt);
  pkt.status = static_cast<__u8>(status);
  return status;
}

// The parser counts offsets from where it started; the callers of
// parse_frame want them from the start of the frame.
void shift_offsets(xacct_pkt& pkt, std::size_t by) {
  if (pkt.ip_version != 0) pkt.l3_offset = static_cast<__u16>(pkt.l3_offset + by);
  if (pkt.l4_offset != 0) pkt.l4_offset = static_cast<__u16>(pkt.l4_offset + by);
}

// Everything after a link header that ends with an ethertype-like protocol.
int parse_after(const std::uint8_t* data, std::size_t caplen, std::size_t hdr, std::uint16_t ethertype,
                xacct_pkt& pkt) {
  if (ethertype < XACCT_ETH_P_802_3_MIN) {
    // 802.2 LLC, 802.3, CAN, netlink...: not IP. 0 must not reach
    // xacct_parse_l3, which would guess IP from the next nibble.
    done(pkt, XACCT_PARSE_NON_IP);
    pkt.ethertype = 0;
    return XACCT_PARSE_NON_IP;
  }
  int status = xacct_parse_l3(data + hdr, data + caplen, ethertype, &pkt);
  shift_offsets(pkt, hdr);
  return status;
}

// A cooked capture's protocol 0x0004 (LINUX_SLL_P_802_2) is an 802.2 LLC
// frame; with a SNAP header (DSAP and SSAP 0xaa, control 0x03, 3-byte OUI,
// ethertype) carrying IPv4 or IPv6, pmacctd counts the IP packet
// (ll.c: llc_handler), and so does xacct. pmacctd's Ethernet handler has no
// such path: 802.3 frames with SNAP on Ethernet stay not counted by both.
int parse_cooked(const std::uint8_t* data, std::size_t caplen, std::size_t hdr, std::uint16_t protocol,
                 xacct_pkt& pkt) {
  constexpr std::uint16_t kSllP8022 = 0x0004;
  constexpr std::size_t kSnapLen = 8;
  if (protocol != kSllP8022) return parse_after(data, caplen, hdr, protocol, pkt);
  if (caplen < hdr + kSnapLen) return done(pkt, XACCT_PARSE_NON_IP);
  const std::uint8_t* llc = data + hdr;
  const std::uint16_t inner = be16(llc + 6);
  if (llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03 ||
      (inner != XACCT_ETH_P_IPV4 && inner != XACCT_ETH_P_IPV6)) {
    return done(pkt, XACCT_PARSE_NON_IP);
  }
  return parse_after(data, caplen, hdr + kSnapLen, inner, pkt);
}

void set_src_mac(xacct_pkt& pkt, const std::uint8_t* addr, std::size_t addr_len) {
  if (addr_len == 6) std::memcpy(pkt.src_mac, addr, 6);
}

int parse_null(const std::uint8_t* data, std::size_t caplen, bool network_order, xacct_pkt& pkt) {
  if (caplen < kNullHeaderLen) return done(pkt, XACCT_PARSE_TRUNCATED);
  std::uint32_t family = be32(data);
  if (!network_order) {
    // Host order of the capturing machine: the family fits in 16 bits, so
    // a value with high bits set was written in the other byte order.
    const std::uint32_t le = le32(data);
    family = (le & 0xffff0000u) != 0 ? family : le;
  }
  std::uint16_t ethertype = 0;
  switch (family) {
    case kAfInet:
      ethertype = XACCT_ETH_P_IPV4;
      break;
    case kAfInet6Linux:
    case kAfInet6Bsd:
    case kAfInet6FreeBsd:
    case kAfInet6Darwin:
      ethertype = XACCT_ETH_P_IPV6;
      break;
    default:
      return done(pkt, XACCT_PARSE_NON_IP);
  }
  return parse_after(data, caplen, kNullHeaderLen, ethertype, pkt);
}

}  // namespace

std::optional<Datalink> datalink_from_dlt(int dlt) {
  switch (dlt) {
    case DLT_EN10MB: return Datalink::kEthernet;
    case DLT_LINUX_SLL: return Datalink::kLinuxSll;
    case DLT_LINUX_SLL2: return Datalink::kLinuxSll2;
    case DLT_RAW:
    case kLinktypeRaw: return Datalink::kRawIp;
    case DLT_IPV4: return Datalink::kIpv4;
    case DLT_IPV6: return Datalink::kIpv6;
    case DLT_NULL: return Datalink::kNull;
    case DLT_LOOP: return Datalink::kLoop;
    default: return std::nullopt;
  }
}

std::string_view to_string(Datalink dl) {
  switch (dl) {
    case Datalink::kEthernet: return "EN10MB";
    case Datalink::kLinuxSll: return "LINUX_SLL";
    case Datalink::kLinuxSll2: return "LINUX_SLL2";
    case Datalink::kRawIp: return "RAW";
    case Datalink::kIpv4: return "IPV4";
    case Datalink::kIpv6: return "IPV6";
    case Datalink::kNull: return "NULL";
    case Datalink::kLoop: return "LOOP";
  }
  return "?";
}

std::string describe_dlt(int dlt) {
  const char* name = pcap_datalink_val_to_name(dlt);
  return std::to_string(dlt) + " (" + (name != nullptr ? name : "unknown") + ")";
}

int parse_frame(Datalink dl, const std::uint8_t* data, std::size_t caplen, xacct_pkt& pkt, LinkInfo& link) {
  link = LinkInfo{};
  switch (dl) {
    case Datalink::kEthernet:
      return xacct_parse_ether(data, data + caplen, &pkt);
    case Datalink::kLinuxSll: {
      if (caplen < kSllHeaderLen) return done(pkt, XACCT_PARSE_TRUNCATED);
      int status = parse_cooked(data, caplen, kSllHeaderLen, be16(data + 14), pkt);
      set_src_mac(pkt, data + 6, be16(data + 4));
      return status;
    }
    case Datalink::kLinuxSll2: {
      if (caplen < kSll2HeaderLen) return done(pkt, XACCT_PARSE_TRUNCATED);
      int status = parse_cooked(data, caplen, kSll2HeaderLen, be16(data), pkt);
      set_src_mac(pkt, data + 12, data[11]);
      link.ifindex = be32(data + 4);
      return status;
    }
    case Datalink::kRawIp:
      return xacct_parse_l3(data, data + caplen, 0, &pkt);
    case Datalink::kIpv4:
      return xacct_parse_l3(data, data + caplen, XACCT_ETH_P_IPV4, &pkt);
    case Datalink::kIpv6:
      return xacct_parse_l3(data, data + caplen, XACCT_ETH_P_IPV6, &pkt);
    case Datalink::kNull:
      return parse_null(data, caplen, false, pkt);
    case Datalink::kLoop:
      return parse_null(data, caplen, true, pkt);
  }
  return done(pkt, XACCT_PARSE_NON_IP);
}

}  // namespace xacct::capture
