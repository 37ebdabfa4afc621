// BatchOutput: where the libpcap inputs deliver their record batches. In the
// daemon it is the Pipeline (push, has_room); in tests a vector.
#pragma once

#include <cstddef>
#include <functional>

#include "userspace/flow_record.hpp"

namespace xacct::capture {

struct BatchOutput {
  // Takes the batch; thread-safe (every live interface pushes from its own
  // thread). Never blocks: the pipeline drops and counts when a queue is full.
  std::function<void(userspace::RecordBatch&&)> push;
  // Optional: true when push() of `records` more records would not be
  // dropped. Inputs that can wait without losing packets (savefiles) wait
  // until it holds, so a savefile is counted exactly however slow the
  // plugins are; live captures never wait (the kernel ring would overflow
  // instead, unseen by the pipeline's counters).
  std::function<bool(std::size_t records)> has_room;
};

}  // namespace xacct::capture
