// FlowRecord: the one record type every input produces (eBPF datapath,
// libpcap, NFLOG, NetFlow/IPFIX/sFlow) and every plugin consumes. Plain data:
// the primitives an input knows, plus counters. An input that does not know
// a primitive leaves it zero; aggregation keys only on the primitives a
// plugin configures, so unknown fields print as pmacct prints unknowns
// (0, "", 0.0.0.0 / ::).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace xacct::userspace {

// An IPv4 or IPv6 address; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d) so
// both families hash and compare the same way.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};
  bool is_v6 = false;

  bool operator==(const IpAddress&) const = default;
};

using MacAddress = std::array<std::uint8_t, 6>;

// Nanoseconds since the Unix epoch (UTC); 0 means unknown.
using TimestampNs = std::int64_t;

enum class Direction : std::uint8_t { kUnknown = 0, kIn = 1, kOut = 2 };

// Which plugins a record is for (docs/datapath.md, "Exact flows and header
// samples"). The eBPF datapath produces two views of the same traffic: exact
// flow records (every packet, but only the fields of its flow key) and, with
// sampling_rate, 1:N header samples (every header field, sampled counters).
// Each plugin takes one of the two (userspace/record_feed.hpp); records of
// every other input (libpcap, NFLOG, collectors) go to every plugin.
enum class RecordFeed : std::uint8_t { kAll = 0, kEbpfFlow = 1, kEbpfSample = 2 };

struct FlowRecord {
  // L2
  MacAddress src_mac{};
  MacAddress dst_mac{};
  std::uint16_t vlan = 0;
  std::uint16_t etype = 0;
  std::uint8_t cos = 0;
  // L3/L4
  IpAddress src_host;
  IpAddress dst_host;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint8_t proto = 0;
  std::uint8_t tos = 0;
  std::uint8_t tcp_flags = 0;
  // MPLS
  std::uint32_t mpls_label_top = 0;
  std::uint32_t mpls_label_bottom = 0;
  std::uint8_t mpls_stack_depth = 0;
  // Where it was observed
  std::uint32_t in_iface = 0;   // ifindex, 0 = unknown
  std::uint32_t out_iface = 0;  // ifindex, 0 = unknown
  Direction direction = Direction::kUnknown;
  std::uint32_t obs_id = 0;  // observation point (input-assigned)
  std::uint32_t sampling_rate = 0;  // 1-out-of-N; 0 = unsampled/unknown
  // Tags (pre_tag_map and friends)
  std::uint64_t tag = 0;
  std::uint64_t tag2 = 0;
  // Time
  TimestampNs first_ns = 0;  // timestamp_start
  TimestampNs last_ns = 0;   // timestamp_end
  // Counters
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;  // L3 bytes, as pmacct counts them
  std::uint64_t flows = 0;
  // Set on records that carry traffic the datapath could not key (flow map
  // full): they keep totals exact and are printed as their own record.
  bool overflow = false;

  // --- Added for issue 3 (appended; every field defaults to "unknown") ---
  // Networks and ASNs (networks_file, BGP, NetFlow/sFlow exports)
  IpAddress src_net;
  IpAddress dst_net;
  std::uint8_t src_mask = 0;
  std::uint8_t dst_mask = 0;
  std::uint8_t fwd_status = 0;  // NetFlow/IPFIX forwardingStatus (IE 89, RFC 7270)
  std::uint8_t mpls_label_stack_len = 0;  // labels used in mpls_label_stack
  std::uint32_t src_as = 0;
  std::uint32_t dst_as = 0;
  std::uint32_t peer_src_as = 0;
  std::uint32_t peer_dst_as = 0;
  // Exporter (peer_src_ip) and next hop (peer_dst_ip). Left all-zero
  // (no family) when unknown: printed as "" like pmacct, not 0.0.0.0.
  IpAddress peer_src_ip;
  IpAddress peer_dst_ip;
  // String label from pre_tag_map, interned (userspace/label_pool.hpp) so the
  // record stays plain data; 0 = no label.
  std::uint32_t label_id = 0;
  std::uint16_t out_vlan = 0;  // in_vlan is `vlan`
  std::uint16_t export_proto_version = 0;
  std::uint32_t export_proto_seqno = 0;
  std::uint32_t export_proto_sysid = 0;
  // MPLS label values (20 bits, no EXP/BoS), top first.
  std::array<std::uint32_t, 10> mpls_label_stack{};
  // Inner header of a tunnel (VXLAN, GRE, ...)
  MacAddress tunnel_src_mac{};
  MacAddress tunnel_dst_mac{};
  IpAddress tunnel_src_host;
  IpAddress tunnel_dst_host;
  std::uint8_t tunnel_proto = 0;
  std::uint8_t tunnel_tos = 0;
  std::uint8_t tunnel_tcp_flags = 0;
  std::uint16_t tunnel_src_port = 0;
  std::uint16_t tunnel_dst_port = 0;
  std::uint32_t vxlan = 0;  // VNI
  // More time: when the collector received it (pmacctd: packet time) and
  // the export header time (NetFlow/IPFIX).
  TimestampNs arrival_ns = 0;  // timestamp_arrival
  TimestampNs export_ns = 0;   // timestamp_export
  // Set by a plugin's aggregation when *_history is configured: start of
  // the entry's time bin (stamp_inserted). Inputs leave it 0.
  TimestampNs time_bin_ns = 0;

  // --- Added for issue 4 ---
  RecordFeed feed = RecordFeed::kAll;  // see RecordFeed

  // --- Added for issue 5 (compat) ---
  // BGP/MPLS VPN route distinguisher (NetFlow/IPFIX IE 90, flow_to_rd_map):
  // its 8 wire bytes (RFC 4364: 2-byte type, 6-byte value) read as one
  // big-endian integer; 0 = none. Printed "0:65512:1" (primitive mpls_vpn_rd).
  std::uint64_t mpls_vpn_rd = 0;
};

using RecordBatch = std::vector<FlowRecord>;

}  // namespace xacct::userspace
