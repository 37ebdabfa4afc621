// One captured packet as one FlowRecord, the way pmacctd accounts a packet:
// packets 1, bytes = the IP total length (IPv6: 40 + payload length) whatever
// the frame or snap length, timestamp_start = timestamp_arrival = the packet
// time (timestamp_end stays unset: pmacctd does not fill it), ports only for
// TCP and UDP (pmacct prints 0 for every other protocol, SCTP and ICMP
// included), MACs, outer VLAN id and its 802.1p priority, the ethertype of
// the IP payload (after tags; "800"/"86dd" after MPLS), the MPLS labels.
// in_iface/out_iface and direction come from the capture's configuration
// (pcap_ifindex, pcap_direction), see RecordContext.
#pragma once

#include <cstddef>
#include <cstdint>

#include "bpf/packet_parse.h"
#include "probe/capture/datalink.hpp"
#include "userspace/flow_record.hpp"

namespace xacct::capture {

// What every record of one capture source carries besides the packet.
struct RecordContext {
  userspace::Direction direction = userspace::Direction::kUnknown;  // pcap_direction
  // The ifindex of pcap_ifindex, written to in_iface (direction in) or
  // out_iface (direction out); without a direction neither, as in pmacct.
  std::uint32_t ifindex = 0;
  // pcap_ifindex: sys on a Linux cooked v2 capture: the ifindex in each
  // packet's header replaces `ifindex` (it names the real interface when
  // capturing on "any", where the device's own ifindex is 0).
  bool ifindex_from_link = false;
};

// The link-layer fields of a parsed frame: MACs, outer VLAN id and its
// 802.1p priority, the ethertype of the payload; all a non-IP frame gives.
void fill_link_fields(const xacct_pkt& pkt, userspace::FlowRecord& r);

// Fills `r` (assumed default-constructed) from a parsed packet with
// ip_version != 0. `frame`/`caplen` are the bytes the offsets of `pkt` refer
// to (parse_frame), used to read the whole MPLS label stack.
void fill_record(const xacct_pkt& pkt, const LinkInfo& link, const std::uint8_t* frame, std::size_t caplen,
                 userspace::TimestampNs ts_ns, const RecordContext& ctx, userspace::FlowRecord& r);

}  // namespace xacct::capture
