// Field mapping follows the FlowRecord contract (TEAM.md): ports only for
// TCP/UDP/SCTP (pmacct prints none for ICMP; the key keeps ICMP type/code
// for later exporters), ingress records carry in_iface, egress out_iface.
#include "probe/flow_convert.hpp"

#include <algorithm>

namespace xacct::probe {

using userspace::Direction;
using userspace::FlowRecord;

namespace {

constexpr std::uint8_t kTcp = 6;
constexpr std::uint8_t kUdp = 17;
constexpr std::uint8_t kSctp = 132;

bool any_nonzero(const __u8 (&a)[16]) {
  return std::any_of(std::begin(a), std::end(a), [](__u8 b) { return b != 0; });
}

void set_iface(FlowRecord& r, const ObsPoint& point, std::uint32_t dir) {
  r.obs_id = point.obs_id;
  if (dir == XACCT_DIR_OUT) {
    r.direction = Direction::kOut;
    r.out_iface = point.iface();
  } else {
    r.direction = Direction::kIn;
    r.in_iface = point.iface();
  }
}

}  // namespace

FlowRecord to_flow_record(const xacct_flow_key& key, const xacct_flow_value& value,
                          const ObsPoint& point, std::int64_t mono_to_epoch_ns) {
  FlowRecord r;
  set_iface(r, point, (key.flags & XACCT_KF_DIR_OUT) ? XACCT_DIR_OUT : XACCT_DIR_IN);
  r.vlan = key.vlan;
  r.packets = value.packets;
  r.bytes = value.bytes;
  r.flows = 1;
  r.feed = userspace::RecordFeed::kEbpfFlow;
  r.first_ns = static_cast<std::int64_t>(value.first_ns) + mono_to_epoch_ns;
  r.last_ns = static_cast<std::int64_t>(value.last_ns) + mono_to_epoch_ns;
  if (key.flags & XACCT_KF_NONIP) {
    r.etype = key.dst_port;  // the ethertype; no addresses, no ports
    return r;
  }
  bool v6 = (key.flags & XACCT_KF_IPV6) != 0;
  std::copy(std::begin(key.src_addr), std::end(key.src_addr), r.src_host.bytes.begin());
  std::copy(std::begin(key.dst_addr), std::end(key.dst_addr), r.dst_host.bytes.begin());
  r.src_host.is_v6 = v6;
  r.dst_host.is_v6 = v6;
  if (v6) {
    r.etype = 0x86dd;
  } else if (!(key.flags & XACCT_KF_BADHDR) || any_nonzero(key.src_addr)) {
    r.etype = 0x0800;
  }
  r.proto = key.proto;
  r.tos = key.dscp_tos;
  r.tcp_flags = static_cast<std::uint8_t>(value.tcp_flags);
  if (key.proto == kTcp || key.proto == kUdp || key.proto == kSctp) {
    r.src_port = key.src_port;
    r.dst_port = key.dst_port;
  }
  return r;
}

FlowRecord overflow_record(const ObsPoint& point, std::uint32_t dir, std::uint64_t packets,
                           std::uint64_t bytes) {
  FlowRecord r;
  set_iface(r, point, dir);
  r.packets = packets;
  r.bytes = bytes;
  r.flows = 0;  // not a flow: traffic the flow map had no room for
  r.overflow = true;
  r.feed = userspace::RecordFeed::kEbpfFlow;
  return r;
}

}  // namespace xacct::probe
