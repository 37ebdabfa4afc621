// A packet rebuilt from a FlowRecord, so that libpcap filters (pre_tag_map
// `filter`, aggregate_filter) can run on records as pmacct runs them on the
// captured packet (pmacctd) or on the packet nfacctd/sfacctd rebuild from a
// flow. Only headers are written: Ethernet (MACs), an 802.1Q tag when the
// record has a VLAN (cos in the PCP bits), an MPLS label stack when it has
// labels, IPv4/IPv6 (tos, proto, addresses) and TCP/UDP/SCTP ports or the
// ICMP type/code, plus the TCP flags.
//
// What a filter can and cannot see (the limits):
//   - host, net, port, portrange, proto, tcp/udp/icmp/ip6..., vlan, mpls,
//     ether host/src/dst, ip[]/tcp[] on the fields above: exact.
//   - tcp[tcpflags]: the record's flags, i.e. the OR over the flow's packets.
//   - len/greater/less and ip[2:2]: the average packet length of the record
//     (bytes / packets), not each packet's length.
//   - TTL/hop limit (always 64), IP id, fragment bits (never a fragment),
//     sequence numbers, checksums, options and payload: not carried by a
//     record; filters on them see these fixed values or nothing (a read past
//     the rebuilt headers does not match).
//   - ICMP type/code come from dst_port (type * 256 + code, the NetFlow
//     convention); the eBPF probe reports 0 for both.
//   - As with pmacct, a VLAN- or MPLS-tagged record needs "vlan and ..." /
//     "mpls and ..." in the filter.
#pragma once

#include <array>
#include <cstdint>

#include "userspace/flow_record.hpp"

namespace xacct::filter {

struct RecordPacket {
  // Ethernet 14 + VLAN 4 + MPLS 10*4 + IPv6 40 + TCP 20 = 118.
  std::array<std::uint8_t, 128> bytes{};
  std::uint32_t caplen = 0;  // bytes written
  std::uint32_t len = 0;     // wire length: L2 headers + average L3 length
};

// Fills `out` from `r` (overwrites everything).
void build_record_packet(const userspace::FlowRecord& r, RecordPacket& out);

}  // namespace xacct::filter
