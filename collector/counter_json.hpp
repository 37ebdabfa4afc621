// The JSON lines of sfacctd_counter_file, as pmacct 1.7.7's sfacctd writes
// them (src/sfacctd.c sf_cnt_log_msg and readCounters_*; compared field for
// field with sfacctd by vmtests/test_collect_counters_tcp.py). jansson's
// layout with JSON_PRESERVE_ORDER: keys in insertion order, ", " and ": ".
//
// One line per counter record:
//   {"seq": N, "timestamp": T, "peer_ip_src": AGENT, "event_type": "log",
//    "source_id_index": I, "sflow_seq": DATAGRAM_SEQ, "sflow_cnt_seq": SAMPLE_SEQ,
//    + the record's fields}
// v5 record fields: generic interface (1): "sf_cnt_type": "sflow_cnt_generic",
// ifIndex .. ifPromiscuousMode; ethernet (2): "sflow_cnt_ethernet",
// dot3Stats*; VLAN (5): "sflow_cnt_vlan", octets, ucastPkts, multicastPkts,
// broadcastPkts, discards, vlan. Any other record (processor 1001, host
// sFlow, enterprise formats) still gives a line, with the common fields only
// (sfacctd does that too). A generic/ethernet/VLAN record shorter than its
// format also gets the common fields only (sfacctd would read past it).
// v2/v4: generic (1) and ethernet (2) counters give one line (ethernet: the
// generic fields with "sf_cnt_type" replaced in place by
// "sflow_cnt_ethernet", then the dot3Stats fields); VLAN (7) the VLAN
// fields; token ring, FDDI, 100BaseVG and WAN give no line (as sfacctd).
//
// Before an agent's first line in its file, once per (agent, sub agent id):
//   {"seq": N, "timestamp": T, "peer_src_ip": AGENT, "event_type": "log_init"}
// ("peer_src_ip" here and "peer_ip_src" in the counter lines: sfacctd's
// spelling). seq counts every line of the process from 0. T is the arrival
// time of the datagram (sfacctd: when it read the datagram) rendered as
// every pmacct timestamp (userspace/timestamp_format.hpp; always with
// microseconds). 64-bit counters above 2^63 print negative, as jansson's
// signed json_int_t does.
#pragma once

#include <cstdint>
#include <string>

#include "collector/sflow_counter_record.hpp"

namespace xacct::collector {

// The agent as it appears in the lines (IPv4-mapped prints as IPv4).
std::string counter_agent_text(const userspace::IpAddress& agent);

// Appends the lines of `sample` (each ending in '\n') with seq = `seq`,
// `seq` + 1, ...; returns how many.
std::size_t append_counter_lines(const SflowCounterSampleView& sample, const std::string& timestamp,
                                 const std::string& agent, std::uint64_t seq, std::string& out);

// The log_init line (with its '\n').
void append_log_init_line(const std::string& timestamp, const std::string& agent, std::uint64_t seq,
                          std::string& out);

}  // namespace xacct::collector
