// See packet_record.hpp.
#include "probe/capture/packet_record.hpp"

#include <algorithm>
#include <cstring>

namespace xacct::capture {

void fill_link_fields(const xacct_pkt& pkt, userspace::FlowRecord& r) {
  std::memcpy(r.src_mac.data(), pkt.src_mac, 6);
  std::memcpy(r.dst_mac.data(), pkt.dst_mac, 6);
  if (pkt.vlan_count != 0) {
    r.vlan = pkt.vlan[0];
    r.cos = pkt.pcp;
  }
  r.etype = pkt.ethertype;
}

void fill_record(const xacct_pkt& pkt, const LinkInfo& link, const std::uint8_t* frame, std::size_t caplen,
                 userspace::TimestampNs ts_ns, const RecordContext& ctx, userspace::FlowRecord& r) {
  fill_link_fields(pkt, r);

  std::memcpy(r.src_host.bytes.data(), pkt.src_addr, 16);
  std::memcpy(r.dst_host.bytes.data(), pkt.dst_addr, 16);
  r.src_host.is_v6 = r.dst_host.is_v6 = pkt.ip_version == 6;
  r.proto = pkt.proto;
  r.tos = pkt.tos;
  if (pkt.proto == XACCT_IPPROTO_TCP || pkt.proto == XACCT_IPPROTO_UDP) {
    r.src_port = pkt.sport;
    r.dst_port = pkt.dport;
  }
  if (pkt.proto == XACCT_IPPROTO_TCP) r.tcp_flags = pkt.tcp_flags;

  if (pkt.mpls_depth != 0) {
    r.mpls_label_top = pkt.mpls_top;
    r.mpls_label_bottom = pkt.mpls_bottom;
    r.mpls_stack_depth = pkt.mpls_depth;
    // The stack ends right before the IP header (the parser found IP after
    // bottom-of-stack), so every label can be read back without parsing.
    const std::size_t n = std::min<std::size_t>(pkt.mpls_depth, r.mpls_label_stack.size());
    const std::size_t stack_start = static_cast<std::size_t>(pkt.l3_offset) - 4u * pkt.mpls_depth;
    if (pkt.l3_offset >= 4u * pkt.mpls_depth && stack_start + 4 * n <= caplen) {
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t* p = frame + stack_start + 4 * i;
        r.mpls_label_stack[i] =
            (static_cast<std::uint32_t>(p[0]) << 12) | (static_cast<std::uint32_t>(p[1]) << 4) | (p[2] >> 4);
      }
      r.mpls_label_stack_len = static_cast<std::uint8_t>(n);
    }
  }

  r.direction = ctx.direction;
  const std::uint32_t ifindex = ctx.ifindex_from_link && link.ifindex != 0 ? link.ifindex : ctx.ifindex;
  if (ctx.direction == userspace::Direction::kIn) r.in_iface = ifindex;
  if (ctx.direction == userspace::Direction::kOut) r.out_iface = ifindex;

  r.first_ns = ts_ns;
  r.arrival_ns = ts_ns;
  r.packets = 1;
  r.bytes = pkt.l3_len;
}

}  // namespace xacct::capture
