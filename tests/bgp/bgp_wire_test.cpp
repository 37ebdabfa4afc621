// BGP codec (bgp/bgp_wire.hpp) against the hand-built vectors of
// tests/bgp/bgp_wire_vectors.hpp: every message kind and attribute kind,
// RFC 7606 error handling, encoders byte for byte, every truncation of every
// vector and random corruptions (errors, never a crash).
//
// Cross-checked once by hand with tshark 4.0.17 (pcap of all_vectors() as
// TCP segments to port 179): same prefixes, path ids, AS paths (merged
// AS4_PATH shown by tshark as separate attributes), communities and next
// hops as asserted here.
#include "bgp/bgp_wire.hpp"

#include <gtest/gtest.h>

#include <random>

#include "tests/bgp/bgp_wire_vectors.hpp"

namespace xacct::bgp {
namespace {

namespace v = xacct::tests::bgp;
using v::Bytes;

IpAddress ip4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress ip;
  ip.bytes[10] = ip.bytes[11] = 0xff;
  ip.bytes[12] = a;
  ip.bytes[13] = b;
  ip.bytes[14] = c;
  ip.bytes[15] = d;
  return ip;
}

// 2001:db8:<w2>:<w3>:: ... ::<last>
IpAddress ip6(std::uint16_t w2, std::uint16_t w3, std::uint8_t last) {
  IpAddress ip;
  ip.is_v6 = true;
  ip.bytes = {0x20, 0x01, 0x0d, 0xb8};
  ip.bytes[4] = static_cast<std::uint8_t>(w2 >> 8);
  ip.bytes[5] = static_cast<std::uint8_t>(w2);
  ip.bytes[6] = static_cast<std::uint8_t>(w3 >> 8);
  ip.bytes[7] = static_cast<std::uint8_t>(w3);
  ip.bytes[15] = last;
  return ip;
}

Prefix pfx(IpAddress a, std::uint8_t len, std::uint32_t path_id = 0) { return Prefix{a, len, path_id}; }

AsPathSegment seq(std::vector<std::uint32_t> asns) {
  return {AsPathSegment::Type::kSequence, std::move(asns)};
}

SessionCaps two_byte() { return SessionCaps{}; }
SessionCaps four_byte() {
  SessionCaps c;
  c.as4 = true;
  return c;
}

struct Decoded {
  UpdateMessage update;
  UpdateInfo info;
};
Decoded decode(const Bytes& m, const SessionCaps& caps) {
  Decoded d;
  auto st = parse_update(m, caps, d.update, d.info);
  EXPECT_TRUE(st.ok()) << st.error().what << " at " << st.error().offset;
  return d;
}

// --- framing -------------------------------------------------------------------

TEST(BgpWireHeader, PeekCompleteIncompleteAndBad) {
  Bytes k = v::keepalive();
  std::size_t len = 99;
  MessageType type{};
  ASSERT_TRUE(peek_message(k, kMaxMessageSize, len, type).ok());
  EXPECT_EQ(len, 19u);
  EXPECT_EQ(type, MessageType::kKeepalive);
  for (std::size_t n = 0; n < k.size(); ++n) {
    ASSERT_TRUE(
        peek_message(Bytes(k.begin(), k.begin() + static_cast<long>(n)), kMaxMessageSize, len, type).ok());
    EXPECT_EQ(len, 0u) << n;
  }
  // Two messages back to back: the first one's length.
  Bytes two = v::cat({v::open_plain(), v::keepalive()});
  ASSERT_TRUE(peek_message(two, kMaxMessageSize, len, type).ok());
  EXPECT_EQ(len, 29u);
  EXPECT_EQ(type, MessageType::kOpen);

  Bytes bad = k;
  bad[5] = 0xfe;
  auto st = peek_message(bad, kMaxMessageSize, len, type);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().offset, 5u);
  EXPECT_EQ(st.error().code, notify::kHeaderError);
  EXPECT_EQ(st.error().subcode, notify::kConnectionNotSynchronized);
  // A bad marker is seen before the whole header arrived.
  EXPECT_FALSE(peek_message(Bytes(bad.begin(), bad.begin() + 6), kMaxMessageSize, len, type).ok());

