// See sample_record.hpp.
#include "probe/sample_record.hpp"

#include "probe/capture/datalink.hpp"
#include "probe/capture/packet_record.hpp"

namespace xacct::probe {

using userspace::Direction;
using userspace::FlowRecord;

SampleDecode sample_to_record(const xacct_sample& sample, std::size_t size, const ObsPoint& point,
                              std::int64_t mono_to_epoch_ns, xacct_pkt& pkt, FlowRecord& out) {
  if (size < sizeof(xacct_sample) || sample.cap_len > XACCT_SAMPLE_MAX || sample.weight == 0) {
    return SampleDecode::kBad;
  }
  capture::LinkInfo link;
  capture::parse_frame(capture::Datalink::kEthernet, sample.data, sample.cap_len, pkt, link);
  if (pkt.ip_version == 0) return SampleDecode::kNotIp;

  capture::RecordContext ctx;
  ctx.direction = sample.direction == XACCT_DIR_OUT ? Direction::kOut : Direction::kIn;
  ctx.ifindex = point.iface();
  const auto ts = static_cast<userspace::TimestampNs>(sample.ts_ns) + mono_to_epoch_ns;
  capture::fill_record(pkt, link, sample.data, sample.cap_len, ts, ctx, out);

  // An offloaded tag was stripped before the frame was copied: it is the
  // outer one (the flow path keys on it the same way).
  if ((sample.vlan_tci & XACCT_SAMPLE_VLAN_PRESENT) != 0) {
    out.vlan = static_cast<std::uint16_t>(sample.vlan_tci & 0x0fffu);
    out.cos = static_cast<std::uint8_t>((sample.vlan_tci >> 13) & 0x7u);
  }
  out.obs_id = point.obs_id;
  out.last_ns = ts;
  out.sampling_rate = sample.sampling_n;
  out.feed = userspace::RecordFeed::kEbpfSample;
  out.flows = 0;

  // Bytes of one wire packet: a GSO skb's IP header holds the length of the
  // whole skb, while each segment carries its own headers (the flow path
  // counts the same way, bpf/flow.bpf.c).
  std::uint64_t one = pkt.l3_len;
  if (sample.gso_segs > 1 && pkt.status == XACCT_PARSE_OK && sample.wire_len > pkt.l3_offset) {
    const std::uint64_t segs = sample.gso_segs;
    one = (static_cast<std::uint64_t>(sample.wire_len - pkt.l3_offset) + (segs - 1) * pkt.hdr_len) / segs;
  }
  out.packets = sample.weight;
  out.bytes = one * sample.weight;
  return SampleDecode::kRecord;
}

}  // namespace xacct::probe
