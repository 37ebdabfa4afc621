// RecordFormatter: one aggregate as a line of pmacct's print outputs, for a
// plugin's primitives (spec/primitives.md):
//   JSON       {"event_type": "purge", <primitives in pmacct order>,
//               ["flows": F, ]"packets": P, "bytes": B}
//   CSV        values joined by the separator, PACKETS[,FLOWS],BYTES last,
//              under a header of pmacct's names (SRC_IP, ...)
//   formatted  the same columns padded as pmacct pads them
// Shared by every sink that prints records (print now; Kafka/AMQP JSON
// later).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "userspace/flow_record.hpp"
#include "userspace/primitive.hpp"

namespace xacct::sinks {

class RecordFormatter {
 public:
  RecordFormatter(std::span<const userspace::Primitive> aggregate, userspace::FormatOptions options,
                  std::string csv_separator = ",");

  void append_json(const userspace::FlowRecord& record, std::string& out) const;
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
  std::vector<const userspace::PrimitiveInfo*> columns_;  // printed primitives, in order
  userspace::FormatOptions options_;
  std::string separator_;
  bool flows_ = false;
};

// Appends `s` as a JSON string literal (quotes included).
void append_json_string(std::string_view s, std::string& out);

}  // namespace xacct::sinks
