// sFlow counter samples: validated, counted, and their generic interface
// counters extracted (sflow_version_5.txt "Counter Data" format 1; RFC 3176
// section 4 for v2/v4, whose counter blocks have no length and are sized by
// their version: generic 88 bytes, plus ethernet 52, token ring 72,
// 100BaseVG 80; VLAN 28 alone).
#pragma once

#include <cstdint>

#include "collector/sflow_counter_record.hpp"
#include "collector/sflow_decoder.hpp"
#include "collector/sflow_xdr.hpp"

namespace xacct::collector::sflow {

inline constexpr std::uint32_t kCounterGeneric = 1;

// The body of a v5 counter sample (after type and length). `expanded`:
// format 4 (source id type and index in two words). Fills `out` and sets
// `have_generic` when a generic interface record was present. False when
// malformed.
bool read_v5_counter_sample(XdrReader body, bool expanded, SflowCounters& out, bool& have_generic);

// A v2/v4 counter sample, read from the datagram (no length).
bool read_v4_counter_sample(XdrReader& r, SflowCounters& out, bool& have_generic);

// The same samples with all their records for SflowOptions::on_counter_sample
// (collector/sflow_counter_record.hpp). `head` carries the datagram's part
// (agent, sub agent, sequence number, arrival); `version` the datagram's.
// Call them on a copy of the reader given to read_v5/v4_counter_sample,
// after it accepted the sample. False (and `fn` not called) when malformed.
bool report_v5_counter_sample(XdrReader body, bool expanded, const SflowCounters& head,
                              const SflowCounterSampleFn& fn);
bool report_v4_counter_sample(XdrReader r, std::uint32_t version, const SflowCounters& head,
                              const SflowCounterSampleFn& fn);

}  // namespace xacct::collector::sflow
