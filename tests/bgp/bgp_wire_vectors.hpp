// Hand-built BGP messages (byte-exact, from RFC 4271 / 4760 / 6793 / 7911 /
// 1997 / 4360 / 8092 / 9003), shared by the codec's unit test, the session
// test and the fuzz target's seeds. Each vector says what it holds; the
// expected decoding is asserted in tests/bgp/bgp_wire_test.cpp.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace xacct::tests::bgp {

using Bytes = std::vector<std::uint8_t>;

class Writer {
 public:
  Writer& u8(unsigned v) {
    b_.push_back(static_cast<std::uint8_t>(v));
    return *this;
  }
  Writer& u16(unsigned v) { return u8(v >> 8).u8(v & 0xff); }
  Writer& u32(std::uint32_t v) { return u16(v >> 16).u16(v & 0xffff); }
  Writer& bytes(const Bytes& v) {
    b_.insert(b_.end(), v.begin(), v.end());
    return *this;
  }
  Writer& raw(std::initializer_list<unsigned> v) {
    for (unsigned x : v) u8(x);
    return *this;
  }
  const Bytes& data() const { return b_; }
  operator Bytes() const { return b_; }  // NOLINT: implicit by design

 private:
  Bytes b_;
};

// Marker, length, type, then the body.
inline Bytes message(unsigned type, const Bytes& body) {
  Writer w;
  for (int i = 0; i < 16; ++i) w.u8(0xff);
  w.u16(static_cast<unsigned>(19 + body.size())).u8(type).bytes(body);
  return w;
}

// A path attribute: flags, type, 1- or 2-byte length (extended when flags
// has 0x10), value.
inline Bytes attr(unsigned flags, unsigned type, const Bytes& value) {
  Writer w;
  w.u8(flags).u8(type);
  if ((flags & 0x10) != 0) {
    w.u16(static_cast<unsigned>(value.size()));
  } else {
    w.u8(static_cast<unsigned>(value.size()));
  }
  return w.bytes(value);
}