  bad = k;
  bad[17] = 18;
  st = peek_message(bad, kMaxMessageSize, len, type);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().subcode, notify::kBadMessageLength);
  EXPECT_EQ(st.error().data, (Bytes{0, 18}));

  bad = k;
  bad[16] = 0x10;
  bad[17] = 0x01;  // 4097
  EXPECT_FALSE(peek_message(bad, kMaxMessageSize, len, type).ok());
  ASSERT_TRUE(peek_message(bad, kMaxExtendedMessageSize, len, type).ok());
  EXPECT_EQ(len, 0u);  // needs 4097 bytes

  bad = k;
  bad[18] = 6;
  st = peek_message(bad, kMaxMessageSize, len, type);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().subcode, notify::kBadMessageType);
  EXPECT_EQ(st.error().offset, 18u);
}

// --- OPEN ------------------------------------------------------------------------

TEST(BgpWireOpen, AllCapabilitiesInSharedAndSeparateParameters) {
  OpenMessage o;
  ASSERT_TRUE(parse_open(v::open_full(), o).ok());
  EXPECT_EQ(o.version, 4);
  EXPECT_EQ(o.my_as, 65001);
  EXPECT_EQ(o.asn(), 65001u);
  EXPECT_EQ(o.hold_time, 90);
  EXPECT_EQ(o.bgp_id, 0xc6120002u);
  EXPECT_EQ(o.caps.multiprotocol, (std::vector<AfiSafi>{kIpv4Unicast, kIpv6Unicast}));
  EXPECT_TRUE(o.caps.as4);
  EXPECT_EQ(o.caps.as4_number, 65001u);
  EXPECT_EQ(o.caps.add_path,
            (std::vector<AddPathFamily>{{kIpv4Unicast, kAddPathBoth}, {kIpv6Unicast, kAddPathSend}}));
  EXPECT_TRUE(o.caps.route_refresh);
  EXPECT_TRUE(o.caps.graceful_restart);
  EXPECT_EQ(o.caps.restart_flags_time, 0x8078);
  EXPECT_TRUE(o.caps.extended_message);
  EXPECT_FALSE(o.caps.enhanced_route_refresh);
  EXPECT_EQ(o.caps.other, (std::vector<std::uint8_t>{73}));
}

TEST(BgpWireOpen, FourByteAsAndPlain) {
  OpenMessage o;
  ASSERT_TRUE(parse_open(v::open_as4_addpath(), o).ok());
  EXPECT_EQ(o.my_as, kAsTrans);
  EXPECT_EQ(o.asn(), 4200000001u);
  EXPECT_EQ(o.hold_time, 30);
  ASSERT_TRUE(parse_open(v::open_plain(), o).ok());
  EXPECT_EQ(o.asn(), 65002u);
  EXPECT_FALSE(o.caps.as4);
  EXPECT_TRUE(o.caps.multiprotocol.empty());
}

