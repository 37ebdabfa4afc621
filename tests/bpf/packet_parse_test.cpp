// packet_parse_test.cpp: unit tests of the one packet parser (bpf/packet_parse.h)
// on byte-exact frames (tests/bpf/frame_corpus.hpp): every header combination
// with every field asserted, malformed headers, every truncation of every
// frame, and random corruptions.
//
// Every parse runs on a copy of the frame that ends exactly at a PROT_NONE
// page, so a read past `end` crashes the test even without ASan.
#include "bpf/packet_parse.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/bpf/frame_corpus.hpp"

namespace xacct::tests {
namespace {

using namespace frames;

// A buffer whose last byte is followed by an inaccessible page.
class GuardedBuffer {
 public:
  GuardedBuffer() {
    page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    void* m = mmap(nullptr, kSize + page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) throw std::runtime_error("mmap guarded buffer");
    base_ = static_cast<std::uint8_t*>(m);
    if (mprotect(base_ + kSize, page_, PROT_NONE) != 0) throw std::runtime_error("mprotect guard page");
  }
  ~GuardedBuffer() { munmap(base_, kSize + page_); }
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;

  // Copies the first n bytes of `b` so that they end right at the guard page.
  const std::uint8_t* place(const Bytes& b, std::size_t n) {
    if (n > kSize || n > b.size()) throw std::invalid_argument("frame too long for the guarded buffer");
    std::uint8_t* dst = base_ + kSize - n;
    if (n > 0) std::memcpy(dst, b.data(), n);
    return dst;
  }
  const std::uint8_t* end() const { return base_ + kSize; }

