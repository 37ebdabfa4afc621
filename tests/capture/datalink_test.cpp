// Datalink decoding of libpcap frames into pmacctd-style records, on
// byte-exact frames of every datalink xacct reads (probe/capture/datalink.hpp,
// packet_record.hpp, packet_batcher.hpp). The frames are written out in hex
// so that each test says exactly which bytes it feeds.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <cstring>

#include "probe/capture/datalink.hpp"
#include "tests/capture/capture_test_util.hpp"

namespace xacct::capture {
namespace {

using testing::Bytes;
using testing::cat;
using testing::Collector;
using testing::hex;
using userspace::Direction;
using userspace::FlowRecord;
using userspace::IpAddress;

IpAddress ip(const char* text) {
  IpAddress a;
  if (std::strchr(text, ':') != nullptr) {
    EXPECT_EQ(inet_pton(AF_INET6, text, a.bytes.data()), 1);
    a.is_v6 = true;
  } else {
    a.bytes[10] = a.bytes[11] = 0xff;
    EXPECT_EQ(inet_pton(AF_INET, text, a.bytes.data() + 12), 1);
  }
  return a;
}

userspace::MacAddress mac(std::initializer_list<std::uint8_t> b) {
  userspace::MacAddress m{};
  std::copy(b.begin(), b.end(), m.begin());
  return m;
}

// ---- L3 packets ------------------------------------------------------------

// IPv4 UDP 198.18.0.1:1234 -> 198.18.0.2:5678, ToS 0x28, 10 bytes of data:
// total length 38.
const Bytes kUdp4 = hex(
    "45 28 00 26 12 34 40 00 40 11 00 00 c6 12 00 01 c6 12 00 02"
    "04 d2 16 2e 00 12 00 00"
    "30 31 32 33 34 35 36 37 38 39");
// IPv6 TCP 2001:db8::1:80 -> 2001:db8::2:50000, traffic class 0xb8,
// SYN+ACK: payload length 20, 60 bytes.
const Bytes kTcp6 = hex(
    "6b 80 00 00 00 14 06 40"
    "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"
    "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02"
    "00 50 c3 50 00 00 00 01 00 00 00 02 50 12 ff ff 00 00 00 00");
// IPv4 SCTP 3000 -> 4000 with 12 bytes of chunk data: 44 bytes.
const Bytes kSctp4 = hex(
    "45 00 00 2c 00 01 40 00 40 84 00 00 c6 12 00 01 c6 12 00 03"
    "0b b8 0f a0 de ad be ef 00 00 00 00"
    "00 00 00 00 00 00 00 00 00 00 00 00");
// IPv4 ICMP echo request: 28 bytes.
const Bytes kIcmp4 = hex(
    "45 00 00 1c 00 02 00 00 40 01 00 00 c6 12 00 01 c6 12 00 04"
    "08 00 00 00 42 42 00 01");
// ICMPv6 echo request: 48 bytes.
const Bytes kIcmp6 = hex(
    "60 00 00 00 00 08 3a 40"
    "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"
    "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 04"
    "80 00 00 00 42 42 00 01");
// MPLS 16001 (TTL 64), 24002 (bottom of stack).
const Bytes kMpls2 = hex("03 e8 10 40 05 dc 21 40");

const Bytes kEthAddrs = hex("02 00 00 00 00 02 02 00 00 00 00 01");  // dst, src
const auto kEthDst = mac({2, 0, 0, 0, 0, 2});
const auto kEthSrc = mac({2, 0, 0, 0, 0, 1});

void expect_udp4(const FlowRecord& r) {
  EXPECT_EQ(r.src_host, ip("198.18.0.1"));
  EXPECT_EQ(r.dst_host, ip("198.18.0.2"));
  EXPECT_FALSE(r.src_host.is_v6);
  EXPECT_EQ(r.src_port, 1234);
  EXPECT_EQ(r.dst_port, 5678);
  EXPECT_EQ(r.proto, 17);
  EXPECT_EQ(r.tos, 0x28);
  EXPECT_EQ(r.packets, 1u);
  EXPECT_EQ(r.bytes, 38u);  // IP total length
  EXPECT_EQ(r.etype, 0x0800);
}

void expect_tcp6(const FlowRecord& r) {
  EXPECT_EQ(r.src_host, ip("2001:db8::1"));
  EXPECT_EQ(r.dst_host, ip("2001:db8::2"));
  EXPECT_TRUE(r.dst_host.is_v6);
  EXPECT_EQ(r.src_port, 80);
  EXPECT_EQ(r.dst_port, 50000);
  EXPECT_EQ(r.proto, 6);
  EXPECT_EQ(r.tcp_flags, 0x12);
  EXPECT_EQ(r.tos, 0xb8);
  EXPECT_EQ(r.bytes, 60u);  // 40 + payload length
  EXPECT_EQ(r.etype, 0x86dd);
}

// One frame in, exactly one record out, and the counters say so.
FlowRecord one_record(Datalink dl, const Bytes& frame, RecordContext ctx = {}) {
  Collector c(dl, ctx);
  c.feed(frame);
  auto recs = c.records();
  EXPECT_EQ(recs.size(), 1u);
  EXPECT_EQ(c.counter("received"), 1u);
  EXPECT_EQ(c.counter("ip_packets"), 1u);
  EXPECT_EQ(c.counter("not_parsed"), 0u);
  return recs.empty() ? FlowRecord{} : recs.front();
}

// One frame in, no record, counted under `reason`.
void expect_not_parsed(Datalink dl, const Bytes& frame, const char* reason) {
  Collector c(dl);
  c.feed(frame);
  EXPECT_TRUE(c.records().empty());
  EXPECT_EQ(c.counter("received"), 1u);
  EXPECT_EQ(c.counter("ip_packets"), 0u);
  EXPECT_EQ(c.counter("not_parsed"), 1u);
  EXPECT_EQ(c.counter(std::string("not_parsed_") + reason), 1u) << reason;
}

// ---- datalink numbers ----------------------------------------------------

TEST(CaptureDatalink, FromDlt) {
  EXPECT_EQ(datalink_from_dlt(DLT_EN10MB), Datalink::kEthernet);
  EXPECT_EQ(datalink_from_dlt(DLT_LINUX_SLL), Datalink::kLinuxSll);
  EXPECT_EQ(datalink_from_dlt(DLT_LINUX_SLL2), Datalink::kLinuxSll2);
  EXPECT_EQ(datalink_from_dlt(DLT_RAW), Datalink::kRawIp);
  EXPECT_EQ(datalink_from_dlt(101), Datalink::kRawIp);  // LINKTYPE_RAW
  EXPECT_EQ(datalink_from_dlt(DLT_IPV4), Datalink::kIpv4);
  EXPECT_EQ(datalink_from_dlt(DLT_IPV6), Datalink::kIpv6);
  EXPECT_EQ(datalink_from_dlt(DLT_NULL), Datalink::kNull);
  EXPECT_EQ(datalink_from_dlt(DLT_LOOP), Datalink::kLoop);
  EXPECT_EQ(datalink_from_dlt(105), std::nullopt);  // IEEE802_11
  EXPECT_EQ(describe_dlt(105), "105 (IEEE802_11)");
}

// ---- Ethernet ------------------------------------------------------------

TEST(CaptureEthernet, Ipv4UdpAsPmacctCountsIt) {
  FlowRecord r = one_record(Datalink::kEthernet, cat({kEthAddrs, hex("08 00"), kUdp4}));
  expect_udp4(r);
  EXPECT_EQ(r.src_mac, kEthSrc);
  EXPECT_EQ(r.dst_mac, kEthDst);
  EXPECT_EQ(r.vlan, 0);
  EXPECT_EQ(r.first_ns, 1'700'000'000'123'456'789);
  EXPECT_EQ(r.arrival_ns, r.first_ns);
  EXPECT_EQ(r.last_ns, 0);  // pmacctd does not fill timestamp_end
  EXPECT_EQ(r.flows, 0u);
  EXPECT_EQ(r.tcp_flags, 0);
  EXPECT_EQ(r.direction, Direction::kUnknown);
  EXPECT_EQ(r.in_iface, 0u);
  EXPECT_EQ(r.out_iface, 0u);
}

TEST(CaptureEthernet, Ipv6Tcp) {
  FlowRecord r = one_record(Datalink::kEthernet, cat({kEthAddrs, hex("86 dd"), kTcp6}));
  expect_tcp6(r);
}

TEST(CaptureEthernet, VlanTagGivesVlanAndCos) {
  // 802.1Q, priority 3, VID 100.
  FlowRecord r = one_record(Datalink::kEthernet, cat({kEthAddrs, hex("81 00 60 64 08 00"), kUdp4}));
  expect_udp4(r);
  EXPECT_EQ(r.vlan, 100);
  EXPECT_EQ(r.cos, 3);
}

TEST(CaptureEthernet, QinQGivesTheOuterTag) {
  // 802.1ad VID 200 priority 1, then 802.1Q VID 100 priority 2.
  FlowRecord r = one_record(Datalink::kEthernet, cat({kEthAddrs, hex("88 a8 20 c8 81 00 40 64 86 dd"), kTcp6}));
  expect_tcp6(r);
  EXPECT_EQ(r.vlan, 200);
  EXPECT_EQ(r.cos, 1);
}

TEST(CaptureEthernet, MplsLabelsAndTheIpEthertype) {
  FlowRecord r = one_record(Datalink::kEthernet, cat({kEthAddrs, hex("88 47"), kMpls2, kUdp4}));
  expect_udp4(r);  // etype 0x0800 after MPLS, as pmacct prints "800"
  EXPECT_EQ(r.mpls_label_top, 16001u);
  EXPECT_EQ(r.mpls_label_bottom, 24002u);
  EXPECT_EQ(r.mpls_stack_depth, 2);
  ASSERT_EQ(r.mpls_label_stack_len, 2);
  EXPECT_EQ(r.mpls_label_stack[0], 16001u);
  EXPECT_EQ(r.mpls_label_stack[1], 24002u);
}

TEST(CaptureEthernet, PortsOnlyForTcpAndUdp) {
  FlowRecord sctp = one_record(Datalink::kEthernet, cat({kEthAddrs, hex("08 00"), kSctp4}));
  EXPECT_EQ(sctp.proto, 132);
  EXPECT_EQ(sctp.src_port, 0);  // pmacct prints 0 for SCTP (observed, 1.7.7)
  EXPECT_EQ(sctp.dst_port, 0);
  EXPECT_EQ(sctp.bytes, 44u);
  FlowRecord icmp = one_record(Datalink::kEthernet, cat({kEthAddrs, hex("08 00"), kIcmp4}));
  EXPECT_EQ(icmp.proto, 1);
  EXPECT_EQ(icmp.src_port, 0);
  EXPECT_EQ(icmp.dst_port, 0);  // not type/code: that is nfprobe's encoding
  EXPECT_EQ(icmp.bytes, 28u);
  FlowRecord icmp6 = one_record(Datalink::kEthernet, cat({kEthAddrs, hex("86 dd"), kIcmp6}));
  EXPECT_EQ(icmp6.proto, 58);
  EXPECT_EQ(icmp6.dst_port, 0);
  EXPECT_EQ(icmp6.bytes, 48u);
}

TEST(CaptureEthernet, PaddingIsNotCounted) {
  // 29-byte IPv4 UDP packet in a 60-byte frame (17 bytes of padding).
  const Bytes ip29 = hex(
      "45 00 00 1d 00 03 00 00 40 11 00 00 c6 12 00 01 c6 12 00 02"
      "00 07 00 09 00 09 00 00 41");
  Bytes frame = cat({kEthAddrs, hex("08 00"), ip29});
  frame.resize(60, 0);
  FlowRecord r = one_record(Datalink::kEthernet, frame);
  EXPECT_EQ(r.bytes, 29u);
  EXPECT_EQ(r.dst_port, 9);
}

TEST(CaptureEthernet, SnapLengthCutInsideL4CountsByAddresses) {
  // IPv4 TCP of 1500 bytes, captured up to 10 bytes of the TCP header.
  const Bytes cut = hex(
      "45 00 05 dc 00 04 40 00 40 06 00 00 c6 12 00 01 c6 12 00 02"
      "00 50 c3 50 00 00 00 01 00 00");
  Collector c(Datalink::kEthernet);
  c.feed(cat({kEthAddrs, hex("08 00"), cut}));
  auto recs = c.records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].bytes, 1500u);
  EXPECT_EQ(recs[0].proto, 6);
  EXPECT_EQ(recs[0].src_port, 0);
  EXPECT_EQ(recs[0].dst_port, 0);
  EXPECT_EQ(c.counter("ip_packets"), 1u);
  EXPECT_EQ(c.counter("partial"), 1u);
}

