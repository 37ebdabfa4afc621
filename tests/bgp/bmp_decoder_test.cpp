// BMP decoding (bgp/bmp_decoder.hpp) against the hand-built vectors of
// tests/bgp/bmp_vectors.hpp: every message type field by field, the stream
// splitter on every split of a whole stream, every truncation of every
// vector (exactly the cut points that leave a valid message decode) and
// random corruptions (errors, never a crash).
#include "bgp/bmp_decoder.hpp"

#include <gtest/gtest.h>

#include <random>

#include "tests/bgp/bmp_vectors.hpp"

namespace xacct::bgp::bmp {
namespace {

namespace v = xacct::tests::bmp;

IpAddress ip4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress ip;
  ip.bytes[10] = ip.bytes[11] = 0xff;
  ip.bytes[12] = a;
  ip.bytes[13] = b;
  ip.bytes[14] = c;
  ip.bytes[15] = d;
  return ip;
}

IpAddress ip6(std::initializer_list<std::uint8_t> head) {
  IpAddress ip;
  ip.is_v6 = true;
  std::size_t i = 0;
  for (std::uint8_t b : head) ip.bytes[i++] = b;
  return ip;
}

Bytes span(const v::Bytes& b) { return Bytes(b.data(), b.size()); }

// The caps kPeerUp negotiates (checked in PeerUp below).
SessionCaps peer_caps() {
  PeerUp up;
  DecodeError err;
  EXPECT_TRUE(decode_peer_up(span(v::kPeerUp), up, err)) << err.text();
  return up.caps;
}

void expect_peer_198_18_1_1(const PerPeerHeader& p) {
  EXPECT_EQ(p.type, 0);
  EXPECT_EQ(p.distinguisher, 0u);
  EXPECT_EQ(p.address, ip4(198, 18, 1, 1));
  EXPECT_EQ(p.as, 65001u);
  EXPECT_EQ(p.bgp_id, 0xc6120101u);
  EXPECT_EQ(p.ts_sec, 1700000000u);
  EXPECT_EQ(p.ts_usec, 123456u);
}

TEST(BmpDecoder, CommonHeaderOfEveryVector) {
  const std::pair<const v::Bytes*, int> all[] = {{&v::kInitiation, 4},
                                                 {&v::kPeerUp, 3},
                                                 {&v::kRouteMonitoringV4, 0},
                                                 {&v::kRouteMonitoringV6Post, 0},
                                                 {&v::kRouteMonitoringWithdraw, 0},
                                                 {&v::kStatsReport, 1},
                                                 {&v::kPeerDownNotification, 2},
                                                 {&v::kPeerDownFsm, 2},
                                                 {&v::kTermination, 5},
                                                 {&v::kRouteMirroring, 6},
                                                 {&v::kRouteMonitoringLocRib, 0},
                                                 {&v::kRouteMonitoringAdjRibOut, 0}};
  for (const auto& [bytes, type] : all) {
    CommonHeader h;
    DecodeError err;
    ASSERT_TRUE(decode_common_header(span(*bytes), h, err)) << err.text();
    EXPECT_EQ(h.version, 3);
    EXPECT_EQ(h.length, bytes->size());
    EXPECT_EQ(h.type, type);
  }
}

TEST(BmpDecoder, Initiation) {
  Initiation init;
  DecodeError err;
  ASSERT_TRUE(decode_initiation(span(v::kInitiation), init, err)) << err.text();
  EXPECT_EQ(init.sys_name, "r1");
  EXPECT_EQ(init.sys_descr, "xacct test router");
  ASSERT_EQ(init.strings.size(), 1u);
  EXPECT_EQ(init.strings[0], "hello");  // zero terminator dropped
  ASSERT_EQ(init.tlvs.size(), 3u);
  EXPECT_EQ(init.tlvs[0].type, kInfoSysName);
  EXPECT_EQ(init.tlvs[1].type, kInfoSysDescr);
  EXPECT_EQ(init.tlvs[2].type, kInfoString);
}

TEST(BmpDecoder, PeerUpAndItsCapabilities) {
  PeerUp up;
  DecodeError err;
  ASSERT_TRUE(decode_peer_up(span(v::kPeerUp), up, err)) << err.text();
  expect_peer_198_18_1_1(up.peer);
  EXPECT_FALSE(up.peer.v6());
  EXPECT_FALSE(up.peer.post_policy());
  EXPECT_EQ(up.local_address, ip4(198, 18, 0, 1));
  EXPECT_EQ(up.local_port, 179);
  EXPECT_EQ(up.remote_port, 40000);
  EXPECT_EQ(up.sent_open.asn(), 65000u);
  EXPECT_EQ(up.sent_open.bgp_id, 0xc6120001u);
  EXPECT_EQ(up.sent_open.hold_time, 90);
  EXPECT_EQ(up.received_open.asn(), 65001u);
  EXPECT_EQ(up.received_open.bgp_id, 0xc6120101u);
  EXPECT_EQ(up.sent_open.caps.add_path_mode(kIpv4Unicast), kAddPathReceive);
  EXPECT_EQ(up.received_open.caps.add_path_mode(kIpv4Unicast), kAddPathSend);
  EXPECT_EQ(up.received_open.caps.add_path_mode(kIpv6Unicast), 0);
  // The peer sends with path ids for IPv4 only; both have 4-byte AS.
  EXPECT_TRUE(up.caps.as4);
  EXPECT_TRUE(up.caps.add_path[0]);
  EXPECT_FALSE(up.caps.add_path[1]);
  ASSERT_EQ(up.tlvs.size(), 1u);
  EXPECT_EQ(up.tlvs[0].value, "up!");
}

TEST(BmpDecoder, RouteMonitoringIpv4WithAddPath) {
  RouteMonitoring rm;
  DecodeError err;
  ASSERT_TRUE(decode_route_monitoring(span(v::kRouteMonitoringV4), peer_caps(), rm, err)) << err.text();
  expect_peer_198_18_1_1(rm.peer);
  EXPECT_FALSE(rm.peer.post_policy());
  EXPECT_FALSE(rm.peer.adj_rib_out());
  EXPECT_TRUE(rm.update.withdrawn.empty());
  ASSERT_EQ(rm.update.announced.size(), 2u);
  EXPECT_EQ(rm.update.announced[0], (Prefix{ip4(198, 51, 100, 0), 24, 1}));
  EXPECT_EQ(rm.update.announced[1], (Prefix{ip4(203, 0, 112, 0), 22, 2}));
  EXPECT_EQ(rm.update.attrs.origin, Origin::kIgp);
  ASSERT_EQ(rm.update.attrs.as_path.size(), 1u);
  EXPECT_EQ(rm.update.attrs.as_path[0].asns, (std::vector<std::uint32_t>{65001, 64512}));
  EXPECT_EQ(rm.update.attrs.origin_as(), 64512u);
  EXPECT_TRUE(rm.update.attrs.has_next_hop);
  EXPECT_EQ(rm.update.attrs.next_hop, ip4(198, 18, 0, 9));
  EXPECT_TRUE(rm.update.attrs.has_med);
  EXPECT_EQ(rm.update.attrs.med, 50u);
  EXPECT_FALSE(rm.info.treat_as_withdraw);
}

TEST(BmpDecoder, RouteMonitoringIpv6PostPolicyTwoByteAs) {
  RouteMonitoring rm;
  DecodeError err;
  ASSERT_TRUE(decode_route_monitoring(span(v::kRouteMonitoringV6Post), peer_caps(), rm, err)) << err.text();
  EXPECT_TRUE(rm.peer.post_policy());
  EXPECT_TRUE(rm.peer.two_byte_as());
  EXPECT_FALSE(rm.peer.v6());
  ASSERT_EQ(rm.update.announced.size(), 2u);
  EXPECT_EQ(rm.update.announced[0], (Prefix{ip6({0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01}), 48, 0}));
  EXPECT_EQ(rm.update.announced[1], (Prefix{ip6({0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0x00, 0x03}), 64, 0}));
  ASSERT_EQ(rm.update.attrs.as_path.size(), 1u);
  EXPECT_EQ(rm.update.attrs.as_path[0].asns, (std::vector<std::uint32_t>{65001, 64513}));
  IpAddress nh = ip6({0x20, 0x01, 0x0d, 0xb8});
  nh.bytes[15] = 9;
  EXPECT_EQ(rm.update.attrs.next_hop, nh);
}

TEST(BmpDecoder, RouteMonitoringWithdrawal) {
  RouteMonitoring rm;
  DecodeError err;
  ASSERT_TRUE(decode_route_monitoring(span(v::kRouteMonitoringWithdraw), peer_caps(), rm, err)) << err.text();
  EXPECT_TRUE(rm.update.announced.empty());
  ASSERT_EQ(rm.update.withdrawn.size(), 1u);
  EXPECT_EQ(rm.update.withdrawn[0], (Prefix{ip4(198, 51, 100, 0), 24, 1}));
}

TEST(BmpDecoder, RouteMonitoringLocRibAndAdjRibOut) {
  RouteMonitoring rm;
  DecodeError err;
  ASSERT_TRUE(decode_route_monitoring(span(v::kRouteMonitoringLocRib), SessionCaps{}, rm, err)) << err.text();
  EXPECT_TRUE(rm.peer.loc_rib());
  EXPECT_FALSE(rm.peer.post_policy());
  EXPECT_FALSE(rm.peer.filtered());
  EXPECT_EQ(rm.peer.distinguisher, 7u);
  EXPECT_EQ(rm.peer.address, ip4(0, 0, 0, 0));
  EXPECT_EQ(rm.peer.as, 65000u);
  ASSERT_EQ(rm.update.announced.size(), 1u);
  EXPECT_EQ(rm.update.announced[0], (Prefix{ip4(198, 51, 100, 128), 25, 0}));
  EXPECT_EQ(rm.update.attrs.origin_as(), 0u);  // empty AS_PATH: a route of the router's AS

  RouteMonitoring out;
  ASSERT_TRUE(decode_route_monitoring(span(v::kRouteMonitoringAdjRibOut), SessionCaps{}, out, err))
      << err.text();
  EXPECT_TRUE(out.peer.adj_rib_out());
  EXPECT_FALSE(out.peer.loc_rib());
  EXPECT_EQ(out.update.announced, rm.update.announced);
}

TEST(BmpDecoder, StatisticsReport) {
  StatsReport s;
  DecodeError err;
  ASSERT_TRUE(decode_stats_report(span(v::kStatsReport), s, err)) << err.text();
  expect_peer_198_18_1_1(s.peer);
  ASSERT_EQ(s.counters.size(), 3u);  // the unknown 3-byte type is skipped
  EXPECT_EQ(s.counters[0].type, 0);
  EXPECT_EQ(s.counters[0].value, 5u);
  EXPECT_EQ(s.counters[1].type, 7);
  EXPECT_EQ(s.counters[1].value, 1000u);
  EXPECT_EQ(s.counters[2].type, 9);
  EXPECT_EQ(s.counters[2].afi, 1);
  EXPECT_EQ(s.counters[2].safi, 1);
  EXPECT_EQ(s.counters[2].value, 42u);
}

TEST(BmpDecoder, PeerDownWithNotificationAndWithFsmEvent) {
  PeerDown d;
  DecodeError err;
  ASSERT_TRUE(decode_peer_down(span(v::kPeerDownNotification), d, err)) << err.text();
  expect_peer_198_18_1_1(d.peer);
  EXPECT_EQ(d.reason, 3);
  EXPECT_EQ(d.notification.code, 6);
  EXPECT_EQ(d.notification.subcode, 2);

  PeerDown f;
  ASSERT_TRUE(decode_peer_down(span(v::kPeerDownFsm), f, err)) << err.text();
  EXPECT_TRUE(f.peer.v6());
  EXPECT_EQ(f.peer.address, ip6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}));
  EXPECT_EQ(f.peer.as, 65002u);
  EXPECT_EQ(f.reason, 2);
  EXPECT_EQ(f.fsm_event, 5);
}

