// AggregationKey: the bytes an aggregation table hashes and compares. Only
// the plugin's configured primitives go in (a plugin aggregating on proto
// has a 8-byte key, not a whole FlowRecord), at fixed offsets, zero-padded
// to a multiple of 8 bytes so hashing reads whole words.
//
// Byte 0 holds record flags: the datapath's overflow record (traffic it
// could not key because the flow map was full) is kept apart from a real
// flow whose printed primitives happen to be the same, so it stays its own
// record, as the datapath contract says.
//
// Timestamps are keyed at the resolution they print with (microseconds, or
// seconds with timestamps_secs), so records that print the same aggregate
// into the same entry. With time bins (*_history) the bin start is keyed
// too, after the primitives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "userspace/flow_record.hpp"
#include "userspace/primitive.hpp"

namespace xacct::userspace {

class AggregationKeyLayout {
 public:
  // `primitives` may be in any order and contain non-key primitives
  // (tcpflags, flows, none), which take no key bytes.
  explicit AggregationKeyLayout(std::span<const Primitive> primitives, bool timestamps_secs = false,
                                bool time_bins = false);

  // Key size in bytes, a multiple of 8, at least 8.
  std::size_t size() const { return size_; }

  // Writes exactly size() bytes. `time_bin_ns` (the entry's bin start) is
  // keyed only when the layout has time bins.
  void build(const FlowRecord& record, std::uint8_t* out, TimestampNs time_bin_ns = 0) const;
  // Sets the keyed fields (and the overflow flag, and time_bin_ns) of
  // `record` from a key; other fields are left untouched.
  void restore(const std::uint8_t* key, FlowRecord& record) const;
  bool has_time_bins() const { return bin_offset_ != 0; }

 private:
  struct Field {
    const PrimitiveInfo* info;
    std::uint32_t offset;
  };
  std::vector<Field> fields_;
  std::size_t size_ = 8;
  std::int64_t time_resolution_ns_ = 1000;
  std::uint32_t bin_offset_ = 0;  // 0 = no time bins (byte 0 holds the flags)
};

}  // namespace xacct::userspace
