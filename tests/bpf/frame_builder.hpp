// frame_builder.hpp: builds test frames byte by byte (Ethernet, VLAN, MPLS,
// IPv4, IPv6 and its extension headers, TCP, UDP, SCTP, ICMP), so parser tests
// say exactly which bytes they feed. Checksums are left zero: the parser does
// not read them.
//
// Length fields (IPv4 total length, IPv6 payload length, UDP length) are
// filled in by build() from what follows the header, unless the test sets them
// explicitly to build an inconsistent packet.
//
// Each header method also records how many bytes the parser needs to read
// that header (`needed`): the truncation tests expect TRUNCATED for every
// shorter prefix. Payload bytes do not count; TCP options do not count either,
// because the parser does not read them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace xacct::tests {

using Bytes = std::vector<std::uint8_t>;
using Mac = std::array<std::uint8_t, 6>;
using Ip4 = std::array<std::uint8_t, 4>;
using Ip6 = std::array<std::uint8_t, 16>;

struct Frame {
  Bytes bytes;
  std::size_t needed = 0;  // bytes the parser must see to parse every header
};

struct Ipv4Header {
  Ip4 src{198, 18, 0, 1};
  Ip4 dst{198, 18, 0, 2};
  std::uint8_t proto = 6;
  std::uint8_t tos = 0;
  std::uint8_t ttl = 64;
  Bytes options{};                             // a multiple of 4 bytes
  std::uint16_t id = 0x1234;
  bool dont_fragment = false;
  bool more_fragments = false;
  std::uint16_t frag_offset = 0;               // in 8-byte units
  std::uint8_t version = 4;                    // to build a bad version
  std::optional<std::uint8_t> ihl{};           // default 5 + options / 4
  std::optional<std::uint16_t> total_length{};  // default: to the end of the frame
};

struct Ipv6Header {
  Ip6 src{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  Ip6 dst{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  std::uint8_t next = 6;
  std::uint8_t traffic_class = 0;
  std::uint32_t flow_label = 0;
  std::uint8_t hop_limit = 64;
  std::uint8_t version = 6;
  std::optional<std::uint16_t> payload_length{};  // default: to the end of the frame
};

class FrameBuilder {
 public:
  // Raw bytes (network byte order for the multi-byte helpers).
  FrameBuilder& u8(std::uint8_t v) {
    bytes_.push_back(v);
    return *this;
  }
  FrameBuilder& u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    return u8(static_cast<std::uint8_t>(v));
  }
  FrameBuilder& u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    return u16(static_cast<std::uint16_t>(v));
  }
  FrameBuilder& raw(const Bytes& b) {
    bytes_.insert(bytes_.end(), b.begin(), b.end());
    return *this;
  }
  // Payload: counts for lengths, not for `needed`.
  FrameBuilder& payload(std::size_t n, std::uint8_t fill = 0xab) {
    bytes_.insert(bytes_.end(), n, fill);
    return *this;
  }

  FrameBuilder& eth(const Mac& dst, const Mac& src, std::uint16_t ethertype) {
    raw(Bytes(dst.begin(), dst.end()));
    raw(Bytes(src.begin(), src.end()));
    u16(ethertype);
    return mark();
  }
  // One 802.1Q/802.1ad tag after its TPID (written by eth() or the previous
  // tag): TCI, then the ethertype that follows.
  FrameBuilder& vlan(std::uint16_t vid, std::uint8_t pcp, std::uint16_t next_ethertype) {
    u16(static_cast<std::uint16_t>((pcp & 7u) << 13 | (vid & 0x0fffu)));
    u16(next_ethertype);
    return mark();
  }
  FrameBuilder& mpls(std::uint32_t label, bool bottom, std::uint8_t tc = 0, std::uint8_t ttl = 64) {
    u32((label & 0xfffffu) << 12 | (tc & 7u) << 9 | (bottom ? 1u : 0u) << 8 | ttl);
    return mark();
  }

  FrameBuilder& ipv4(const Ipv4Header& h) {
    if (h.options.size() % 4 != 0) throw std::invalid_argument("ipv4 options: not a multiple of 4");
    std::size_t start = bytes_.size();
    std::uint8_t ihl = h.ihl.value_or(static_cast<std::uint8_t>(5 + h.options.size() / 4));
    u8(static_cast<std::uint8_t>(h.version << 4 | (ihl & 0x0f)));
    u8(h.tos);
    length_field(start, h.total_length);
    u16(h.id);
    u16(static_cast<std::uint16_t>((h.dont_fragment ? 0x4000 : 0) | (h.more_fragments ? 0x2000 : 0) |
                                   (h.frag_offset & 0x1fff)));
    u8(h.ttl);
    u8(h.proto);
    u16(0);  // checksum
    raw(Bytes(h.src.begin(), h.src.end()));
    raw(Bytes(h.dst.begin(), h.dst.end()));
    raw(h.options);
    return mark();
  }