 private:
  static constexpr std::size_t kSize = 64 * 1024;
  std::uint8_t* base_ = nullptr;
  std::size_t page_ = 0;
};

struct Parsed {
  int ret = -1;
  xacct_pkt pkt{};
};

GuardedBuffer& guarded() {
  static GuardedBuffer buf;
  return buf;
}

// `out` starts as garbage: the parser must zero it.
Parsed parse_ether(const Bytes& b, std::size_t n) {
  Parsed r;
  std::memset(&r.pkt, 0xa5, sizeof r.pkt);
  const std::uint8_t* data = guarded().place(b, n);
  r.ret = xacct_parse_ether(data, guarded().end(), &r.pkt);
  return r;
}
Parsed parse_ether(const Frame& f) { return parse_ether(f.bytes, f.bytes.size()); }

Parsed parse_l3(const Bytes& b, std::size_t n, std::uint16_t ethertype) {
  Parsed r;
  std::memset(&r.pkt, 0xa5, sizeof r.pkt);
  const std::uint8_t* data = guarded().place(b, n);
  r.ret = xacct_parse_l3(data, guarded().end(), ethertype, &r.pkt);
  return r;
}
Parsed parse_l3(const Frame& f, std::uint16_t ethertype) { return parse_l3(f.bytes, f.bytes.size(), ethertype); }

Parsed parse(const CorpusFrame& c, std::size_t n) {
  return c.entry == Entry::kEther ? parse_ether(c.frame.bytes, n) : parse_l3(c.frame.bytes, n, c.ethertype);
}

template <std::size_t N, typename T>
std::vector<unsigned> vec(const T (&a)[N]) {
  return std::vector<unsigned>(a, a + N);
}

// Compares every field by name, then the whole struct (so a field added
// later cannot be forgotten).
void expect_pkt(const Parsed& r, const xacct_pkt& w) {
  const xacct_pkt& g = r.pkt;
  EXPECT_EQ(r.ret, static_cast<int>(w.status)) << "return value";
#define XACCT_EXPECT_FIELD(f) EXPECT_EQ(static_cast<unsigned long>(g.f), static_cast<unsigned long>(w.f)) << #f
  XACCT_EXPECT_FIELD(status);
  XACCT_EXPECT_FIELD(ip_version);
  XACCT_EXPECT_FIELD(proto);
  XACCT_EXPECT_FIELD(tos);
  XACCT_EXPECT_FIELD(ttl);
  XACCT_EXPECT_FIELD(tcp_flags);
  XACCT_EXPECT_FIELD(frag);
  XACCT_EXPECT_FIELD(vlan_count);
  XACCT_EXPECT_FIELD(pcp);
  XACCT_EXPECT_FIELD(mpls_depth);
  XACCT_EXPECT_FIELD(ethertype);
  XACCT_EXPECT_FIELD(mpls_top);
  XACCT_EXPECT_FIELD(mpls_bottom);
  XACCT_EXPECT_FIELD(sport);
  XACCT_EXPECT_FIELD(dport);
  XACCT_EXPECT_FIELD(l3_offset);
  XACCT_EXPECT_FIELD(l4_offset);
  XACCT_EXPECT_FIELD(l3_len);
  XACCT_EXPECT_FIELD(hdr_len);
  XACCT_EXPECT_FIELD(pad);
#undef XACCT_EXPECT_FIELD
  EXPECT_EQ(vec(g.vlan), vec(w.vlan)) << "vlan";
  EXPECT_EQ(vec(g.src_mac), vec(w.src_mac)) << "src_mac";
  EXPECT_EQ(vec(g.dst_mac), vec(w.dst_mac)) << "dst_mac";
  EXPECT_EQ(vec(g.src_addr), vec(w.src_addr)) << "src_addr";
  EXPECT_EQ(vec(g.dst_addr), vec(w.dst_addr)) << "dst_addr";
  EXPECT_EQ(0, std::memcmp(&g, &w, sizeof g)) << "struct bytes differ";
}

// Expected values start from what every frame of the corpus shares.
xacct_pkt want_l2(std::uint16_t ethertype, std::uint8_t status) {
  xacct_pkt w{};
  std::memcpy(w.dst_mac, kDstMac.data(), 6);
  std::memcpy(w.src_mac, kSrcMac.data(), 6);
  w.ethertype = ethertype;
  w.status = status;
  return w;
}
void set_v4(xacct_pkt& w, std::uint16_t l3_offset, std::uint8_t proto, std::uint32_t l3_len, const Ip4& src = kSrc4,
            const Ip4& dst = kDst4) {
  w.ip_version = 4;
  w.ttl = 64;
  w.proto = proto;
  w.l3_offset = l3_offset;
  w.l3_len = l3_len;
  w.hdr_len = 20;
  w.src_addr[10] = w.src_addr[11] = 0xff;
  w.dst_addr[10] = w.dst_addr[11] = 0xff;
  std::memcpy(&w.src_addr[12], src.data(), 4);
  std::memcpy(&w.dst_addr[12], dst.data(), 4);
}
void set_v6(xacct_pkt& w, std::uint16_t l3_offset, std::uint8_t proto, std::uint32_t l3_len) {
  w.ip_version = 6;
  w.ttl = 64;
  w.proto = proto;
  w.l3_offset = l3_offset;
  w.l3_len = l3_len;
  w.hdr_len = 40;
  std::memcpy(w.src_addr, kSrc6.data(), 16);
  std::memcpy(w.dst_addr, kDst6.data(), 16);
}
void set_l4(xacct_pkt& w, std::uint16_t l4_offset, std::uint16_t hdr_len, std::uint16_t sport, std::uint16_t dport,
            std::uint8_t tcp_flags = 0) {
  w.l4_offset = l4_offset;
  w.hdr_len = hdr_len;
  w.sport = sport;
  w.dport = dport;
  w.tcp_flags = tcp_flags;
}

// ---------------------------------------------------------------- IPv4

TEST(PacketParseIpv4, Tcp) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  set_v4(w, 14, kTcp, 140);
  w.tos = 0xb8;
  w.ttl = 63;
  set_l4(w, 34, 40, 40000, 443, 0x18);
  expect_pkt(parse_ether(v4_tcp()), w);
}

TEST(PacketParseIpv4, TcpWithOptionsCountsThemInHdrLen) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  set_v4(w, 14, kTcp, 52);
  set_l4(w, 34, 52, 40001, 80, 0x02);
  expect_pkt(parse_ether(v4_tcp_options()), w);
}

TEST(PacketParseIpv4, Udp) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  set_v4(w, 14, kUdp, 60);
  w.tos = 0x01;
  w.ttl = 1;
  set_l4(w, 34, 28, 5353, 53);
  expect_pkt(parse_ether(v4_udp()), w);
}

TEST(PacketParseIpv4, IcmpEchoPutsTypeAndCodeInDport) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  set_v4(w, 14, kIcmp, 84);
  set_l4(w, 34, 28, 0, 0x0800);
  expect_pkt(parse_ether(v4_icmp()), w);
}

TEST(PacketParseIpv4, IcmpUnreachable) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  set_v4(w, 14, kIcmp, 56);
  set_l4(w, 34, 28, 0, 0x0303);
  expect_pkt(parse_ether(v4_icmp_unreach()), w);
}