TEST(BmpDecoder, TerminationAndRouteMirroring) {
  Termination t;
  DecodeError err;
  ASSERT_TRUE(decode_termination(span(v::kTermination), t, err)) << err.text();
  ASSERT_EQ(t.strings.size(), 1u);
  EXPECT_EQ(t.strings[0], "bye");
  EXPECT_TRUE(t.has_reason);
  EXPECT_EQ(t.reason, 1);

  PerPeerHeader p;
  ASSERT_TRUE(decode_route_mirroring(span(v::kRouteMirroring), p, err)) << err.text();
  expect_peer_198_18_1_1(p);
}

TEST(BmpDecoder, ErrorsNameTheOffset) {
  v::Bytes bad = v::kPeerDownNotification;
  bad[48] = 9;  // reason code
  PeerDown d;
  DecodeError err;
  EXPECT_FALSE(decode_peer_down(span(bad), d, err));
  EXPECT_EQ(err.offset, 48u);
  EXPECT_EQ(err.text(), "offset 48: peer down: unknown reason code");

  bad = v::kRouteMonitoringV4;
  bad[6] = 4;  // peer type
  RouteMonitoring rm;
  EXPECT_FALSE(decode_route_monitoring(span(bad), SessionCaps{}, rm, err));
  EXPECT_EQ(err.text(), "offset 6: unknown peer type");

  bad = v::kRouteMonitoringV4;
  bad[48] = 0;  // BGP marker
  EXPECT_FALSE(decode_route_monitoring(span(bad), SessionCaps{}, rm, err));
  EXPECT_EQ(err.offset, 48u);
}

