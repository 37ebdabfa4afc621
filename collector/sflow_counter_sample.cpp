// See sflow_counter_sample.hpp.
#include "collector/sflow_counter_sample.hpp"

namespace xacct::collector::sflow {
namespace {

constexpr std::size_t kGenericLen = 88;

// if_counters (88 bytes).
bool read_generic(XdrReader& r, SflowCounters& c) {
  return r.u32(c.if_index) && r.u32(c.if_type) && r.u64(c.if_speed) && r.u32(c.if_direction) &&
         r.u32(c.if_status) && r.u64(c.in_octets) && r.u32(c.in_ucast_pkts) && r.u32(c.in_multicast_pkts) &&
         r.u32(c.in_broadcast_pkts) && r.u32(c.in_discards) && r.u32(c.in_errors) &&
         r.u32(c.in_unknown_protos) && r.u64(c.out_octets) && r.u32(c.out_ucast_pkts) &&
         r.u32(c.out_multicast_pkts) && r.u32(c.out_broadcast_pkts) && r.u32(c.out_discards) &&
         r.u32(c.out_errors) && r.u32(c.promiscuous_mode);
}

}  // namespace

bool read_v5_counter_sample(XdrReader body, bool expanded, SflowCounters& out, bool& have_generic) {
  std::uint32_t n = 0;
  have_generic = false;
  if (!body.u32(out.sample_seqno)) return false;
  if (expanded) {
    if (!body.u32(out.source_id_type) || !body.u32(out.source_id_index)) return false;
  } else {
    std::uint32_t source_id = 0;
    if (!body.u32(source_id)) return false;
    out.source_id_type = source_id >> 24;
    out.source_id_index = source_id & 0x00ffffff;
  }
  if (!body.u32(n)) return false;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint32_t format = 0, len = 0;
    XdrReader rec;
    if (!body.u32(format) || !body.u32(len) || !body.sub(len, rec)) return false;
    if (format == kCounterGeneric) {
      if (len < kGenericLen || !read_generic(rec, out)) return false;
      have_generic = true;
    }
  }
  return true;
}

bool read_v4_counter_sample(XdrReader& r, SflowCounters& out, bool& have_generic) {
  std::uint32_t source_id = 0, interval = 0, version = 0;
  have_generic = false;
  if (!r.u32(out.sample_seqno) || !r.u32(source_id) || !r.u32(interval) || !r.u32(version)) return false;
  out.source_id_type = source_id >> 24;
  out.source_id_index = source_id & 0x00ffffff;
  std::size_t extra = 0;
  switch (version) {
    case 1:  // generic
    case 4:  // FDDI
    case 6:  // WAN
      break;
    case 2:  // ethernet
      extra = 52;
      break;
    case 3:  // token ring
      extra = 72;
      break;
    case 5:  // 100BaseVG
      extra = 80;
      break;
    case 7:  // VLAN: no generic block
      return r.skip(28);
    default:
      return false;
  }
  if (!read_generic(r, out)) return false;
  have_generic = true;
  return r.skip(extra);
}

}  // namespace xacct::collector::sflow
