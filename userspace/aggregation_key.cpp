// See aggregation_key.hpp.
#include "userspace/aggregation_key.hpp"

#include <cstring>

namespace xacct::userspace {
namespace {
constexpr std::uint8_t kFlagOverflow = 1;
}

AggregationKeyLayout::AggregationKeyLayout(std::span<const Primitive> primitives, bool timestamps_secs)
    : time_resolution_ns_(timestamps_secs ? 1'000'000'000 : 1000) {
  std::uint32_t offset = 1;  // byte 0: flags
  for (Primitive p : primitives) {
    const PrimitiveInfo& info = primitive_info(p);
    if (info.kind != PrimitiveKind::kKey) continue;
    bool duplicate = false;
    for (const Field& f : fields_) duplicate = duplicate || f.info == &info;
    if (duplicate) continue;
    fields_.push_back({&info, offset,
                       p == Primitive::kTimestampStart || p == Primitive::kTimestampEnd});
    offset += info.key_size;
  }
  size_ = (offset + 7) / 8 * 8;
}

void AggregationKeyLayout::build(const FlowRecord& record, std::uint8_t* out) const {
  std::memset(out, 0, size_);
  out[0] = record.overflow ? kFlagOverflow : 0;
  for (const Field& f : fields_) {
    f.info->extract(record, out + f.offset);
    if (f.is_time) {
      TimestampNs t;
      std::memcpy(&t, out + f.offset, sizeof t);
      t = t > 0 ? t - t % time_resolution_ns_ : 0;
      std::memcpy(out + f.offset, &t, sizeof t);
    }
  }
}

void AggregationKeyLayout::restore(const std::uint8_t* key, FlowRecord& record) const {
  record.overflow = (key[0] & kFlagOverflow) != 0;
  for (const Field& f : fields_) f.info->inject(key + f.offset, record);
}

}  // namespace xacct::userspace