TEST(PacketParseIpv4, Sctp) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  set_v4(w, 14, kSctp, 48);
  set_l4(w, 34, 32, 2905, 3868);
  expect_pkt(parse_ether(v4_sctp()), w);
}

TEST(PacketParseIpv4, OtherProtocolHasNoPorts) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  set_v4(w, 14, kGre, 44);
  expect_pkt(parse_ether(v4_gre()), w);
}

TEST(PacketParseIpv4, OptionsMoveTheL4Header) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  set_v4(w, 14, kUdp, 40);
  set_l4(w, 42, 36, 1000, 2000);
  expect_pkt(parse_ether(v4_options_udp()), w);
}

TEST(PacketParseIpv4, MaximumIhl) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  set_v4(w, 14, kTcp, 80);
  set_l4(w, 74, 80, 1, 2, 0x10);
  expect_pkt(parse_ether(v4_options_max_tcp()), w);
}

TEST(PacketParseIpv4, FirstFragmentHasPorts) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  set_v4(w, 14, kUdp, 1500);
  w.frag = XACCT_FRAG_ANY;
  set_l4(w, 34, 28, 4000, 4001);
  expect_pkt(parse_ether(v4_frag_first()), w);
}

TEST(PacketParseIpv4, MiddleFragmentHasNoL4) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  set_v4(w, 14, kUdp, 1500);
  w.frag = XACCT_FRAG_ANY | XACCT_FRAG_NON_FIRST;
  expect_pkt(parse_ether(v4_frag_middle()), w);
}

TEST(PacketParseIpv4, LastFragmentHasNoL4) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  set_v4(w, 14, kTcp, 120);
  w.frag = XACCT_FRAG_ANY | XACCT_FRAG_NON_FIRST;
  expect_pkt(parse_ether(v4_frag_last()), w);
}

TEST(PacketParseIpv4, DontFragmentIsNotAFragment) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  set_v4(w, 14, kUdp, 28);
  set_l4(w, 34, 28, 7, 9);
  expect_pkt(parse_ether(v4_dont_fragment()), w);
}

TEST(PacketParseIpv4, EthernetPaddingIsNotReadAsL4) {
  // Total length 20: the 26 bytes after the IP header are Ethernet padding.
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_TRUNCATED);
  set_v4(w, 14, kTcp, 20);
  expect_pkt(parse_ether(v4_padded_no_l4()), w);
}

// ---------------------------------------------------------------- IPv6

TEST(PacketParseIpv6, Tcp) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  set_v6(w, 14, kTcp, 70);
  w.tos = 0xb9;
  w.ttl = 255;
  set_l4(w, 54, 60, 50000, 22, 0x11);
  expect_pkt(parse_ether(v6_tcp()), w);
}

TEST(PacketParseIpv6, Udp) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  set_v6(w, 14, kUdp, 98);
  set_l4(w, 54, 48, 546, 547);
  expect_pkt(parse_ether(v6_udp()), w);
}

TEST(PacketParseIpv6, Icmpv6EchoPutsTypeAndCodeInDport) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  set_v6(w, 14, kIcmp6, 104);
  set_l4(w, 54, 48, 0, 0x8000);
  expect_pkt(parse_ether(v6_icmp6()), w);
}

TEST(PacketParseIpv6, Sctp) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  set_v6(w, 14, kSctp, 52);
  set_l4(w, 54, 52, 36412, 36412);
  expect_pkt(parse_ether(v6_sctp()), w);
}

TEST(PacketParseIpv6, HopByHop) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  set_v6(w, 14, kIcmp6, 76);
  set_l4(w, 62, 56, 0, 143 << 8);
  expect_pkt(parse_ether(v6_hopopts()), w);
}

TEST(PacketParseIpv6, Routing) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  set_v6(w, 14, kUdp, 72);
  set_l4(w, 78, 72, 1, 2);
  expect_pkt(parse_ether(v6_routing()), w);
}

TEST(PacketParseIpv6, DestinationOptions) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  set_v6(w, 14, kTcp, 76);
  set_l4(w, 70, 76, 3, 4, 0x04);
  expect_pkt(parse_ether(v6_dstopts()), w);
}

TEST(PacketParseIpv6, AuthenticationHeaderCountsIn4ByteUnits) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  set_v6(w, 14, kTcp, 92);
  set_l4(w, 78, 84, 5, 6, 0x01);
  expect_pkt(parse_ether(v6_ah()), w);
}

TEST(PacketParseIpv6, FirstFragmentHasPorts) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  set_v6(w, 14, kUdp, 1456);
  w.frag = XACCT_FRAG_ANY;
  set_l4(w, 62, 56, 7, 8);
  expect_pkt(parse_ether(v6_frag_first()), w);
}

