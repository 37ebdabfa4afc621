// See match_key.hpp.
#include "userspace/maps/match_key.hpp"

#include <charconv>
#include <string>

namespace xacct::maps {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size();
}

bool parse_mac(std::string_view s, userspace::MacAddress& out) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i > 0) {
      if (s.empty() || s.front() != ':') return false;
      s.remove_prefix(1);
    }
    int value = 0;
    int digits = 0;
    while (!s.empty() && digits < 2 && hex_digit(s.front()) >= 0) {
      value = value * 16 + hex_digit(s.front());
      s.remove_prefix(1);
      ++digits;
    }
    if (digits == 0) return false;
    out[i] = static_cast<std::uint8_t>(value);
  }
  return s.empty();
}

bool match_record(const std::optional<IpPrefix>& ip, const std::vector<MatchTerm>& terms,
                  const userspace::FlowRecord& r, filter::RecordPacket& packet, bool& packet_built) {
  if (ip && !ip->contains(r.peer_src_ip)) return false;
  for (const MatchTerm& m : terms) {
    bool hit = false;
    switch (m.key) {
      case MatchKey::kIn:
        hit = r.in_iface == m.number;
        break;
      case MatchKey::kOut:
        hit = r.out_iface == m.number;
        break;
      case MatchKey::kDirection:
        hit = r.direction == (m.number == 0 ? userspace::Direction::kIn : userspace::Direction::kOut);
        break;
      case MatchKey::kVlan:
        hit = r.vlan == m.number;
        break;
      case MatchKey::kSrcMac:
        hit = r.src_mac == m.mac;
        break;
      case MatchKey::kDstMac:
        hit = r.dst_mac == m.mac;
        break;
      case MatchKey::kSrcNet:
        hit = m.prefix.contains(r.src_host);
        break;
      case MatchKey::kDstNet:
        hit = m.prefix.contains(r.dst_host);
        break;
      case MatchKey::kNexthop:
        hit = r.peer_dst_ip == m.address;
        break;
      case MatchKey::kSrcAs:
        hit = r.src_as == m.number;
        break;
      case MatchKey::kDstAs:
        hit = r.dst_as == m.number;
        break;
      case MatchKey::kPeerSrcAs:
        hit = r.peer_src_as == m.number;
        break;
      case MatchKey::kPeerDstAs:
        hit = r.peer_dst_as == m.number;
        break;
      case MatchKey::kEngineId:
        hit = r.export_proto_sysid == m.number;
        break;
      case MatchKey::kIsMulticast:
        hit = ((r.dst_mac[0] & 0x01) != 0) == (m.number != 0);
        break;
      case MatchKey::kFwdStatus:
        // A class value (64 forwarded, 128 dropped, 192 consumed, 0
        // unknown) matches every reason of the class (pmacct).
        if ((m.number & 0xc0) == m.number) {
          hit = (r.fwd_status & 0xc0) == m.number;
        } else {
          hit = r.fwd_status == m.number;
        }
        break;
      case MatchKey::kMplsLabelBottom:
        hit = r.mpls_label_bottom == m.number;
        break;
      case MatchKey::kFilter:
        if (!packet_built) {
          filter::build_record_packet(r, packet);
          packet_built = true;
        }
        hit = m.filter->matches(packet);
        break;
    }
    if (hit == m.neg) return false;
  }
  return true;
}

RowCheck check_row(const MapRow& row, std::size_t kept, std::uint32_t max_entries, std::string_view file,
                   LoadReport& report) {
  if (kept >= max_entries) {
    report.warn(file, row.line,
                "map cut to the first " + std::to_string(max_entries) +
                    " entries (raise maps_entries); this and later lines ignored");
    return RowCheck::kStop;
  }
  if (!row.error.empty()) {
    report.warn(file, row.line, row.error + "; line skipped");
    return RowCheck::kSkip;
  }
  return RowCheck::kParse;
}

}  // namespace xacct::maps
