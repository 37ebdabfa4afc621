// See nflog_packet.hpp. Attribute layouts: linux/netfilter/nfnetlink_log.h
// (netlink and attribute headers in host byte order, NFLOG values in
// network byte order).
#include "probe/nflog_packet.hpp"

#include <libnetfilter_log/linux_nfnetlink_log.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>

#include <cstring>

#include "probe/capture/datalink.hpp"
#include "probe/capture/packet_record.hpp"

namespace xacct::probe {
namespace {

constexpr std::uint16_t kArphrdEther = 1;
constexpr std::size_t kEtherHeaderLen = 14;

std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((static_cast<unsigned>(p[0]) << 8) | p[1]);
}
std::uint32_t be32(const std::uint8_t* p) {
  return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
         (static_cast<std::uint32_t>(p[2]) << 8) | p[3];
}
std::uint64_t be64(const std::uint8_t* p) {
  return (static_cast<std::uint64_t>(be32(p)) << 32) | be32(p + 4);
}

}  // namespace

// The attributes are walked here rather than through nflog_nlmsg_parse: at a
// few hundred thousand packets per second its per-attribute callbacks were a
// third of the reader's CPU. Every read is checked against the message's end.
NflogMessage parse_nflog_message(const nlmsghdr* nlh, NflogPacket& out) {
  const auto expected = static_cast<std::uint16_t>((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET);
  if (nlh->nlmsg_type != expected) return NflogMessage::kOther;
  const std::size_t attrs_at = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nfgenmsg));
  if (nlh->nlmsg_len < attrs_at) return NflogMessage::kBad;

  out = NflogPacket{};
  const auto* msg = reinterpret_cast<const std::uint8_t*>(nlh);
  const std::uint8_t* end = msg + nlh->nlmsg_len;
  out.family = msg[NLMSG_HDRLEN];  // nfgenmsg.nfgen_family
  const std::uint8_t* p = msg + attrs_at;
  while (end - p >= static_cast<std::ptrdiff_t>(NLA_HDRLEN)) {
    nlattr a;  // host byte order, like every netlink header
    std::memcpy(&a, p, sizeof a);
    const std::uint16_t len = a.nla_len;
    const auto type = static_cast<std::uint16_t>(a.nla_type & NLA_TYPE_MASK);
    if (len < NLA_HDRLEN || len > end - p) return NflogMessage::kBad;
    const std::uint8_t* v = p + NLA_HDRLEN;
    const std::size_t n = len - NLA_HDRLEN;
    switch (type) {
      case NFULA_PACKET_HDR:  // struct nfulnl_msg_packet_hdr: be16 hw_protocol, u8 hook
        if (n < 3) return NflogMessage::kBad;
        out.hw_protocol = be16(v);
        out.hook = v[2];
        break;
      case NFULA_IFINDEX_INDEV:
      case NFULA_IFINDEX_OUTDEV:
      case NFULA_IFINDEX_PHYSINDEV:
      case NFULA_IFINDEX_PHYSOUTDEV: {
        if (n < 4) return NflogMessage::kBad;
        const std::uint32_t ifindex = be32(v);
        if (type == NFULA_IFINDEX_INDEV) out.indev = ifindex;
        if (type == NFULA_IFINDEX_OUTDEV) out.outdev = ifindex;
        if (type == NFULA_IFINDEX_PHYSINDEV) out.physindev = ifindex;
        if (type == NFULA_IFINDEX_PHYSOUTDEV) out.physoutdev = ifindex;
        break;
      }
      case NFULA_TIMESTAMP:  // struct nfulnl_msg_packet_timestamp: be64 sec, be64 usec
        if (n < 16) return NflogMessage::kBad;
        out.has_timestamp = true;
        out.timestamp_ns = static_cast<userspace::TimestampNs>(be64(v)) * 1000000000 +
                           static_cast<userspace::TimestampNs>(be64(v + 8)) * 1000;
        break;
      case NFULA_SEQ:
        if (n < 4) return NflogMessage::kBad;
        out.has_seq = true;
        out.seq = be32(v);
        break;
      case NFULA_HWTYPE:
        if (n < 2) return NflogMessage::kBad;
        out.hw_type = be16(v);
        break;
      case NFULA_HWHEADER:
        out.hw_header = v;
        out.hw_header_len = n;
        break;
      case NFULA_PAYLOAD:
        out.payload = v;
        out.payload_len = n;
        break;
      default:
        break;  // prefix, uid, gid, conntrack, ...: not needed
    }
    p += NLA_ALIGN(len);
  }
  return NflogMessage::kPacket;
}

NflogDecode nflog_to_record(const NflogPacket& p, userspace::Direction direction, userspace::TimestampNs receipt_ns,
                            xacct_pkt& pkt, userspace::FlowRecord& out) {
  // The family says which IP version an inet hook logged; other families
  // (bridge, netdev) name the protocol in the packet header.
  std::uint16_t ethertype = p.hw_protocol;
  if (p.family == NFPROTO_IPV4) ethertype = XACCT_ETH_P_IPV4;
  if (p.family == NFPROTO_IPV6) ethertype = XACCT_ETH_P_IPV6;
  if (p.payload == nullptr) {
    std::memset(&pkt, 0, sizeof pkt);
    return NflogDecode::kNotIp;
  }
  xacct_parse_l3(p.payload, p.payload + p.payload_len, ethertype, &pkt);
  if (pkt.ip_version == 0) return NflogDecode::kNotIp;

  const userspace::TimestampNs ts = p.has_timestamp ? p.timestamp_ns : receipt_ns;
  capture::RecordContext ctx;  // no direction here: interfaces come from the message
  capture::fill_record(pkt, capture::LinkInfo{}, p.payload, p.payload_len, ts, ctx, out);
  if (p.hw_type == kArphrdEther && p.hw_header != nullptr && p.hw_header_len >= kEtherHeaderLen) {
    std::memcpy(out.dst_mac.data(), p.hw_header, 6);
    std::memcpy(out.src_mac.data(), p.hw_header + 6, 6);
  }
  out.in_iface = p.physindev != 0 ? p.physindev : p.indev;
  out.out_iface = p.physoutdev != 0 ? p.physoutdev : p.outdev;
  out.direction = direction;
  return NflogDecode::kRecord;
}

}  // namespace xacct::probe
