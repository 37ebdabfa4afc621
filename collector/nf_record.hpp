// One NetFlow v9 / IPFIX record (data or options) decoded with a compiled
// template (nf_fields.hpp). Fields whose meaning depends on other fields of
// the same record (counter precedence 1 > 85 > 23, MAC/VLAN/interface
// fallbacks, uptime-relative times, the frame section, MPLS label stack)
// are collected in RecordScratch and resolved once the record is read.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "collector/nf_fields.hpp"
#include "userspace/flow_record.hpp"

namespace xacct::collector::nf {

// Flags of RecordScratch::have.
enum : std::uint32_t {
  kHaveSrcMac = 1u << 0,
  kHaveDstMac = 1u << 1,
  kHaveVlan = 1u << 2,
  kHavePostVlan = 1u << 3,
  kHaveInIface = 1u << 4,
  kHaveOutIface = 1u << 5,
  kHaveBgpNextHop = 1u << 6,
  kHaveIpNextHop = 1u << 7,
  kHaveStartUptime = 1u << 8,
  kHaveEndUptime = 1u << 9,
  kHaveSysInit = 1u << 10,
  kHaveSamplerId = 1u << 11,
  kHaveRate = 1u << 12,
  kHaveAlgorithm = 1u << 13,
  kHavePacketInterval = 1u << 14,
  kHavePacketSpace = 1u << 15,
  kHaveIfIndex = 1u << 16,
  kHaveIfName = 1u << 17,
  kHaveExporter = 1u << 18,
  kHaveIcmp = 1u << 19,
  kHaveStartDelta = 1u << 20,
  kHaveEndDelta = 1u << 21,
  kHaveSrcHost = 1u << 22,
  kHaveDstHost = 1u << 23,
  kHaveFlows = 1u << 24,
};

struct RecordScratch {
  std::uint32_t have = 0;
  std::uint8_t bytes_rank = 0;     // 3: IE 1, 2: IE 85, 1: IE 23
  std::uint8_t packets_rank = 0;   // 3: IE 2, 2: IE 86, 1: IE 24
  std::uint16_t mpls_present = 0;  // bit i: label of IE 70+i
  std::uint16_t mpls_bos = 0;
  std::uint16_t icmp = 0;
  std::uint32_t start_uptime = 0, end_uptime = 0;
  std::uint64_t sys_init_ms = 0;
  std::uint64_t start_delta_us = 0, end_delta_us = 0;
  std::uint32_t sampler_id = 0;
  std::uint64_t rate = 0;
  std::uint8_t algorithm = 0;
  std::uint64_t packet_interval = 0, packet_space = 0;
  std::uint32_t ifindex = 0;
  const std::uint8_t* ifname = nullptr;
  std::size_t ifname_len = 0;
  const std::uint8_t* frame = nullptr;
  std::size_t frame_len = 0;
  userspace::IpAddress ip_next_hop;
  userspace::IpAddress exporter;
  std::array<std::uint32_t, 10> labels{};
};

// Reads one record of `t` from [p, p + avail) into `r` and `s` (both
// default-initialised by the caller). Returns the bytes it took, or 0 if
// the record does not fit (a variable length running past `avail`).
std::size_t decode_record(const Template& t, const std::uint8_t* p, std::size_t avail, RecordScratch& s,
                          userspace::FlowRecord& r);

// Resolves the scratch values that only make sense for flow records (MPLS
// stack, MAC/counter fallbacks are already applied), and the frame section
// through the shared packet parser: fields the record did not carry are
// taken from the frame, and a record without counters counts 1 packet of
// the frame's IP length (as pmacct does).
void finish_frame_and_labels(const RecordScratch& s, userspace::FlowRecord& r);

// NTP timestamp (RFC 5905, seconds since 1900 + 2^-32 fractions) to Unix ns;
// 0 for times before 1970.
std::int64_t ntp_to_unix_ns(std::uint64_t ntp);

}  // namespace xacct::collector::nf
