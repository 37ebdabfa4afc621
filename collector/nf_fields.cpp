// See nf_fields.hpp.
#include "collector/nf_fields.hpp"

#include <utility>

namespace xacct::collector::nf {

namespace {

enum class Shape : std::uint8_t { kUint, kV4, kV6, kMac, kLabel, kBytes, kNtp };

bool length_fits(Shape shape, std::uint16_t len) {
  switch (shape) {
    case Shape::kUint:
      return len >= 1 && len <= 8;
    case Shape::kV4:
      return len == 4;
    case Shape::kV6:
      return len == 16;
    case Shape::kMac:
      return len == 6;
    case Shape::kLabel:
      return len == 3 || len == 4;
    case Shape::kNtp:
      return len == 8;
    case Shape::kBytes:
      return true;  // strings, frames: any length, variable included
  }
  return false;
}

std::pair<FieldKind, Shape> iana_kind(std::uint16_t id) {
  using K = FieldKind;
  using S = Shape;
  switch (id) {
    case 1:
      return {K::kOctets, S::kUint};
    case 2:
      return {K::kPackets, S::kUint};
    case 3:
      return {K::kFlows, S::kUint};
    case 4:
      return {K::kProto, S::kUint};
    case 5:
      return {K::kTos, S::kUint};
    case 6:
      return {K::kTcpFlags, S::kUint};
    case 7:
      return {K::kSrcPort, S::kUint};
    case 8:
      return {K::kSrcV4, S::kV4};
    case 9:
      return {K::kSrcMask, S::kUint};
    case 10:
      return {K::kInIface, S::kUint};
    case 11:
      return {K::kDstPort, S::kUint};
    case 12:
      return {K::kDstV4, S::kV4};
    case 13:
      return {K::kDstMask, S::kUint};
    case 14:
      return {K::kOutIface, S::kUint};
    case 15:
      return {K::kIpNextHopV4, S::kV4};
    case 16:
      return {K::kSrcAs, S::kUint};
    case 17:
      return {K::kDstAs, S::kUint};
    case 18:
      return {K::kBgpNextHopV4, S::kV4};
    case 21:
      return {K::kEndUptime, S::kUint};
    case 22:
      return {K::kStartUptime, S::kUint};
    case 23:
      return {K::kOutOctets, S::kUint};
    case 24:
      return {K::kOutPackets, S::kUint};
    case 27:
      return {K::kSrcV6, S::kV6};
    case 28:
      return {K::kDstV6, S::kV6};
    case 29:
      return {K::kSrcMask, S::kUint};
    case 30:
      return {K::kDstMask, S::kUint};
    case 32:
      return {K::kIcmpTypeCode, S::kUint};
    case 34:
      return {K::kSamplingInterval, S::kUint};
    case 35:
      return {K::kSamplingAlgorithm, S::kUint};
    case 48:
      return {K::kSamplerId, S::kUint};
    case 49:
      return {K::kSamplerMode, S::kUint};
    case 50:
      return {K::kSamplerInterval, S::kUint};
    case 56:
      return {K::kSrcMac, S::kMac};
    case 57:
      return {K::kPostDstMac, S::kMac};
    case 58:
      return {K::kVlan, S::kUint};
    case 59:
      return {K::kPostVlan, S::kUint};
    case 61:
      return {K::kDirection, S::kUint};
    case 62:
      return {K::kIpNextHopV6, S::kV6};
    case 63:
      return {K::kBgpNextHopV6, S::kV6};
    case 80:
      return {K::kDstMac, S::kMac};
    case 81:
      return {K::kPostSrcMac, S::kMac};
    case 82:
      return {K::kInterfaceName, S::kBytes};
    case 85:
      return {K::kTotalOctets, S::kUint};
    case 86:
      return {K::kTotalPackets, S::kUint};
    case 89:
      return {K::kFwdStatus, S::kUint};
    case 104:
      return {K::kL2Section, S::kBytes};
    case 128:
      return {K::kPeerDstAs, S::kUint};
    case 129:
      return {K::kPeerSrcAs, S::kUint};
    case 130:
      return {K::kExporterV4, S::kV4};
    case 131:
      return {K::kExporterV6, S::kV6};
    case 139:
      return {K::kIcmpTypeCode, S::kUint};
    case 150:
      return {K::kStartSeconds, S::kUint};
    case 151:
      return {K::kEndSeconds, S::kUint};
    case 152:
      return {K::kStartMillis, S::kUint};
    case 153:
      return {K::kEndMillis, S::kUint};
    case 154:
      return {K::kStartMicros, S::kNtp};
    case 155:
      return {K::kEndMicros, S::kNtp};
    case 156:
      return {K::kStartNanos, S::kNtp};
    case 157:
      return {K::kEndNanos, S::kNtp};
    case 158:
      return {K::kStartDeltaMicros, S::kUint};
    case 159:
      return {K::kEndDeltaMicros, S::kUint};
    case 160:
      return {K::kSysInitMillis, S::kUint};
    case 243:
      return {K::kDot1qVlan, S::kUint};
    case 244:
      return {K::kDot1qPriority, S::kUint};
    case 252:
      return {K::kPhysInIface, S::kUint};
    case 253:
      return {K::kPhysOutIface, S::kUint};
    case 254:
      return {K::kPostDot1qVlan, S::kUint};
    case 256:
      return {K::kEthertype, S::kUint};
    case 302:
      return {K::kSelectorId, S::kUint};
    case 304:
      return {K::kSelectorAlgorithm, S::kUint};
    case 305:
      return {K::kPacketInterval, S::kUint};
    case 306:
      return {K::kPacketSpace, S::kUint};
    case 315:
      return {K::kL2Section, S::kBytes};
    case 351:
      return {K::kL2SegmentId, S::kUint};
    default:
      break;
  }
  if (id >= 70 && id <= 79) return {K::kMplsLabel, S::kLabel};
  return {K::kSkip, S::kBytes};
}

}  // namespace

CompiledField compile_field(std::uint16_t version, const FieldSpec& f, bool scope) {
  CompiledField c;
  c.length = f.length;
  if (version == 9 && scope) {
    // RFC 3954 section 6.1: scope field types are their own numbering.
    if (f.id == 2 && f.length >= 1 && f.length <= 8) c.kind = FieldKind::kScopeInterface;
    return c;
  }
  std::pair<FieldKind, Shape> ks{FieldKind::kSkip, Shape::kBytes};
  if (f.pen == kPmacctPen) {
    if (f.id == 1) ks = {FieldKind::kTag, Shape::kUint};
    if (f.id == 2) ks = {FieldKind::kTag2, Shape::kUint};
  } else if (f.pen == 0) {
    ks = iana_kind(f.id);
  }
  if (f.length == kVariableLength && version == 10) {
    if (ks.second == Shape::kBytes) c.kind = ks.first;
  } else if (length_fits(ks.second, f.length)) {
    c.kind = ks.first;
  }
  if (c.kind == FieldKind::kMplsLabel) c.arg = static_cast<std::uint8_t>(f.id - 70);
  return c;
}

std::optional<Template> compile_template(std::uint16_t version, TemplateDef def) {
  if (def.fields.empty() || def.scope_count > def.fields.size()) return std::nullopt;
  Template t;
  t.fields.reserve(def.fields.size());
  std::uint32_t min_length = 0;
  for (std::size_t i = 0; i < def.fields.size(); ++i) {
    const FieldSpec& f = def.fields[i];
    CompiledField c = compile_field(version, f, i < def.scope_count);
    if (f.length == kVariableLength && version == 10) {
      t.variable = true;
      min_length += 1;
    } else {
      min_length += f.length;
    }
    if (c.kind == FieldKind::kL2Section) t.has_frame = true;
    t.fields.push_back(c);
  }
  // A set is at most 65535 bytes, less its 4-byte header; a record of length
  // 0 would never advance (RFC 7011 section 3.4.1 forbids such templates).
  if (min_length == 0 || min_length > 65535 - 4) return std::nullopt;
  t.min_length = min_length;
  t.def = std::move(def);
  return t;
}

}  // namespace xacct::collector::nf
