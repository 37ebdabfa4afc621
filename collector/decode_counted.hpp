// One datagram or IPFIX message through its decoder, counted the same way
// by the UDP listener (listener.cpp) and the IPFIX-over-TCP listener
// (tcp_listener.cpp): per-exporter stats, the listener's own counters, and
// nfacctd_time_new (records stamped with the arrival time).
#pragma once

#include <cstddef>

#include "collector/datagram.hpp"
#include "collector/exporter_stats.hpp"

namespace xacct::collector {

// `Counters` has records, decode_errors, template_misses, sequence_gaps and
// options_records (userspace::Counter&). Returns the records appended.
template <typename Counters>
std::size_t decode_counted(DatagramDecoder& decoder, const Datagram& d, userspace::RecordBatch& batch,
                           ExporterStats& exporters, Counters& c, bool time_new) {
  const std::size_t before = batch.size();
  const DecodeResult r = decoder.decode(d, batch);
  exporters.of(d.exporter).count(d.data.size(), r);
  const std::size_t added = batch.size() - before;
  if (added != 0) c.records.add(added);
  if (r.decode_errors != 0) c.decode_errors.add(r.decode_errors);
  if (r.template_misses != 0) c.template_misses.add(r.template_misses);
  if (r.sequence_gaps != 0) c.sequence_gaps.add(r.sequence_gaps);
  if (r.options_records != 0) c.options_records.add(r.options_records);
  if (time_new) {
    for (std::size_t k = before; k < batch.size(); ++k) {
      batch[k].first_ns = d.arrival_ns;
      batch[k].last_ns = d.arrival_ns;
    }
  }
  return added;
}

}  // namespace xacct::collector