TEST(CaptureEthernet, NotParsedFramesAreCountedByReason) {
  // ARP request.
  expect_not_parsed(Datalink::kEthernet,
                    cat({hex("ff ff ff ff ff ff 02 00 00 00 00 01 08 06"),
                         hex("00 01 08 00 06 04 00 01 02 00 00 00 00 01 c6 12 00 01 00 00 00 00 00 00 c6 12 00 02")}),
                    "non_ip");
  // Ends inside the Ethernet header.
  expect_not_parsed(Datalink::kEthernet, hex("02 00 00 00 00 02 02 00 00"), "truncated");
  // Ends inside the VLAN tag.
  expect_not_parsed(Datalink::kEthernet, cat({kEthAddrs, hex("81 00 60")}), "truncated");
  // Ends inside the IPv4 header.
  expect_not_parsed(Datalink::kEthernet, cat({kEthAddrs, hex("08 00 45 00 00 26 12 34")}), "truncated");
  // IHL 4: inconsistent.
  expect_not_parsed(Datalink::kEthernet,
                    cat({kEthAddrs, hex("08 00 44 00 00 26 12 34 40 00 40 11 00 00 c6 12 00 01 c6 12 00 02")}),
                    "malformed");
}

// ---- Linux cooked v1 -------------------------------------------------------