TEST(PacketParseIpv6, NonFirstFragmentHasNoL4) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  set_v6(w, 14, kUdp, 648);
  w.frag = XACCT_FRAG_ANY | XACCT_FRAG_NON_FIRST;
  w.hdr_len = 48;
  expect_pkt(parse_ether(v6_frag_non_first()), w);
}

TEST(PacketParseIpv6, AtomicFragmentIsNotAFragment) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  set_v6(w, 14, kUdp, 56);
  set_l4(w, 62, 56, 9, 10);
  expect_pkt(parse_ether(v6_frag_atomic()), w);
}

TEST(PacketParseIpv6, NoNextHeader) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  set_v6(w, 14, kNoNext, 48);
  expect_pkt(parse_ether(v6_no_next()), w);
}

TEST(PacketParseIpv6, NoNextHeaderAfterDestinationOptions) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  set_v6(w, 14, kNoNext, 48);
  w.hdr_len = 48;
  expect_pkt(parse_ether(v6_dstopts_no_next()), w);
}

TEST(PacketParseIpv6, ChainOfSixExtensionHeaders) {
  // 16 + 8 + 24 + 8 + 24 + 8 = 88 bytes of extension headers.
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  set_v6(w, 14, kTcp, 40 + 88 + 20 + 30);
  w.frag = XACCT_FRAG_ANY;
  set_l4(w, 14 + 40 + 88, 40 + 88 + 20, 443, 55555, 0x10);
  expect_pkt(parse_ether(v6_ext_chain()), w);
}

TEST(PacketParseIpv6, ChainAtTheLimitParses) {
  static_assert(XACCT_IPV6_EXT_MAX == 8, "v6_dstopts_chain(8) is built for a limit of 8");
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  set_v6(w, 14, kUdp, 40 + 64 + 8);
  set_l4(w, 14 + 40 + 64, 40 + 64 + 8, 11, 12);
  expect_pkt(parse_ether(v6_dstopts_chain(8)), w);
}

TEST(PacketParseIpv6, PayloadLengthZeroIsBoundedByTheFrame) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  set_v6(w, 14, kTcp, 40);
  set_l4(w, 62, 68, 1, 2, 0x10);
  expect_pkt(parse_ether(v6_payload_length_zero()), w);
}

// ---------------------------------------------------------------- VLAN

TEST(PacketParseVlan, OneTag) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  w.vlan_count = 1;
  w.vlan[0] = 100;
  w.pcp = 3;
  set_v4(w, 18, kUdp, 38);
  set_l4(w, 38, 28, 1111, 2222);
  expect_pkt(parse_ether(vlan1_v4_udp()), w);
}

TEST(PacketParseVlan, TwoTags8021ad) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  w.vlan_count = 2;
  w.vlan[0] = 200;
  w.vlan[1] = 300;
  w.pcp = 5;
  set_v6(w, 22, kTcp, 60);
  set_l4(w, 62, 60, 8080, 8081, 0x02);
  expect_pkt(parse_ether(vlan2_ad_v6_tcp()), w);
}

TEST(PacketParseVlan, TwoTags9100) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  w.vlan_count = 2;
  w.vlan[0] = 4094;
  w.vlan[1] = 1;
  w.pcp = 7;
  set_v4(w, 22, kIcmp, 28);
  set_l4(w, 42, 28, 0, 0);
  expect_pkt(parse_ether(vlan2_qinq9100_v4_icmp()), w);
}

TEST(PacketParseVlan, ThirdTagIsNotIp) {
  xacct_pkt w = want_l2(kEth8021Q, XACCT_PARSE_NON_IP);
  w.vlan_count = 2;
  w.vlan[0] = 10;
  w.vlan[1] = 20;
  expect_pkt(parse_ether(vlan3_v4()), w);
}

// ---------------------------------------------------------------- MPLS

TEST(PacketParseMpls, OneLabelV4) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  w.mpls_depth = 1;
  w.mpls_top = w.mpls_bottom = 16001;
  set_v4(w, 18, kUdp, 28);
  set_l4(w, 38, 28, 1111, 2222);
  expect_pkt(parse_ether(mpls1_v4_udp()), w);
}

TEST(PacketParseMpls, TwoLabelsV6) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  w.mpls_depth = 2;
  w.mpls_top = 16001;
  w.mpls_bottom = 24002;
  set_v6(w, 22, kUdp, 48);
  set_l4(w, 62, 48, 3333, 4444);
  expect_pkt(parse_ether(mpls2_v6_udp()), w);
}

