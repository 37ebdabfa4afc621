// Byte-exact NetFlow v5 / v9 and IPFIX datagrams shared by the decoder unit
// tests, the fuzz seed generators (tests/fuzz/nf_*_seeds.cpp) and the decode
// benchmark (tools/bench/nf_decode_bench.cpp). The v5 and v9 vectors are
// written out byte by byte with their field values; the IPFIX ones are built
// with Writer (tests/collector/nf_test_util.hpp), field by field.
// The expected values live in the tests (nf_v5_test.cpp, ...).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/collector/nf_test_util.hpp"

namespace xacct::tests::nf {

// NetFlow v5: sysUptime 100000 ms, export 1700000000.5 s, flow_sequence 1000,
// engine 1/7, sampling mode 1 interval 100; two records.
inline std::vector<std::uint8_t> v5_two_records() {
  return from_hex(
      "0005 0002 000186a0 6553f100 1dcd6500 000003e8 01 07 4064"
      // TCP 10.0.0.1:12345 -> 10.0.1.1:80 via 10.255.0.1, if 3 -> 7, 3 pkts 1500 B,
      // first 90000 last 99000, flags 0x1a, AS 65001 -> 65002, masks 24/24
      "0a000001 0a000101 0aff0001 0003 0007 00000003 000005dc 00015f90 000182b8"
      "3039 0050 00 1a 06 00 fde9 fdea 18 18 0000"
      // ICMP 192.0.2.1 -> 198.51.100.1 echo (dst port 0x0800), 1 pkt 84 B,
      // first 0xffffff00 (before sysUptime wrapped), last 100500 (after
      // sysUptime: exporter stamped late), flags 0x02 (ignored: not TCP), tos 0x10
      "c0000201 c6336401 00000000 0001 0002 00000001 00000054 ffffff00 00018894"
      "0000 0800 00 02 01 10 0000 0000 00 00 0000");
}

// NetFlow v9, source id 4242, seq 2, sysUptime 100000, export 1700000000:
// template flowset (template 256, 21 fields), options template flowset
// (257: scope system, sampler id / mode / random interval; 2 bytes of
// padding), options data flowset (sampler 1 = mode 2 interval 100), data
// flowset with two records of template 256.
inline std::vector<std::uint8_t> v9_full() {
  return from_hex(
      "0009 0004 000186a0 6553f100 00000002 00001092"
      // template flowset
      "0000 005c 0100 0015"
      "0008 0004 000c 0004 0007 0002 000b 0002 0004 0001 0006 0001 0005 0001"
      "000a 0002 000e 0002 0002 0004 0001 0004 0016 0004 0015 0004 0010 0004"
      "0011 0004 0009 0001 000d 0001 0012 0004 0046 0003 0030 0001 0059 0001"
      // options template flowset: id 257, scope length 4, option length 12
      "0001 001c 0101 0004 000c 0001 0004 0030 0001 0031 0001 0032 0004 0000"
      // options data: system 0, sampler 1, mode 2, interval 100, padding
      "0101 0010 00000000 01 02 00000064 0000"
      // data flowset, template 256
      "0100 0070"
      // 10.0.0.1:12345 -> 10.0.1.1:80 tcp flags 0x1a tos 0, if 3 -> 7, 3 pkts 1500 B,
      // first 90000 last 99000, AS 65001 -> 65002, masks 24/24, BGP next hop 10.255.0.1,
      // label 16001 (BoS), sampler 1, forwarding status 0x40
      "0a000001 0a000101 3039 0050 06 1a 00 0003 0007 00000003 000005dc 00015f90 000182b8"
      "0000fde9 0000fdea 18 18 0aff0001 03e811 01 40"
      // 10.0.0.2:53 -> 10.0.1.2:5353 udp tos 0xb8, if 4 -> 8, 10 pkts 1000 B,
      // first = last = sysUptime, masks 16/32, no next hop, no label, sampler 2 (unknown)
      "0a000002 0a000102 0035 14e9 11 00 b8 0004 0008 0000000a 000003e8 000186a0 000186a0"
      "00000000 00000000 10 20 00000000 000000 02 00");
}

// The same exporter later: seq 5 (3 and 4 lost), one record of template 256.
inline std::vector<std::uint8_t> v9_data_seq5() {
  return from_hex(
      "0009 0001 000186a0 6553f100 00000005 00001092"
      "0100 003a"
      "0a000001 0a000101 3039 0050 06 1a 00 0003 0007 00000003 000005dc 00015f90 000182b8"
      "0000fde9 0000fdea 18 18 0aff0001 03e811 01 40");
}

constexpr std::uint32_t kIpfixExport = 1700000000;

// IPFIX, domain 77, seq 0: template 300 (IPv4, 8-byte counters, ms times,
// MACs, VLANs, an unknown enterprise field, pmacct's tag, a variable-length
// enterprise field) and 301 (IPv6, reduced-size counters, NTP microsecond
// times, direction, dot1q VLANs); two records of 300, one of 301.
inline std::vector<std::uint8_t> ipfix_basic() {
  IpfixWriter w(kIpfixExport, 0, 77);
  auto t = w.begin_set(2);
  w.u16(300).u16(16);
  w.u16(8).u16(4).u16(12).u16(4).u16(7).u16(2).u16(11).u16(2).u16(4).u16(1);
  w.u16(1).u16(8).u16(2).u16(8).u16(152).u16(8).u16(153).u16(8);
  w.u16(56).u16(6).u16(80).u16(6).u16(58).u16(2).u16(59).u16(2);
  w.u16(0x8000 | 1).u16(4).u32(32473);       // RFC 5612 example enterprise: skipped
  w.u16(0x8000 | 1).u16(8).u32(43874);       // pmacct tag
  w.u16(0x8000 | 33).u16(65535).u32(29305);  // variable length, skipped
  w.u16(301).u16(10);
  w.u16(27).u16(16).u16(28).u16(16).u16(4).u16(1).u16(1).u16(2).u16(2).u16(1);
  w.u16(154).u16(8).u16(155).u16(8).u16(61).u16(1).u16(243).u16(2).u16(254).u16(2);
  w.end_set(t);
  auto d = w.begin_set(300);
  w.ip4("198.18.1.1").ip4("198.18.2.1").u16(40001).u16(5001).u8(17);
  w.u64(1280).u64(10).u64(1699999990123ull).u64(1700000000123ull);
  w.bytes(from_hex("020000000001 020000000002")).u16(100).u16(200);
  w.u32(0xdeadbeef).u64(42).u8(3).str("abc");
  w.ip4("198.18.1.1").ip4("198.18.2.1").u16(40002).u16(80).u8(6);
  w.u64(5320).u64(8).u64(1699999991000ull).u64(1699999992000ull);
  w.bytes(from_hex("020000000001 020000000002")).u16(0).u16(0);
  w.u32(0).u64(0).u8(255).u16(4).str("wxyz");  // 3-byte length form
  w.end_set(d);
  auto e = w.begin_set(301);
  w.ip6("2001:db8:1::1").ip6("2001:db8:2::1").u8(17).u16(992).u8(4);
  // NTP 1700000000.5 s: seconds since 1900, fraction 2^31
  w.u32(1700000000u + 2208988800u).u32(0x80000000u).u32(1700000001u + 2208988800u).u32(0);
  w.u8(1).u16(300).u16(301);
  w.end_set(e, 4);  // padded to 4 bytes
  return w.finish();
}

// IPFIX, domain 77, seq 3 (after ipfix_basic's 3 records): options
// templates and records for sampling (selector 5: 1 of every 100 packets,
// algorithm 1), interface names (ifindex 3 = "eth3", not NUL-terminated;
// ifindex 4 = "ge-0/0/4" NUL-padded in a fixed field) and the exporter
// (IE 130 = 203.0.113.9, IE 160 system init time), then a template with
// selectorId and uptime-relative times, and one record of it.
inline std::vector<std::uint8_t> ipfix_options() {
  IpfixWriter w(kIpfixExport, 3, 77);
  auto t = w.begin_set(3);
  w.u16(400).u16(4).u16(1).u16(302).u16(2).u16(305).u16(4).u16(306).u16(4).u16(304).u16(1);
  w.u16(401).u16(2).u16(1).u16(10).u16(4).u16(82).u16(65535);
  w.u16(402).u16(2).u16(1).u16(10).u16(4).u16(82).u16(16);
  w.u16(403).u16(3).u16(1).u16(149).u16(4).u16(130).u16(4).u16(160).u16(8);
  w.end_set(t);
  auto o1 = w.begin_set(400);
  w.u16(5).u32(1).u32(99).u8(1);
  w.end_set(o1);
  auto o2 = w.begin_set(401);
  w.u32(3).u8(4).str("eth3");
  w.end_set(o2);
  auto o3 = w.begin_set(402);
  w.u32(4).str("ge-0/0/4").bytes(std::vector<std::uint8_t>(8, 0));
  w.end_set(o3);
  auto o4 = w.begin_set(403);
  w.u32(77).ip4("203.0.113.9").u64(1699990000000ull);
  w.end_set(o4);
  auto t2 = w.begin_set(2);
  w.u16(303).u16(8).u16(8).u16(4).u16(12).u16(4).u16(302).u16(2).u16(1).u16(4).u16(2).u16(4);
  w.u16(22).u16(4).u16(21).u16(4).u16(10).u16(4);
  w.end_set(t2);
  auto d = w.begin_set(303);
  w.ip4("198.18.1.1").ip4("198.18.2.1").u16(5).u32(252).u32(3).u32(5000).u32(9000).u32(3);
  w.end_set(d);
  return w.finish();
}

// An Ethernet frame: VLAN 100 prio 5, IPv4 198.18.1.1:1234 -> 198.18.2.1:53
// UDP, IP total length 48 (20 + 8 + 20 bytes of payload).
inline std::vector<std::uint8_t> vlan_udp_frame() {
  Writer f;
  f.bytes(from_hex("020000000002 020000000001 8100 a064 0800"));
  f.bytes(from_hex("4500 0030 0001 0000 40 11 0000")).ip4("198.18.1.1").ip4("198.18.2.1");
  f.u16(1234).u16(53).u16(28).u16(0);
  f.bytes(std::vector<std::uint8_t>(20, 0x61));
  return f.data();
}

// IPFIX, domain 78: packet sampling with the frame in IE 315 (variable
// length) and the ingress interface; one record.
inline std::vector<std::uint8_t> ipfix_frame() {
  IpfixWriter w(kIpfixExport, 0, 78);
  auto t = w.begin_set(2);
  w.u16(310).u16(2).u16(10).u16(4).u16(315).u16(65535);
  w.end_set(t);
  auto d = w.begin_set(310);
  auto frame = vlan_udp_frame();
  w.u32(7).u8(frame.size()).bytes(frame);
  w.end_set(d);
  return w.finish();
}

}  // namespace xacct::tests::nf