inline Bytes update(const Bytes& withdrawn, const Bytes& attrs, const Bytes& nlri) {
  Writer w;
  w.u16(static_cast<unsigned>(withdrawn.size())).bytes(withdrawn);
  w.u16(static_cast<unsigned>(attrs.size())).bytes(attrs).bytes(nlri);
  return message(2, w);
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// --- OPEN -------------------------------------------------------------------

// AS 65001 (2-byte field 65001, 4-octet cap 65001), hold 90, id 198.18.0.2.
// One optional parameter with three capabilities (MP IPv4 unicast, MP IPv6
// unicast, 4-octet AS), then one parameter each: ADD-PATH (v4 both, v6 send),
// route refresh (2), Cisco route refresh (128), graceful restart (R=1, 120 s,
// v4 unicast), extended message (6), unknown code 73 (FQDN) with 3 bytes.
inline Bytes open_full() {
  Writer caps1;
  caps1.raw({1, 4, 0, 1, 0, 1}).raw({1, 4, 0, 2, 0, 1}).raw({65, 4}).u32(65001);
  Writer p;
  p.u8(2).u8(static_cast<unsigned>(caps1.data().size())).bytes(caps1);
  p.raw({2, 10, 69, 8, 0, 1, 1, 3, 0, 2, 1, 2});
  p.raw({2, 2, 2, 0});
  p.raw({2, 2, 128, 0});
  p.raw({2, 8, 64, 6, 0x80, 120, 0, 1, 1, 0});
  p.raw({2, 2, 6, 0});
  p.raw({2, 5, 73, 3, 1, 'a', 0});
  Writer b;
  b.u8(4).u16(65001).u16(90).raw({198, 18, 0, 2}).u8(static_cast<unsigned>(p.data().size())).bytes(p);
  return message(1, b);
}

// A 4-byte-AS speaker: AS 4200000001 (AS_TRANS in the 2-byte field),
// MP IPv4 + IPv6 unicast, ADD-PATH send for both, hold time 30.
inline Bytes open_as4_addpath() {
  Writer p;
  p.raw({2, 6, 1, 4, 0, 1, 0, 1}).raw({2, 6, 1, 4, 0, 2, 0, 1});
  p.raw({2, 6, 65, 4}).u32(4200000001u);
  p.raw({2, 10, 69, 8, 0, 1, 1, 2, 0, 2, 1, 2});
  Writer b;
  b.u8(4).u16(23456).u16(30).raw({198, 18, 0, 3}).u8(static_cast<unsigned>(p.data().size())).bytes(p);
  return message(1, b);
}

// An old speaker: AS 65002, no optional parameters, hold 180.
inline Bytes open_plain() {
  Writer b;
  b.u8(4).u16(65002).u16(180).raw({198, 18, 0, 4}).u8(0);
  return message(1, b);
}

// --- UPDATE -----------------------------------------------------------------

// 2-byte session: withdraws 198.51.100.0/24 and 10.0.0.0/8; announces
// 203.0.113.0/24 and 192.0.2.128/25 with ORIGIN IGP, AS_PATH SEQ(65001 65002)
// SET(65003 65004), NEXT_HOP 198.18.0.1, MED 10, LOCAL_PREF 200,
// ATOMIC_AGGREGATE, AGGREGATOR 65002/198.18.0.9, COMMUNITIES 65001:100
// 65001:200, EXT RT 65001:77 (0x0002fde90000004d), LARGE 65001:1:2,
// one unknown optional transitive attribute (type 99).
inline Bytes update_v4_all() {
  Bytes withdrawn = {24, 198, 51, 100, 8, 10};
  Bytes attrs = cat({
      attr(0x40, 1, {0}),
      attr(0x40, 2, {2, 2, 0xfd, 0xe9, 0xfd, 0xea, 1, 2, 0xfd, 0xeb, 0xfd, 0xec}),
      attr(0x40, 3, {198, 18, 0, 1}),
      attr(0x80, 4, {0, 0, 0, 10}),
      attr(0x40, 5, {0, 0, 0, 200}),
      attr(0x40, 6, {}),
      attr(0xc0, 7, {0xfd, 0xea, 198, 18, 0, 9}),
      attr(0xc0, 8, {0xfd, 0xe9, 0, 100, 0xfd, 0xe9, 0, 200}),
      attr(0xc0, 16, {0x00, 0x02, 0xfd, 0xe9, 0, 0, 0, 77}),
      attr(0xc0, 32, {0, 0, 0xfd, 0xe9, 0, 0, 0, 1, 0, 0, 0, 2}),
      attr(0xc0, 99, {1, 2, 3}),
  });
  Bytes nlri = {24, 203, 0, 113, 25, 192, 0, 2, 128};
  return update(withdrawn, attrs, nlri);
}

// 4-byte session: AS_PATH SEQ(4200000001 65010), AGGREGATOR 4200000001 /
// 198.18.0.9 (8 bytes), ORIGIN EGP, NEXT_HOP 198.18.0.5, the AS_PATH with
// the extended-length flag; NLRI 0.0.0.0/0 and 198.18.128.0/17 (host bits
// 198.18.255.1 set on the wire, cleared by the codec: sent as 3 bytes
// 198.18.255).
inline Bytes update_as4() {
  Bytes attrs = cat({
      attr(0x40, 1, {1}),
      attr(0x50, 2, {2, 2, 0xfa, 0x56, 0xea, 0x01, 0, 0, 0xfd, 0xf2}),
      attr(0x40, 3, {198, 18, 0, 5}),
      attr(0xc0, 7, {0xfa, 0x56, 0xea, 0x01, 198, 18, 0, 9}),
  });
  Bytes nlri = {0, 17, 198, 18, 255};
  return update({}, attrs, nlri);
}

// 2-byte session from an old speaker: AS_PATH SEQ(65001 23456 23456),
// AS4_PATH SEQ(196608 4200000001), AGGREGATOR 23456/198.18.0.9,
// AS4_AGGREGATOR 4200000001/198.18.0.10; NLRI 198.18.4.0/22.
inline Bytes update_as4_path_merge() {
  Bytes attrs = cat({
      attr(0x40, 1, {0}),
      attr(0x40, 2, {2, 3, 0xfd, 0xe9, 0x5b, 0xa0, 0x5b, 0xa0}),
      attr(0x40, 3, {198, 18, 0, 1}),
      attr(0xc0, 7, {0x5b, 0xa0, 198, 18, 0, 9}),
      attr(0xc0, 17, {2, 2, 0, 3, 0, 0, 0xfa, 0x56, 0xea, 0x01}),
      attr(0xc0, 18, {0xfa, 0x56, 0xea, 0x01, 198, 18, 0, 10}),
  });
  return update({}, attrs, {22, 198, 18, 4});
}

// As above but AS4_PATH has 3 ASNs and AS_PATH 2: AS4_PATH is ignored
// (RFC 6793 4.2.3).
inline Bytes update_as4_path_longer() {
  Bytes attrs = cat({
      attr(0x40, 1, {0}),
      attr(0x40, 2, {2, 2, 0xfd, 0xe9, 0x5b, 0xa0}),
      attr(0x40, 3, {198, 18, 0, 1}),
      attr(0xc0, 17, {2, 3, 0, 0, 0xfd, 0xe9, 0, 3, 0, 0, 0, 3, 0, 1}),
  });
  return update({}, attrs, {24, 198, 18, 5});
}

// MP_REACH IPv6 unicast: next hop 2001:db8::1 + link-local fe80::1 (32
// bytes), NLRI 2001:db8:100::/48 and 2001:db8:200::/64; ORIGIN INCOMPLETE,
// empty AS_PATH (iBGP), LOCAL_PREF 150. The MP_REACH comes first, with the
// extended-length flag.
inline Bytes update_v6_reach() {
  Writer mp;
  mp.u16(2).u8(1).u8(32);
  mp.raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  mp.raw({0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  mp.u8(0);
  mp.raw({48, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00});
  mp.raw({64, 0x20, 0x01, 0x0d, 0xb8, 0x02, 0x00, 0, 0});
  Bytes attrs = cat({
      attr(0x90, 14, mp),
      attr(0x40, 1, {2}),
      attr(0x40, 2, {}),
      attr(0x40, 5, {0, 0, 0, 150}),
  });
  return update({}, attrs, {});
}

// MP_UNREACH IPv6 unicast withdrawing 2001:db8:100::/48.
inline Bytes update_v6_unreach() {
  Bytes attrs = attr(0x80, 15, {0, 2, 1, 48, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00});
  return update({}, attrs, {});
}

// ADD-PATH v4 and v6 (session with path ids for both): withdrawn path 7 of
// 198.18.8.0/24; NLRI path 1 and 2 of 198.18.9.0/24; MP_REACH v6 next hop
// 2001:db8::2 (16 bytes) with path 3 of 2001:db8:300::/40. The IPv4 NLRI use
// NEXT_HOP 198.18.0.2: a "mixed next hops" UPDATE. AS_PATH SEQ(65001),
// 4-byte when `as4`.
inline Bytes update_addpath(bool as4 = false) {
  Writer mp;
  mp.u16(2).u8(1).u8(16);
  mp.raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
  mp.u8(0);
  mp.u32(3).raw({40, 0x20, 0x01, 0x0d, 0xb8, 0x03});
  Bytes attrs = cat({
      attr(0x40, 1, {0}),
      as4 ? attr(0x40, 2, {2, 1, 0, 0, 0xfd, 0xe9}) : attr(0x40, 2, {2, 1, 0xfd, 0xe9}),
      attr(0x40, 3, {198, 18, 0, 2}),
      attr(0x80, 14, mp),
  });
  Writer withdrawn;
  withdrawn.u32(7).raw({24, 198, 18, 8});
  Writer nlri;
  nlri.u32(1).raw({24, 198, 18, 9}).u32(2).raw({24, 198, 18, 9});
  return update(withdrawn, attrs, nlri);
}

// End-of-RIB markers (RFC 4724 2).
inline Bytes eor_v4() { return update({}, {}, {}); }
inline Bytes eor_v6() { return update({}, attr(0x80, 15, {0, 2, 1}), {}); }

// MP_REACH of a family the codec skips (IPv4 VPN, AFI 1 SAFI 128) and an
// MP_UNREACH of L2VPN EVPN (AFI 25 SAFI 70); nothing else.
inline Bytes update_other_families() {
  Writer mp;
  mp.u16(1).u8(128).u8(12).raw({0, 0, 0, 0, 0, 0, 0, 0, 198, 18, 0, 1}).u8(0);
  mp.raw({112, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 198, 18, 0});
  return update({}, cat({attr(0x80, 14, mp), attr(0x80, 15, {0, 25, 70})}), {});
}

// --- malformed UPDATEs (RFC 7606) --------------------------------------------

inline Bytes base_attrs() {
  return cat({attr(0x40, 1, {0}), attr(0x40, 2, {2, 1, 0xfd, 0xe9}), attr(0x40, 3, {198, 18, 0, 1})});
}
// ORIGIN value 3: treat-as-withdraw of 198.18.10.0/24.
inline Bytes update_bad_origin() {
  return update({}, cat({attr(0x40, 1, {3}), attr(0x40, 2, {2, 1, 0xfd, 0xe9}), attr(0x40, 3, {198, 18, 0, 1})}),
                {24, 198, 18, 10});
}
// COMMUNITIES of 5 bytes: treat-as-withdraw.
inline Bytes update_bad_communities() {
  return update({}, cat({base_attrs(), attr(0xc0, 8, {0, 1, 0, 2, 3})}), {24, 198, 18, 11});
}
// No NEXT_HOP for IPv4 NLRI: treat-as-withdraw.
inline Bytes update_missing_next_hop() {
  return update({}, cat({attr(0x40, 1, {0}), attr(0x40, 2, {2, 1, 0xfd, 0xe9})}), {24, 198, 18, 12});
}
// AS_PATH segment of 2 ASNs with only 2 bytes: treat-as-withdraw.
inline Bytes update_bad_as_path() {
  return update({}, cat({attr(0x40, 1, {0}), attr(0x40, 2, {2, 2, 0xfd, 0xe9}), attr(0x40, 3, {198, 18, 0, 1})}),
                {24, 198, 18, 13});
}
// Last attribute claims 9 bytes, 4 left: treat-as-withdraw.
inline Bytes update_attr_overrun() {
  return update({}, cat({base_attrs(), Bytes{0xc0, 8, 9, 0, 1, 0, 2}}), {24, 198, 18, 14});
}
// ATOMIC_AGGREGATE with 1 byte, AGGREGATOR with 5, a second ORIGIN:
// three attributes discarded, the route stays.
inline Bytes update_discards() {
  return update({},
                cat({base_attrs(), attr(0x40, 6, {1}), attr(0xc0, 7, {0, 1, 2, 3, 4}), attr(0x40, 1, {2})}),
                {24, 198, 18, 15});
}
// Session reset: withdrawn length 40 beyond the message.
inline Bytes update_bad_withdrawn_len() {
  return message(2, {0, 40, 24, 198, 18, 16, 0, 0});
}
// Session reset: NLRI prefix length 33.
inline Bytes update_bad_prefix() { return update({}, base_attrs(), {33, 198, 18, 17, 0, 0}); }
// Session reset: two MP_UNREACH_NLRI.
inline Bytes update_repeated_mp() {
  return update({}, cat({attr(0x80, 15, {0, 2, 1}), attr(0x80, 15, {0, 2, 1})}), {});
}

// --- NOTIFICATION, KEEPALIVE, ROUTE-REFRESH ---------------------------------------

// Cease / Administrative Shutdown with "maintenance" (RFC 9003).
inline Bytes notification_shutdown() {
  return message(3, {6, 2, 11, 'm', 'a', 'i', 'n', 't', 'e', 'n', 'a', 'n', 'c', 'e'});
}
// UPDATE Message Error / Malformed AS_PATH with 2 data bytes.
inline Bytes notification_update_error() { return message(3, {3, 11, 0xab, 0xcd}); }
inline Bytes keepalive() { return message(4, {}); }
// ROUTE-REFRESH for IPv6 unicast.
inline Bytes route_refresh_v6() { return message(5, {0, 2, 0, 1}); }

// Every well-formed vector, for the truncation and corruption sweeps.
inline std::vector<Bytes> all_vectors() {
  return {open_full(),          open_as4_addpath(),       open_plain(),           update_v4_all(),
          update_as4(),         update_as4_path_merge(),  update_as4_path_longer(), update_v6_reach(),
          update_v6_unreach(),  update_addpath(),         eor_v4(),               eor_v6(),
          update_other_families(), update_bad_origin(),   update_bad_communities(), update_missing_next_hop(),
          update_bad_as_path(), update_attr_overrun(),    update_discards(),      update_bad_withdrawn_len(),
          update_bad_prefix(),  update_repeated_mp(),     notification_shutdown(), notification_update_error(),
          keepalive(),          route_refresh_v6()};
}

}  // namespace xacct::tests::bgp
