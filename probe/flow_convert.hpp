// Conversion of drained datapath entries into FlowRecords, the one record
// type of the pipeline. Pure functions: unit tested without a kernel.
#pragma once

#include <cstdint>

#include "bpf/flow_types.h"
#include "probe/obs_registry.hpp"
#include "userspace/flow_record.hpp"

namespace xacct::probe {

// mono_to_epoch_ns: CLOCK_REALTIME - CLOCK_MONOTONIC, measured at the drain.
userspace::FlowRecord to_flow_record(const xacct_flow_key& key, const xacct_flow_value& value,
                                     const ObsPoint& point, std::int64_t mono_to_epoch_ns);

// Traffic that was counted but could not get a flow entry (map full): only
// the observation point and direction are known.
userspace::FlowRecord overflow_record(const ObsPoint& point, std::uint32_t dir,
                                      std::uint64_t packets, std::uint64_t bytes);

}  // namespace xacct::probe