TEST(BgpWireOpen, Errors) {
  auto err = [](Bytes m) {
    OpenMessage o;
    auto st = parse_open(m, o);
    EXPECT_FALSE(st.ok());
    return st.ok() ? WireError{} : st.error();
  };
  Bytes m = v::open_plain();
  m[19] = 3;  // version
  auto e = err(m);
  EXPECT_EQ(e.code, notify::kOpenError);
  EXPECT_EQ(e.subcode, notify::kUnsupportedVersion);
  EXPECT_EQ(e.data, (Bytes{0, 4}));
  m = v::open_plain();
  m[23] = 2;  // hold time 2
  e = err(m);
  EXPECT_EQ(e.subcode, notify::kUnacceptableHoldTime);
  EXPECT_EQ(e.offset, 22u);
  m = v::open_plain();
  m[24] = m[25] = m[26] = m[27] = 0;
  EXPECT_EQ(err(m).subcode, notify::kBadBgpIdentifier);
  // Optional parameter type 1 (authentication, deprecated).
  e = err(v::message(1, {4, 0xfd, 0xea, 0, 90, 198, 18, 0, 4, 3, 1, 1, 0}));
  EXPECT_EQ(e.subcode, notify::kUnsupportedOptionalParameter);
  EXPECT_EQ(e.offset, 29u);
  // Capability length beyond its parameter.
  e = err(v::message(1, {4, 0xfd, 0xea, 0, 90, 198, 18, 0, 4, 4, 2, 2, 65, 4}));
  EXPECT_EQ(e.code, notify::kOpenError);
  EXPECT_EQ(e.offset, 32u);
  // Optional parameters length != what follows.
  e = err(v::message(1, {4, 0xfd, 0xea, 0, 90, 198, 18, 0, 4, 5, 2, 0}));
  EXPECT_EQ(e.offset, 28u);
  // 4-octet AS capability of 2 bytes.
  EXPECT_EQ(err(v::message(1, {4, 0xfd, 0xea, 0, 90, 198, 18, 0, 4, 4, 2, 2, 65, 0})).code,
            notify::kOpenError);
}

TEST(BgpWireOpen, SessionCapsAndPassiveReply) {
  OpenMessage peer;
  ASSERT_TRUE(parse_open(v::open_as4_addpath(), peer).ok());
  OpenMessage ours = passive_open_reply(peer, 0, 0xc6120001, 30);
  EXPECT_EQ(ours.my_as, kAsTrans);  // mirrors 4200000001
  EXPECT_EQ(ours.asn(), 4200000001u);
  EXPECT_EQ(ours.caps.multiprotocol, (std::vector<AfiSafi>{kIpv4Unicast, kIpv6Unicast}));
  EXPECT_EQ(ours.caps.add_path,
            (std::vector<AddPathFamily>{{kIpv4Unicast, kAddPathReceive}, {kIpv6Unicast, kAddPathReceive}}));
  SessionCaps in = session_caps(peer, ours);
  EXPECT_TRUE(in.as4);
  EXPECT_TRUE(in.add_path[0]);
  EXPECT_TRUE(in.add_path[1]);
  EXPECT_FALSE(in.extended_message);
  // The other direction: we never send with path ids.
  SessionCaps out = session_caps(ours, peer);
  EXPECT_FALSE(out.add_path[0]);
  EXPECT_FALSE(out.add_path[1]);

  // The reply on the wire, byte for byte: header, version 4, AS_TRANS, hold
  // 30, id 198.18.0.1, 32 bytes of parameters, one capability each.
  Bytes expect = v::message(
      1, {4, 0x5b, 0xa0, 0, 30,   198,  18,   0,    1, 32, 2, 6, 1, 4, 0, 1, 0, 1,  // MP IPv4 unicast
          2, 6,    1,    4, 0,    2,    0,    1,                                    // MP IPv6 unicast
          2, 2,    2,    0,                                                         // route refresh
          2, 6,    65,   4, 0xfa, 0x56, 0xea, 0x01,                                 // 4-octet AS
          2, 10,   69,   8, 0,    1,    1,    1,    0, 2,  1, 1});                  // ADD-PATH receive
  // 8 + 8 + 4 + 8 + 12 = 40 parameter bytes.
  expect[28] = 40;
  EXPECT_EQ(encode_open(ours), expect);
  OpenMessage back;
  ASSERT_TRUE(parse_open(encode_open(ours), back).ok());
  EXPECT_EQ(back, ours);

  // ADD-PATH receive-only peer: nothing to answer; a configured AS wins.
  OpenMessage full;
  ASSERT_TRUE(parse_open(v::open_full(), full).ok());
  OpenMessage r2 = passive_open_reply(full, 65100, 1, 90);
  EXPECT_EQ(r2.asn(), 65100u);
  EXPECT_EQ(r2.caps.add_path,
            (std::vector<AddPathFamily>{{kIpv4Unicast, kAddPathReceive}, {kIpv6Unicast, kAddPathReceive}}));
  EXPECT_TRUE(r2.caps.extended_message);
  EXPECT_TRUE(session_caps(full, r2).extended_message);
  // A peer without capabilities gets none but route refresh.
  OpenMessage plain;
  ASSERT_TRUE(parse_open(v::open_plain(), plain).ok());
  OpenMessage r3 = passive_open_reply(plain, 0, 1, 180);
  EXPECT_EQ(r3.asn(), 65002u);
  EXPECT_FALSE(r3.caps.as4);
  EXPECT_TRUE(r3.caps.multiprotocol.empty());
  EXPECT_FALSE(session_caps(plain, r3).as4);
}

