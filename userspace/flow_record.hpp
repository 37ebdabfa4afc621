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
};

using RecordBatch = std::vector<FlowRecord>;

}  // namespace xacct::userspace
