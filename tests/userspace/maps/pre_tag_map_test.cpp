// pre_tag_map semantics case by case (userspace/maps/pre_tag_map.hpp): each
// MATCH key, negation, first match, jeq chains and "next", stack, label
// concatenation, N++, return=true, the exporter-family views, and every bad
// line reported with its line number.
#include "userspace/maps/pre_tag_map.hpp"

#include <gtest/gtest.h>

#include "tests/userspace/record_builder.hpp"
#include "userspace/label_pool.hpp"

namespace xacct::maps {
namespace {

using userspace::Direction;
using userspace::FlowRecord;
using userspace::LabelPool;
using userspace::testing::flow;
using userspace::testing::ip;

std::shared_ptr<const PreTagMap> map_of(const std::string& text, LoadReport* report = nullptr,
                                        PreTagOptions options = {}) {
  LoadReport local;
  auto m = PreTagMap::parse(text, "tags.map", options, report != nullptr ? *report : local);
  if (report == nullptr && !local.warnings.empty()) throw std::runtime_error(local.warnings.front());
  return m;
}

struct Tags {
  std::uint64_t tag;
  std::uint64_t tag2;
  std::string label;
};

Tags tag(const PreTagMap& m, FlowRecord r) {
  m.apply(r, nullptr);
  return {r.tag, r.tag2, std::string(LabelPool::global().lookup(r.label_id))};
}

std::uint64_t tag_of(const PreTagMap& m, const FlowRecord& r) { return tag(m, r).tag; }

FlowRecord tcp() { return flow("198.18.0.1", "198.18.1.2", 40000, 443, 6, 3, 300); }
FlowRecord udp53() { return flow("198.18.0.1", "198.18.1.2", 40001, 53, 17, 1, 60); }

TEST(PreTagMap, SpecExampleJeqAndLabels) {
  // spec/maps.md §1: TCP -> tag 10 label "other", UDP/53 -> tag 20 label "dns".
  auto m = map_of(
      "! tag by protocol, then label\n"
      "set_tag=10\tfilter='tcp'\tjeq=lbl\n"
      "set_tag=20\tfilter='udp'\tjeq=lbl\n"
      "set_label=dns\tfilter='udp and port 53'\tlabel=lbl\n"
      "set_label=other\tfilter='ip or ip6'\n");
  EXPECT_EQ(m->rule_count(), 4u);
  Tags t = tag(*m, tcp());
  EXPECT_EQ(t.tag, 10u);
  EXPECT_EQ(t.label, "other");
  t = tag(*m, udp53());
  EXPECT_EQ(t.tag, 20u);
  EXPECT_EQ(t.label, "dns");
  FlowRecord icmp = flow("198.18.0.1", "198.18.1.2", 0, 0, 1, 1, 84);
  t = tag(*m, icmp);
  EXPECT_EQ(t.tag, 0u);
  EXPECT_EQ(t.label, "other");
}

TEST(PreTagMap, FirstMatchWins) {
  auto m = map_of(
      "set_tag=1 in=3\n"
      "set_tag=2 in=3\n"
      "set_tag=3\n");
  FlowRecord r = tcp();
  r.in_iface = 3;
  EXPECT_EQ(tag_of(*m, r), 1u);
  r.in_iface = 4;
  EXPECT_EQ(tag_of(*m, r), 3u);  // catch-all
}

TEST(PreTagMap, NoMatchClearsTagsTheInputCarried) {
  auto m = map_of("set_tag=5 in=9\n");
  FlowRecord r = tcp();
  r.tag = 77;
  r.tag2 = 78;
  r.label_id = LabelPool::global().intern("old");
  Tags t = tag(*m, r);
  EXPECT_EQ(t.tag, 0u);
  EXPECT_EQ(t.tag2, 0u);
  EXPECT_EQ(t.label, "");
}

TEST(PreTagMap, InOutAndNegation) {
  auto m = map_of(
      "set_tag=1 in=2 out=-5\n"
      "set_tag=2 out=5\n");
  FlowRecord r = tcp();
  r.in_iface = 2;
  r.out_iface = 7;
  EXPECT_EQ(tag_of(*m, r), 1u);
  r.out_iface = 5;
  EXPECT_EQ(tag_of(*m, r), 2u);
  r.in_iface = 3;
  r.out_iface = 6;
  EXPECT_EQ(tag_of(*m, r), 0u);
}

TEST(PreTagMap, Direction) {
  auto m = map_of(
      "set_tag=1 direction=0\n"
      "set_tag=2 direction=out\n");
  FlowRecord r = tcp();
  r.direction = Direction::kIn;
  EXPECT_EQ(tag_of(*m, r), 1u);
  r.direction = Direction::kOut;
  EXPECT_EQ(tag_of(*m, r), 2u);
  r.direction = Direction::kUnknown;
  EXPECT_EQ(tag_of(*m, r), 0u);
}

TEST(PreTagMap, VlanAndMacs) {
  auto m = map_of(
      "set_tag=1 vlan=100 src_mac=00:11:22:33:44:55\n"
      "set_tag=2 dst_mac=66:77:88:99:AA:bb\n"
      "set_tag=3 vlan=-0\n");
  FlowRecord r = tcp();
  r.vlan = 100;
  r.src_mac = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
  EXPECT_EQ(tag_of(*m, r), 1u);
  r.src_mac[5] = 0x56;
  EXPECT_EQ(tag_of(*m, r), 3u);  // tagged, but not with that MAC
  r.dst_mac = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
  EXPECT_EQ(tag_of(*m, r), 2u);
  FlowRecord untagged = tcp();
  EXPECT_EQ(tag_of(*m, untagged), 0u);
}

TEST(PreTagMap, SrcNetDstNetV4AndV6) {
  auto m = map_of(
      "set_tag=1 src_net=198.18.0.0/24 dst_net=198.18.1.0/24\n"
      "set_tag=2 dst_net=2001:db8:1::/48\n"
      "set_tag=3 src_net=-198.18.0.0/15\n");
  EXPECT_EQ(tag_of(*m, tcp()), 1u);
  EXPECT_EQ(tag_of(*m, flow("2001:db8::1", "2001:db8:1::9", 1, 2, 17, 1, 1)), 2u);
  EXPECT_EQ(tag_of(*m, flow("192.0.2.1", "192.0.2.2", 1, 2, 17, 1, 1)), 3u);
  EXPECT_EQ(tag_of(*m, flow("198.19.0.1", "192.0.2.2", 1, 2, 17, 1, 1)), 0u);
}

TEST(PreTagMap, NexthopAndBgpNexthopCompareThePeerDstIp) {
  auto m = map_of(
      "set_tag=1 nexthop=10.0.0.254\n"
      "set_tag=2 bgp_nexthop=2001:db8::fe\n");
  FlowRecord r = tcp();
  r.peer_dst_ip = ip("10.0.0.254");
  EXPECT_EQ(tag_of(*m, r), 1u);
  r.peer_dst_ip = ip("2001:db8::fe");
  EXPECT_EQ(tag_of(*m, r), 2u);
  r.peer_dst_ip = {};
  EXPECT_EQ(tag_of(*m, r), 0u);
}

TEST(PreTagMap, AsKeys) {
  auto m = map_of(
      "set_tag=1 src_as=65001 dst_as=65002\n"
      "set_tag=2 peer_src_as=64500\n"
      "set_tag=3 peer_dst_as=64501\n");
  FlowRecord r = tcp();
  r.src_as = 65001;
  r.dst_as = 65002;
  EXPECT_EQ(tag_of(*m, r), 1u);
  r.dst_as = 1;
  r.peer_src_as = 64500;
  EXPECT_EQ(tag_of(*m, r), 2u);
  r.peer_src_as = 0;
  r.peer_dst_as = 64501;
  EXPECT_EQ(tag_of(*m, r), 3u);
}

TEST(PreTagMap, EngineIdSourceIdAndFwdStatus) {
  auto m = map_of(
      "set_tag=1 source_id=4242\n"
      "set_tag=2 engine_id=17\n"
      "set_tag=3 fwdstatus=128\n"
      "set_tag=4 fwdstatus=66\n");
  FlowRecord r = tcp();
  r.export_proto_sysid = 4242;
  EXPECT_EQ(tag_of(*m, r), 1u);
  r.export_proto_sysid = 17;
  EXPECT_EQ(tag_of(*m, r), 2u);
  r.export_proto_sysid = 0;
  r.fwd_status = 130;  // dropped, ACL deny: in class 128
  EXPECT_EQ(tag_of(*m, r), 3u);
  r.fwd_status = 66;
  EXPECT_EQ(tag_of(*m, r), 4u);
  r.fwd_status = 65;
  EXPECT_EQ(tag_of(*m, r), 0u);
}

TEST(PreTagMap, IsMulticastLooksAtTheDstMac) {
  auto m = map_of(
      "set_tag=1 is_multicast=true\n"
      "set_tag=2 is_multicast=false\n");
  FlowRecord r = tcp();
  r.dst_mac = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
  EXPECT_EQ(tag_of(*m, r), 1u);
  r.dst_mac = {0x00, 0x00, 0x5e, 0x00, 0x00, 0x01};
  EXPECT_EQ(tag_of(*m, r), 2u);
}

TEST(PreTagMap, FilterOnTheRebuiltPacket) {
  auto m = map_of(
      "set_tag=1 filter='vlan and udp port 53'\n"
      "set_tag=2 filter='udp port 53'\n"
      "set_tag=3 filter='tcp[tcpflags] & tcp-syn != 0' in=1\n");
  FlowRecord r = udp53();
  EXPECT_EQ(tag_of(*m, r), 2u);
  r.vlan = 10;
  EXPECT_EQ(tag_of(*m, r), 1u);
  FlowRecord t = tcp();
  t.tcp_flags = 0x02;
  t.in_iface = 1;
  EXPECT_EQ(tag_of(*m, t), 3u);
  t.in_iface = 2;
  EXPECT_EQ(tag_of(*m, t), 0u);
}

TEST(PreTagMap, IpSelectsByExporterAndProbeRecordsSkipIpRules) {
  auto m = map_of(
      "set_tag=1 ip=192.0.2.0/24\n"
      "set_tag=2 ip=2001:db8::/32\n"
      "set_tag=3 ip=0.0.0.0/0\n"
      "set_tag=4\n");
  FlowRecord r = tcp();
  r.peer_src_ip = ip("192.0.2.7");
  EXPECT_EQ(tag_of(*m, r), 1u);
  r.peer_src_ip = ip("203.0.113.1");
  EXPECT_EQ(tag_of(*m, r), 3u);
  r.peer_src_ip = ip("2001:db8::7");
  EXPECT_EQ(tag_of(*m, r), 2u);
  r.peer_src_ip = ip("2001:db9::7");
  EXPECT_EQ(tag_of(*m, r), 4u);
  r.peer_src_ip = {};  // probe: no exporter
  EXPECT_EQ(tag_of(*m, r), 4u);
}

TEST(PreTagMap, JeqNextAndStackSum) {
  // pretag.map.example "JEQ example #2": in and out folded into one tag.
  auto m = map_of(
      "set_tag=11000 in=1 jeq=eval_out\n"
      "set_tag=12000 in=2 jeq=eval_out\n"
      "set_tag=100 out=1 label=eval_out stack=sum\n"
      "set_tag=101 out=2 stack=sum\n");
  FlowRecord r = tcp();
  r.in_iface = 2;
  r.out_iface = 2;
  EXPECT_EQ(tag_of(*m, r), 12101u);
  r.in_iface = 1;
  r.out_iface = 1;
  EXPECT_EQ(tag_of(*m, r), 11100u);
  r.out_iface = 9;  // jumped, nothing after matched: the tag so far
  EXPECT_EQ(tag_of(*m, r), 11000u);
  r.in_iface = 9;
  r.out_iface = 2;  // never jumped: stack with 0
  EXPECT_EQ(tag_of(*m, r), 101u);
}

TEST(PreTagMap, StackOrAndLaterTagWinsWithoutStack) {
  auto m = map_of(
      "set_tag=1 jeq=next\n"
      "set_tag=6 stack=or jeq=next\n"
      "set_tag=3 in=5\n"
      "set_tag2=9\n");
  FlowRecord r = tcp();
  EXPECT_EQ(tag(*m, r).tag, 7u);  // 1 | 6, then tag2 rule
  EXPECT_EQ(tag(*m, r).tag2, 9u);
  r.in_iface = 5;
  EXPECT_EQ(tag(*m, r).tag, 3u);  // no stack: replaces; stops there
  EXPECT_EQ(tag(*m, r).tag2, 0u);
}

TEST(PreTagMap, TagAndTag2AlongAChain) {
  // pretag.map.example "JEQ example #1".
  auto m = map_of(
      "set_tag=1000 in=1 jeq=eval_out\n"
      "set_tag=1001 in=2 jeq=eval_out\n"
      "set_tag2=1000 out=1 label=eval_out\n"
      "set_tag2=1001 out=2\n");
  FlowRecord r = tcp();
  r.in_iface = 2;
  r.out_iface = 1;
  Tags t = tag(*m, r);
  EXPECT_EQ(t.tag, 1001u);
  EXPECT_EQ(t.tag2, 1000u);
}

TEST(PreTagMap, LabelsAlongAChainAreJoined) {
  auto m = map_of(
      "set_label=blabla label=blabla jeq=blabla2\n"
      "set_label=blabla2 label=blabla2 jeq=third\n"
      "set_tag=5 in=99 label=third\n"
      "set_label=last\n");
  EXPECT_EQ(tag(*m, tcp()).label, "blabla,blabla2,last");
}

TEST(PreTagMap, LabelWithKeyValueAndCommas) {
  // pmacct after 1.7.7: set_label may hold key%value pairs for
  // pre_tag_label_encode_as_map.
  PreTagOptions o;
  o.label_encode_as_map = true;
  LoadReport report;
  auto m = map_of(
      "set_label=site%ams,role%edge in=1 jeq=next\n"
      "set_label=tier%1\n"
      "set_label=novalue in=2\n"
      "set_label=k% in=3\n",
      &report, o);
  ASSERT_EQ(report.warnings.size(), 2u);
  EXPECT_EQ(report.warnings[0],
            "tags.map:3: invalid set_label 'novalue' (pre_tag_label_encode_as_map needs key%value items "
            "separated by ','); line skipped");
  EXPECT_EQ(report.warnings[1].rfind("tags.map:4: invalid set_label 'k%'", 0), 0u);
  FlowRecord r = tcp();
  r.in_iface = 1;
  EXPECT_EQ(tag(*m, r).label, "site%ams,role%edge,tier%1");
  // Without the option any text goes.
  EXPECT_EQ(tag(*map_of("set_label=a,b\n"), tcp()).label, "a,b");
}

TEST(PreTagMap, AutoIncrementCountsMatches) {
  auto m = map_of(
      "set_tag=1++ in=1\n"
      "id2=100++\n");
  FlowRecord r = tcp();
  r.in_iface = 1;
  EXPECT_EQ(tag_of(*m, r), 1u);
  EXPECT_EQ(tag_of(*m, r), 2u);
  EXPECT_EQ(tag_of(*m, r), 3u);
  r.in_iface = 2;
  EXPECT_EQ(tag(*m, r).tag2, 100u);
  EXPECT_EQ(tag(*m, r).tag2, 101u);
  r.in_iface = 1;
  EXPECT_EQ(tag_of(*m, r), 4u);
}

TEST(PreTagMap, IdAndId2AreOldNames) {
  auto m = map_of(
      "id=7 in=1\n"
      "id2=8 in=2\n");
  FlowRecord r = tcp();
  r.in_iface = 1;
  EXPECT_EQ(tag(*m, r).tag, 7u);
  r.in_iface = 2;
  EXPECT_EQ(tag(*m, r).tag2, 8u);
  EXPECT_EQ(tag(*m, r).tag, 0u);
}

TEST(PreTagMap, MoreThanOneSetKeyOnlyTheFirstAppliesAllThreeRejected) {
  LoadReport report;
  auto m = map_of(
      "set_tag=7 set_label=x in=1\n"
      "set_tag2=8 set_label=y in=2\n"
      "set_tag=1 set_tag2=2 set_label=z\n",
      &report);
  ASSERT_EQ(report.warnings.size(), 3u);
  EXPECT_EQ(report.warnings[0],
            "tags.map:1: more than one of set_tag, set_tag2, set_label: only set_tag applies (as in pmacct)");
  EXPECT_EQ(report.warnings[1],
            "tags.map:2: more than one of set_tag, set_tag2, set_label: only set_tag2 applies (as in pmacct)");
  EXPECT_EQ(report.warnings[2],
            "tags.map:3: set_tag, set_tag2 and set_label are mutually exclusive; line skipped");
  EXPECT_EQ(m->rule_count(), 2u);
  FlowRecord r = tcp();
  r.in_iface = 1;
  Tags t = tag(*m, r);
  EXPECT_EQ(t.tag, 7u);
  EXPECT_EQ(t.label, "");
  r.in_iface = 2;
  t = tag(*m, r);
  EXPECT_EQ(t.tag2, 8u);
  EXPECT_EQ(t.label, "");
}

TEST(PreTagMap, ReturnTrueEmitsACopyAndStartsOver) {
  auto m = map_of(
      "set_tag=1 jeq=second return=true\n"
      "set_tag=2 label=second\n");
  FlowRecord r = tcp();
  userspace::RecordBatch copies;
  m->apply(r, &copies);
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0].tag, 1u);
  EXPECT_EQ(copies[0].packets, 3u);
  EXPECT_EQ(r.tag, 2u);  // no stack: starts from 0 after the copy anyway
}

