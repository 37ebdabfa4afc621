// One eBPF header sample (struct xacct_sample, bpf/flow_types.h) as one
// FlowRecord. The sampled frame goes through the same decoder as libpcap's
// Ethernet frames (probe/capture/packet_record.hpp, on the shared parser
// bpf/packet_parse.h), so a sample and a captured packet give the same
// fields: MACs, VLAN and cos, ethertype, MPLS labels, addresses, ports,
// protocol, ToS, TCP flags. On top of that:
//   - observation point, direction and in_iface/out_iface from the sample;
//   - an offloaded VLAN tag (TC: skb->vlan_tci) is the outer tag;
//   - sampling_rate = N, feed = kEbpfSample, flows 0 (a sample is not a flow);
//   - packets = the sample's weight (1, or more when a GSO skb spanned
//     several 1:N intervals), bytes = weight x the L3 length of one wire
//     packet (for a GSO skb, the L3 bytes of its segments / segments);
//   - timestamp_start = timestamp_end = timestamp_arrival = the sample time.
// A sampled frame that is not IP gives no record (as libpcap input).
// Pure: unit tested without a kernel (tests/probe/sample_record_test.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "bpf/flow_types.h"
#include "bpf/packet_parse.h"
#include "probe/obs_registry.hpp"
#include "userspace/flow_record.hpp"

namespace xacct::probe {

enum class SampleDecode : std::uint8_t {
  kRecord,  // `out` holds the record
  kNotIp,   // not IP, or cut before the IP header: no record
  kBad,     // the ring record is shorter than a sample, or cap_len is impossible
};

// `size` is the ring record's size; `mono_to_epoch_ns` converts the sample's
// CLOCK_MONOTONIC time. `out` must be default-constructed; `pkt` is scratch.
SampleDecode sample_to_record(const xacct_sample& sample, std::size_t size, const ObsPoint& point,
                              std::int64_t mono_to_epoch_ns, xacct_pkt& pkt, userspace::FlowRecord& out);

}  // namespace xacct::probe