// --- UPDATE ----------------------------------------------------------------------

TEST(BgpWireUpdate, Ipv4EveryAttribute) {
  Decoded d = decode(v::update_v4_all(), two_byte());
  EXPECT_EQ(d.update.withdrawn,
            (std::vector<Prefix>{pfx(ip4(198, 51, 100, 0), 24), pfx(ip4(10, 0, 0, 0), 8)}));
  EXPECT_EQ(d.update.announced,
            (std::vector<Prefix>{pfx(ip4(203, 0, 113, 0), 24), pfx(ip4(192, 0, 2, 128), 25)}));
  const PathAttributes& a = d.update.attrs;
  EXPECT_EQ(a.origin, Origin::kIgp);
  ASSERT_EQ(a.as_path.size(), 2u);
  EXPECT_EQ(a.as_path[0], seq({65001, 65002}));
  EXPECT_EQ(a.as_path[1], (AsPathSegment{AsPathSegment::Type::kSet, {65003, 65004}}));
  EXPECT_EQ(a.origin_as(), 65002u);  // last ASN of the last AS_SEQUENCE
  EXPECT_EQ(a.first_as(), 65001u);
  EXPECT_TRUE(a.has_next_hop);
  EXPECT_EQ(a.next_hop, ip4(198, 18, 0, 1));
  EXPECT_TRUE(a.has_med);
  EXPECT_EQ(a.med, 10u);
  EXPECT_TRUE(a.has_local_pref);
  EXPECT_EQ(a.local_pref, 200u);
  EXPECT_TRUE(a.atomic_aggregate);
  EXPECT_EQ(a.aggregator_as, 65002u);
  EXPECT_EQ(a.aggregator_addr, ip4(198, 18, 0, 9));
  EXPECT_EQ(a.communities, (std::vector<std::uint32_t>{65001u << 16 | 100, 65001u << 16 | 200}));
  EXPECT_EQ(a.ext_communities, (std::vector<std::uint64_t>{0x0002fde90000004dull}));
  EXPECT_EQ(a.large_communities, (std::vector<LargeCommunity>{{65001, 1, 2}}));
  EXPECT_EQ(d.info.unknown_attributes, 1u);
  EXPECT_FALSE(d.info.treat_as_withdraw);
  EXPECT_EQ(d.info.discarded_attributes, 0u);
  EXPECT_FALSE(d.update.end_of_rib);
}

TEST(BgpWireUpdate, FourByteAsPathAggregatorExtendedLengthAndHostBits) {
  Decoded d = decode(v::update_as4(), four_byte());
  EXPECT_EQ(d.update.announced,
            (std::vector<Prefix>{pfx(ip4(0, 0, 0, 0), 0), pfx(ip4(198, 18, 128, 0), 17)}));
  EXPECT_EQ(d.update.attrs.origin, Origin::kEgp);
  ASSERT_EQ(d.update.attrs.as_path.size(), 1u);
  EXPECT_EQ(d.update.attrs.as_path[0], seq({4200000001u, 65010}));
  EXPECT_EQ(d.update.attrs.aggregator_as, 4200000001u);
  EXPECT_EQ(d.update.attrs.next_hop, ip4(198, 18, 0, 5));
  // The same bytes on a 2-byte session: AS_PATH says 2 ASNs, 8 bytes hold 4
  // 2-byte ASNs: malformed (count mismatch) -> treat-as-withdraw; the
  // 8-byte AGGREGATOR is discarded.
  UpdateMessage u;
  UpdateInfo info;
  ASSERT_TRUE(parse_update(v::update_as4(), two_byte(), u, info).ok());
  EXPECT_TRUE(info.treat_as_withdraw);
  EXPECT_EQ(info.discarded_attributes, 1u);
  EXPECT_TRUE(u.announced.empty());
  EXPECT_EQ(u.withdrawn.size(), 2u);
}

