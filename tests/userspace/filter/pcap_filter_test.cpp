// libpcap expressions on records through the rebuilt packet
// (userspace/filter/pcap_filter.hpp, record_packet.hpp): host, net, port,
// proto, vlan, mpls, ether, and/or/not, TCP flags, lengths, ICMP type.
#include "userspace/filter/pcap_filter.hpp"

#include <gtest/gtest.h>

#include "tests/userspace/record_builder.hpp"

namespace xacct::filter {
namespace {

using userspace::FlowRecord;
using userspace::testing::flow;
using userspace::testing::ip;

bool match(std::string_view expr, const FlowRecord& r) {
  auto f = PcapFilter::compile(expr);
  if (!f) throw std::runtime_error(std::string(expr) + ": " + f.error().message);
  return f.value()->matches(r);
}

FlowRecord tcp_v4() {
  FlowRecord r = flow("198.18.0.1", "198.18.1.2", 1234, 80, 6, 10, 15000);
  r.tcp_flags = 0x12;  // SYN|ACK
  r.etype = 0x0800;
  r.src_mac = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
  r.dst_mac = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
  return r;
}
FlowRecord udp_v4() { return flow("198.18.0.1", "198.19.0.9", 5353, 53, 17, 2, 120); }
FlowRecord udp_v6() { return flow("2001:db8::1", "2001:db8::2", 5353, 53, 17, 1, 80); }

TEST(PcapFilter, HostAndDirectionQualifiers) {
  EXPECT_TRUE(match("host 198.18.0.1", tcp_v4()));
  EXPECT_TRUE(match("src host 198.18.0.1", tcp_v4()));
  EXPECT_FALSE(match("dst host 198.18.0.1", tcp_v4()));
  EXPECT_TRUE(match("dst host 198.18.1.2", tcp_v4()));
  EXPECT_FALSE(match("host 198.18.0.1", udp_v6()));
  EXPECT_TRUE(match("host 2001:db8::2", udp_v6()));
  EXPECT_TRUE(match("src host 2001:db8::1 and dst host 2001:db8::2", udp_v6()));
}

TEST(PcapFilter, Net) {
  EXPECT_TRUE(match("net 198.19.0.0/16", udp_v4()));
  EXPECT_TRUE(match("dst net 198.19.0.0/16", udp_v4()));
  EXPECT_FALSE(match("src net 198.19.0.0/16", udp_v4()));
  EXPECT_FALSE(match("net 198.19.0.0/16", tcp_v4()));
  EXPECT_TRUE(match("net 2001:db8::/32", udp_v6()));
  EXPECT_FALSE(match("net 2001:db9::/32", udp_v6()));
}

TEST(PcapFilter, PortsAndProtocols) {
  EXPECT_TRUE(match("port 53", udp_v4()));
  EXPECT_TRUE(match("port 53", udp_v6()));
  EXPECT_FALSE(match("port 53", tcp_v4()));
  EXPECT_TRUE(match("tcp dst port 80", tcp_v4()));
  EXPECT_FALSE(match("udp dst port 80", tcp_v4()));
  EXPECT_TRUE(match("src port 1234", tcp_v4()));
  EXPECT_TRUE(match("portrange 50-60", udp_v4()));
  EXPECT_TRUE(match("tcp", tcp_v4()));
  EXPECT_FALSE(match("tcp", udp_v4()));
  EXPECT_TRUE(match("udp", udp_v6()));
  EXPECT_TRUE(match("ip", udp_v4()));
  EXPECT_FALSE(match("ip", udp_v6()));
  EXPECT_TRUE(match("ip6", udp_v6()));
  EXPECT_TRUE(match("proto 17", udp_v4()));
  EXPECT_TRUE(match("ip6 proto 17", udp_v6()));
  FlowRecord sctp = flow("198.18.0.1", "198.18.0.2", 3868, 3868, 132, 1, 100);
  EXPECT_TRUE(match("sctp and port 3868", sctp));
}

TEST(PcapFilter, AndOrNot) {
  EXPECT_TRUE(match("tcp or udp", udp_v4()));
  EXPECT_TRUE(match("tcp or udp", tcp_v4()));
  EXPECT_FALSE(match("tcp and udp", tcp_v4()));
  EXPECT_TRUE(match("not tcp", udp_v4()));
  EXPECT_FALSE(match("not tcp", tcp_v4()));
  EXPECT_TRUE(match("udp and (port 53 or port 123) and not src net 10.0.0.0/8", udp_v4()));
  EXPECT_FALSE(match("udp and not port 53", udp_v4()));
}

TEST(PcapFilter, VlanNeedsTheVlanKeywordAsInPmacct) {
  FlowRecord r = udp_v4();
  r.vlan = 100;
  r.cos = 5;
  EXPECT_TRUE(match("vlan 100 and udp", r));
  EXPECT_TRUE(match("vlan and port 53", r));
  EXPECT_FALSE(match("vlan 101", r));
  EXPECT_FALSE(match("udp", r));  // the tag comes first, as on the wire
  EXPECT_TRUE(match("ether[14] >> 5 == 5", r));  // PCP = cos
  EXPECT_FALSE(match("vlan", udp_v4()));
}

TEST(PcapFilter, MplsLabels) {
  FlowRecord r = udp_v4();
  r.mpls_label_top = 16001;
  r.mpls_label_bottom = 24002;
  r.mpls_stack_depth = 2;
  EXPECT_TRUE(match("mpls 16001", r));
  EXPECT_TRUE(match("mpls 16001 and mpls 24002 and ip and udp", r));
  EXPECT_FALSE(match("mpls 24002", r));
  EXPECT_FALSE(match("udp", r));
  FlowRecord s = udp_v4();
  s.mpls_label_stack = {100, 200, 300};
  s.mpls_label_stack_len = 3;
  s.mpls_stack_depth = 3;
  EXPECT_TRUE(match("mpls 100 and mpls 200 and mpls 300 and port 53", s));
}

TEST(PcapFilter, EtherAddressesAndNonIp) {
  EXPECT_TRUE(match("ether src 00:11:22:33:44:55", tcp_v4()));
  EXPECT_TRUE(match("ether dst 66:77:88:99:aa:bb", tcp_v4()));
  EXPECT_FALSE(match("ether host 00:00:00:00:00:01", tcp_v4()));
  FlowRecord arp;
  arp.etype = 0x0806;
  arp.packets = 1;
  arp.bytes = 28;
  EXPECT_TRUE(match("arp", arp));
  EXPECT_TRUE(match("ether proto 0x0806", arp));
  EXPECT_FALSE(match("ip or ip6", arp));
}

TEST(PcapFilter, TcpFlagsAreTheFlowsOr) {
  EXPECT_TRUE(match("tcp[tcpflags] & tcp-syn != 0", tcp_v4()));
  EXPECT_TRUE(match("tcp[tcpflags] & tcp-ack != 0", tcp_v4()));
  EXPECT_FALSE(match("tcp[tcpflags] & tcp-fin != 0", tcp_v4()));
}

TEST(PcapFilter, LengthIsTheAveragePacket) {
  // 15000 bytes / 10 packets: 1500-byte IP packets, 1514-byte frames.
  EXPECT_TRUE(match("greater 1500", tcp_v4()));
  EXPECT_FALSE(match("greater 1515", tcp_v4()));
  EXPECT_TRUE(match("ip[2:2] == 1500", tcp_v4()));
  // 120 / 2 = 60-byte packets.
  EXPECT_TRUE(match("less 100", udp_v4()));
  EXPECT_TRUE(match("udp[4:2] == 40", udp_v4()));
}

TEST(PcapFilter, IcmpTypeFromDstPort) {
  FlowRecord echo = flow("198.18.0.1", "198.18.0.2", 0, 8 << 8, 1, 1, 84);
  EXPECT_TRUE(match("icmp", echo));
  EXPECT_TRUE(match("icmp[icmptype] == icmp-echo", echo));
  EXPECT_FALSE(match("icmp[icmptype] == icmp-echoreply", echo));
  FlowRecord echo6 = flow("2001:db8::1", "2001:db8::2", 0, 128 << 8, 58, 1, 104);
  EXPECT_TRUE(match("icmp6", echo6));
  EXPECT_TRUE(match("icmp6 and ip6[40] == 128", echo6));
}

TEST(PcapFilter, TosAndFieldsARecordLacks) {
  FlowRecord r = udp_v4();
  r.tos = 0xb8;  // DSCP 46
  EXPECT_TRUE(match("ip[1] == 0xb8", r));
  EXPECT_TRUE(match("ip[8] == 64", r));  // TTL is not carried: always 64
  FlowRecord v6 = udp_v6();
  v6.tos = 0xb8;
  EXPECT_TRUE(match("ip6[0:2] & 0x0ff0 == 0x0b80", v6));
  // Beyond the rebuilt headers: no match (libpcap rejects the read).
  EXPECT_FALSE(match("udp[8] == 0", udp_v4()));
}

TEST(PcapFilter, CompileErrorsComeFromLibpcap) {
  auto f = PcapFilter::compile("tcp and");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("syntax error"), std::string::npos) << f.error().message;
  EXPECT_FALSE(PcapFilter::compile("port 99999").ok());
  auto ok = PcapFilter::compile("udp port 53");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value()->expression(), "udp port 53");
}

TEST(RecordPacket, LayoutOfATcpV4Record) {
  RecordPacket p;
  build_record_packet(tcp_v4(), p);
  EXPECT_EQ(p.caplen, 14u + 20u + 20u);
  EXPECT_EQ(p.len, 14u + 1500u);
  EXPECT_EQ(p.bytes[12], 0x08);
  EXPECT_EQ(p.bytes[13], 0x00);
  EXPECT_EQ(p.bytes[14], 0x45);
  EXPECT_EQ(p.bytes[14 + 9], 6);
  EXPECT_EQ(p.bytes[14 + 12], 198);
  EXPECT_EQ(p.bytes[14 + 15], 1);
  EXPECT_EQ(p.bytes[34] << 8 | p.bytes[35], 1234);
  EXPECT_EQ(p.bytes[36] << 8 | p.bytes[37], 80);
  EXPECT_EQ(p.bytes[34 + 13], 0x12);
}

}  // namespace
}  // namespace xacct::filter
