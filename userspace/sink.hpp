// Sink: where a plugin's aggregates go at each purge (print today; memory,
// Kafka, SQL ... later). A sink is called only from its plugin's thread, so
// it needs no locking of its own state. sinks/ implements them; the
// pipeline receives a SinkFactory, which keeps userspace/ free of any
// dependency on sinks/.
#pragma once

#include <functional>
#include <memory>
#include <span>

#include "userspace/config.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/result.hpp"

namespace xacct::userspace {

struct PurgeInfo {
  TimestampNs time_ns = 0;  // wall clock when the purge started
  bool final = false;       // the flush at shutdown
};

class Sink {
 public:
  virtual ~Sink() = default;
  // `entries`: every aggregate of the table (keyed primitives set, other
  // primitives zero, packets/bytes/flows summed, tcp_flags ORed,
  // first_ns/last_ns min/max), in insertion order. An error is logged and
  // counted by the caller; the entries are not retried.
  virtual Status write(std::span<const FlowRecord> entries, const PurgeInfo& info) = 0;
};

using SinkFactory = std::function<Result<std::unique_ptr<Sink>>(const PluginConfig&)>;

// A plugin's record filter (aggregate_filter, pre_tag_filter, ...): true
// keeps the record. An empty function keeps everything. Built by a factory
// the daemon passes in, like the sinks, so userspace/ does not depend on
// userspace/filter/ (which depends on userspace/).
using RecordFilter = std::function<bool(const FlowRecord&)>;
using RecordFilterFactory = std::function<Result<RecordFilter>(const PluginConfig&)>;

}  // namespace xacct::userspace