TEST(BgpWireUpdate, As4PathMerge) {
  Decoded d = decode(v::update_as4_path_merge(), two_byte());
  ASSERT_EQ(d.update.attrs.as_path.size(), 1u);
  EXPECT_EQ(d.update.attrs.as_path[0], seq({65001, 196608, 4200000001u}));
  EXPECT_EQ(d.update.attrs.origin_as(), 4200000001u);
  EXPECT_EQ(d.update.attrs.aggregator_as, 4200000001u);
  EXPECT_EQ(d.update.attrs.aggregator_addr, ip4(198, 18, 0, 10));
  EXPECT_EQ(d.update.announced, (std::vector<Prefix>{pfx(ip4(198, 18, 4, 0), 22)}));

  // AS4_PATH longer than AS_PATH: ignored.
  d = decode(v::update_as4_path_longer(), two_byte());
  ASSERT_EQ(d.update.attrs.as_path.size(), 1u);
  EXPECT_EQ(d.update.attrs.as_path[0], seq({65001, kAsTrans}));

  // Between 4-octet speakers AS4_PATH/AS4_AGGREGATOR are discarded; the
  // AS_PATH bytes then hold 4-byte ASNs: 3 ASNs in 6 bytes is malformed.
  UpdateMessage u;
  UpdateInfo info;
  ASSERT_TRUE(parse_update(v::update_as4_path_merge(), four_byte(), u, info).ok());
  EXPECT_TRUE(info.treat_as_withdraw);
  EXPECT_EQ(info.discarded_attributes, 3u);  // AGGREGATOR (6 bytes), AS4_PATH, AS4_AGGREGATOR
}

TEST(BgpWireUpdate, Ipv6ReachUnreachAndLinkLocal) {
  Decoded d = decode(v::update_v6_reach(), two_byte());
  EXPECT_EQ(d.update.announced, (std::vector<Prefix>{pfx(ip6(0x100, 0, 0), 48), pfx(ip6(0x200, 0, 0), 64)}));
  EXPECT_EQ(d.update.attrs.next_hop, ip6(0, 0, 1));
  EXPECT_TRUE(d.update.attrs.has_next_hop);
  EXPECT_EQ(d.update.attrs.origin, Origin::kIncomplete);
  EXPECT_TRUE(d.update.attrs.as_path.empty());
  EXPECT_EQ(d.update.attrs.origin_as(), 0u);
  EXPECT_EQ(d.update.attrs.local_pref, 150u);
  EXPECT_EQ(d.update.announced[0].afi(), Afi::kIpv6);

  d = decode(v::update_v6_unreach(), two_byte());
  EXPECT_EQ(d.update.withdrawn, (std::vector<Prefix>{pfx(ip6(0x100, 0, 0), 48)}));
  EXPECT_TRUE(d.update.announced.empty());
  EXPECT_FALSE(d.update.end_of_rib);
}

