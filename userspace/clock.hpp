// The wall clock as a value, so tests inject time instead of sleeping.
// Plugins read it for purge times (stamp_updated), for the time bin of
// records without a time, and to anchor time bins and refresh deadlines.
#pragma once

#include <chrono>
#include <functional>

#include "userspace/flow_record.hpp"

namespace xacct::userspace {

using Clock = std::function<TimestampNs()>;

inline TimestampNs system_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace xacct::userspace
