// sFlow v2, v4 and v5 decoding (sfacctd's input): one datagram in, one
// FlowRecord per flow sample out (see collector/datagram.hpp for the
// contract with the listeners).
//
//   auto dec = make_sflow_decoder(SflowOptions{}, stats);  // one per listener thread
//   DecodeResult res = dec->decode(dgram, batch);          // appends to batch
//
// What a record carries (pmacct 1.7.7 sfacctd semantics, spec/primitives.md):
//   packets 1; bytes = the sampled frame's length as the agent reports it
//     (frame_length of the raw header record, incl. FCS; the length field of
//     a sampled IPv4/IPv6 record when the sample has one after the header;
//     the Ethernet record's length only when nothing else gave one). Not
//     multiplied by the rate: renormalisation is the collect role's job.
//   sampling_rate = the flow sample's sampling rate (1-out-of-N);
//   peer_src_ip = the agent address of the datagram (the UDP source when the
//     agent address type is 0 "unknown"); export_proto_version 2/4/5,
//     export_proto_seqno = datagram sequence number, export_proto_sysid = sub
//     agent id (v5; 0 for v2/v4); arrival_ns = Datagram::arrival_ns;
//     first_ns/last_ns stay 0 (sfacctd has no flow times).
//   in_iface/out_iface: format 0 values (compact: low 30 bits; expanded:
//     the value word); format 1 (packet discarded) and 2 (multiple
//     interfaces) read 0 = unknown and are counted (collector.sflow.*).
//   L2/L3/L4 from the raw header record through the shared packet parser
//     (header protocols Ethernet 1, IPv4 11, IPv6 12, MPLS 13), as the pcap
//     input does (probe/capture/packet_record.hpp: ports for TCP/UDP only,
//     MPLS label top/bottom/stack, MACs, outer VLAN + priority, ethertype);
//     or from sampled IPv4 (3) / IPv6 (4) / Ethernet (2) records. Records are
//     applied in order, later ones overwrite (as sfacctd does).
//   extended switch (1001): vlan = input VLAN, else the header's tag, else
//     the output VLAN; cos likewise from the priorities; out_vlan.
//   extended router (1002): src_mask, dst_mask; its next hop becomes
//     peer_dst_ip only with use_ip_next_hop and no BGP next hop.
//   extended gateway (1003): peer_dst_ip = BGP next hop, src_as,
//     peer_src_as (src_peer_as), dst_as = last AS of the path, peer_dst_as =
//     first AS of the path. Communities and local pref are validated and
//     skipped (FlowRecord has no fields for them).
//   A sample whose header is neither IP nor ARP (e.g. LLDP) gives no record
//   (sfacctd drops them too); counted as collector.sflow.non_ip_samples.
//
// Counter samples (v5 2/4, v2/v4 2) are validated and counted in
// DecodeResult::options_records and "collector.sflow.agent.<agent>:<sub>.
// counter_samples"; the generic interface block (tag 1) is handed to
// SflowOptions::on_counters when set (sfacctd_counter_file equivalent).
//
// Sequence numbers: per (UDP source, agent address, sub agent id), datagram
// sequence gaps counted in DecodeResult::sequence_gaps (forward jumps up to
// kMaxSequenceGap; a restart, seen as a smaller uptime or a larger jump,
// resets without counting; late/duplicate datagrams count nothing).
//
// Bad input never crashes and never throws: every read is bounds-checked
// (collector/sflow_xdr.hpp); a v5 sample or record whose length does not fit
// its container, unknown address types, counts that run past the data, a
// header longer than its record, ... are counted in decode_errors. In v5 a
// bad sample is dropped and decoding goes on with the next one (the sample
// length frames it); v2/v4 samples have no length, so decoding stops there.
// Records already appended from the datagram are kept.
//
// Stats (registered at first use): collector.sflow.{non_ip_samples,
// discarded_samples, unknown_samples, dropped_samples, untracked_agents}
// and per agent collector.sflow.agent.<agent>:<sub>.{datagrams,
// flow_samples, counter_samples, sequence_gaps, decode_errors}.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "collector/datagram.hpp"
#include "collector/sflow_counter_record.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/stats.hpp"

namespace xacct::collector {

// The generic interface counters of a counter sample (sFlow v5 counter
// record 1, v2/v4 counters version 1 and the generic part of the others).
struct SflowCounters {
  userspace::IpAddress agent;
  std::uint32_t sub_agent_id = 0;
  std::uint32_t datagram_seqno = 0;
  std::uint32_t sample_seqno = 0;
  std::uint32_t source_id_type = 0;
  std::uint32_t source_id_index = 0;
  std::uint32_t if_index = 0;
  std::uint32_t if_type = 0;
  std::uint64_t if_speed = 0;
  std::uint32_t if_direction = 0;
  std::uint32_t if_status = 0;
  std::uint64_t in_octets = 0;
  std::uint32_t in_ucast_pkts = 0;
  std::uint32_t in_multicast_pkts = 0;
  std::uint32_t in_broadcast_pkts = 0;
  std::uint32_t in_discards = 0;
  std::uint32_t in_errors = 0;
  std::uint32_t in_unknown_protos = 0;
  std::uint64_t out_octets = 0;
  std::uint32_t out_ucast_pkts = 0;
  std::uint32_t out_multicast_pkts = 0;
  std::uint32_t out_broadcast_pkts = 0;
  std::uint32_t out_discards = 0;
  std::uint32_t out_errors = 0;
  std::uint32_t promiscuous_mode = 0;
  userspace::TimestampNs arrival_ns = 0;
};

struct SflowOptions {
  // use_ip_next_hop: peer_dst_ip from the extended router record's next hop
  // when the sample has no BGP next hop (extended gateway).
  bool use_ip_next_hop = false;
  // Per-agent state (sequence numbers, stats) is kept for this many
  // (source, agent, sub agent) keys per decoder; more are decoded but not
  // tracked (counted as collector.sflow.untracked_agents).
  std::uint32_t max_agents = 4096;
  // Called (on the decoding thread) with every generic interface counter
  // block; unset = counted only.
  std::function<void(const SflowCounters&)> on_counters;
  // Called (on the decoding thread) with every valid counter sample and all
  // its records (collector/sflow_counter_record.hpp: sfacctd_counter_file);
  // unset = not looked at.
  SflowCounterSampleFn on_counter_sample;
};

// Largest forward sequence jump counted as lost datagrams.
inline constexpr std::uint32_t kMaxSequenceGap = 1u << 20;

// One decoder per listener thread (not thread-safe; the Stats registry is).
std::unique_ptr<DatagramDecoder> make_sflow_decoder(const SflowOptions& options, userspace::Stats& stats);

}  // namespace xacct::collector