TEST(PacketParseMpls, ThreeLabelsBottomIsTheLastLabel) {
  // pmacct 1.7.7 reports 16032 as the bottom label here (it reads the IP header).
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  w.mpls_depth = 3;
  w.mpls_top = 100;
  w.mpls_bottom = 300;
  set_v4(w, 26, kTcp, 40);
  set_l4(w, 46, 40, 5, 6, 0x10);
  expect_pkt(parse_ether(mpls3_v4_tcp()), w);
}

TEST(PacketParseMpls, ThreeLabelsV6ExtremeLabelValues) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_OK);
  w.mpls_depth = 3;
  w.mpls_top = 0xfffff;
  w.mpls_bottom = 3;
  set_v6(w, 26, kIcmp6, 48);
  set_l4(w, 66, 48, 0, 129 << 8);
  expect_pkt(parse_ether(mpls3_v6_icmp6()), w);
}

TEST(PacketParseMpls, Multicast) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  w.mpls_depth = 1;
  w.mpls_top = w.mpls_bottom = 777;
  set_v4(w, 18, kUdp, 28);
  set_l4(w, 38, 28, 5, 5);
  expect_pkt(parse_ether(mpls_mc_v4_udp()), w);
}

TEST(PacketParseMpls, StackAtTheLimitParses) {
  static_assert(XACCT_MPLS_MAX == 8, "mpls_max_labels_v4 is built for a limit of 8");
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  w.mpls_depth = 8;
  w.mpls_top = 1001;
  w.mpls_bottom = 1008;
  set_v4(w, 46, kUdp, 28);
  set_l4(w, 66, 28, 9, 9);
  expect_pkt(parse_ether(mpls_max_labels_v4()), w);
}

TEST(PacketParseMpls, AfterVlan) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_OK);
  w.vlan_count = 1;
  w.vlan[0] = 42;
  w.pcp = 2;
  w.mpls_depth = 2;
  w.mpls_top = 299;
  w.mpls_bottom = 300;
  set_v4(w, 26, kUdp, 28);
  set_l4(w, 46, 28, 1, 2);
  expect_pkt(parse_ether(vlan_mpls_v4_udp()), w);
}

TEST(PacketParseMpls, PseudowireIsNotIp) {
  xacct_pkt w = want_l2(kEthMpls, XACCT_PARSE_NON_IP);
  w.mpls_depth = 1;
  w.mpls_top = w.mpls_bottom = 500;
  expect_pkt(parse_ether(mpls_pw_control_word()), w);
}

TEST(PacketParseMpls, NoBottomOfStackWithinTheLimitIsMalformed) {
  xacct_pkt w = want_l2(kEthMpls, XACCT_PARSE_MALFORMED);
  w.mpls_depth = XACCT_MPLS_MAX;
  w.mpls_top = 100;
  expect_pkt(parse_ether(mpls_no_bottom()), w);
}

// ---------------------------------------------------------------- not IP

TEST(PacketParseNonIp, Arp) {
  expect_pkt(parse_ether(arp_request()), want_l2(kEthArp, XACCT_PARSE_NON_IP));
}

TEST(PacketParseNonIp, ArpInVlan) {
  xacct_pkt w = want_l2(kEthArp, XACCT_PARSE_NON_IP);
  w.vlan_count = 1;
  w.vlan[0] = 7;
  w.pcp = 6;
  expect_pkt(parse_ether(vlan_arp()), w);
}

TEST(PacketParseNonIp, Ieee8023LengthFieldHasNoEthertype) {
  expect_pkt(parse_ether(llc_8023()), want_l2(0, XACCT_PARSE_NON_IP));
}

// ---------------------------------------------------------------- raw L3 entry

TEST(PacketParseL3, Ipv4) {
  xacct_pkt w{};
  w.status = XACCT_PARSE_OK;
  w.ethertype = kEthIpv4;
  set_v4(w, 0, kUdp, 60);
  w.tos = 0x01;
  w.ttl = 1;
  set_l4(w, 20, 28, 5353, 53);
  expect_pkt(parse_l3(strip_ethernet(v4_udp()), kEthIpv4), w);
}

