// Which eBPF records a plugin takes: exact flows or 1:N header samples
// (RecordFeed in flow_record.hpp; the rule is in docs/datapath.md, "Exact
// flows and header samples").
//
// The eBPF flow key holds addresses, ports, protocol, ToS, VLAN, interface
// and direction; it has no room for MAC addresses, the 802.1p priority or
// MPLS labels. A plugin that aggregates on one of those "header-only"
// primitives takes the header samples of the eBPF path (when sampling_rate is
// set), every other plugin takes the exact flows. Never both: the same
// packet would be counted twice. Records of other inputs (libpcap, NFLOG,
// collectors) carry every field they know and go to every plugin.
#pragma once

#include <algorithm>
#include <vector>

#include "userspace/flow_record.hpp"
#include "userspace/primitive.hpp"

namespace xacct::userspace {

// Primitives the eBPF flow key cannot hold: only header samples have them.
inline bool is_header_only_primitive(Primitive p) {
  switch (p) {
    case Primitive::kSrcMac:
    case Primitive::kDstMac:
    case Primitive::kCos:
    case Primitive::kMplsLabelTop:
    case Primitive::kMplsLabelBottom:
    case Primitive::kMplsStackDepth:
    case Primitive::kMplsLabelStack:
      return true;
    default:
      return false;
  }
}

// The plugin's choice: header samples when the eBPF path samples (sampling_rate
// > 0) and the aggregate needs a header-only primitive; exact flows otherwise.
inline bool takes_ebpf_header_samples(const std::vector<Primitive>& aggregate, std::uint32_t sampling_rate) {
  return sampling_rate > 0 && std::any_of(aggregate.begin(), aggregate.end(), is_header_only_primitive);
}

// Whether a plugin that made `header_samples` takes record `r`.
inline bool plugin_takes_record(bool header_samples, const FlowRecord& r) {
  switch (r.feed) {
    case RecordFeed::kAll: return true;
    case RecordFeed::kEbpfFlow: return !header_samples;
    case RecordFeed::kEbpfSample: return header_samples;
  }
  return true;
}

}  // namespace xacct::userspace