// Packet type 0 (to us), ARPHRD_ETHER, address 02:00:00:00:00:0a.
const Bytes kSllHead = hex("00 00 00 01 00 06 02 00 00 00 00 0a 00 00");

TEST(CaptureSll, Ipv4WithTheSenderAsSourceMac) {
  FlowRecord r = one_record(Datalink::kLinuxSll, cat({kSllHead, hex("08 00"), kUdp4}));
  expect_udp4(r);
  EXPECT_EQ(r.src_mac, mac({2, 0, 0, 0, 0, 0x0a}));
  EXPECT_EQ(r.dst_mac, mac({0, 0, 0, 0, 0, 0}));  // not in a cooked header (pmacct: zero too)
}

TEST(CaptureSll, Ipv6) {
  expect_tcp6(one_record(Datalink::kLinuxSll, cat({kSllHead, hex("86 dd"), kTcp6})));
}

TEST(CaptureSll, VlanTagPutBackByLibpcap) {
  // libpcap re-inserts a stripped tag before the protocol field: protocol
  // 0x8100, TCI (priority 5, VID 55), the real protocol.
  FlowRecord r = one_record(Datalink::kLinuxSll, cat({kSllHead, hex("81 00 a0 37 08 00"), kUdp4}));
  expect_udp4(r);
  EXPECT_EQ(r.vlan, 55);
  EXPECT_EQ(r.cos, 5);
}

