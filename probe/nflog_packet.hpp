// One NFLOG packet message (NFULNL_MSG_PACKET, the kernel's nfnetlink_log)
// as one FlowRecord, the way uacctd accounts a logged packet.
//
// The payload of an NFLOG message starts at the network header (L3), so it
// goes to the shared parser's xacct_parse_l3 (bpf/packet_parse.h) and then
// to the libpcap input's record builder (probe/capture/packet_record.hpp):
// the same fields as a captured packet, and:
//   - packets 1, bytes = the IP total length (IPv6: 40 + payload length),
//     whatever the copy range (snaplen) cut;
//   - in_iface = NFULA_IFINDEX_PHYSINDEV if set (a bridge port), else
//     NFULA_IFINDEX_INDEV; out_iface likewise from the output device (0 when
//     the hook has none: no input device in OUTPUT, no output device in
//     PREROUTING/INPUT), as uacctd;
//   - direction from uacctd_direction (unset: unknown);
//   - MAC addresses from NFULA_HWHEADER when it is an Ethernet header;
//   - timestamp_start = timestamp_arrival = NFULA_TIMESTAMP when the kernel
//     sent one (the skb had a receive timestamp), else the receipt time.
// A logged packet that is not IP (arp/bridge families) gives no record.
// Pure: unit tested without a kernel (tests/probe/nflog_packet_test.cpp).
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>

#include "bpf/packet_parse.h"
#include "userspace/flow_record.hpp"

namespace xacct::probe {

// What one NFLOG packet message says.
struct NflogPacket {
  std::uint8_t family = 0;        // nfgen_family: NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_BRIDGE, ...
  std::uint8_t hook = 0;          // netfilter hook number
  std::uint16_t hw_protocol = 0;  // the packet's ethertype (host order), 0 if unknown
  std::uint32_t indev = 0;
  std::uint32_t outdev = 0;
  std::uint32_t physindev = 0;
  std::uint32_t physoutdev = 0;
  bool has_timestamp = false;
  userspace::TimestampNs timestamp_ns = 0;
  bool has_seq = false;  // NFULA_SEQ (NFULNL_CFG_F_SEQ): the group's sequence number
  std::uint32_t seq = 0;
  const std::uint8_t* hw_header = nullptr;  // NFULA_HWHEADER
  std::size_t hw_header_len = 0;
  std::uint16_t hw_type = 0;                // NFULA_HWTYPE (ARPHRD_*)
  const std::uint8_t* payload = nullptr;    // NFULA_PAYLOAD: from the network header on
  std::size_t payload_len = 0;
};

enum class NflogMessage : std::uint8_t {
  kPacket,  // `out` is filled
  kOther,   // not an NFLOG packet message (ack, error, another subsystem)
  kBad,     // an NFLOG packet message whose attributes do not validate
};

// Reads one netlink message.
NflogMessage parse_nflog_message(const nlmsghdr* nlh, NflogPacket& out);

enum class NflogDecode : std::uint8_t { kRecord, kNotIp };

// `receipt_ns`: when the message was read (used without NFULA_TIMESTAMP).
// `out` must be default-constructed; `pkt` is scratch.
NflogDecode nflog_to_record(const NflogPacket& p, userspace::Direction direction, userspace::TimestampNs receipt_ns,
                            xacct_pkt& pkt, userspace::FlowRecord& out);

}  // namespace xacct::probe
