// UPDATE decoding (bgp_wire.hpp): RFC 4271 4.3 and 5, RFC 4760 (MP-BGP),
// RFC 6793 (4-octet AS, AS4_PATH merge), RFC 7911 (ADD-PATH), RFC 1997 /
// 4360 / 8092 (communities), RFC 4724 (End-of-RIB), RFC 7606 (revised error
// handling).
//
// Error policy (RFC 7606): only what leaves the NLRI impossible to locate or
// decode fails the parse (the session then sends an UPDATE Message Error):
// withdrawn/attribute lengths beyond the message, a bad prefix, a malformed
// or repeated MP_REACH/MP_UNREACH. A malformed attribute that affects route
// selection (ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF, communities, an
// attribute list whose last attribute overruns it) turns every announcement
// of the UPDATE into a withdrawal; one that does not (ATOMIC_AGGREGATE,
// AGGREGATOR, AS4_PATH, AS4_AGGREGATOR, a repeated attribute) is dropped.
#include <algorithm>
#include <bitset>

#include "bgp/bgp_wire.hpp"
#include "bgp/bgp_wire_reader.hpp"

namespace xacct::bgp {
namespace {

using wire::ByteReader;

constexpr std::uint8_t kFlagExtendedLength = 0x10;

enum AttrType : std::uint8_t {
  kOrigin = 1,
  kAsPath = 2,
  kNextHop = 3,
  kMed = 4,
  kLocalPref = 5,
  kAtomicAggregate = 6,
  kAggregator = 7,
  kCommunities = 8,
  kMpReach = 14,
  kMpUnreach = 15,
  kExtCommunities = 16,
  kAs4Path = 17,
  kAs4Aggregator = 18,
  kLargeCommunities = 32,
};

WireError update_error(std::string what, std::size_t offset, std::uint8_t subcode) {
  return WireError{"UPDATE: " + std::move(what), offset, notify::kUpdateError, subcode, {}};
}

// A run of NLRI (RFC 4271 4.3, RFC 4760 5, RFC 7911 3).
WireStatus parse_prefixes(ByteReader r, bool v6, bool add_path, std::vector<Prefix>& out, const char* what) {
  const unsigned max_len = v6 ? 128 : 32;
  while (!r.empty()) {
    const std::size_t at = r.offset();
    Prefix p;
    if (add_path) p.path_id = r.u32();
    const std::uint8_t len = r.u8();
    if (!r.ok()) {
      return update_error(std::string(what) + ": prefix truncated", at, notify::kInvalidNetworkField);
    }
    if (len > max_len) {
      return update_error(
          std::string(what) + ": prefix length " + std::to_string(len) + " > " + std::to_string(max_len),
          r.offset() - 1, notify::kInvalidNetworkField);
    }
    const std::size_t n = (len + 7u) / 8u;
    auto bytes = r.take(n);
    if (!r.ok()) {
      return update_error(std::string(what) + ": prefix /" + std::to_string(len) + " needs " +
                              std::to_string(n) + " bytes, fewer left",
                          at, notify::kInvalidNetworkField);
    }
    std::array<std::uint8_t, 16> addr{};
    std::copy(bytes.begin(), bytes.end(), addr.begin());
    // Host bits some speakers leave set are cleared (the RIB keys on them).
    if (len % 8 != 0) addr[n - 1] = static_cast<std::uint8_t>(addr[n - 1] & (0xff00u >> (len % 8)));
    p.addr = v6 ? wire::ipv6_address(addr.data()) : wire::ipv4_address(addr.data());
    p.len = len;
    out.push_back(p);
  }
  return {};
}

// AS_PATH / AS4_PATH segments (RFC 4271 4.3, RFC 6793 3). False if malformed.
bool parse_as_path(ByteReader r, bool as4, std::vector<AsPathSegment>& out, std::string& why) {
  out.clear();
  while (!r.empty()) {
    const std::uint8_t type = r.u8();
    const std::uint8_t count = r.u8();
    if (!r.ok()) {
      why = "segment header truncated";
      return false;
    }
    if (type < 1 || type > 4) {
      why = "segment type " + std::to_string(type);
      return false;
    }
    if (count == 0) {
      why = "empty segment";
      return false;
    }
    AsPathSegment seg;
    seg.type = static_cast<AsPathSegment::Type>(type);
    seg.asns.reserve(count);
    for (unsigned i = 0; i < count; ++i) seg.asns.push_back(as4 ? r.u32() : r.u16());
    if (!r.ok()) {
      why = "segment of " + std::to_string(count) + " ASNs overruns the attribute";
      return false;
    }
    out.push_back(std::move(seg));
  }
  return true;
}

// RFC 6793 4.2.3: path length as counted for the merge (a set counts 1,
// confederation segments 0).
std::size_t path_count(const std::vector<AsPathSegment>& path) {
  std::size_t n = 0;
  for (const auto& s : path) {
    if (s.type == AsPathSegment::Type::kSequence) n += s.asns.size();
    if (s.type == AsPathSegment::Type::kSet) n += 1;
  }
  return n;
}

// The leading ASes of the 2-byte AS_PATH that AS4_PATH does not cover, then
// AS4_PATH (RFC 6793 4.2.3).
std::vector<AsPathSegment> merge_as4_path(const std::vector<AsPathSegment>& as_path,
                                          const std::vector<AsPathSegment>& as4_path) {
  std::size_t keep = path_count(as_path) - path_count(as4_path);
  std::vector<AsPathSegment> merged;
  for (const auto& s : as_path) {
    if (keep == 0) break;
    if (s.type == AsPathSegment::Type::kConfedSequence || s.type == AsPathSegment::Type::kConfedSet) {
      merged.push_back(s);
    } else if (s.type == AsPathSegment::Type::kSet) {
      merged.push_back(s);
      keep -= 1;
    } else {
      const std::size_t n = std::min(keep, s.asns.size());
      merged.push_back({s.type, std::vector<std::uint32_t>(s.asns.begin(),
                                                           s.asns.begin() + static_cast<std::ptrdiff_t>(n))});
      keep -= n;
    }
  }
  for (const auto& s : as4_path) {
    if (!merged.empty() && merged.back().type == AsPathSegment::Type::kSequence &&
        s.type == AsPathSegment::Type::kSequence) {
      merged.back().asns.insert(merged.back().asns.end(), s.asns.begin(), s.asns.end());
    } else {
      merged.push_back(s);
    }
  }
  return merged;
}

struct MpReach {
  bool present = false;
  bool supported = false;
  bool v6 = false;
  IpAddress next_hop;
  bool next_hop_ok = true;
  std::vector<Prefix> nlri;
};

struct Parser {
  Parser(const SessionCaps& c, UpdateMessage& o, UpdateInfo& i) : caps(c), out(o), info(i) {}