TEST(PreTagMap, BackwardAndUnknownJeqAreReportedAndIgnored) {
  LoadReport report;
  auto m = map_of(
      "set_tag=1 in=1 label=top\n"
      "set_tag=2 in=2 jeq=top\n"
      "set_tag=3 in=3 jeq=nowhere\n"
      "set_tag=4\n",
      &report);
  ASSERT_EQ(report.warnings.size(), 2u);
  EXPECT_EQ(report.warnings[0], "tags.map:2: jeq 'top': no rule labelled so after this one; jeq ignored");
  EXPECT_EQ(report.warnings[1], "tags.map:3: jeq 'nowhere': no rule labelled so after this one; jeq ignored");
  FlowRecord r = tcp();
  r.in_iface = 2;
  EXPECT_EQ(tag_of(*m, r), 2u);  // a plain first match
  r.in_iface = 3;
  EXPECT_EQ(tag_of(*m, r), 3u);
}

TEST(PreTagMap, JeqJumpsToTheFirstRuleWithTheLabel) {
  auto m = map_of(
      "set_tag=1 jeq=x\n"
      "set_tag=10 label=x in=1 stack=sum\n"
      "set_tag=20 label=x stack=sum\n");
  FlowRecord r = tcp();
  EXPECT_EQ(tag_of(*m, r), 21u);  // x = line 2, which does not match; line 3 does
  r.in_iface = 1;
  EXPECT_EQ(tag_of(*m, r), 11u);
}

