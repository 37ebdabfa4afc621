// See nf_record.hpp.
#include "collector/nf_record.hpp"

#include <algorithm>
#include <cstring>

#include "bpf/packet_parse.h"
#include "collector/nf_bytes.hpp"
#include "probe/capture/packet_record.hpp"

namespace xacct::collector::nf {

namespace {

constexpr std::int64_t kNsPerSec = 1'000'000'000;
constexpr std::int64_t kNsPerMs = 1'000'000;
// Beyond this many seconds (year 2262) an int64 of ns overflows.
constexpr std::uint64_t kMaxSeconds = 9'000'000'000ull;

std::int64_t seconds_ns(std::uint64_t s) {
  return s < kMaxSeconds ? static_cast<std::int64_t>(s) * kNsPerSec : 0;
}
std::int64_t millis_ns(std::uint64_t ms) {
  return ms < kMaxSeconds * 1000 ? static_cast<std::int64_t>(ms) * kNsPerMs : 0;
}

void set_counter(std::uint64_t v, std::uint8_t rank, std::uint64_t& field, std::uint8_t& have_rank) {
  if (rank < have_rank) return;
  field = v;
  have_rank = rank;
}

// Inlined into both loops of decode_record: a call per field (13 or more
// per record, with the switch's frame set up each time) cost more than the
// field's own work.
[[gnu::always_inline]] inline void apply(const CompiledField& f, const std::uint8_t* p, std::size_t len,
                                         RecordScratch& s, userspace::FlowRecord& r) {
  using K = FieldKind;
  switch (f.kind) {
    case K::kSkip:
      return;
    case K::kOctets:
      set_counter(load_uint(p, len), 3, r.bytes, s.bytes_rank);
      return;
    case K::kPackets:
      set_counter(load_uint(p, len), 3, r.packets, s.packets_rank);
      return;
    case K::kTotalOctets:
      set_counter(load_uint(p, len), 2, r.bytes, s.bytes_rank);
      return;
    case K::kTotalPackets:
      set_counter(load_uint(p, len), 2, r.packets, s.packets_rank);
      return;
    case K::kOutOctets:
      set_counter(load_uint(p, len), 1, r.bytes, s.bytes_rank);
      return;
    case K::kOutPackets:
      set_counter(load_uint(p, len), 1, r.packets, s.packets_rank);
      return;
    case K::kFlows:
      r.flows = load_uint(p, len);
      s.have |= kHaveFlows;
      return;
    case K::kProto:
      r.proto = static_cast<std::uint8_t>(load_uint(p, len));
      return;
    case K::kTos:
      r.tos = static_cast<std::uint8_t>(load_uint(p, len));
      return;
    case K::kTcpFlags:
      r.tcp_flags = static_cast<std::uint8_t>(load_uint(p, len) & 0xff);
      return;
    case K::kSrcPort:
      r.src_port = static_cast<std::uint16_t>(load_uint(p, len));
      return;
    case K::kDstPort:
      r.dst_port = static_cast<std::uint16_t>(load_uint(p, len));
      return;
    case K::kSrcV4:
      set_ipv4(r.src_host, p);
      s.have |= kHaveSrcHost;
      return;
    case K::kDstV4:
      set_ipv4(r.dst_host, p);
      s.have |= kHaveDstHost;
      return;
    case K::kSrcV6:
      r.src_host = ipv6_address(p);
      s.have |= kHaveSrcHost;
      return;
    case K::kDstV6:
      r.dst_host = ipv6_address(p);
      s.have |= kHaveDstHost;
      return;
    case K::kSrcMask:
      r.src_mask = static_cast<std::uint8_t>(load_uint(p, len));
      return;
    case K::kDstMask:
      r.dst_mask = static_cast<std::uint8_t>(load_uint(p, len));
      return;
    case K::kInIface:
      r.in_iface = static_cast<std::uint32_t>(load_uint(p, len));
      s.have |= kHaveInIface;
      return;
    case K::kOutIface:
      r.out_iface = static_cast<std::uint32_t>(load_uint(p, len));
      s.have |= kHaveOutIface;
      return;
    case K::kPhysInIface:
      if (!(s.have & kHaveInIface)) r.in_iface = static_cast<std::uint32_t>(load_uint(p, len));
      return;
    case K::kPhysOutIface:
      if (!(s.have & kHaveOutIface)) r.out_iface = static_cast<std::uint32_t>(load_uint(p, len));
      return;
    case K::kIpNextHopV4:
      s.ip_next_hop = ipv4_address(p);
      s.have |= kHaveIpNextHop;
      return;
    case K::kIpNextHopV6:
      s.ip_next_hop = ipv6_address(p);
      s.have |= kHaveIpNextHop;
      return;
    case K::kBgpNextHopV4:
      r.peer_dst_ip = ipv4_address(p);
      s.have |= kHaveBgpNextHop;
      return;
    case K::kBgpNextHopV6:
      r.peer_dst_ip = ipv6_address(p);
      s.have |= kHaveBgpNextHop;
      return;
    case K::kSrcAs:
      r.src_as = static_cast<std::uint32_t>(load_uint(p, len));
      return;
    case K::kDstAs:
      r.dst_as = static_cast<std::uint32_t>(load_uint(p, len));
      return;
    case K::kPeerSrcAs:
      r.peer_src_as = static_cast<std::uint32_t>(load_uint(p, len));
      return;
    case K::kPeerDstAs:
      r.peer_dst_as = static_cast<std::uint32_t>(load_uint(p, len));
      return;
    case K::kStartUptime:
      s.start_uptime = static_cast<std::uint32_t>(load_uint(p, len));
      s.have |= kHaveStartUptime;
      return;
    case K::kEndUptime:
      s.end_uptime = static_cast<std::uint32_t>(load_uint(p, len));
      s.have |= kHaveEndUptime;
      return;
    case K::kSysInitMillis:
      s.sys_init_ms = load_uint(p, len);
      s.have |= kHaveSysInit;
      return;
    case K::kStartSeconds:
      r.first_ns = seconds_ns(load_uint(p, len));
      return;
    case K::kEndSeconds:
      r.last_ns = seconds_ns(load_uint(p, len));
      return;
    case K::kStartMillis:
      r.first_ns = millis_ns(load_uint(p, len));
      return;
    case K::kEndMillis:
      r.last_ns = millis_ns(load_uint(p, len));
      return;
    case K::kStartMicros:
    case K::kStartNanos:
      r.first_ns = ntp_to_unix_ns(load_be64(p));
      return;
    case K::kEndMicros:
    case K::kEndNanos:
      r.last_ns = ntp_to_unix_ns(load_be64(p));
      return;
    case K::kStartDeltaMicros:
      s.start_delta_us = load_uint(p, len);
      s.have |= kHaveStartDelta;
      return;
    case K::kEndDeltaMicros:
      s.end_delta_us = load_uint(p, len);
      s.have |= kHaveEndDelta;
      return;
    case K::kIcmpTypeCode:
      s.icmp = static_cast<std::uint16_t>(load_uint(p, len));
      s.have |= kHaveIcmp;
      return;
    case K::kSamplingInterval:
    case K::kSamplerInterval:
      s.rate = load_uint(p, len);
      s.have |= kHaveRate;
      return;
    case K::kSamplingAlgorithm:
    case K::kSamplerMode:
    case K::kSelectorAlgorithm:
      s.algorithm = static_cast<std::uint8_t>(load_uint(p, len));
      s.have |= kHaveAlgorithm;
      return;
    case K::kSamplerId:
    case K::kSelectorId:
      s.sampler_id = static_cast<std::uint32_t>(load_uint(p, len));
      s.have |= kHaveSamplerId;
      return;
    case K::kPacketInterval:
      s.packet_interval = load_uint(p, len);
      s.have |= kHavePacketInterval;
      return;
    case K::kPacketSpace:
      s.packet_space = load_uint(p, len);
      s.have |= kHavePacketSpace;
      return;
    case K::kSrcMac:
      std::memcpy(r.src_mac.data(), p, 6);
      s.have |= kHaveSrcMac;
      return;
    case K::kDstMac:
      std::memcpy(r.dst_mac.data(), p, 6);
      s.have |= kHaveDstMac;
      return;
    case K::kPostSrcMac:
      if (!(s.have & kHaveSrcMac)) std::memcpy(r.src_mac.data(), p, 6);
      return;
    case K::kPostDstMac:
      if (!(s.have & kHaveDstMac)) std::memcpy(r.dst_mac.data(), p, 6);
      return;
    case K::kVlan:
      r.vlan = static_cast<std::uint16_t>(load_uint(p, len) & 0xfff);
      s.have |= kHaveVlan;
      return;
    case K::kDot1qVlan:
      if (!(s.have & kHaveVlan)) r.vlan = static_cast<std::uint16_t>(load_uint(p, len) & 0xfff);
      return;
    case K::kPostVlan:
      r.out_vlan = static_cast<std::uint16_t>(load_uint(p, len) & 0xfff);
      s.have |= kHavePostVlan;
      return;
    case K::kPostDot1qVlan:
      if (!(s.have & kHavePostVlan)) r.out_vlan = static_cast<std::uint16_t>(load_uint(p, len) & 0xfff);
      return;
    case K::kDot1qPriority:
      r.cos = static_cast<std::uint8_t>(load_uint(p, len) & 0x7);
      return;
    case K::kDirection: {
      std::uint64_t v = load_uint(p, len);
      r.direction = v == 0   ? userspace::Direction::kIn
                    : v == 1 ? userspace::Direction::kOut
                             : userspace::Direction::kUnknown;
      return;
    }
    case K::kMplsLabel: {
      // RFC 7011 / IANA: 20-bit label, 3-bit traffic class, bottom-of-stack
      // bit, in 3 bytes (a 4th byte, when sent, is ignored). All zero is how
      // exporters with a fixed template say "no label".
      if ((p[0] | p[1] | p[2]) == 0) return;
      const std::uint32_t label = static_cast<std::uint32_t>(p[0]) << 12 |
                                  static_cast<std::uint32_t>(p[1]) << 4 |
                                  static_cast<std::uint32_t>(p[2] >> 4);
      const unsigned i = f.arg;
      s.labels[i] = label;
      s.mpls_present = static_cast<std::uint16_t>(s.mpls_present | 1u << i);
      if (p[2] & 1) s.mpls_bos = static_cast<std::uint16_t>(s.mpls_bos | 1u << i);
      return;
    }
    case K::kInterfaceName:
      s.ifname = p;
      s.ifname_len = len;
      s.have |= kHaveIfName;
      return;
    case K::kFwdStatus:
      r.fwd_status = len ? p[0] : 0;
      return;
    case K::kL2Section:
      s.frame = p;
      s.frame_len = len;
      return;
    case K::kExporterV4:
      s.exporter = ipv4_address(p);
      s.have |= kHaveExporter;
      return;
    case K::kExporterV6:
      s.exporter = ipv6_address(p);
      s.have |= kHaveExporter;
      return;
    case K::kEthertype:
      r.etype = static_cast<std::uint16_t>(load_uint(p, len));
      return;
    case K::kL2SegmentId: {
      // IANA 351: the top byte is the segment type (1 = VXLAN), the low 24
      // bits the VNI.
      const std::uint64_t v = load_uint(p, len);
      if (len == 8 && (v >> 56) == 1) r.vxlan = static_cast<std::uint32_t>(v & 0xffffff);
      return;
    }
    case K::kTag:
      r.tag = load_uint(p, len);
      return;
    case K::kTag2:
      r.tag2 = load_uint(p, len);
      return;
    case K::kScopeInterface:
      s.ifindex = static_cast<std::uint32_t>(load_uint(p, len));
      s.have |= kHaveIfIndex;
      return;
  }
}

}  // namespace

std::int64_t ntp_to_unix_ns(std::uint64_t ntp) {
  constexpr std::uint64_t kNtpToUnix = 2208988800ull;  // 1900-01-01 to 1970-01-01
  const std::uint64_t secs = ntp >> 32;
  if (secs < kNtpToUnix) return 0;
  const std::uint64_t frac_ns = ((ntp & 0xffffffffull) * 1'000'000'000ull) >> 32;
  return seconds_ns(secs - kNtpToUnix) + static_cast<std::int64_t>(frac_ns);
}

std::size_t decode_record(const Template& t, const std::uint8_t* p, std::size_t avail, RecordScratch& s,
                          userspace::FlowRecord& r) {
  std::size_t off = 0;
  if (!t.variable) {
    if (avail < t.min_length) return 0;
    for (const CompiledField& f : t.fields) {
      apply(f, p + off, f.length, s, r);
      off += f.length;
    }
    return off;
  }
  for (const CompiledField& f : t.fields) {
    std::size_t len = f.length;
    if (len == kVariableLength) {
      // RFC 7011 section 7: one length byte, or 255 and a 2-byte length.
      if (off >= avail) return 0;
      len = p[off++];
      if (len == 255) {
        if (avail - off < 2) return 0;
        len = load_be16(p + off);
        off += 2;
      }
    }
    if (len > avail - off) return 0;
    apply(f, p + off, len, s, r);
    off += len;
  }
  return off;
}

void finish_frame_and_labels(const RecordScratch& s, userspace::FlowRecord& r) {
  if (s.mpls_present & 1u) {
    // The stack runs from IE 70 down to the first label with bottom-of-stack
    // set (or the last consecutive label sent).
    unsigned depth = 0;
    while (depth < 10 && (s.mpls_present >> depth & 1u)) {
      r.mpls_label_stack[depth] = s.labels[depth];
      ++depth;
      if (s.mpls_bos >> (depth - 1) & 1u) break;
    }
    r.mpls_label_top = s.labels[0];
    r.mpls_label_bottom = s.labels[depth - 1];
    r.mpls_stack_depth = static_cast<std::uint8_t>(depth);
    r.mpls_label_stack_len = static_cast<std::uint8_t>(depth);
  }
  if (s.frame == nullptr || s.frame_len == 0) return;

  xacct_pkt pkt;
  const std::uint8_t* end = s.frame + s.frame_len;
  xacct_parse_ether(s.frame, end, &pkt);
  userspace::FlowRecord f;
  if (pkt.ip_version != 0) {
    capture::fill_record(pkt, capture::LinkInfo{}, s.frame, s.frame_len, 0, capture::RecordContext{}, f);
  } else {
    capture::fill_link_fields(pkt, f);
  }
  // What the record says wins; the frame fills in the rest.
  constexpr userspace::MacAddress kNoMac{};
  if (!(s.have & kHaveSrcMac) && r.src_mac == kNoMac) r.src_mac = f.src_mac;
  if (!(s.have & kHaveDstMac) && r.dst_mac == kNoMac) r.dst_mac = f.dst_mac;
  if (r.vlan == 0) {
    r.vlan = f.vlan;
    if (r.cos == 0) r.cos = f.cos;
  }
  if (r.etype == 0) r.etype = f.etype;
  if (pkt.ip_version != 0) {
    if (!(s.have & kHaveSrcHost)) r.src_host = f.src_host;
    if (!(s.have & kHaveDstHost)) r.dst_host = f.dst_host;
    if (r.proto == 0) r.proto = f.proto;
    if (r.tos == 0) r.tos = f.tos;
    if (r.src_port == 0) r.src_port = f.src_port;
    if (r.dst_port == 0) r.dst_port = f.dst_port;
    if (r.tcp_flags == 0) r.tcp_flags = f.tcp_flags;
    if (s.bytes_rank == 0 && s.packets_rank == 0) {
      r.packets = 1;
      r.bytes = f.bytes;
    }
  }
  if (r.mpls_stack_depth == 0 && f.mpls_stack_depth != 0) {
    r.mpls_label_top = f.mpls_label_top;
    r.mpls_label_bottom = f.mpls_label_bottom;
    r.mpls_stack_depth = f.mpls_stack_depth;
    r.mpls_label_stack = f.mpls_label_stack;
    r.mpls_label_stack_len = f.mpls_label_stack_len;
  }
}

}  // namespace xacct::collector::nf
