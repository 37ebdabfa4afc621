// Sink: where a plugin's aggregates go at each purge (print today; memory,
// Kafka, SQL ... later). A sink is called only from its plugin's thread, so
// it needs no locking of its own state. sinks/ implements them; the
// pipeline receives a SinkFactory, which keeps userspace/ free of any
// dependency on sinks/.
#pragma once

#include <cstddef>
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

// A purge's entries handed out a chunk at a time (the plugin turns its
// table's entries into FlowRecords a few thousand at a time), so a table of
// millions of flows is never materialised whole just to be printed.
class EntryChunks {
 public:
  virtual ~EntryChunks() = default;
  // Entries in the whole purge.
  virtual std::size_t size() const = 0;
  // The next entries in insertion order; empty after the last. A chunk is
  // valid until the next call.
  virtual std::span<const FlowRecord> next() = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // True when write_chunks() can take this sink's purges chunk by chunk
  // (a sink that must see every entry at once, e.g. to sort, says false).
  virtual bool streams() const { return false; }
  // The same output as write() of every entry of `chunks`; called only
  // when streams() is true.
  virtual Status write_chunks(EntryChunks& chunks, const PurgeInfo& info) {
    (void)chunks;
    (void)info;
    return make_error("sink does not stream");
  }
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