  FrameBuilder& ipv6(const Ipv6Header& h) {
    std::size_t start = bytes_.size();
    u32(static_cast<std::uint32_t>(h.version) << 28 | static_cast<std::uint32_t>(h.traffic_class) << 20 |
        (h.flow_label & 0xfffffu));
    length_field(start + 40, h.payload_length);
    u8(h.next);
    u8(h.hop_limit);
    raw(Bytes(h.src.begin(), h.src.end()));
    raw(Bytes(h.dst.begin(), h.dst.end()));
    return mark();
  }
  // Hop-by-hop (0), routing (43) or destination options (60): `units` is the
  // header's length field, so the header is (units + 1) * 8 bytes.
  FrameBuilder& ipv6_ext(std::uint8_t next, std::uint8_t units = 0) {
    std::size_t total = (units + 1u) * 8u;
    u8(next);
    u8(units);
    for (std::size_t i = 2; i < total; ++i) u8(static_cast<std::uint8_t>(i));
    return mark();
  }
  // Authentication header (51): (units + 2) * 4 bytes.
  FrameBuilder& ipv6_ah(std::uint8_t next, std::uint8_t units = 4) {
    std::size_t total = (units + 2u) * 4u;
    u8(next);
    u8(units);
    u16(0);              // reserved
    u32(0x00001000);     // SPI
    for (std::size_t i = 8; i < total; ++i) u8(static_cast<std::uint8_t>(i));
    return mark();
  }
  // Fragment header (44): offset in 8-byte units.
  FrameBuilder& ipv6_frag(std::uint8_t next, std::uint16_t offset, bool more, std::uint32_t id = 0xcafe) {
    u8(next);
    u8(0);
    u16(static_cast<std::uint16_t>((offset & 0x1fffu) << 3 | (more ? 1u : 0u)));
    u32(id);
    return mark();
  }

  // TCP with doff * 4 - 20 option bytes (NOPs); the parser needs 20 bytes.
  FrameBuilder& tcp(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags, std::uint8_t doff = 5) {
    std::size_t start = bytes_.size();
    u16(sport);
    u16(dport);
    u32(0x01020304);  // seq
    u32(0x05060708);  // ack
    u8(static_cast<std::uint8_t>(doff << 4));
    u8(flags);
    u16(0xffff);      // window
    u16(0);           // checksum
    u16(0);           // urgent
    needed_ = start + 20;
    for (int i = 20; i < doff * 4; ++i) u8(1);  // NOP options
    return *this;
  }
  FrameBuilder& udp(std::uint16_t sport, std::uint16_t dport) {
    std::size_t start = bytes_.size();
    u16(sport);
    u16(dport);
    length_field(start, std::nullopt);
    u16(0);  // checksum
    return mark();
  }
  FrameBuilder& sctp(std::uint16_t sport, std::uint16_t dport) {
    u16(sport);
    u16(dport);
    u32(0xdeadbeef);  // verification tag
    u32(0);           // checksum
    return mark();
  }
  // ICMP or ICMPv6: type, code, checksum, 4 bytes of rest-of-header (echo id/seq).
  FrameBuilder& icmp(std::uint8_t type, std::uint8_t code) {
    u8(type);
    u8(code);
    u16(0);
    u16(0x4242);  // identifier
    u16(1);       // sequence
    return mark();
  }

  // The parser must see everything up to here (for headers it reads only
  // partially, such as the first byte after an MPLS stack).
  FrameBuilder& mark() {
    needed_ = bytes_.size();
    return *this;
  }
  FrameBuilder& needed(std::size_t n) {
    needed_ = n;
    return *this;
  }
  std::size_t size() const { return bytes_.size(); }

  Frame build() const {
    Frame f{bytes_, needed_};
    for (const LengthField& l : lengths_) {
      std::size_t v = l.value ? *l.value : f.bytes.size() - l.counted_from;
      f.bytes[l.at] = static_cast<std::uint8_t>(v >> 8);
      f.bytes[l.at + 1] = static_cast<std::uint8_t>(v);
    }
    return f;
  }

 private:
  struct LengthField {
    std::size_t at;
    std::size_t counted_from;
    std::optional<std::uint16_t> value;
  };
  // Appends a 16-bit length that build() fills in: the bytes from
  // `counted_from` to the end of the frame, or `value` when given.
  void length_field(std::size_t counted_from, std::optional<std::uint16_t> value) {
    lengths_.push_back({bytes_.size(), counted_from, value});
    u16(0);
  }

  Bytes bytes_;
  std::vector<LengthField> lengths_;
  std::size_t needed_ = 0;
};

}  // namespace xacct::tests
