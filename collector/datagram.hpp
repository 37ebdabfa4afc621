// The contract between the collector's listeners and its decoders
// (docs/architecture.md, "Collector"). A listener thread receives UDP
// datagrams in batches (recvmmsg) and hands each one, with where it came
// from, to the decoder of its protocol. Decoders are per listener thread:
// datagrams of one exporter always reach the same thread (the listener
// steers by source address), so per-exporter state (templates, sequence
// numbers, sampling options) needs no lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "userspace/flow_record.hpp"

namespace xacct::collector {

// One received datagram. `data` is only valid during the decode call.
struct Datagram {
  std::span<const std::uint8_t> data;
  userspace::IpAddress exporter;  // source address (IPv4 mapped, like FlowRecord)
  std::uint16_t exporter_port = 0;
  userspace::IpAddress local;     // address it was received on (0 if unknown)
  userspace::TimestampNs arrival_ns = 0;  // wall clock at receipt
};

// What a decoder did with one datagram, for the per-exporter stats
// ("collector.exporter.<ip>.<counter>" in the Stats registry, shown on
// SIGUSR1). A malformed datagram is counted in decode_errors and dropped
// whole or from the first bad set on; the decoder never throws.
struct DecodeResult {
  std::uint32_t records = 0;          // FlowRecords appended
  std::uint32_t decode_errors = 0;    // malformed datagram / set / record
  std::uint32_t template_misses = 0;  // data sets whose template is not known (yet)
  std::uint32_t sequence_gaps = 0;    // datagrams (v9, sFlow) or records (v5, IPFIX) lost per seqno
  std::uint32_t options_records = 0;  // option records / counter samples consumed
};

class DatagramDecoder {
 public:
  virtual ~DatagramDecoder() = default;
  // Appends the flow records of `dgram` to `out` (peer_src_ip = exporter,
  // arrival_ns, export_proto_version/seqno/sysid, sampling_rate set).
  virtual DecodeResult decode(const Datagram& dgram, userspace::RecordBatch& out) = 0;
};

}  // namespace xacct::collector