  const SessionCaps& caps;
  UpdateMessage& out;
  UpdateInfo& info;

  std::bitset<256> seen;
  std::vector<AsPathSegment> as4_path;
  bool has_as4_path = false;
  bool has_aggregator = false;
  bool has_as4_aggregator = false;
  std::uint32_t as4_aggregator_as = 0;
  IpAddress as4_aggregator_addr;
  MpReach reach;
  bool unreach_present = false;
  bool unreach_supported = false;
  bool unreach_v6 = false;
  std::size_t unreach_count = 0;

  void withdraw_all(std::string why, std::size_t at) {
    if (!info.treat_as_withdraw && info.reason.empty()) {
      info.reason = std::move(why);
      info.reason_offset = at;
    }
    info.treat_as_withdraw = true;
  }
  void discard(std::string why, std::size_t at) {
    ++info.discarded_attributes;
    if (info.reason.empty()) {
      info.reason = std::move(why);
      info.reason_offset = at;
    }
  }

  // MP_REACH_NLRI (RFC 4760 3).
  WireStatus mp_reach(ByteReader r, std::size_t at) {
    reach.present = true;
    const std::uint16_t afi = r.u16();
    const std::uint8_t safi = r.u8();
    const std::uint8_t nh_len = r.u8();
    auto nh = r.take(nh_len);
    r.u8();  // reserved (formerly the SNPA count)
    if (!r.ok()) return update_error("MP_REACH_NLRI truncated", at, 9);
    if (safi != 1 || (afi != 1 && afi != 2)) {
      ++info.skipped_families;
      return {};
    }
    reach.supported = true;
    reach.v6 = afi == 2;
    // IPv6 next hop: global, or global + link-local (RFC 2545 3); IPv4 NLRI
    // may have an IPv6 next hop (RFC 8950).
    if (nh_len == 4 && afi == 1) {
      reach.next_hop = wire::ipv4_address(nh.data());
    } else if (nh_len == 16 || nh_len == 32) {
      const bool global_zero =
          std::all_of(nh.begin(), nh.begin() + 16, [](std::uint8_t b) { return b == 0; });
      reach.next_hop = wire::ipv6_address(nh.data() + (nh_len == 32 && global_zero ? 16 : 0));
    } else {
      reach.next_hop_ok = false;
      withdraw_all(
          "MP_REACH_NLRI next hop length " + std::to_string(nh_len) + " for AFI " + std::to_string(afi),
          at + 3);
    }
    const bool v6 = afi == 2;
    return parse_prefixes(r, v6, caps.add_path[v6 ? 1 : 0], reach.nlri, "MP_REACH_NLRI");
  }