TEST(PacketParseL3, Ipv6WithExtensionHeaders) {
  xacct_pkt w{};
  w.status = XACCT_PARSE_OK;
  w.ethertype = kEthIpv6;
  set_v6(w, 0, kTcp, 178);
  w.frag = XACCT_FRAG_ANY;
  set_l4(w, 128, 148, 443, 55555, 0x10);
  expect_pkt(parse_l3(strip_ethernet(v6_ext_chain()), kEthIpv6), w);
}

TEST(PacketParseL3, Mpls) {
  xacct_pkt w{};
  w.status = XACCT_PARSE_OK;
  w.ethertype = kEthIpv6;
  w.mpls_depth = 2;
  w.mpls_top = 16001;
  w.mpls_bottom = 24002;
  set_v6(w, 8, kUdp, 48);
  set_l4(w, 48, 48, 3333, 4444);
  expect_pkt(parse_l3(strip_ethernet(mpls2_v6_udp()), kEthMpls), w);
}

TEST(PacketParseL3, EthertypeZeroGuessesTheVersion) {
  xacct_pkt w4{};
  w4.status = XACCT_PARSE_OK;
  w4.ethertype = kEthIpv4;
  set_v4(w4, 0, kTcp, 140);
  w4.tos = 0xb8;
  w4.ttl = 63;
  set_l4(w4, 20, 40, 40000, 443, 0x18);
  expect_pkt(parse_l3(strip_ethernet(v4_tcp()), 0), w4);

  xacct_pkt w6{};
  w6.status = XACCT_PARSE_OK;
  w6.ethertype = kEthIpv6;
  set_v6(w6, 0, kIcmp6, 104);
  set_l4(w6, 40, 48, 0, 0x8000);
  expect_pkt(parse_l3(strip_ethernet(v6_icmp6()), 0), w6);
}

TEST(PacketParseL3, EthertypeZeroWithAnotherVersionIsMalformed) {
  xacct_pkt w{};
  w.status = XACCT_PARSE_MALFORMED;
  expect_pkt(parse_l3(Bytes{0x50, 0, 0, 20}, 4, 0), w);
  w.status = XACCT_PARSE_TRUNCATED;
  expect_pkt(parse_l3(Bytes{}, 0, 0), w);
}

TEST(PacketParseL3, NonIpEthertype) {
  xacct_pkt w{};
  w.status = XACCT_PARSE_NON_IP;
  w.ethertype = kEthArp;
  expect_pkt(parse_l3(Bytes(28, 0), 28, kEthArp), w);
}

// The L3 entry and the Ethernet entry are one parser: on every Ethernet frame
// of the corpus (and every truncation after the Ethernet header), parsing from
// byte 14 with the frame's ethertype gives the same result, offsets shifted.
TEST(PacketParseL3, MatchesTheEthernetEntryOnTheWholeCorpus) {
  int compared = 0;
  for (const CorpusFrame& c : corpus()) {
    if (c.entry != Entry::kEther) continue;
    SCOPED_TRACE(c.name);
    const Bytes& b = c.frame.bytes;
    Bytes l3(b.begin() + 14, b.end());
    std::uint16_t et = static_cast<std::uint16_t>(b[12] << 8 | b[13]);
    for (std::size_t cut = 14; cut <= b.size(); ++cut) {
      Parsed e = parse_ether(b, cut);
      Parsed r = parse_l3(l3, cut - 14, et);
      std::memset(e.pkt.src_mac, 0, 6);
      std::memset(e.pkt.dst_mac, 0, 6);
      if (e.pkt.l3_offset) e.pkt.l3_offset = static_cast<std::uint16_t>(e.pkt.l3_offset - 14);
      if (e.pkt.l4_offset) e.pkt.l4_offset = static_cast<std::uint16_t>(e.pkt.l4_offset - 14);
      ASSERT_EQ(r.ret, e.ret) << "cut " << cut;
      ASSERT_EQ(0, std::memcmp(&r.pkt, &e.pkt, sizeof r.pkt)) << "cut " << cut;
      ++compared;
    }
  }
  EXPECT_GT(compared, 1000);
}

// ---------------------------------------------------------------- malformed

TEST(PacketParseMalformed, IhlBelow5) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_MALFORMED);
  w.l3_offset = 14;
  expect_pkt(parse_ether(v4_ihl_below_5()), w);
}

TEST(PacketParseMalformed, IhlBeyondTheFrameIsTruncatedWithAddresses) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_TRUNCATED);
  set_v4(w, 14, kTcp, 100);
  w.hdr_len = 60;
  expect_pkt(parse_ether(v4_ihl_beyond_frame()), w);
}