TEST(BgpWireUpdate, AddPathBothFamiliesAndMixedNextHops) {
  SessionCaps caps;
  caps.add_path = {true, true};
  Decoded d = decode(v::update_addpath(), caps);
  EXPECT_EQ(d.update.withdrawn, (std::vector<Prefix>{pfx(ip4(198, 18, 8, 0), 24, 7)}));
  EXPECT_EQ(d.update.announced,
            (std::vector<Prefix>{pfx(ip4(198, 18, 9, 0), 24, 1), pfx(ip4(198, 18, 9, 0), 24, 2),
                                 pfx(ip6(0x300, 0, 0), 40, 3)}));
  EXPECT_EQ(d.update.attrs.next_hop, ip4(198, 18, 0, 2));
  EXPECT_TRUE(d.info.mixed_next_hops);
  EXPECT_EQ(d.info.mp_first, 2u);
  EXPECT_EQ(d.info.mp_next_hop, ip6(0, 0, 2));
  UpdateMessage mp;
  ASSERT_TRUE(split_mixed_next_hops(d.update, d.info, mp));
  EXPECT_EQ(d.update.announced,
            (std::vector<Prefix>{pfx(ip4(198, 18, 9, 0), 24, 1), pfx(ip4(198, 18, 9, 0), 24, 2)}));
  EXPECT_EQ(d.update.withdrawn.size(), 1u);
  EXPECT_EQ(d.update.attrs.next_hop, ip4(198, 18, 0, 2));
  EXPECT_EQ(mp.announced, (std::vector<Prefix>{pfx(ip6(0x300, 0, 0), 40, 3)}));
  EXPECT_TRUE(mp.withdrawn.empty());
  EXPECT_EQ(mp.attrs.next_hop, ip6(0, 0, 2));
  EXPECT_EQ(mp.attrs.as_path, d.update.attrs.as_path);
  // Not mixed: nothing to split.
  Decoded plain = decode(v::update_v6_reach(), two_byte());
  EXPECT_FALSE(split_mixed_next_hops(plain.update, plain.info, mp));
  EXPECT_EQ(plain.update.announced.size(), 2u);
  // Without ADD-PATH for IPv4 the withdrawn routes read path id 7 as /0
  // /0 /0 /7 (one byte: 24), then 198 as a prefix length: session reset.
  caps.add_path = {false, true};
  UpdateMessage u;
  UpdateInfo info;
  auto st = parse_update(v::update_addpath(), caps, u, info);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, notify::kUpdateError);
  EXPECT_EQ(st.error().subcode, notify::kInvalidNetworkField);
  EXPECT_EQ(st.error().what, "UPDATE: withdrawn routes: prefix length 198 > 32");
  EXPECT_EQ(st.error().offset, 26u);
}

TEST(BgpWireUpdate, EndOfRib) {
  Decoded d = decode(v::eor_v4(), two_byte());
  EXPECT_TRUE(d.update.end_of_rib);
  EXPECT_EQ(d.update.end_of_rib_afi, Afi::kIpv4);
  d = decode(v::eor_v6(), two_byte());
  EXPECT_TRUE(d.update.end_of_rib);
  EXPECT_EQ(d.update.end_of_rib_afi, Afi::kIpv6);
  EXPECT_TRUE(d.update.withdrawn.empty());
  // A v6 withdrawal is not an End-of-RIB.
  EXPECT_FALSE(decode(v::update_v6_unreach(), two_byte()).update.end_of_rib);
}

TEST(BgpWireUpdate, OtherFamiliesSkippedAndCounted) {
  Decoded d = decode(v::update_other_families(), two_byte());
  EXPECT_EQ(d.info.skipped_families, 2u);
  EXPECT_TRUE(d.update.announced.empty());
  EXPECT_TRUE(d.update.withdrawn.empty());
  EXPECT_FALSE(d.update.end_of_rib);
}