TEST(CaptureSll, Mpls) {
  FlowRecord r = one_record(Datalink::kLinuxSll, cat({kSllHead, hex("88 47"), kMpls2, kTcp6}));
  expect_tcp6(r);
  EXPECT_EQ(r.mpls_label_top, 16001u);
  EXPECT_EQ(r.mpls_label_bottom, 24002u);
  EXPECT_EQ(r.mpls_stack_depth, 2);
}

TEST(CaptureSll, AddressOtherThanSixBytesIsNoMac) {
  const Bytes head = hex("00 00 03 04 00 00 00 00 00 00 00 00 00 00");  // ARPHRD_NONE-like, no address
  FlowRecord r = one_record(Datalink::kLinuxSll, cat({head, hex("08 00"), kUdp4}));
  expect_udp4(r);
  EXPECT_EQ(r.src_mac, mac({0, 0, 0, 0, 0, 0}));
}

TEST(CaptureSll, LlcSnapCarryingIpIsCountedAsPmacctdDoes) {
  // Protocol 0x0004 (802.2 LLC), SNAP header (aa aa 03, OUI 0, ethertype): pmacctd's llc_handler.
  FlowRecord r = one_record(Datalink::kLinuxSll, cat({kSllHead, hex("00 04 aa aa 03 00 00 00 08 00"), kUdp4}));
  expect_udp4(r);
  EXPECT_EQ(r.src_mac, mac({2, 0, 0, 0, 0, 0x0a}));
  expect_tcp6(one_record(Datalink::kLinuxSll2, cat({hex("00 04 00 00 00 00 00 02 00 01 00 06 02 00 00 00 00 0c 00 00"),
                                                    hex("aa aa 03 00 00 f8 86 dd"), kTcp6})));
}

