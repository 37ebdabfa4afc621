// Information elements of NetFlow v9 (RFC 3954 section 8) and IPFIX (IANA
// "IPFIX Information Elements") that xacct maps to FlowRecord primitives,
// and templates compiled to one FieldKind per field, so that decoding a
// record is a loop over (length, kind) with no lookups.
//
// The numbers are the IANA ones; NetFlow v9 uses the same numbers for every
// element here. Elements not listed (and enterprise elements other than
// pmacct's PEN 43874 tag/tag2) are skipped by length. v9 options scope
// fields have their own numbering (1 system, 2 interface, 3 line card,
// 4 cache, 5 template): only "interface" is used (the ifindex of interface
// name options).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "collector/template_file.hpp"

namespace xacct::collector::nf {

enum class FieldKind : std::uint8_t {
  kSkip = 0,
  kOctets,             // 1 octetDeltaCount
  kPackets,            // 2 packetDeltaCount
  kFlows,              // 3 deltaFlowCount
  kProto,              // 4
  kTos,                // 5
  kTcpFlags,           // 6 (1 or 2 bytes: low 8 bits)
  kSrcPort,            // 7
  kSrcV4,              // 8
  kSrcMask,            // 9, 29
  kInIface,            // 10
  kDstPort,            // 11
  kDstV4,              // 12
  kDstMask,            // 13, 30
  kOutIface,           // 14
  kIpNextHopV4,        // 15
  kSrcAs,              // 16
  kDstAs,              // 17
  kBgpNextHopV4,       // 18
  kEndUptime,          // 21 flowEndSysUpTime (ms)
  kStartUptime,        // 22 flowStartSysUpTime (ms)
  kOutOctets,          // 23 postOctetDeltaCount
  kOutPackets,         // 24 postPacketDeltaCount
  kSrcV6,              // 27
  kDstV6,              // 28
  kIcmpTypeCode,       // 32, 139
  kSamplingInterval,   // 34
  kSamplingAlgorithm,  // 35
  kSamplerId,          // 48
  kSamplerMode,        // 49
  kSamplerInterval,    // 50
  kSrcMac,             // 56 sourceMacAddress
  kPostDstMac,         // 57 postDestinationMacAddress
  kVlan,               // 58
  kPostVlan,           // 59
  kDirection,          // 61 flowDirection
  kIpNextHopV6,        // 62
  kBgpNextHopV6,       // 63
  kMplsLabel,          // 70..79, arg = position
  kDstMac,             // 80 destinationMacAddress
  kPostSrcMac,         // 81 postSourceMacAddress
  kInterfaceName,      // 82
  kTotalOctets,        // 85
  kTotalPackets,       // 86
  kFwdStatus,          // 89
  kL2Section,          // 104 layer2packetSectionData (v9), 315 dataLinkFrameSection
  kPeerDstAs,          // 128 bgpNextAdjacentAsNumber
  kPeerSrcAs,          // 129 bgpPrevAdjacentAsNumber
  kExporterV4,         // 130
  kExporterV6,         // 131
  kStartSeconds,       // 150
  kEndSeconds,         // 151
  kStartMillis,        // 152
  kEndMillis,          // 153
  kStartMicros,        // 154 (NTP format)
  kEndMicros,          // 155
  kStartNanos,         // 156 (NTP format)
  kEndNanos,           // 157
  kStartDeltaMicros,   // 158 flowStartDeltaMicroseconds (before export time)
  kEndDeltaMicros,     // 159
  kSysInitMillis,      // 160 systemInitTimeMilliseconds
  kDot1qVlan,          // 243
  kDot1qPriority,      // 244
  kPhysInIface,        // 252
  kPhysOutIface,       // 253
  kPostDot1qVlan,      // 254
  kEthertype,          // 256
  kSelectorId,         // 302
  kSelectorAlgorithm,  // 304
  kPacketInterval,     // 305 samplingPacketInterval
  kPacketSpace,        // 306 samplingPacketSpace
  kL2SegmentId,        // 351 layer2SegmentId (VXLAN VNI when the type byte is 1)
  kTag,                // PEN 43874 (pmacct) element 1
  kTag2,               // PEN 43874 element 2
  kScopeInterface,     // v9 options scope type 2
};

inline constexpr std::uint32_t kPmacctPen = 43874;

struct CompiledField {
  std::uint16_t length = 0;  // kVariableLength: read the length from the record
  FieldKind kind = FieldKind::kSkip;
  std::uint8_t arg = 0;  // MPLS label position
};

struct Template {
  TemplateDef def;
  std::vector<CompiledField> fields;
  std::uint32_t min_length = 0;  // fixed lengths + 1 per variable-length field
  bool variable = false;
  bool has_frame = false;  // a 104/315 frame section (records need the parser)
};

// The element a field maps to (kSkip if none or the length cannot hold it).
CompiledField compile_field(std::uint16_t version, const FieldSpec& f, bool scope);

// Compiles a definition; nullopt when no record could ever be decoded with
// it: no fields, a record length of 0, or records longer than the largest
// set (65535 bytes minus headers).
std::optional<Template> compile_template(std::uint16_t version, TemplateDef def);

}  // namespace xacct::collector::nf
