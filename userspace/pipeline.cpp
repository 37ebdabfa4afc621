// See pipeline.hpp.
#include "userspace/pipeline.hpp"

#include <mutex>
#include <utility>

namespace xacct::userspace {

// Batches the plugins are done with, for push(RecordBatch&&) to hand back.
// Last in, first out: the most recently released buffer is the one most
// likely still in the CPU cache. Bounded, so an input that stops reusing
// buffers (or a burst) leaves no more than kMax idle batches behind.
struct Pipeline::BatchPool {
  static constexpr std::size_t kMax = 32;
  std::mutex mu;
  std::vector<RecordBatch> free;

  void put(RecordBatch&& b) {
    b.clear();
    std::lock_guard lock(mu);
    if (free.size() < kMax) free.push_back(std::move(b));
  }
  RecordBatch take() {
    std::lock_guard lock(mu);
    if (free.empty()) return {};
    RecordBatch b = std::move(free.back());
    free.pop_back();
    return b;
  }
};

Pipeline::Pipeline(Stats& stats)
    : pool_(std::make_shared<BatchPool>()),
      batches_in_(stats.counter("pipeline.batches_in")), records_in_(stats.counter("pipeline.records_in")) {}

Pipeline::~Pipeline() { stop(); }

Result<std::unique_ptr<Pipeline>> Pipeline::create(const DaemonConfig& config, Stats& stats,
                                                   const SinkFactory& make_sink, const Clock& clock,
                                                   const RecordFilterFactory& make_filter) {
  if (config.plugins.empty()) return make_error("pipeline: no plugins configured");
  std::unique_ptr<Pipeline> p(new Pipeline(stats));
  for (const PluginConfig& pc : config.plugins) {
    auto sink = make_sink(pc);
    if (!sink) return make_error("plugin " + pc.name + ": " + sink.error().message);
    RecordFilter filter;
    if (make_filter) {
      auto f = make_filter(pc);
      if (!f) return make_error("plugin " + pc.name + ": " + f.error().message);
      filter = std::move(f.value());
    }
    p->plugins_.push_back(std::make_unique<Plugin>(pc, std::move(sink.value()), stats, clock, std::move(filter)));
  }
  return p;
}

void Pipeline::push_shared(const SharedBatch& batch) {
  batches_in_.add();
  records_in_.add(batch->size());
  for (auto& plugin : plugins_) plugin->push(batch);
}

void Pipeline::push(const RecordBatch& batch) {
  if (batch.empty()) return;
  push_shared(std::make_shared<const RecordBatch>(batch));
}

void Pipeline::push(RecordBatch&& batch) {
  if (batch.empty()) return;
  // The last plugin to release the batch returns its buffer to the pool.
  std::shared_ptr<RecordBatch> shared(new RecordBatch(std::move(batch)), [pool = pool_](RecordBatch* b) {
    pool->put(std::move(*b));
    delete b;
  });
  batch = pool_->take();
  push_shared(std::move(shared));
}

bool Pipeline::has_room(std::size_t records) const {
  for (const auto& plugin : plugins_) {
    if (!plugin->has_room(records)) return false;
  }
  return true;
}

void Pipeline::start() {
  for (auto& plugin : plugins_) plugin->start();
}

void Pipeline::stop() {
  // Close every queue first so that all plugins drain and flush in parallel.
  for (auto& plugin : plugins_) plugin->request_stop();
  for (auto& plugin : plugins_) plugin->stop();
}

}  // namespace xacct::userspace