TEST(CaptureSll, NotParsed) {
  // Protocol 0x0004: 802.2 LLC frames that are not SNAP-encapsulated IP.
  expect_not_parsed(Datalink::kLinuxSll, cat({kSllHead, hex("00 04 42 42 03 00 00 00 08 00"), kUdp4}), "non_ip");
  expect_not_parsed(Datalink::kLinuxSll, cat({kSllHead, hex("00 04 aa aa 03 00 00 00 08 06"), kUdp4}), "non_ip");
  expect_not_parsed(Datalink::kLinuxSll, cat({kSllHead, hex("00 04 aa aa 03 00 00")}), "non_ip");
  // SNAP says IPv4, the IP header is cut.
  expect_not_parsed(Datalink::kLinuxSll, cat({kSllHead, hex("00 04 aa aa 03 00 00 00 08 00 45 00")}), "truncated");
  // Netlink monitor (protocol 0): must not be guessed as IP.
  expect_not_parsed(Datalink::kLinuxSll, cat({kSllHead, hex("00 00"), kUdp4}), "non_ip");
  // 15 bytes: inside the cooked header.
  expect_not_parsed(Datalink::kLinuxSll, cat({kSllHead, hex("08")}), "truncated");
}

// ---- Linux cooked v2 -------------------------------------------------------

TEST(CaptureSll2, Ipv6WithIfindexFromTheHeader) {
  // Protocol IPv6, ifindex 7, ARPHRD_ETHER, outgoing, address 02:..:0b.
  const Bytes frame = cat({hex("86 dd 00 00 00 00 00 07 00 01 04 06 02 00 00 00 00 0b 00 00"), kTcp6});
  FlowRecord plain = one_record(Datalink::kLinuxSll2, frame);
  expect_tcp6(plain);
  EXPECT_EQ(plain.src_mac, mac({2, 0, 0, 0, 0, 0x0b}));
  EXPECT_EQ(plain.in_iface, 0u);  // no pcap_direction: no ifindex, as pmacct
  EXPECT_EQ(plain.out_iface, 0u);

  // pcap_ifindex: sys, pcap_direction: out: the packet's own ifindex.
  RecordContext ctx;
  ctx.direction = Direction::kOut;
  ctx.ifindex = 0;  // capturing on "any"
  ctx.ifindex_from_link = true;
  FlowRecord r = one_record(Datalink::kLinuxSll2, frame, ctx);
  EXPECT_EQ(r.out_iface, 7u);
  EXPECT_EQ(r.in_iface, 0u);
  EXPECT_EQ(r.direction, Direction::kOut);
}

TEST(CaptureSll2, MplsAndIpv4) {
  FlowRecord r = one_record(Datalink::kLinuxSll2,
                            cat({hex("88 47 00 00 00 00 00 02 00 01 00 06 02 00 00 00 00 0c 00 00"), kMpls2, kUdp4}));
  expect_udp4(r);
  EXPECT_EQ(r.mpls_label_top, 16001u);
  EXPECT_EQ(r.mpls_stack_depth, 2);
}

TEST(CaptureSll2, Truncated) {
  expect_not_parsed(Datalink::kLinuxSll2, hex("08 00 00 00 00 00 00 02 00 01 00 06 02 00 00 00 00 0c 00"),
                    "truncated");
}

// ---- raw IP ----------------------------------------------------------------

TEST(CaptureRaw, VersionFromTheFirstNibble) {
  expect_udp4(one_record(Datalink::kRawIp, kUdp4));
  expect_tcp6(one_record(Datalink::kRawIp, kTcp6));
  FlowRecord r = one_record(Datalink::kRawIp, kUdp4);
  EXPECT_EQ(r.src_mac, mac({0, 0, 0, 0, 0, 0}));
  Bytes bad = kUdp4;
  bad[0] = 0x55;  // version 5
  expect_not_parsed(Datalink::kRawIp, bad, "malformed");
  expect_not_parsed(Datalink::kRawIp, Bytes{}, "truncated");
}