TEST(PreTagMap, JumpsResolveWithinTheExporterFamily) {
  LoadReport report;
  auto m = map_of(
      "set_tag=1 ip=192.0.2.1 jeq=x\n"
      "set_tag=50 ip=2001:db8::1 label=x stack=sum\n"
      "set_tag=7 label=x stack=sum\n",
      &report);
  EXPECT_TRUE(report.warnings.empty());
  FlowRecord r = tcp();
  r.peer_src_ip = ip("192.0.2.1");
  EXPECT_EQ(tag_of(*m, r), 8u);  // the v6 rule is not in the v4 view
}

TEST(PreTagMap, JeqResolvedForSomeExportersOnlyIsReportedForTheOthers) {
  LoadReport report;
  auto m = map_of(
      "set_tag=1 jeq=x\n"
      "set_tag=2 ip=192.0.2.1 label=x stack=sum\n",
      &report);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_EQ(report.warnings[0],
            "tags.map:1: jeq 'x': no rule labelled so after this one for records without exporter, IPv6 "
            "exporters; jeq ignored");
  FlowRecord r = tcp();
  r.peer_src_ip = ip("192.0.2.1");
  EXPECT_EQ(tag_of(*m, r), 3u);
  r.peer_src_ip = {};
  EXPECT_EQ(tag_of(*m, r), 1u);
}

