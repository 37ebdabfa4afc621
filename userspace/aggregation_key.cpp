// See aggregation_key.hpp.
#include "userspace/aggregation_key.hpp"

#include <cstring>

namespace xacct::userspace {
namespace {
constexpr std::uint8_t kFlagOverflow = 1;
}

AggregationKeyLayout::AggregationKeyLayout(std::span<const Primitive> primitives, bool timestamps_secs,
                                           bool time_bins)
    : time_resolution_ns_(timestamps_secs ? 1'000'000'000 : 1000) {
  std::uint32_t offset = 1;  // byte 0: flags
  for (Primitive p : primitives) {
    const PrimitiveInfo& info = primitive_info(p);
    if (info.kind != PrimitiveKind::kKey) continue;
    bool duplicate = false;
    for (const Field& f : fields_) duplicate = duplicate || f.info == &info;
    if (duplicate) continue;
    fields_.push_back({&info, offset});
    offset += info.key_size;
  }
  if (time_bins) {
    bin_offset_ = offset;
    offset += sizeof(TimestampNs);
  }
  size_ = (offset + 7) / 8 * 8;
}

void AggregationKeyLayout::build(const FlowRecord& record, std::uint8_t* out, TimestampNs time_bin_ns) const {
  std::memset(out, 0, size_);
  out[0] = record.overflow ? kFlagOverflow : 0;
  for (const Field& f : fields_) {
    f.info->extract(record, out + f.offset);
    if (f.info->is_time) {
      TimestampNs t;
      std::memcpy(&t, out + f.offset, sizeof t);
      t = t > 0 ? t - t % time_resolution_ns_ : 0;
      std::memcpy(out + f.offset, &t, sizeof t);
    }
  }
  if (bin_offset_ != 0) std::memcpy(out + bin_offset_, &time_bin_ns, sizeof time_bin_ns);
}

void AggregationKeyLayout::restore(const std::uint8_t* key, FlowRecord& record) const {
  record.overflow = (key[0] & kFlagOverflow) != 0;
  for (const Field& f : fields_) f.info->inject(key + f.offset, record);
  if (bin_offset_ != 0) std::memcpy(&record.time_bin_ns, key + bin_offset_, sizeof record.time_bin_ns);
}

}  // namespace xacct::userspace