// Decodes `msg` with the decoder of its type (what the station does).
bool decode_any(Bytes msg) {
  CommonHeader h;
  DecodeError err;
  if (!decode_common_header(msg, h, err)) return false;
  switch (static_cast<MsgType>(h.type)) {
    case MsgType::kRouteMonitoring: {
      // The Loc-RIB and Adj-RIB-Out vectors have no Peer Up (no ADD-PATH).
      PerPeerHeader p;
      if (!decode_per_peer_header(msg, p, err)) return false;
      RouteMonitoring rm;
      return decode_route_monitoring(msg, p.loc_rib() || p.adj_rib_out() ? SessionCaps{} : peer_caps(), rm,
                                     err);
    }
    case MsgType::kStatisticsReport: {
      StatsReport s;
      return decode_stats_report(msg, s, err);
    }
    case MsgType::kPeerDown: {
      PeerDown d;
      return decode_peer_down(msg, d, err);
    }
    case MsgType::kPeerUp: {
      PeerUp u;
      return decode_peer_up(msg, u, err);
    }
    case MsgType::kInitiation: {
      Initiation i;
      return decode_initiation(msg, i, err);
    }
    case MsgType::kTermination: {
      Termination t;
      return decode_termination(msg, t, err);
    }
    case MsgType::kRouteMirroring: {
      PerPeerHeader p;
      return decode_route_mirroring(msg, p, err);
    }
  }
  return false;
}