TEST(BgpWireUpdate, TreatAsWithdraw) {
  struct Case {
    Bytes m;
    Prefix p;
    const char* reason;
  };
  const Case cases[] = {
      {v::update_bad_origin(), pfx(ip4(198, 18, 10, 0), 24), "ORIGIN malformed"},
      {v::update_bad_communities(), pfx(ip4(198, 18, 11, 0), 24), "COMMUNITIES length 5 not a multiple of 4"},
      {v::update_missing_next_hop(), pfx(ip4(198, 18, 12, 0), 24), "missing mandatory attribute NEXT_HOP"},
      {v::update_bad_as_path(), pfx(ip4(198, 18, 13, 0), 24),
       "AS_PATH: segment of 2 ASNs overruns the attribute"},
      {v::update_attr_overrun(), pfx(ip4(198, 18, 14, 0), 24), "attribute 8 overruns the path attributes"},
  };
  for (const Case& c : cases) {
    Decoded d = decode(c.m, two_byte());
    EXPECT_TRUE(d.info.treat_as_withdraw) << c.reason;
    EXPECT_EQ(d.info.reason, c.reason);
    EXPECT_TRUE(d.update.announced.empty()) << c.reason;
    EXPECT_EQ(d.update.withdrawn, (std::vector<Prefix>{c.p})) << c.reason;
    EXPECT_EQ(d.update.attrs, PathAttributes{}) << c.reason;
  }
  // Offsets: ORIGIN is the first attribute, right after the 2+0+2 bytes.
  EXPECT_EQ(decode(v::update_bad_origin(), two_byte()).info.reason_offset, 23u);
}

TEST(BgpWireUpdate, AttributeDiscard) {
  Decoded d = decode(v::update_discards(), two_byte());
  EXPECT_FALSE(d.info.treat_as_withdraw);
  EXPECT_EQ(d.info.discarded_attributes, 3u);
  EXPECT_EQ(d.info.reason, "ATOMIC_AGGREGATE length 1");
  EXPECT_EQ(d.update.announced, (std::vector<Prefix>{pfx(ip4(198, 18, 15, 0), 24)}));
  EXPECT_EQ(d.update.attrs.origin, Origin::kIgp);  // the first ORIGIN stays
  EXPECT_FALSE(d.update.attrs.atomic_aggregate);
  EXPECT_EQ(d.update.attrs.aggregator_as, 0u);
}

TEST(BgpWireUpdate, SessionResetErrors) {
  UpdateMessage u;
  UpdateInfo info;
  auto st = parse_update(v::update_bad_withdrawn_len(), two_byte(), u, info);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, notify::kUpdateError);
  EXPECT_EQ(st.error().subcode, notify::kMalformedAttributeList);
  EXPECT_EQ(st.error().offset, 19u);
  st = parse_update(v::update_bad_prefix(), two_byte(), u, info);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().subcode, notify::kInvalidNetworkField);
  EXPECT_EQ(st.error().what, "UPDATE: NLRI: prefix length 33 > 32");
  EXPECT_EQ(st.error().offset, v::update_bad_prefix().size() - 6);
  st = parse_update(v::update_repeated_mp(), two_byte(), u, info);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().what, "UPDATE: repeated MP_UNREACH_NLRI");
  EXPECT_EQ(st.error().offset, 29u);
  // A KEEPALIVE is not an UPDATE.
  st = parse_update(v::keepalive(), two_byte(), u, info);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().subcode, notify::kBadMessageType);
}

// --- NOTIFICATION, KEEPALIVE, ROUTE-REFRESH, encoders -----------------------------------

TEST(BgpWireOther, NotificationKeepaliveRouteRefresh) {
  NotificationMessage n;
  ASSERT_TRUE(parse_notification(v::notification_shutdown(), n).ok());
  EXPECT_EQ(n.code, notify::kCease);
  EXPECT_EQ(n.subcode, notify::kAdministrativeShutdown);
  EXPECT_EQ(n.shutdown_text, "maintenance");
  EXPECT_EQ(notification_text(n.code, n.subcode), "Cease/Administrative Shutdown");
  ASSERT_TRUE(parse_notification(v::notification_update_error(), n).ok());
  EXPECT_EQ(n.code, 3);
  EXPECT_EQ(n.subcode, 11);
  EXPECT_EQ(n.data, (Bytes{0xab, 0xcd}));
  EXPECT_EQ(n.shutdown_text, "");
  EXPECT_EQ(notification_text(3, 11), "UPDATE Message Error/11");
  // Shutdown communication length beyond the data: raw data only.
  ASSERT_TRUE(parse_notification(v::message(3, {6, 2, 20, 'x'}), n).ok());
  EXPECT_EQ(n.shutdown_text, "");
  EXPECT_FALSE(parse_notification(v::message(3, {6}), n).ok());

  EXPECT_TRUE(parse_keepalive(v::keepalive()).ok());
  auto st = parse_keepalive(v::message(4, {0}));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().subcode, notify::kBadMessageLength);

  RouteRefreshMessage rr;
  ASSERT_TRUE(parse_route_refresh(v::route_refresh_v6(), rr).ok());
  EXPECT_EQ(rr.family, kIpv6Unicast);
  EXPECT_EQ(rr.subtype, 0);
  EXPECT_FALSE(parse_route_refresh(v::message(5, {0, 2, 0}), rr).ok());
}

