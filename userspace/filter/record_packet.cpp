// See record_packet.hpp.
#include "userspace/filter/record_packet.hpp"

#include <algorithm>
#include <cstring>

namespace xacct::filter {
namespace {

using userspace::FlowRecord;
using userspace::IpAddress;

constexpr std::uint8_t kTcp = 6;
constexpr std::uint8_t kUdp = 17;
constexpr std::uint8_t kSctp = 132;
constexpr std::uint8_t kIcmp = 1;
constexpr std::uint8_t kIcmp6 = 58;
constexpr std::uint8_t kTtl = 64;

class Writer {
 public:
  explicit Writer(RecordPacket& p) : p_(p) {}
  void u8(std::uint8_t v) { p_.bytes[p_.caplen++] = v; }
  void u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void raw(const std::uint8_t* data, std::size_t n) {
    std::memcpy(p_.bytes.data() + p_.caplen, data, n);
    p_.caplen += static_cast<std::uint32_t>(n);
  }
  void zeros(std::size_t n) {
    std::memset(p_.bytes.data() + p_.caplen, 0, n);
    p_.caplen += static_cast<std::uint32_t>(n);
  }
  std::uint32_t pos() const { return p_.caplen; }

 private:
  RecordPacket& p_;
};

bool has_v4(const IpAddress& a) {
  if (a.is_v6) return false;
  return (a.bytes[10] == 0xff && a.bytes[11] == 0xff) || a.bytes[12] != 0 || a.bytes[13] != 0 ||
         a.bytes[14] != 0 || a.bytes[15] != 0;
}

// The MPLS labels of the record, top first (at most 10).
std::size_t mpls_labels(const FlowRecord& r, std::array<std::uint32_t, 10>& out) {
  if (r.mpls_label_stack_len > 0) {
    const std::size_t n = std::min<std::size_t>(r.mpls_label_stack_len, out.size());
    std::copy_n(r.mpls_label_stack.begin(), n, out.begin());
    return n;
  }
  if (r.mpls_stack_depth == 0 && r.mpls_label_top == 0) return 0;
  std::size_t n = 0;
  out[n++] = r.mpls_label_top;
  if (r.mpls_stack_depth > 1) out[n++] = r.mpls_label_bottom;
  return n;
}

std::size_t l4_header_size(std::uint8_t proto, bool v6) {
  switch (proto) {
    case kTcp: return 20;
    case kUdp: return 8;
    case kSctp: return 12;
    case kIcmp: return v6 ? 0 : 8;
    case kIcmp6: return v6 ? 8 : 0;
    default: return 0;
  }
}

void write_l4(Writer& w, const FlowRecord& r, bool v6, std::uint32_t l4_len) {
  switch (r.proto) {
    case kTcp:
      w.u16(r.src_port);
      w.u16(r.dst_port);
      w.zeros(8);       // seq, ack
      w.u8(0x50);       // data offset 5 words
      w.u8(r.tcp_flags);
      w.zeros(6);       // window, checksum, urgent
      return;
    case kUdp:
      w.u16(r.src_port);
      w.u16(r.dst_port);
      w.u16(static_cast<std::uint16_t>(std::min<std::uint32_t>(l4_len, 0xffff)));
      w.u16(0);
      return;
    case kSctp:
      w.u16(r.src_port);
      w.u16(r.dst_port);
      w.zeros(8);  // verification tag, checksum
      return;
    default:
      break;
  }
  if ((r.proto == kIcmp && !v6) || (r.proto == kIcmp6 && v6)) {
    w.u8(static_cast<std::uint8_t>(r.dst_port >> 8));  // type
    w.u8(static_cast<std::uint8_t>(r.dst_port));       // code
    w.zeros(6);
  }
}

}  // namespace

void build_record_packet(const FlowRecord& r, RecordPacket& out) {
  out.caplen = 0;
  Writer w(out);
  w.raw(r.dst_mac.data(), r.dst_mac.size());
  w.raw(r.src_mac.data(), r.src_mac.size());
  // A priority tag (VID 0) still has its 802.1Q header, as the captured
  // frame had: libpcap's "ip"/"net" do not match a tagged frame without
  // "vlan and". Only a VID 0 tag with priority 0 is indistinguishable from
  // an untagged frame (docs/pmacct-differences.md).
  if (r.vlan != 0 || r.cos != 0) {
    w.u16(0x8100);
    w.u16(static_cast<std::uint16_t>((r.cos & 0x7) << 13 | (r.vlan & 0x0fff)));
  }

  const bool v6 = r.src_host.is_v6 || r.dst_host.is_v6;
  const bool v4 = !v6 && (r.etype == 0x0800 || has_v4(r.src_host) || has_v4(r.dst_host));
  std::array<std::uint32_t, 10> labels{};
  const std::size_t nlabels = mpls_labels(r, labels);
  if (nlabels > 0) {
    w.u16(0x8847);
    for (std::size_t i = 0; i < nlabels; ++i) {
      const std::uint32_t bos = i + 1 == nlabels ? 1u : 0u;
      w.u32((labels[i] & 0xfffff) << 12 | bos << 8 | kTtl);
    }
  } else {
    w.u16(v6 ? 0x86dd : v4 ? 0x0800 : r.etype);
  }
  const std::uint32_t l2_len = w.pos();
  if (!v4 && !v6) {
    out.len = l2_len;
    return;
  }

  const std::uint32_t l3_header = v6 ? 40 : 20;
  const std::uint32_t l4_header = static_cast<std::uint32_t>(l4_header_size(r.proto, v6));
  // The average packet of the record (pmacct filters see each packet; a
  // record has only the sum), never shorter than the rebuilt headers.
  const std::uint64_t avg = r.packets > 0 ? r.bytes / r.packets : 0;
  const std::uint32_t l3_len = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(avg, l3_header + l4_header, 0xffff));

  if (v4) {
    w.u8(0x45);
    w.u8(r.tos);
    w.u16(static_cast<std::uint16_t>(l3_len));
    w.zeros(4);  // id, flags + fragment offset: never a fragment
    w.u8(kTtl);
    w.u8(r.proto);
    w.u16(0);  // checksum
    w.raw(r.src_host.bytes.data() + 12, 4);
    w.raw(r.dst_host.bytes.data() + 12, 4);
  } else {
    w.u8(static_cast<std::uint8_t>(0x60 | r.tos >> 4));
    w.u8(static_cast<std::uint8_t>((r.tos & 0x0f) << 4));
    w.u16(0);  // flow label
    w.u16(static_cast<std::uint16_t>(l3_len - l3_header));
    w.u8(r.proto);  // next header: no extension headers
    w.u8(kTtl);
    w.raw(r.src_host.bytes.data(), 16);
    w.raw(r.dst_host.bytes.data(), 16);
  }
  write_l4(w, r, v6, l3_len - l3_header);
  out.len = l2_len + l3_len;
}

}  // namespace xacct::filter
