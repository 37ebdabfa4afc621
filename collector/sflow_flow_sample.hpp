// FlowSampleBuilder: the flow records of one sFlow flow sample turned into
// one FlowRecord (the field semantics are in collector/sflow_decoder.hpp).
// sFlow v5 frames each record with a format and a length, so a record is
// read from its own sub-reader; sFlow v2/v4 has one packet-data block and a
// list of extended blocks without lengths, read straight from the sample.
// A false return means the record was malformed (the caller counts it and
// drops the sample); unknown v5 record formats are skipped by the caller.
//
// Record layouts: sFlow v5 (sflow.org sflow_version_5.txt, "Flow Data"
// formats 1-4 and 1001-1003) and sFlow v4 (RFC 3176 section 4).
#pragma once

#include <cstdint>

#include "collector/sflow_xdr.hpp"
#include "userspace/flow_record.hpp"

namespace xacct::collector::sflow {

// v5 flow record formats (enterprise 0) and v2/v4 tags.
inline constexpr std::uint32_t kRecordHeader = 1;
inline constexpr std::uint32_t kRecordEthernet = 2;
inline constexpr std::uint32_t kRecordIpv4 = 3;
inline constexpr std::uint32_t kRecordIpv6 = 4;
inline constexpr std::uint32_t kRecordExtSwitch = 1001;
inline constexpr std::uint32_t kRecordExtRouter = 1002;
inline constexpr std::uint32_t kRecordExtGateway = 1003;
inline constexpr std::uint32_t kV4PacketHeader = 1;
inline constexpr std::uint32_t kV4PacketIpv4 = 2;
inline constexpr std::uint32_t kV4PacketIpv6 = 3;
inline constexpr std::uint32_t kV4ExtSwitch = 1;
inline constexpr std::uint32_t kV4ExtRouter = 2;
inline constexpr std::uint32_t kV4ExtGateway = 3;
inline constexpr std::uint32_t kV4ExtUser = 4;
inline constexpr std::uint32_t kV4ExtUrl = 5;

// Header protocols of the raw packet header record that xacct decodes.
inline constexpr std::uint32_t kHeaderEthernet = 1;
inline constexpr std::uint32_t kHeaderIpv4 = 11;
inline constexpr std::uint32_t kHeaderIpv6 = 12;
inline constexpr std::uint32_t kHeaderMpls = 13;

// sFlow address: type 1 IPv4, 2 IPv6, 0 unknown (no bytes). Any other type
// is malformed. `known` says whether an address was present.
bool read_address(XdrReader& r, userspace::IpAddress& addr, bool& known);

class FlowSampleBuilder {
 public:
  // `r` is the record being built, in place (no copies of the large
  // FlowRecord on the hot path): it starts as what every record of the
  // datagram shares (peer_src_ip, export_proto_*, arrival_ns, ...) with the
  // sample's rate and interfaces; the caller drops it when finish() says so.
  explicit FlowSampleBuilder(userspace::FlowRecord& r) : r_(r) {}

  // One v5 flow record of format `format` (enterprise 0).
  bool v5_record(std::uint32_t format, XdrReader body);
  // v2/v4: the packet data block of type `tag`, then `n` extended blocks.
  bool v4_packet(std::uint32_t tag, XdrReader& r);
  bool v4_extended(std::uint32_t tag, XdrReader& r, std::uint32_t version);

  // Completes the record; false when the sample is neither IP nor ARP (the
  // caller then drops it).
  bool finish(bool use_ip_next_hop);

 private:
  bool header(XdrReader& r, bool has_stripped);
  void decode_header(std::uint32_t protocol, const std::uint8_t* data, std::uint32_t len);
  bool ethernet(XdrReader& r);
  bool ipv4(XdrReader& r);
  bool ipv6(XdrReader& r);
  bool ext_switch(XdrReader& r);
  bool ext_router(XdrReader& r);
  bool ext_gateway(XdrReader& r, std::uint32_t version);

  userspace::FlowRecord& r_;
  std::uint64_t sampled_size_ = 0;
  bool have_ip_ = false;
  bool have_switch_ = false;
  std::uint16_t in_vlan_ = 0, out_vlan_ = 0;
  std::uint8_t in_prio_ = 0, out_prio_ = 0;
  bool have_next_hop_ = false, have_bgp_next_hop_ = false;
  userspace::IpAddress next_hop_, bgp_next_hop_;
};

}  // namespace xacct::collector::sflow
