// RecordFormatter: one aggregate as a line of pmacct's print outputs, for a
// plugin's primitives (spec/primitives.md):
//   JSON       {"event_type": "purge", <primitives in pmacct's JSON order>,
//               ["stamp_inserted": ..., "stamp_updated": ...,]
//               ["flows": F, ]"packets": P, "bytes": B}
//   CSV        values joined by the separator, PACKETS[,FLOWS],BYTES last,
//              under a header of pmacct's names (SRC_IP, ...), in pmacct's
//              print-plugin column order
//   formatted  the same columns padded as pmacct pads them
// Stamps (time bins) are JSON only: pmacct's print plugin leaves them out
// of CSV and formatted output (obs).
// Shared by every sink that prints records (print now; Kafka/AMQP JSON
// later).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "userspace/flow_record.hpp"
#include "userspace/json_text.hpp"
#include "userspace/primitive.hpp"

namespace xacct::sinks {

class RecordFormatter {
 public:
  // `stamps`: print stamp_inserted/stamp_updated in JSON (*_history set).
  RecordFormatter(std::span<const userspace::Primitive> aggregate, userspace::FormatOptions options,
                  std::string csv_separator = ",", bool stamps = false);

  // `stamp_updated_ns`: the purge time (stamp_updated), used with stamps.
  void append_json(const userspace::FlowRecord& record, std::string& out,
                   userspace::TimestampNs stamp_updated_ns = 0) const;
  void append_csv_header(std::string& out) const;
  void append_csv(const userspace::FlowRecord& record, std::string& out) const;
  void append_formatted_header(std::string& out) const;
  void append_formatted(const userspace::FlowRecord& record, std::string& out) const;

  // A formatted line whose primitive columns hold `label` (padded over all
  // of them) and whose counter columns hold the given sums: print_top's
  // TOTAL line.
  void append_formatted_counters(std::string_view label, std::uint64_t packets, std::uint64_t flows,
                                 std::uint64_t bytes, std::string& out) const;

  bool prints_flows() const { return flows_; }

 private:
  std::vector<const userspace::PrimitiveInfo*> json_columns_;  // printed primitives, JSON order
  std::vector<const userspace::PrimitiveInfo*> columns_;       // CSV/formatted order
  userspace::FormatOptions options_;
  std::string separator_;
  bool flows_ = false;
  bool stamps_ = false;
};

// Appends `s` as a JSON string literal (quotes included).
using userspace::append_json_string;

}  // namespace xacct::sinks