const v::Bytes* const kAll[] = {&v::kInitiation,
                                &v::kPeerUp,
                                &v::kRouteMonitoringV4,
                                &v::kRouteMonitoringV6Post,
                                &v::kRouteMonitoringWithdraw,
                                &v::kStatsReport,
                                &v::kPeerDownNotification,
                                &v::kPeerDownFsm,
                                &v::kTermination,
                                &v::kRouteMirroring,
                                &v::kRouteMonitoringLocRib,
                                &v::kRouteMonitoringAdjRibOut};

TEST(BmpDecoder, EveryTruncationOfEveryVector) {
  std::size_t cuts = 0;
  std::size_t valid = 0;
  for (const v::Bytes* vec : kAll) {
    ASSERT_TRUE(decode_any(span(*vec)));
    for (std::size_t n = 0; n < vec->size(); ++n) {
      // Length field unchanged: the message is shorter than it says.
      v::Bytes cut(vec->begin(), vec->begin() + static_cast<std::ptrdiff_t>(n));
      EXPECT_FALSE(decode_any(span(cut))) << n;
      // Length field patched to the cut: only cuts at a field boundary
      // that leaves a complete message may decode.
      if (n < kCommonHeaderLen) continue;
      cut[1] = cut[2] = 0;
      cut[3] = static_cast<std::uint8_t>(n >> 8);
      cut[4] = static_cast<std::uint8_t>(n);
      ++cuts;
      if (decode_any(span(cut))) ++valid;
    }
  }
  // Valid cuts: Initiation after 0, 1, 2 TLVs (3); Peer Up without its
  // information TLV (1); Termination after 0 and 1 TLVs (2); Route
  // Mirroring with 0..5 bytes of its TLV (6). Everything else fails.
  std::size_t total = 0;
  for (const v::Bytes* vec : kAll) total += vec->size() - kCommonHeaderLen;
  EXPECT_EQ(cuts, total);
  EXPECT_EQ(valid, 12u);
}