TEST(PacketParseMalformed, TotalLengthBelowIhl) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_MALFORMED);
  w.l3_offset = 14;
  expect_pkt(parse_ether(v4_total_below_ihl()), w);
}

TEST(PacketParseMalformed, TotalLengthZero) {
  Frame f = eth(kEthIpv4).ipv4({.proto = kUdp, .total_length = 0}).udp(1, 2).build();
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_MALFORMED);
  w.l3_offset = 14;
  expect_pkt(parse_ether(f), w);
}

TEST(PacketParseMalformed, Ipv4EthertypeWithVersion6) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_MALFORMED);
  w.l3_offset = 14;
  expect_pkt(parse_ether(v4_bad_version()), w);
}

TEST(PacketParseMalformed, Ipv4Version5) {
  Frame f = eth(kEthIpv4).ipv4({.proto = kUdp, .version = 5}).udp(1, 2).build();
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_MALFORMED);
  w.l3_offset = 14;
  expect_pkt(parse_ether(f), w);
}

TEST(PacketParseMalformed, Ipv6EthertypeWithVersion4) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_MALFORMED);
  w.l3_offset = 14;
  expect_pkt(parse_ether(v6_bad_version()), w);
}

TEST(PacketParseMalformed, TcpDataOffsetBelow5KeepsL3) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_MALFORMED);
  set_v4(w, 14, kTcp, 40);
  expect_pkt(parse_ether(v4_tcp_doff_below_5()), w);
}

TEST(PacketParseMalformed, TcpDataOffsetBeyondThePacket) {
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_MALFORMED);
  set_v4(w, 14, kTcp, 40);
  expect_pkt(parse_ether(v4_tcp_doff_beyond_packet()), w);
}

TEST(PacketParseMalformed, Ipv6ChainLongerThanTheLimitKeepsL3) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_MALFORMED);
  set_v6(w, 14, kDstOpts, 40 + 72 + 8);
  w.hdr_len = 40 + 64;
  expect_pkt(parse_ether(v6_dstopts_chain(9)), w);
}

TEST(PacketParseMalformed, Ipv6ExtensionHeaderBeyondThePayloadLength) {
  xacct_pkt w = want_l2(kEthIpv6, XACCT_PARSE_TRUNCATED);
  set_v6(w, 14, kHopOpts, 48);
  expect_pkt(parse_ether(v6_ext_payload_too_short()), w);
}

TEST(PacketParseMalformed, UdpBeyondIpv4TotalLength) {
  Frame f = eth(kEthIpv4).ipv4({.proto = kUdp, .total_length = 27}).udp(1, 2).payload(20).build();
  xacct_pkt w = want_l2(kEthIpv4, XACCT_PARSE_TRUNCATED);
  set_v4(w, 14, kUdp, 27);
  expect_pkt(parse_ether(f), w);
}

TEST(PacketParseMalformed, EmptyAndShortFrames) {
  xacct_pkt w{};
  w.status = XACCT_PARSE_TRUNCATED;
  expect_pkt(parse_ether(Bytes{}, 0), w);
  expect_pkt(parse_ether(Bytes(13, 0xff), 13), w);
}

// ---------------------------------------------------------------- truncation

