// packet_parse_fuzz.cpp: libFuzzer target of the one packet parser
// (bpf/packet_parse.h), both entry points (input layout: packet_parse_input.hpp).
//
// The frame is copied into a heap block of exactly its size, so AddressSanitizer
// reports any read before `data` or at/after `end`; UBSan aborts on undefined
// behaviour. Every result must then keep the invariants the unit tests check on
// corrupted corpus frames (tests/bpf/packet_parse_test.cpp), plus what can be
// checked against the input bytes themselves (addresses, ports, lengths at the
// offsets the parser reports), and must not depend on what `out` held before.
// An Ethernet input is also parsed through xacct_parse_l3 from byte 14: both
// entry points are one parser, so the results must match, offsets shifted.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "bpf/packet_parse.h"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/packet_parse_input.hpp"

namespace {

// The frame in a block of its own size (the guard: ASan's redzones).
struct ExactCopy {
  ExactCopy(const std::uint8_t* p, std::size_t n) : bytes(new std::uint8_t[n]), size(n) {
    if (n > 0) std::memcpy(bytes.get(), p, n);
  }
  const std::uint8_t* begin() const { return bytes.get(); }
  const std::uint8_t* end() const { return bytes.get() + size; }
  std::unique_ptr<std::uint8_t[]> bytes;
  std::size_t size;
};

unsigned rd16(const std::uint8_t* p) { return static_cast<unsigned>(p[0] << 8 | p[1]); }

bool all_zero(const std::uint8_t* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (p[i] != 0) return false;
  return true;
}

bool has_l4_header(unsigned proto) {
  return proto == XACCT_IPPROTO_TCP || proto == XACCT_IPPROTO_UDP || proto == XACCT_IPPROTO_SCTP ||
         proto == XACCT_IPPROTO_ICMP || proto == XACCT_IPPROTO_ICMPV6;
}

// Bytes of the L4 header the parser reads (and requires) for `proto`.
std::size_t l4_min_len(unsigned proto) {
  if (proto == XACCT_IPPROTO_TCP) return 20;
  if (proto == XACCT_IPPROTO_SCTP) return 12;
  return 8;  // UDP, ICMP, ICMPv6
}

// Parses with `out` prefilled with `fill`: the parser must write all of it.
xacct_pkt parse(const ExactCopy& f, bool l3, std::uint16_t ethertype, unsigned char fill, int& ret) {
  xacct_pkt p;
  std::memset(&p, fill, sizeof p);
  ret = l3 ? xacct_parse_l3(f.begin(), f.end(), ethertype, &p) : xacct_parse_ether(f.begin(), f.end(), &p);
  return p;
}

void check_l2(const xacct_pkt& p, const ExactCopy& f, bool l3) {
  XACCT_FUZZ_CHECK(p.vlan_count <= XACCT_VLAN_MAX);
  for (unsigned i = 0; i < XACCT_VLAN_MAX; ++i) {
    XACCT_FUZZ_CHECK(p.vlan[i] <= 0x0fff);
    if (i >= p.vlan_count) XACCT_FUZZ_CHECK(p.vlan[i] == 0);
  }
  XACCT_FUZZ_CHECK(p.pcp <= 7);
  if (p.vlan_count == 0) XACCT_FUZZ_CHECK(p.pcp == 0);
  XACCT_FUZZ_CHECK(p.mpls_depth <= XACCT_MPLS_MAX);
  XACCT_FUZZ_CHECK(p.mpls_top < (1u << 20) && p.mpls_bottom < (1u << 20));
  if (p.mpls_depth == 0) XACCT_FUZZ_CHECK(p.mpls_top == 0 && p.mpls_bottom == 0);
  // Tags and labels are 4 bytes each, counted only once read whole.
  if (l3 || f.size >= XACCT_ETH_HLEN)
    XACCT_FUZZ_CHECK((l3 ? 0u : XACCT_ETH_HLEN) + 4u * p.vlan_count + 4u * p.mpls_depth <= f.size);

  if (l3) {
    XACCT_FUZZ_CHECK(all_zero(p.src_mac, 6) && all_zero(p.dst_mac, 6));
  } else if (f.size < XACCT_ETH_HLEN) {
    // Nothing read: everything but the status is zero.
    XACCT_FUZZ_CHECK(p.status == XACCT_PARSE_TRUNCATED);
    xacct_pkt zero;
    std::memset(&zero, 0, sizeof zero);
    zero.status = XACCT_PARSE_TRUNCATED;
    XACCT_FUZZ_CHECK(std::memcmp(&p, &zero, sizeof p) == 0);
  } else {
    XACCT_FUZZ_CHECK(std::memcmp(p.dst_mac, f.begin(), 6) == 0);
    XACCT_FUZZ_CHECK(std::memcmp(p.src_mac, f.begin() + 6, 6) == 0);
  }
}

void check_l3(const xacct_pkt& p, const ExactCopy& f) {
  XACCT_FUZZ_CHECK(p.l3_offset <= f.size);
  if (p.ip_version == 0) {
    XACCT_FUZZ_CHECK(p.status != XACCT_PARSE_OK);
    XACCT_FUZZ_CHECK(p.l3_len == 0 && p.hdr_len == 0 && p.proto == 0);
    XACCT_FUZZ_CHECK(p.tos == 0 && p.ttl == 0 && p.frag == 0);
    XACCT_FUZZ_CHECK(all_zero(p.src_addr, 16) && all_zero(p.dst_addr, 16));
    return;
  }
  XACCT_FUZZ_CHECK(p.ip_version == 4 || p.ip_version == 6);
  XACCT_FUZZ_CHECK(p.status != XACCT_PARSE_NON_IP);
  const std::size_t fixed = p.ip_version == 4 ? 20 : 40;
  XACCT_FUZZ_CHECK(p.l3_offset + fixed <= f.size);  // the fixed header was read whole
  XACCT_FUZZ_CHECK(p.hdr_len >= fixed);
  XACCT_FUZZ_CHECK((p.frag & ~(XACCT_FRAG_ANY | XACCT_FRAG_NON_FIRST)) == 0);
  if (p.frag & XACCT_FRAG_NON_FIRST) XACCT_FUZZ_CHECK(p.frag & XACCT_FRAG_ANY);

  // What the parser reports is what the IP header at l3_offset says.
  const std::uint8_t* ip = f.begin() + p.l3_offset;
  if (p.ip_version == 4) {
    XACCT_FUZZ_CHECK(p.ethertype == XACCT_ETH_P_IPV4);
    XACCT_FUZZ_CHECK(ip[0] >> 4 == 4);
    XACCT_FUZZ_CHECK(p.tos == ip[1] && p.ttl == ip[8] && p.proto == ip[9]);
    XACCT_FUZZ_CHECK(p.l3_len == rd16(ip + 2));
    XACCT_FUZZ_CHECK(p.hdr_len <= p.l3_len);  // headers stay inside the total length
    XACCT_FUZZ_CHECK(all_zero(p.src_addr, 10) && p.src_addr[10] == 0xff && p.src_addr[11] == 0xff);
    XACCT_FUZZ_CHECK(all_zero(p.dst_addr, 10) && p.dst_addr[10] == 0xff && p.dst_addr[11] == 0xff);
    XACCT_FUZZ_CHECK(std::memcmp(p.src_addr + 12, ip + 12, 4) == 0);
    XACCT_FUZZ_CHECK(std::memcmp(p.dst_addr + 12, ip + 16, 4) == 0);
    XACCT_FUZZ_CHECK(((rd16(ip + 6) & 0x3fff) != 0) == ((p.frag & XACCT_FRAG_ANY) != 0));
  } else {
    XACCT_FUZZ_CHECK(p.ethertype == XACCT_ETH_P_IPV6);
    XACCT_FUZZ_CHECK(ip[0] >> 4 == 6);
    XACCT_FUZZ_CHECK(p.tos == ((ip[0] & 0x0f) << 4 | ip[1] >> 4) && p.ttl == ip[7]);
    XACCT_FUZZ_CHECK(p.l3_len == 40 + rd16(ip + 4));
    // Payload length 0 (jumbogram): bounded by the frame only.
    if (p.l3_len != 40) XACCT_FUZZ_CHECK(p.hdr_len <= p.l3_len);
    XACCT_FUZZ_CHECK(p.l3_offset + static_cast<std::size_t>(p.hdr_len) <= f.size || p.l4_offset != 0);
    XACCT_FUZZ_CHECK(std::memcmp(p.src_addr, ip + 8, 16) == 0);
    XACCT_FUZZ_CHECK(std::memcmp(p.dst_addr, ip + 24, 16) == 0);
  }
}

void check_l4(const xacct_pkt& p, const ExactCopy& f) {
  // An IP packet whose protocol has an L4 header, and not a later fragment:
  // OK means that header was parsed.
  const bool wants_l4 = p.status == XACCT_PARSE_OK && p.ip_version != 0 && !(p.frag & XACCT_FRAG_NON_FIRST) &&
                        has_l4_header(p.proto);
  if (p.l4_offset == 0) {
    XACCT_FUZZ_CHECK(!wants_l4);
    XACCT_FUZZ_CHECK(p.sport == 0 && p.dport == 0 && p.tcp_flags == 0);
    return;
  }
  XACCT_FUZZ_CHECK(wants_l4);
  const std::size_t fixed = p.ip_version == 4 ? 20 : 40;
  const std::size_t min_len = l4_min_len(p.proto);
  XACCT_FUZZ_CHECK(p.l4_offset >= p.l3_offset + fixed);
  XACCT_FUZZ_CHECK(p.l4_offset + min_len <= f.size);
  XACCT_FUZZ_CHECK(p.hdr_len >= p.l4_offset - p.l3_offset + min_len);
  const std::uint8_t* l4 = f.begin() + p.l4_offset;
  if (p.proto == XACCT_IPPROTO_ICMP || p.proto == XACCT_IPPROTO_ICMPV6) {
    XACCT_FUZZ_CHECK(p.sport == 0 && p.dport == rd16(l4));
  } else {
    XACCT_FUZZ_CHECK(p.sport == rd16(l4) && p.dport == rd16(l4 + 2));
  }
  if (p.proto == XACCT_IPPROTO_TCP) {
    XACCT_FUZZ_CHECK(p.tcp_flags == l4[13]);
    XACCT_FUZZ_CHECK(p.hdr_len == p.l4_offset - p.l3_offset + (l4[12] >> 4) * 4u);
  } else {
    XACCT_FUZZ_CHECK(p.tcp_flags == 0);
    XACCT_FUZZ_CHECK(p.hdr_len == p.l4_offset - p.l3_offset + min_len);
  }
}

// Returns the parse result after checking it.
xacct_pkt check_parse(const ExactCopy& f, bool l3, std::uint16_t ethertype) {
  int ret = -1;
  xacct_pkt p = parse(f, l3, ethertype, 0xa5, ret);
  XACCT_FUZZ_CHECK(ret == p.status);
  XACCT_FUZZ_CHECK(p.status <= XACCT_PARSE_MALFORMED);
  XACCT_FUZZ_CHECK(p.pad == 0);
  check_l2(p, f, l3);
  check_l3(p, f);
  check_l4(p, f);

  // Every byte of `out` written, whatever it held (xacct_pkt has no holes).
  int ret2 = -1;
  xacct_pkt again = parse(f, l3, ethertype, 0x5a, ret2);
  XACCT_FUZZ_CHECK(ret2 == ret);
  XACCT_FUZZ_CHECK(std::memcmp(&p, &again, sizeof p) == 0);
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using xacct::tests::fuzz::ParseInput;
  const ParseInput in = xacct::tests::fuzz::decode_parse_input(data, size);
  const ExactCopy frame(in.frame, in.size);
  xacct_pkt e = check_parse(frame, in.l3, in.ethertype);
  if (in.l3 || in.size < XACCT_ETH_HLEN) return 0;

  // The same bytes from the L3 entry point, with the frame's ethertype. An
  // ethertype of 0 is an 802.3 length for the Ethernet entry but "guess"
  // for the L3 entry: not the same question.
  const auto ethertype = static_cast<std::uint16_t>(rd16(in.frame + 12));
  if (ethertype == 0) return 0;
  const ExactCopy inner(in.frame + XACCT_ETH_HLEN, in.size - XACCT_ETH_HLEN);
  xacct_pkt r = check_parse(inner, true, ethertype);
  std::memset(e.src_mac, 0, 6);
  std::memset(e.dst_mac, 0, 6);
  if (e.l3_offset) e.l3_offset = static_cast<std::uint16_t>(e.l3_offset - XACCT_ETH_HLEN);
  if (e.l4_offset) e.l4_offset = static_cast<std::uint16_t>(e.l4_offset - XACCT_ETH_HLEN);
  XACCT_FUZZ_CHECK(std::memcmp(&e, &r, sizeof e) == 0);
  return 0;
}
