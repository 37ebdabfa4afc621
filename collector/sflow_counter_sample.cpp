// See sflow_counter_sample.hpp.
#include "collector/sflow_counter_sample.hpp"

#include <vector>

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

namespace {

SflowCounterSampleView view_of(const SflowCounters& head, std::uint32_t version) {
  SflowCounterSampleView v;
  v.agent = head.agent;
  v.sub_agent_id = head.sub_agent_id;
  v.datagram_version = version;
  v.datagram_seqno = head.datagram_seqno;
  v.arrival_ns = head.arrival_ns;
  return v;
}

}  // namespace

bool report_v5_counter_sample(XdrReader body, bool expanded, const SflowCounters& head,
                              const SflowCounterSampleFn& fn) {
  SflowCounterSampleView v = view_of(head, 5);
  std::uint32_t n = 0;
  if (!body.u32(v.sample_seqno)) return false;
  if (expanded) {
    if (!body.u32(v.source_id_type) || !body.u32(v.source_id_index)) return false;
  } else {
    std::uint32_t source_id = 0;
    if (!body.u32(source_id)) return false;
    v.source_id_type = source_id >> 24;
    v.source_id_index = source_id & 0x00ffffff;
  }
  if (!body.u32(n)) return false;
  std::vector<SflowCounterRecordView> records;
  records.reserve(n < 16 ? n : 16);
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint32_t tag = 0, len = 0;
    const std::uint8_t* p = nullptr;
    if (!body.u32(tag) || !body.u32(len) || !body.bytes(len, p)) return false;
    records.push_back({tag, std::span<const std::uint8_t>(p, len)});
  }
  v.records = records;
  fn(v);
  return true;
}

bool report_v4_counter_sample(XdrReader r, std::uint32_t version, const SflowCounters& head,
                              const SflowCounterSampleFn& fn) {
  SflowCounterSampleView v = view_of(head, version);
  std::uint32_t source_id = 0, interval = 0, counters_version = 0;
  if (!r.u32(v.sample_seqno) || !r.u32(source_id) || !r.u32(interval) || !r.u32(counters_version))
    return false;
  v.source_id_type = source_id >> 24;
  v.source_id_index = source_id & 0x00ffffff;
  std::size_t len = 0;
  switch (counters_version) {
    case 1:
    case 4:
    case 6:
      len = kGenericLen;
      break;
    case 2:
      len = kGenericLen + 52;
      break;
    case 3:
      len = kGenericLen + 72;
      break;
    case 5:
      len = kGenericLen + 80;
      break;
    case 7:
      len = 28;
      break;
    default:
      return false;
  }
  const std::uint8_t* p = nullptr;
  if (!r.bytes(len, p)) return false;
  const SflowCounterRecordView rec{counters_version, std::span<const std::uint8_t>(p, len)};
  v.records = std::span<const SflowCounterRecordView>(&rec, 1);
  fn(v);
  return true;
}

}  // namespace xacct::collector::sflow
