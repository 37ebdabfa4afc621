// The datapath stamps CLOCK_MONOTONIC (bpf_ktime_get_*); records carry epoch
// time. The offset is measured again at every drain, so a wall-clock step
// shows up from the next drain on.
#pragma once

#include <cstdint>
#include <ctime>

namespace xacct::probe {

inline std::int64_t timespec_to_ns(const timespec& ts) {
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// CLOCK_REALTIME - CLOCK_MONOTONIC now, in ns (realtime read between two
// monotonic reads, taken against their midpoint).
inline std::int64_t mono_to_epoch_offset() {
  timespec m1{}, rt{}, m2{};
  clock_gettime(CLOCK_MONOTONIC, &m1);
  clock_gettime(CLOCK_REALTIME, &rt);
  clock_gettime(CLOCK_MONOTONIC, &m2);
  const std::int64_t a = timespec_to_ns(m1);
  return timespec_to_ns(rt) - (a + (timespec_to_ns(m2) - a) / 2);
}

}  // namespace xacct::probe