TEST(CaptureRaw, Ipv4AndIpv6Datalinks) {
  expect_udp4(one_record(Datalink::kIpv4, kUdp4));
  expect_tcp6(one_record(Datalink::kIpv6, kTcp6));
  // The datalink says IPv4: an IPv6 packet there is inconsistent.
  expect_not_parsed(Datalink::kIpv4, kTcp6, "malformed");
}

// ---- BSD null / loop ---------------------------------------------------------

TEST(CaptureNull, AddressFamilyInEitherByteOrder) {
  expect_udp4(one_record(Datalink::kNull, cat({hex("02 00 00 00"), kUdp4})));  // little-endian host
  expect_udp4(one_record(Datalink::kNull, cat({hex("00 00 00 02"), kUdp4})));  // big-endian host
  // AF_INET6 of Linux, NetBSD/OpenBSD, FreeBSD, macOS; both byte orders.
  for (const char* af : {"0a 00 00 00", "18 00 00 00", "1c 00 00 00", "1e 00 00 00", "00 00 00 1e"}) {
    SCOPED_TRACE(af);
    expect_tcp6(one_record(Datalink::kNull, cat({hex(af), kTcp6})));
  }
  expect_not_parsed(Datalink::kNull, cat({hex("07 00 00 00"), kUdp4}), "non_ip");  // AF_IMPLINK
  expect_not_parsed(Datalink::kNull, hex("02 00 00"), "truncated");
}

TEST(CaptureLoop, NetworkByteOrder) {
  expect_udp4(one_record(Datalink::kLoop, cat({hex("00 00 00 02"), kUdp4})));
  expect_tcp6(one_record(Datalink::kLoop, cat({hex("00 00 00 18"), kTcp6})));
}

// ---- direction and ifindex -------------------------------------------------

TEST(CaptureRecord, IfindexFollowsTheDirection) {
  const Bytes frame = cat({kEthAddrs, hex("08 00"), kUdp4});
  RecordContext in;
  in.direction = Direction::kIn;
  in.ifindex = 42;
  FlowRecord r = one_record(Datalink::kEthernet, frame, in);
  EXPECT_EQ(r.in_iface, 42u);
  EXPECT_EQ(r.out_iface, 0u);
  EXPECT_EQ(r.direction, Direction::kIn);
  RecordContext out = in;
  out.direction = Direction::kOut;
  r = one_record(Datalink::kEthernet, frame, out);
  EXPECT_EQ(r.in_iface, 0u);
  EXPECT_EQ(r.out_iface, 42u);
  // An Ethernet frame has no ifindex of its own: ifindex_from_link keeps 42.
  out.ifindex_from_link = true;
  EXPECT_EQ(one_record(Datalink::kEthernet, frame, out).out_iface, 42u);
}

// ---- batching and counters ---------------------------------------------------

TEST(CaptureBatcher, FullBatchesThenTheRestOnFlush) {
  Collector c(Datalink::kEthernet, {}, 3);
  const Bytes ip_frame = cat({kEthAddrs, hex("08 00"), kUdp4});
  const Bytes arp = hex("ff ff ff ff ff ff 02 00 00 00 00 01 08 06 00 01");
  for (int i = 0; i < 7; ++i) c.feed(ip_frame, 1000 + i);
  c.feed(arp);
  ASSERT_EQ(c.batches().size(), 2u);  // 3 + 3 delivered as they filled
  // Delivered batches are covered by the counters already.
  EXPECT_EQ(c.counter("ip_packets"), 6u);
  EXPECT_EQ(c.counter("received"), 6u);
  auto recs = c.records();
  ASSERT_EQ(c.batches().size(), 3u);
  EXPECT_EQ(c.batches()[2].size(), 1u);
  ASSERT_EQ(recs.size(), 7u);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(recs[static_cast<std::size_t>(i)].first_ns, 1000 + i);
  EXPECT_EQ(c.counter("received"), 8u);
  EXPECT_EQ(c.counter("ip_packets"), 7u);
  EXPECT_EQ(c.counter("ip_bytes"), 7u * 38u);
  EXPECT_EQ(c.counter("not_parsed"), 1u);
  EXPECT_EQ(c.counter("received"), c.counter("ip_packets") + c.counter("not_parsed"));
  c.batcher().flush();  // nothing pending: no empty batch
  EXPECT_EQ(c.batches().size(), 3u);
}

}  // namespace
}  // namespace xacct::capture