TEST(BmpDecoder, RandomCorruptionsNeverCrash) {
  std::mt19937 rng(7854);
  std::size_t decoded = 0;
  std::size_t rejected = 0;
  for (int round = 0; round < 4000; ++round) {
    v::Bytes m = *kAll[static_cast<std::size_t>(round) % std::size(kAll)];
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) m[rng() % m.size()] = static_cast<std::uint8_t>(rng());
    if (decode_any(span(m))) {
      ++decoded;
    } else {
      ++rejected;
    }
  }
  EXPECT_EQ(decoded + rejected, 4000u);
  EXPECT_GT(rejected, 0u);
}

// --- stream splitter -----------------------------------------------------------

v::Bytes whole_stream() {
  v::Bytes s;
  for (const v::Bytes* vec : kAll) s.insert(s.end(), vec->begin(), vec->end());
  return s;
}

TEST(BmpStreamSplitter, EveryChunkSizeGivesTheSameMessages) {
  const v::Bytes stream = whole_stream();
  for (std::size_t chunk = 1; chunk <= stream.size(); chunk += (chunk < 64 ? 1 : 97)) {
    StreamSplitter sp;
    std::vector<v::Bytes> got;
    DecodeError err;
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      const std::size_t n = std::min(chunk, stream.size() - at);
      ASSERT_TRUE(sp.feed(
          Bytes(stream.data() + at, n), [&](Bytes m) { got.emplace_back(m.begin(), m.end()); }, err));
    }
    ASSERT_EQ(got.size(), std::size(kAll)) << "chunk " << chunk;
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], *kAll[i]) << "chunk " << chunk;
    EXPECT_EQ(sp.buffered(), 0u);
    EXPECT_EQ(sp.stream_offset(), stream.size());
  }
}

TEST(BmpStreamSplitter, HeaderOnlyMessageAndPartialTail) {
  const v::Bytes empty_init = {3, 0, 0, 0, 6, 4};  // Initiation without TLVs
  v::Bytes s = empty_init;
  s.insert(s.end(), v::kPeerUp.begin(), v::kPeerUp.begin() + 10);
  StreamSplitter sp;
  std::size_t n = 0;
  DecodeError err;
  ASSERT_TRUE(sp.feed(
      Bytes(s.data(), s.size()), [&](Bytes m) { n += m.size() == 6 ? 1 : 100; }, err));
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(sp.buffered(), 10u);
  ASSERT_TRUE(sp.feed(
      Bytes(v::kPeerUp.data() + 10, v::kPeerUp.size() - 10),
      [&](Bytes m) {
        EXPECT_EQ(v::Bytes(m.begin(), m.end()), v::kPeerUp);
        ++n;
      },
      err));
  EXPECT_EQ(n, 2u);
}

TEST(BmpStreamSplitter, BrokenHeaderBreaksTheStream) {
  struct Case {
    v::Bytes header;
    const char* what;
    std::size_t offset;
  };
  const Case cases[] = {
      {{2, 0, 0, 0, 6, 4}, "stream: BMP version is not 3", 43},
      {{3, 0, 0, 0, 5, 4}, "stream: bad message length", 44},
      {{3, 0, 0x10, 0, 1, 0}, "stream: bad message length", 44},  // > 1 MiB
  };
  for (const Case& c : cases) {
    v::Bytes s = v::kInitiation;  // 43 bytes
    s.insert(s.end(), c.header.begin(), c.header.end());
    s.insert(s.end(), v::kTermination.begin(), v::kTermination.end());
    StreamSplitter sp;
    std::size_t n = 0;
    DecodeError err;
    EXPECT_FALSE(sp.feed(
        Bytes(s.data(), s.size()), [&](Bytes) { ++n; }, err));
    EXPECT_EQ(n, 1u);  // the Initiation before it
    EXPECT_TRUE(sp.broken());
    EXPECT_EQ(err.what, c.what);
    EXPECT_EQ(err.offset, c.offset);
    EXPECT_FALSE(sp.feed(
        Bytes(v::kTermination.data(), v::kTermination.size()), [&](Bytes) { ++n; }, err));
    EXPECT_EQ(n, 1u);
  }
}

}  // namespace
}  // namespace xacct::bgp::bmp