  // MP_UNREACH_NLRI (RFC 4760 4).
  WireStatus mp_unreach(ByteReader r, std::size_t at) {
    unreach_present = true;
    const std::uint16_t afi = r.u16();
    const std::uint8_t safi = r.u8();
    if (!r.ok()) return update_error("MP_UNREACH_NLRI truncated", at, 9);
    if (safi != 1 || (afi != 1 && afi != 2)) {
      ++info.skipped_families;
      return {};
    }
    unreach_supported = true;
    unreach_v6 = afi == 2;
    const std::size_t before = out.withdrawn.size();
    auto st =
        parse_prefixes(r, unreach_v6, caps.add_path[unreach_v6 ? 1 : 0], out.withdrawn, "MP_UNREACH_NLRI");
    unreach_count = out.withdrawn.size() - before;
    return st;
  }

  WireStatus attribute(std::uint8_t type, ByteReader r, std::size_t at) {
    const std::size_t len = r.remaining();
    PathAttributes& a = out.attrs;
    auto u32_attr = [&](const char* name, std::uint32_t& value, bool& has) {
      if (len != 4) return withdraw_all(std::string(name) + " length " + std::to_string(len), at);
      value = r.u32();
      has = true;
    };
    auto list_len_ok = [&](const char* name, std::size_t unit) {
      if (len % unit == 0) return true;
      withdraw_all(
          std::string(name) + " length " + std::to_string(len) + " not a multiple of " + std::to_string(unit),
          at);
      return false;
    };
    switch (type) {
      case kOrigin: {
        const std::uint8_t v = len == 1 ? r.u8() : 0xff;
        if (v > 2) return withdraw_all("ORIGIN malformed", at), WireStatus{};
        a.origin = static_cast<Origin>(v);
        return {};
      }
      case kAsPath: {
        std::string why;
        if (!parse_as_path(r, caps.as4, a.as_path, why)) withdraw_all("AS_PATH: " + why, at);
        return {};
      }
      case kNextHop:
        if (len != 4) return withdraw_all("NEXT_HOP length " + std::to_string(len), at), WireStatus{};
        a.next_hop = wire::ipv4_address(r.take(4).data());
        a.has_next_hop = true;
        return {};
      case kMed:
        u32_attr("MULTI_EXIT_DISC", a.med, a.has_med);
        return {};
      case kLocalPref:
        u32_attr("LOCAL_PREF", a.local_pref, a.has_local_pref);
        return {};
      case kAtomicAggregate:
        if (len != 0) return discard("ATOMIC_AGGREGATE length " + std::to_string(len), at), WireStatus{};
        a.atomic_aggregate = true;
        return {};
      case kAggregator: {
        const std::size_t want = caps.as4 ? 8 : 6;
        if (len != want) return discard("AGGREGATOR length " + std::to_string(len), at), WireStatus{};
        a.aggregator_as = caps.as4 ? r.u32() : r.u16();
        a.aggregator_addr = wire::ipv4_address(r.take(4).data());
        has_aggregator = true;
        return {};
      }
      case kCommunities:
        if (!list_len_ok("COMMUNITIES", 4)) return {};
        while (!r.empty()) a.communities.push_back(r.u32());
        return {};
      case kExtCommunities:
        if (!list_len_ok("EXTENDED_COMMUNITIES", 8)) return {};
        while (!r.empty()) a.ext_communities.push_back(r.u64());
        return {};
      case kLargeCommunities:
        if (!list_len_ok("LARGE_COMMUNITY", 12)) return {};
        while (!r.empty()) a.large_communities.push_back({r.u32(), r.u32(), r.u32()});
        return {};
      case kMpReach:
        return mp_reach(r, at);
      case kMpUnreach:
        return mp_unreach(r, at);
      case kAs4Path: {
        // Between two 4-octet speakers AS4_PATH has no meaning (RFC 6793 4.1).
        if (caps.as4) return discard("AS4_PATH on a 4-octet AS session", at), WireStatus{};
        std::string why;
        if (!parse_as_path(r, true, as4_path, why)) return discard("AS4_PATH: " + why, at), WireStatus{};
        has_as4_path = true;
        return {};
      }
      case kAs4Aggregator:
        if (caps.as4) return discard("AS4_AGGREGATOR on a 4-octet AS session", at), WireStatus{};
        if (len != 8) return discard("AS4_AGGREGATOR length " + std::to_string(len), at), WireStatus{};
        as4_aggregator_as = r.u32();
        as4_aggregator_addr = wire::ipv4_address(r.take(4).data());
        has_as4_aggregator = true;
        return {};
      default:
        ++info.unknown_attributes;
        return {};
    }
  }