TEST(PreTagMap, BadLinesAreReportedWithLineNumbersAndSkipped) {
  LoadReport report;
  auto m = map_of(
      "set_tag=1 in=1\n"                        // 1 ok
      "set_tag = 2\n"                           // 2
      "set_tag=3 colour=blue\n"                 // 3
      "set_tag=x\n"                             // 4
      "set_tag=5 in=eth0\n"                     // 5
      "set_tag=6 filter='tcp and'\n"            // 6
      "set_tag=7 vlan=5000\n"                   // 7
      "set_tag=8 engine_type=1\n"               // 8
      "set_tag=9 src_mac=00:11:22\n"            // 9
      "set_tag=10 ip=300.1.1.1\n"               // 10
      "  ! comment\n"                           // 11
      "\n"                                      // 12
      "set_tag=13 in=1 in=2\n"                  // 13
      "set_tag=14 filter='udp\n"                // 14
      "set_tag=15 stack=max\n"                  // 15
      "set_tag=16 a|b=1\n"                      // 16
      "set_tag=17 direction=2\n"                // 17
      "set_tag=18 ip=-192.0.2.1\n"              // 18
      "set_tag=19 in=-\n"                       // 19
      "set_tag=20 return=maybe\n"               // 20
      "set_tag=21 in=2\n",                      // 21 ok
      &report);
  const std::vector<std::string> expected = {
      "tags.map:2: malformed token 'set_tag' (expected key=value, without blanks around '='); line skipped",
      "tags.map:3: unknown key 'colour'; line skipped",
      "tags.map:4: invalid set_tag 'x' (expected 0..2^64-1, optionally N++); line skipped",
      "tags.map:5: invalid in 'eth0' (expected an ifindex); line skipped",
      "tags.map:6: invalid filter 'tcp and': can't parse filter expression: syntax error; line skipped",
      "tags.map:7: invalid vlan '5000' (expected 0..4096); line skipped",
      "tags.map:8: key 'engine_type' is not supported by xacct yet (records do not carry it); line skipped",
      "tags.map:9: invalid src_mac '00:11:22' (expected xx:xx:xx:xx:xx:xx); line skipped",
      "tags.map:10: invalid ip '300.1.1.1': bad IP address '300.1.1.1' (negation is not supported for ip); "
      "line skipped",
      "tags.map:13: key 'in' given twice; line skipped",
      "tags.map:14: malformed line: unbalanced quote; line skipped",
      "tags.map:15: invalid stack 'max' (expected sum or or); line skipped",
      "tags.map:16: malformed line: '|' is not allowed; line skipped",
      "tags.map:17: invalid direction '2' (expected 0 (ingress), 1 (egress), in or out); line skipped",
      "tags.map:18: invalid ip '-192.0.2.1': bad IP address '-192.0.2.1' (negation is not supported for ip); "
      "line skipped",
      "tags.map:19: invalid in '-' (expected an ifindex); line skipped",
      "tags.map:20: invalid return 'maybe' (expected true or false); line skipped",
  };
  EXPECT_EQ(report.warnings, expected);
  EXPECT_EQ(m->rule_count(), 2u);
  FlowRecord r = tcp();
  r.in_iface = 2;
  EXPECT_EQ(tag_of(*m, r), 21u);
}