TEST(BgpWireOther, Encoders) {
  EXPECT_EQ(encode_keepalive(), v::keepalive());
  EXPECT_EQ(encode_notification(3, 11, Bytes{0xab, 0xcd}), v::notification_update_error());
  EXPECT_EQ(encode_shutdown(notify::kAdministrativeShutdown, "maintenance"), v::notification_shutdown());
  EXPECT_EQ(encode_notification(4, 0), v::message(3, {4, 0}));
  // RFC 9003: at most 255 bytes of text.
  auto m = encode_shutdown(2, std::string(300, 'a'));
  EXPECT_EQ(m.size(), 19u + 2 + 1 + 255);
  NotificationMessage n;
  ASSERT_TRUE(parse_notification(m, n).ok());
  EXPECT_EQ(n.shutdown_text.size(), 255u);
}

// --- robustness ---------------------------------------------------------------------------

// Runs every parser that applies; returns whether the one for the
// message's own type succeeded.
bool parse_any(const Bytes& m) {
  OpenMessage o;
  UpdateMessage u;
  UpdateInfo info;
  NotificationMessage n;
  RouteRefreshMessage rr;
  bool ok = false;
  for (const SessionCaps& caps : {two_byte(), four_byte()}) {
    SessionCaps ap = caps;
    ap.add_path = {true, true};
    ok |= parse_update(m, caps, u, info).ok();
    ok |= parse_update(m, ap, u, info).ok();
  }
  ok |= parse_open(m, o).ok();
  ok |= parse_notification(m, n).ok();
  ok |= parse_keepalive(m).ok();
  ok |= parse_route_refresh(m, rr).ok();
  return ok;
}

TEST(BgpWireRobustness, EveryTruncationFails) {
  std::size_t checked = 0;
  for (const Bytes& full : v::all_vectors()) {
    for (std::size_t n = 0; n < full.size(); ++n) {
      Bytes cut(full.begin(), full.begin() + static_cast<long>(n));
      // The length field still says the full size: every parser refuses.
      EXPECT_FALSE(parse_any(cut)) << "vector of " << full.size() << " bytes cut at " << n;
      // Length field patched to the cut: the inner parsers see a short body
      // (some cuts are well-formed messages; only no crash is required).
      if (n >= kHeaderSize) {
        cut[16] = static_cast<std::uint8_t>(n >> 8);
        cut[17] = static_cast<std::uint8_t>(n);
        (void)parse_any(cut);
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000u);
}

TEST(BgpWireRobustness, RandomCorruptions) {
  std::mt19937 rng(12345);
  std::size_t ok = 0, failed = 0;
  for (const Bytes& full : v::all_vectors()) {
    for (int round = 0; round < 400; ++round) {
      Bytes m = full;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < flips; ++i) {
        // Keep the marker most of the time so the corruption reaches the body.
        const std::size_t at = 16 + rng() % (m.size() - 16);
        m[at] = static_cast<std::uint8_t>(rng());
      }
      (parse_any(m) ? ok : failed)++;
    }
  }
  // Both outcomes occur: corruptions are neither all fatal nor all ignored.
  EXPECT_GT(ok, 0u);
  EXPECT_GT(failed, 0u);
  EXPECT_EQ(ok + failed, v::all_vectors().size() * 400);
}

}  // namespace
}  // namespace xacct::bgp