  // Walks the path attributes (RFC 4271 4.3).
  WireStatus attributes(ByteReader r) {
    while (!r.empty()) {
      const std::size_t at = r.offset();
      const std::uint8_t flags = r.u8();
      const std::uint8_t type = r.u8();
      const std::size_t len = (flags & kFlagExtendedLength) != 0 ? r.u16() : r.u8();
      if (!r.ok() || !r.has(len)) {
        // RFC 7606 4: the attribute list is malformed; what was parsed so far
        // (MP_* included) is withdrawn.
        withdraw_all("attribute " + std::to_string(type) + " overruns the path attributes", at);
        return {};
      }
      ByteReader value(r.take(len), r.offset() - len);
      if (seen.test(type)) {
        if (type == kMpReach || type == kMpUnreach) {
          return update_error("repeated MP_" + std::string(type == kMpReach ? "REACH" : "UNREACH") + "_NLRI",
                              at, notify::kMalformedAttributeList);
        }
        discard("repeated attribute " + std::to_string(type), at);
        continue;
      }
      seen.set(type);
      if (auto st = attribute(type, value, at); !st) return st;
    }
    return {};
  }

  // AS4_PATH / AS4_AGGREGATOR from a 2-byte speaker (RFC 6793 4.2.3).
  void merge_as4() {
    PathAttributes& a = out.attrs;
    if (has_aggregator && a.aggregator_as != kAsTrans) return;  // AS4_* ignored
    if (has_as4_aggregator && has_aggregator) {
      a.aggregator_as = as4_aggregator_as;
      a.aggregator_addr = as4_aggregator_addr;
    }
    if (has_as4_path && path_count(a.as_path) >= path_count(as4_path)) {
      a.as_path = merge_as4_path(a.as_path, as4_path);
    }
  }
};

}  // namespace

WireStatus parse_update(Bytes message, const SessionCaps& caps, UpdateMessage& out, UpdateInfo& info) {
  out = UpdateMessage{};
  info = UpdateInfo{};
  if (message.size() < kHeaderSize + 4) {
    if (message.size() >= kHeaderSize && message[18] == static_cast<std::uint8_t>(MessageType::kUpdate)) {
      return WireError{"UPDATE: " + std::to_string(message.size()) + " bytes, shorter than 23",
                       16,
                       notify::kHeaderError,
                       notify::kBadMessageLength,
                       {message[16], message[17]}};
    }
  }
  {
    std::size_t length = 0;
    MessageType type{};
    if (auto st = peek_message(message, kMaxExtendedMessageSize, length, type); !st) return st;
    if (length == 0 || length != message.size()) {
      return WireError{"UPDATE: length field != " + std::to_string(message.size()) + " bytes given",
                       16,
                       notify::kHeaderError,
                       notify::kBadMessageLength,
                       {}};
    }
    if (type != MessageType::kUpdate) {
      return WireError{std::string("expected UPDATE, got ") + message_type_name(type),
                       18,
                       notify::kHeaderError,
                       notify::kBadMessageType,
                       {}};
    }
  }
  ByteReader r(message.subspan(kHeaderSize), kHeaderSize);
  const std::uint16_t withdrawn_len = r.u16();
  if (!r.has(withdrawn_len)) {
    return update_error("withdrawn routes length " + std::to_string(withdrawn_len) + " beyond the message",
                        kHeaderSize, notify::kMalformedAttributeList);
  }
  const std::size_t withdrawn_at = r.offset();
  ByteReader withdrawn(r.take(withdrawn_len), withdrawn_at);
  if (auto st = parse_prefixes(withdrawn, false, caps.add_path[0], out.withdrawn, "withdrawn routes"); !st) {
    return st;
  }
  const std::size_t attrs_len_at = r.offset();
  const std::uint16_t attrs_len = r.u16();
  if (!r.ok() || !r.has(attrs_len)) {
    return update_error("total path attribute length " + std::to_string(attrs_len) + " beyond the message",
                        attrs_len_at, notify::kMalformedAttributeList);
  }
  const std::size_t attrs_at = r.offset();
  ByteReader attrs(r.take(attrs_len), attrs_at);
  const std::size_t nlri_at = r.offset();
  ByteReader nlri(r.take(r.remaining()), nlri_at);

  // End-of-RIB for IPv4 unicast (RFC 4724 2): an UPDATE with nothing in it.
  if (withdrawn_len == 0 && attrs_len == 0 && nlri.empty()) {
    out.end_of_rib = true;
    out.end_of_rib_afi = Afi::kIpv4;
    return {};
  }

  Parser p(caps, out, info);
  if (auto st = p.attributes(attrs); !st) return st;
  if (auto st = parse_prefixes(nlri, false, caps.add_path[0], out.announced, "NLRI"); !st) return st;

  PathAttributes& a = out.attrs;
  if (!caps.as4) p.merge_as4();

  const bool v4_nlri = !out.announced.empty();
  const bool mp_nlri = p.reach.supported && !p.reach.nlri.empty();
  if (v4_nlri || mp_nlri) {
    // Well-known mandatory attributes (RFC 4271 5; RFC 7606 3.d).
    const char* missing = !p.seen.test(kOrigin)               ? "ORIGIN"
                          : !p.seen.test(kAsPath)             ? "AS_PATH"
                          : v4_nlri && !p.seen.test(kNextHop) ? "NEXT_HOP"
                                                              : nullptr;
    if (missing != nullptr) p.withdraw_all(std::string("missing mandatory attribute ") + missing, attrs_at);
  }
  if (mp_nlri) {
    if (v4_nlri && a.has_next_hop) {
      info.mixed_next_hops = true;
      info.mp_first = out.announced.size();
      info.mp_next_hop = p.reach.next_hop;
    } else if (p.reach.next_hop_ok) {
      a.next_hop = p.reach.next_hop;
      a.has_next_hop = true;
    }
    out.announced.insert(out.announced.end(), p.reach.nlri.begin(), p.reach.nlri.end());
  }

  // End-of-RIB for other families: only an empty MP_UNREACH_NLRI.
  if (withdrawn_len == 0 && nlri.empty() && p.unreach_supported && p.unreach_count == 0 &&
      p.seen.count() == 1 && !info.treat_as_withdraw) {
    out.end_of_rib = true;
    out.end_of_rib_afi = p.unreach_v6 ? Afi::kIpv6 : Afi::kIpv4;
    return {};
  }

  if (info.treat_as_withdraw) {
    out.withdrawn.insert(out.withdrawn.end(), out.announced.begin(), out.announced.end());
    out.announced.clear();
    out.attrs = PathAttributes{};
    info.mixed_next_hops = false;
    info.mp_first = 0;
  }
  return {};
}

bool split_mixed_next_hops(UpdateMessage& update, const UpdateInfo& info, UpdateMessage& mp) {
  if (!info.mixed_next_hops || info.mp_first > update.announced.size()) return false;
  mp = UpdateMessage{};
  mp.attrs = update.attrs;
  mp.attrs.next_hop = info.mp_next_hop;
  const auto first = update.announced.begin() + static_cast<std::ptrdiff_t>(info.mp_first);
  mp.announced.assign(first, update.announced.end());
  update.announced.erase(first, update.announced.end());
  return true;
}

}  // namespace xacct::bgp
