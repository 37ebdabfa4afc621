// Pipeline: the fan-out from inputs to plugins (DESIGN.md "Threads").
// Inputs call push() from any thread; each batch is copied once into a
// shared immutable batch and queued to every plugin, each of which
// aggregates and flushes on its own thread. A plugin whose queue is full
// loses that batch, counted in "plugin.<name>.queue_drop_records"; no input
// ever waits for a plugin.
//
//   auto pipeline = Pipeline::create(config, stats, sinks::make_sink);
//   pipeline.value()->start();
//   ... inputs push() ...
//   pipeline.value()->stop();  // drain queues, final flush, join
#pragma once

#include <memory>
#include <vector>

#include "userspace/clock.hpp"
#include "userspace/config.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/plugin.hpp"
#include "userspace/result.hpp"
#include "userspace/sink.hpp"
#include "userspace/stats.hpp"

namespace xacct::userspace {

class Pipeline {
 public:
  // One plugin per config.plugins entry, each with the sink `make_sink`
  // builds for it (sinks::make_sink in the daemon). Fails if a sink cannot
  // be created ("plugin foo: open /x: EACCES"). `clock` is for tests.
  static Result<std::unique_ptr<Pipeline>> create(const DaemonConfig& config, Stats& stats,
                                                  const SinkFactory& make_sink,
                                                  const Clock& clock = system_clock_ns,
                                                  const RecordFilterFactory& make_filter = {});
  ~Pipeline();  // stop()s
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Thread-safe; never blocks on a plugin. Batches pushed before start() are
  // queued, after stop() dropped and counted.
  void push(const RecordBatch& batch);
  // Takes the records without copying them. `batch` is left empty, but with
  // the capacity of a batch the plugins have finished with when there is
  // one: an input that keeps refilling the same vector (the capture
  // batchers) then reuses a few warm buffers instead of allocating (and
  // page-faulting) a fresh one per batch.
  void push(RecordBatch&& batch);
  // True when every plugin's queue would accept `records` more records now.
  // An input that can wait without losing packets (a savefile) waits for it
  // before push(), so it is never dropped; live inputs never wait.
  bool has_room(std::size_t records) const;

  void start();
  // Idempotent: closes every queue, then waits for each plugin's drain and
  // final flush.
  void stop();

  std::size_t plugin_count() const { return plugins_.size(); }

 private:
  explicit Pipeline(Stats& stats);
  void push_shared(const SharedBatch& batch);

  struct BatchPool;
  std::vector<std::unique_ptr<Plugin>> plugins_;
  std::shared_ptr<BatchPool> pool_;  // shared with the batches in flight
  Counter& batches_in_;
  Counter& records_in_;
};

}  // namespace xacct::userspace