// Every prefix of every corpus frame: the parser never reads past the end (the
// guard page), a cut before the last header byte it needs is TRUNCATED, a cut
// after it changes nothing, and whatever it reports is never garbage.
TEST(PacketParseTruncation, EveryPrefixOfEveryCorpusFrame) {
  std::size_t cuts = 0;
  for (const CorpusFrame& c : corpus()) {
    SCOPED_TRACE(c.name);
    const Bytes& b = c.frame.bytes;
    Parsed full = parse(c, b.size());
    const xacct_pkt& f = full.pkt;
    std::size_t l3_fixed = f.l3_offset + (f.ip_version == 4 ? 20u : 40u);
    for (std::size_t cut = 0; cut < b.size(); ++cut, ++cuts) {
      Parsed r = parse(c, cut);
      const xacct_pkt& p = r.pkt;
      ASSERT_EQ(r.ret, static_cast<int>(p.status)) << "cut " << cut;
      if (cut >= c.frame.needed) {
        ASSERT_EQ(0, std::memcmp(&p, &f, sizeof p)) << "cut " << cut << " after the headers changed the result";
        continue;
      }
      ASSERT_EQ(r.ret, XACCT_PARSE_TRUNCATED) << "cut " << cut;
      if (c.entry == Entry::kEther && cut >= 14) {
        ASSERT_EQ(0, std::memcmp(p.src_mac, f.src_mac, 6)) << "cut " << cut;
        ASSERT_EQ(0, std::memcmp(p.dst_mac, f.dst_mac, 6)) << "cut " << cut;
      }
      if (f.ip_version != 0 && cut >= l3_fixed) {
        ASSERT_EQ(p.ip_version, f.ip_version) << "cut " << cut;
      }
      if (p.ip_version != 0) {  // what it reports is what the whole frame says
        ASSERT_EQ(p.ip_version, f.ip_version) << "cut " << cut;
        ASSERT_EQ(0, std::memcmp(p.src_addr, f.src_addr, 16)) << "cut " << cut;
        ASSERT_EQ(0, std::memcmp(p.dst_addr, f.dst_addr, 16)) << "cut " << cut;
        ASSERT_EQ(p.l3_len, f.l3_len) << "cut " << cut;
        ASSERT_EQ(p.l3_offset, f.l3_offset) << "cut " << cut;
        ASSERT_EQ(p.tos, f.tos) << "cut " << cut;
        ASSERT_EQ(p.ttl, f.ttl) << "cut " << cut;
      }
      ASSERT_EQ(p.l4_offset, 0u) << "cut " << cut;
      ASSERT_EQ(p.sport, 0u) << "cut " << cut;
      ASSERT_EQ(p.dport, 0u) << "cut " << cut;
      ASSERT_EQ(p.tcp_flags, 0u) << "cut " << cut;
    }
  }
  EXPECT_GT(cuts, 9000u);
}

// ---------------------------------------------------------------- corruption

// Random bytes overwritten in the headers, at random lengths: never a read past
// the end (guard page), and the result always respects the parser's invariants.
TEST(PacketParseFuzz, RandomCorruptionsKeepInvariants) {
  std::mt19937 rng(20240601);
  std::vector<CorpusFrame> frames = corpus();
  std::size_t runs = 0;
  int statuses[4] = {0, 0, 0, 0};
  for (const CorpusFrame& c : frames) {
    SCOPED_TRACE(c.name);
    for (int i = 0; i < 400; ++i, ++runs) {
      Bytes b = c.frame.bytes;
      std::size_t span = std::min(b.size(), c.frame.needed + 8);
      int flips = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < flips && span > 0; ++k) b[rng() % span] = static_cast<std::uint8_t>(rng());
      std::size_t n = rng() % 4 == 0 ? rng() % (b.size() + 1) : b.size();
      Parsed r = parse(c, n);
      const xacct_pkt& p = r.pkt;
      ASSERT_EQ(r.ret, static_cast<int>(p.status));
      ASSERT_LE(p.status, XACCT_PARSE_MALFORMED);
      ++statuses[p.status];
      ASSERT_LE(p.vlan_count, XACCT_VLAN_MAX);
      ASSERT_LE(p.mpls_depth, XACCT_MPLS_MAX);
      ASSERT_EQ(p.pad, 0u);
      if (p.frag & XACCT_FRAG_NON_FIRST) {
        ASSERT_TRUE(p.frag & XACCT_FRAG_ANY);
        ASSERT_EQ(p.l4_offset, 0u);
      }
      if (p.ip_version == 0) {
        ASSERT_EQ(p.l3_len, 0u);
        ASSERT_EQ(p.hdr_len, 0u);
        ASSERT_EQ(p.proto, 0u);
      } else {
        ASSERT_TRUE(p.ip_version == 4 || p.ip_version == 6);
        ASSERT_NE(p.status, XACCT_PARSE_NON_IP);
        std::size_t fixed = p.ip_version == 4 ? 20 : 40;
        ASSERT_LE(p.l3_offset + fixed, n);
        ASSERT_GE(p.hdr_len, fixed);
      }
      if (p.l4_offset != 0) {
        ASSERT_EQ(p.status, XACCT_PARSE_OK);
        ASSERT_LE(p.l4_offset + 8u, n);
        ASSERT_GE(p.l4_offset, p.l3_offset + 20u);
        ASSERT_GE(p.hdr_len, p.l4_offset - p.l3_offset + 8u);
      } else {
        ASSERT_EQ(p.sport, 0u);
        ASSERT_EQ(p.dport, 0u);
        ASSERT_EQ(p.tcp_flags, 0u);
      }
    }
  }
  EXPECT_EQ(runs, frames.size() * 400);
  // The corruptions reach every status, so the invariants were exercised on all.
  for (int s = 0; s < 4; ++s) EXPECT_GT(statuses[s], 0) << "status " << s;
}

}  // namespace
}  // namespace xacct::tests
