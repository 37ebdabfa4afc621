// One sFlow counter sample with every counter record it carries, as the
// decoder hands it to SflowOptions::on_counter_sample (the
// sfacctd_counter_file writer, collector/counter_file.hpp, turns each record
// into one JSON line as sfacctd does). A view: the record bytes point into
// the datagram and are valid only during the callback.
//
//   v5      records = the sample's counter records in order; tag = the data
//           format (enterprise << 12 | format: 1 generic interface,
//           2 ethernet, 5 VLAN, 1001 processor, ...), data = its bytes.
//   v2/v4   one record; tag = the counters version (1 generic, 2 ethernet,
//           3 token ring, 4 FDDI, 5 100BaseVG, 6 WAN, 7 VLAN), data = the
//           blocks as sent (generic 88 bytes + the specific block).
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "userspace/flow_record.hpp"

namespace xacct::collector {

struct SflowCounterRecordView {
  std::uint32_t tag = 0;
  std::span<const std::uint8_t> data;
};

struct SflowCounterSampleView {
  userspace::IpAddress agent;          // agent address (the UDP source when "unknown")
  std::uint32_t sub_agent_id = 0;      // v5 only
  std::uint32_t datagram_version = 5;  // 2, 4 or 5
  std::uint32_t datagram_seqno = 0;
  std::uint32_t sample_seqno = 0;
  std::uint32_t source_id_type = 0;
  std::uint32_t source_id_index = 0;
  userspace::TimestampNs arrival_ns = 0;
  std::span<const SflowCounterRecordView> records;
};

using SflowCounterSampleFn = std::function<void(const SflowCounterSampleView&)>;

}  // namespace xacct::collector
