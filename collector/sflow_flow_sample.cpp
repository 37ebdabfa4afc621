// See sflow_flow_sample.hpp.
#include "collector/sflow_flow_sample.hpp"

#include <cstring>

#include "bpf/packet_parse.h"
#include "probe/capture/datalink.hpp"
#include "probe/capture/packet_record.hpp"

namespace xacct::collector::sflow {
namespace {

using userspace::FlowRecord;
using userspace::IpAddress;

constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
constexpr std::uint16_t kEthertypeIpv6 = 0x86dd;
constexpr std::uint16_t kEthertypeArp = 0x0806;
constexpr std::uint16_t kEthertypeMpls = 0x8847;

void set_v4(IpAddress& a, const std::uint8_t* p) {
  a = IpAddress{};
  a.bytes[10] = 0xff;
  a.bytes[11] = 0xff;
  std::memcpy(&a.bytes[12], p, 4);
}

void set_v6(IpAddress& a, const std::uint8_t* p) {
  a = IpAddress{};
  std::memcpy(a.bytes.data(), p, 16);
  a.is_v6 = true;
}

// The L4 fields of a sampled IPv4/IPv6 record, as the header path sets them
// (packet_record.hpp): ports for TCP/UDP only, flags for TCP only.
void set_l4(FlowRecord& r, std::uint32_t proto, std::uint32_t sport, std::uint32_t dport, std::uint32_t flags) {
  r.proto = static_cast<std::uint8_t>(proto);
  r.src_port = r.dst_port = 0;
  r.tcp_flags = 0;
  if (proto == XACCT_IPPROTO_TCP || proto == XACCT_IPPROTO_UDP) {
    r.src_port = static_cast<std::uint16_t>(sport);
    r.dst_port = static_cast<std::uint16_t>(dport);
  }
  if (proto == XACCT_IPPROTO_TCP) r.tcp_flags = static_cast<std::uint8_t>(flags);
}

}  // namespace

bool read_address(XdrReader& r, IpAddress& addr, bool& known) {
  std::uint32_t type = 0;
  const std::uint8_t* p = nullptr;
  known = false;
  if (!r.u32(type)) return false;
  switch (type) {
    case 0:
      return true;
    case 1:
      if (!r.bytes(4, p)) return false;
      set_v4(addr, p);
      known = true;
      return true;
    case 2:
      if (!r.bytes(16, p)) return false;
      set_v6(addr, p);
      known = true;
      return true;
    default:
      return false;
  }
}

bool FlowSampleBuilder::v5_record(std::uint32_t format, XdrReader body) {
  switch (format) {
    case kRecordHeader:
      return header(body, /*has_stripped=*/true);
    case kRecordEthernet:
      return ethernet(body);
    case kRecordIpv4:
      return ipv4(body);
    case kRecordIpv6:
      return ipv6(body);
    case kRecordExtSwitch:
      return ext_switch(body);
    case kRecordExtRouter:
      return ext_router(body);
    case kRecordExtGateway:
      return ext_gateway(body, 5);
    default:
      return true;  // not ours to read: the caller skipped it by length
  }
}

bool FlowSampleBuilder::v4_packet(std::uint32_t tag, XdrReader& r) {
  switch (tag) {
    case kV4PacketHeader:
      return header(r, /*has_stripped=*/false);
    case kV4PacketIpv4:
      return ipv4(r);
    case kV4PacketIpv6:
      return ipv6(r);
    default:
      return false;  // no length: nothing after it can be found
  }
}

bool FlowSampleBuilder::v4_extended(std::uint32_t tag, XdrReader& r, std::uint32_t version) {
  std::uint32_t n = 0;
  const std::uint8_t* p = nullptr;
  switch (tag) {
    case kV4ExtSwitch:
      return ext_switch(r);
    case kV4ExtRouter:
      return ext_router(r);
    case kV4ExtGateway:
      return ext_gateway(r, version);
    case kV4ExtUser:  // src_user, dst_user: XDR strings (v2/v4 have no charset)
      return r.u32(n) && r.opaque(n, p) && r.u32(n) && r.opaque(n, p);
    case kV4ExtUrl:  // direction, url string
      return r.u32(n) && r.u32(n) && r.opaque(n, p);
    default:
      return false;
  }
}

// sampled_header: header_protocol, frame_length, stripped (v5 only),
// header_length, header bytes (padded).
bool FlowSampleBuilder::header(XdrReader& r, bool has_stripped) {
  std::uint32_t protocol = 0, frame_length = 0, stripped = 0, len = 0;
  const std::uint8_t* data = nullptr;
  if (!r.u32(protocol) || !r.u32(frame_length)) return false;
  if (has_stripped && !r.u32(stripped)) return false;
  if (!r.u32(len) || !r.opaque(len, data)) return false;
  sampled_size_ = frame_length;
  decode_header(protocol, data, len);
  return true;
}

void FlowSampleBuilder::decode_header(std::uint32_t protocol, const std::uint8_t* data, std::uint32_t len) {
  xacct_pkt pkt;
  const std::uint8_t* end = data + len;
  switch (protocol) {
    case kHeaderEthernet:
      xacct_parse_ether(data, end, &pkt);
      break;
    case kHeaderIpv4:
      xacct_parse_l3(data, end, kEthertypeIpv4, &pkt);
      break;
    case kHeaderIpv6:
      xacct_parse_l3(data, end, kEthertypeIpv6, &pkt);
      break;
    case kHeaderMpls:
      xacct_parse_l3(data, end, kEthertypeMpls, &pkt);
      break;
    default:
      return;  // other link types: counted by length only, as sfacctd does
  }
  if (pkt.ip_version != 0) {
    // The whole record as a captured packet would give it; what the sample
    // itself says (bytes, rate, interfaces, ...) is put back around it.
    const userspace::IpAddress peer_src_ip = r_.peer_src_ip;
    const std::uint16_t version = r_.export_proto_version;
    const std::uint32_t seqno = r_.export_proto_seqno, sysid = r_.export_proto_sysid;
    const userspace::TimestampNs arrival_ns = r_.arrival_ns;
    const std::uint32_t rate = r_.sampling_rate, in_iface = r_.in_iface, out_iface = r_.out_iface;
    const std::uint8_t src_mask = r_.src_mask, dst_mask = r_.dst_mask;
    const std::uint32_t src_as = r_.src_as, dst_as = r_.dst_as, peer_src_as = r_.peer_src_as,
                        peer_dst_as = r_.peer_dst_as;
    r_ = FlowRecord{};
    capture::fill_record(pkt, capture::LinkInfo{}, data, len, 0, capture::RecordContext{}, r_);
    r_.peer_src_ip = peer_src_ip;
    r_.export_proto_version = version;
    r_.export_proto_seqno = seqno;
    r_.export_proto_sysid = sysid;
    r_.arrival_ns = arrival_ns;
    r_.sampling_rate = rate;
    r_.in_iface = in_iface;
    r_.out_iface = out_iface;
    r_.src_mask = src_mask;
    r_.dst_mask = dst_mask;
    r_.src_as = src_as;
    r_.dst_as = dst_as;
    r_.peer_src_as = peer_src_as;
    r_.peer_dst_as = peer_dst_as;
    r_.first_ns = 0;  // sfacctd has no flow times (spec/primitives.md)
    have_ip_ = true;
    return;
  }
  // L2 only (ARP, truncated or non-IP payloads): what the parser read.
  capture::fill_link_fields(pkt, r_);
  if (pkt.mpls_depth != 0) {
    r_.mpls_label_top = pkt.mpls_top;
    r_.mpls_label_bottom = pkt.mpls_bottom;
    r_.mpls_stack_depth = pkt.mpls_depth;
  }
}

// sampled_ethernet: length, src_mac (opaque[6], padded to 8), dst_mac, type.
bool FlowSampleBuilder::ethernet(XdrReader& r) {
  std::uint32_t length = 0, type = 0;
  const std::uint8_t* src = nullptr;
  const std::uint8_t* dst = nullptr;
  if (!r.u32(length) || !r.opaque(6, src) || !r.opaque(6, dst) || !r.u32(type)) return false;
  std::memcpy(r_.src_mac.data(), src, 6);
  std::memcpy(r_.dst_mac.data(), dst, 6);
  if (r_.etype == 0) r_.etype = static_cast<std::uint16_t>(type);
  if (sampled_size_ == 0) sampled_size_ = length;
  return true;
}

// sampled_ipv4: length, protocol, src_ip, dst_ip, src_port, dst_port,
// tcp_flags, tos.
bool FlowSampleBuilder::ipv4(XdrReader& r) {
  std::uint32_t length = 0, proto = 0, sport = 0, dport = 0, flags = 0, tos = 0;
  const std::uint8_t* src = nullptr;
  const std::uint8_t* dst = nullptr;
  if (!r.u32(length) || !r.u32(proto) || !r.bytes(4, src) || !r.bytes(4, dst) || !r.u32(sport) ||
      !r.u32(dport) || !r.u32(flags) || !r.u32(tos)) {
    return false;
  }
  set_v4(r_.src_host, src);
  set_v4(r_.dst_host, dst);
  set_l4(r_, proto, sport, dport, flags);
  r_.tos = static_cast<std::uint8_t>(tos);
  if (r_.etype == 0) r_.etype = kEthertypeIpv4;
  sampled_size_ = length;
  have_ip_ = true;
  return true;
}

// sampled_ipv6: length, protocol, src_ip, dst_ip, src_port, dst_port,
// tcp_flags, priority.
bool FlowSampleBuilder::ipv6(XdrReader& r) {
  std::uint32_t length = 0, proto = 0, sport = 0, dport = 0, flags = 0, prio = 0;
  const std::uint8_t* src = nullptr;
  const std::uint8_t* dst = nullptr;
  if (!r.u32(length) || !r.u32(proto) || !r.bytes(16, src) || !r.bytes(16, dst) || !r.u32(sport) ||
      !r.u32(dport) || !r.u32(flags) || !r.u32(prio)) {
    return false;
  }
  set_v6(r_.src_host, src);
  set_v6(r_.dst_host, dst);
  set_l4(r_, proto, sport, dport, flags);
  r_.tos = static_cast<std::uint8_t>(prio);
  if (r_.etype == 0) r_.etype = kEthertypeIpv6;
  sampled_size_ = length;
  have_ip_ = true;
  return true;
}

// extended_switch: src_vlan, src_priority, dst_vlan, dst_priority.
bool FlowSampleBuilder::ext_switch(XdrReader& r) {
  std::uint32_t in_vlan = 0, in_prio = 0, out_vlan = 0, out_prio = 0;
  if (!r.u32(in_vlan) || !r.u32(in_prio) || !r.u32(out_vlan) || !r.u32(out_prio)) return false;
  have_switch_ = true;
  in_vlan_ = static_cast<std::uint16_t>(in_vlan & 0x0fff);
  out_vlan_ = static_cast<std::uint16_t>(out_vlan & 0x0fff);
  in_prio_ = static_cast<std::uint8_t>(in_prio & 7);
  out_prio_ = static_cast<std::uint8_t>(out_prio & 7);
  return true;
}

// extended_router: next_hop address, src_mask_len, dst_mask_len.
bool FlowSampleBuilder::ext_router(XdrReader& r) {
  std::uint32_t src_mask = 0, dst_mask = 0;
  if (!read_address(r, next_hop_, have_next_hop_) || !r.u32(src_mask) || !r.u32(dst_mask)) return false;
  if (src_mask > 128 || dst_mask > 128) return false;
  r_.src_mask = static_cast<std::uint8_t>(src_mask);
  r_.dst_mask = static_cast<std::uint8_t>(dst_mask);
  return true;
}

// extended_gateway. v5: nexthop, as, src_as, src_peer_as, dst_as_path
// (segments: type, ASN list), communities, localpref. v4: the same without
// nexthop. v2: as, src_as, src_peer_as, a flat ASN list.
bool FlowSampleBuilder::ext_gateway(XdrReader& r, std::uint32_t version) {
  std::uint32_t my_as = 0, src_as = 0, src_peer_as = 0, n = 0;
  std::uint32_t first = 0, last = 0;
  bool any = false;
  if (version >= 5 && !read_address(r, bgp_next_hop_, have_bgp_next_hop_)) return false;
  if (!r.u32(my_as) || !r.u32(src_as) || !r.u32(src_peer_as) || !r.u32(n)) return false;
  if (version == 2) {
    // Each read below is checked, so an absurd count stops at the data's end.
    for (std::uint32_t i = 0; i < n; ++i) {
      std::uint32_t asn = 0;
      if (!r.u32(asn)) return false;
      if (!any) first = asn;
      last = asn;
      any = true;
    }
  } else {
    for (std::uint32_t s = 0; s < n; ++s) {
      std::uint32_t seg_type = 0, seg_len = 0;
      if (!r.u32(seg_type) || !r.u32(seg_len)) return false;
      for (std::uint32_t i = 0; i < seg_len; ++i) {
        std::uint32_t asn = 0;
        if (!r.u32(asn)) return false;
        if (!any) first = asn;
        last = asn;
        any = true;
      }
    }
    std::uint32_t communities = 0, local_pref = 0;
    if (!r.u32(communities)) return false;
    if (communities > r.remaining() / 4) return false;
    if (!r.skip(static_cast<std::size_t>(communities) * 4) || !r.u32(local_pref)) return false;
  }
  r_.src_as = src_as;
  r_.peer_src_as = src_peer_as;
  r_.dst_as = any ? last : 0;
  r_.peer_dst_as = any ? first : 0;
  return true;
}

bool FlowSampleBuilder::finish(bool use_ip_next_hop) {
  // sfacctd accounts IP samples, ARP, and samples whose L3 is unknown.
  if (!have_ip_ && r_.etype != 0 && r_.etype != kEthertypeArp) return false;
  if (have_switch_) {
    if (in_vlan_ != 0) r_.vlan = in_vlan_;
    if (r_.vlan == 0) r_.vlan = out_vlan_;
    if (in_prio_ != 0) r_.cos = in_prio_;
    if (r_.cos == 0) r_.cos = out_prio_;
    r_.out_vlan = out_vlan_;
  }
  if (have_bgp_next_hop_) {
    r_.peer_dst_ip = bgp_next_hop_;
  } else if (use_ip_next_hop && have_next_hop_) {
    r_.peer_dst_ip = next_hop_;
  }
  r_.packets = 1;
  r_.flows = 1;  // sfacctd counts each sample as one flow (vmtests/test_collect_interop.py)
  r_.bytes = sampled_size_;
  return true;
}

}  // namespace xacct::collector::sflow
