// See packet_batcher.hpp.
#include "probe/capture/packet_batcher.hpp"

#include <cstring>
#include <utility>

namespace xacct::capture {

PacketBatcher::PacketBatcher(Datalink datalink, RecordContext context, SourceCounters& counters,
                             Deliver deliver, std::size_t batch_records)
    : datalink_(datalink),
      context_(context),
      counters_(counters),
      deliver_(std::move(deliver)),
      batch_records_(batch_records == 0 ? 1 : batch_records) {
  batch_.reserve(batch_records_);
}

void PacketBatcher::count_not_parsed(int status) {
  switch (status) {
    case XACCT_PARSE_TRUNCATED: ++tally_.truncated; break;
    case XACCT_PARSE_MALFORMED: ++tally_.malformed; break;
    default: ++tally_.non_ip; break;  // NON_IP (OK always has an IP version)
  }
}

namespace {

// The Identification of the IPv6 fragment header after the extension
// headers pmacct and the parser skip; false when it is not in the capture.
bool ipv6_fragment_id(const std::uint8_t* data, std::size_t caplen, std::size_t l3, std::uint32_t& id) {
  constexpr std::uint8_t kHopByHop = 0, kRouting = 43, kFragment = 44, kAh = 51, kDestOpts = 60;
  if (l3 + 40 > caplen) return false;
  std::uint8_t nh = data[l3 + 6];
  std::size_t off = l3 + 40;
  for (int i = 0; i < 8; ++i) {  // as many headers as the parser walks, at most
    if (nh == kFragment) {
      if (off + 8 > caplen) return false;
      id = static_cast<std::uint32_t>(data[off + 4]) << 24 | static_cast<std::uint32_t>(data[off + 5]) << 16 |
           static_cast<std::uint32_t>(data[off + 6]) << 8 | data[off + 7];
      return true;
    }
    if (nh != kHopByHop && nh != kRouting && nh != kDestOpts && nh != kAh) return false;
    if (off + 2 > caplen) return false;
    const std::size_t len = nh == kAh ? (data[off + 1] + 2u) * 4u : (data[off + 1] + 1u) * 8u;
    nh = data[off];
    off += len;
  }
  return false;
}

}  // namespace

void PacketBatcher::fragment(const std::uint8_t* data, std::size_t caplen, userspace::TimestampNs ts_ns,
                             userspace::FlowRecord& r) {
  if (pkt_.proto != XACCT_IPPROTO_TCP && pkt_.proto != XACCT_IPPROTO_UDP) return;
  FragKey key;
  const std::size_t l3 = pkt_.l3_offset;
  if (pkt_.ip_version == 4) {
    if (l3 + 6 > caplen) return;
    key.id = static_cast<std::uint32_t>(data[l3 + 4]) << 8 | data[l3 + 5];  // IPv4 identification
  } else if (pkt_.ip_version != 6 || !ipv6_fragment_id(data, caplen, l3, key.id)) {
    return;
  }
  std::memcpy(key.src.data(), pkt_.src_addr, 16);
  std::memcpy(key.dst.data(), pkt_.dst_addr, 16);
  key.proto = pkt_.proto;
  if ((pkt_.frag & XACCT_FRAG_NON_FIRST) == 0) {
    if (pkt_.l4_offset == 0) return;  // L4 header cut: no ports to give
    fragments_.first(key, pkt_.sport, pkt_.dport, ts_ns);
    ++tally_.frag_first;
    tally_.frag_evictions += fragments_.take_evictions();
    return;
  }
  std::uint16_t sport = 0, dport = 0;
  if (fragments_.later(key, ts_ns, sport, dport)) {
    r.src_port = sport;
    r.dst_port = dport;
    ++tally_.frag_ports;
  } else {
    ++tally_.frag_no_first;
  }
}

void PacketBatcher::deliver_batch() {
  // Publish before handing the batch on: a reader of Stats then never sees
  // records that the counters do not cover yet.
  counters_.publish(tally_);
  // Hand batch_ itself on: the pipeline leaves it empty with the buffer of
  // a batch the plugins are done with (Pipeline::push(RecordBatch&&)), so
  // the same few warm buffers go round instead of a fresh allocation per
  // batch. Other outputs leave it empty; reserve() then allocates.
  deliver_(std::move(batch_));
  batch_.clear();
  batch_.reserve(batch_records_);
}

void PacketBatcher::flush() {
  if (!batch_.empty()) {
    deliver_batch();
  } else {
    counters_.publish(tally_);
  }
}

}  // namespace xacct::capture