TEST(PreTagMap, MapsEntriesAndRowLength) {
  PreTagOptions o;
  o.max_entries = 2;
  o.max_row_len = 20;
  LoadReport report;
  auto m = map_of(
      "set_tag=1 in=1\n"
      "set_tag=2 in=2 out=3 vlan=4\n"  // 27 chars: too long
      "set_tag=3 in=3\n"
      "set_tag=4 in=4\n",
      &report, o);
  ASSERT_EQ(report.warnings.size(), 2u);
  EXPECT_EQ(report.warnings[0],
            "tags.map:2: line too long (max 19 characters, raise maps_row_len); line skipped");
  EXPECT_EQ(report.warnings[1],
            "tags.map:4: map cut to the first 2 entries (raise maps_entries); this and later lines ignored");
  EXPECT_EQ(m->rule_count(), 2u);
  FlowRecord r = tcp();
  r.in_iface = 3;
  EXPECT_EQ(tag_of(*m, r), 3u);
  r.in_iface = 4;
  EXPECT_EQ(tag_of(*m, r), 0u);
}

TEST(PreTagMap, LoadFailsOnlyWhenTheFileCannotBeRead) {
  LoadReport report;
  auto m = PreTagMap::load("/nonexistent/tags.map", {}, report);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message, "pre_tag_map /nonexistent/tags.map: cannot read: No such file or directory");
}

}  // namespace
}  // namespace xacct::maps
