// Timestamp rendering shared by every output (timestamp_* primitives,
// stamp_inserted/stamp_updated and file-name time zones), following
// pmacct's compose_timestamp() (spec/primitives.md §2):
//   default            2023-11-14 22:13:20.100000   (local time zone)
//   timestamps_utc     the same in UTC
//   rfc3339            2023-11-14T22:13:20.100000Z, or +hh:mm outside UTC (1.7.7)
//   rfc9557            the same, but UTC as +00:00 (pmacct after 1.7.7)
//   since_epoch        1700000000.100000
//   secs               fraction forced to .000000 (pmacct still prints it)
//   unknown (0)        0000-00-00 00:00:00.000000
// Stamps (stamp_inserted/_updated) are whole seconds and print no fraction:
// 2023-11-14 22:10:00, 2023-11-14T22:10:00Z, 1699999800.
#pragma once

#include <ctime>
#include <string>

#include "userspace/flow_record.hpp"

namespace xacct::userspace {

struct TimestampOptions {
  bool utc = false;          // timestamps_utc
  bool rfc3339 = false;      // timestamps_rfc3339 or timestamps_rfc9557
  bool rfc9557 = false;      // timestamps_rfc9557: UTC as +00:00, not Z
  bool since_epoch = false;  // timestamps_since_epoch
  bool secs = false;         // timestamps_secs

  bool operator==(const TimestampOptions&) const = default;
};

// Appends the rendering of `ns` (nanoseconds since the epoch; <= 0 means
// unknown) to `out`.
void append_timestamp(TimestampNs ns, const TimestampOptions& options, std::string& out);
std::string format_timestamp(TimestampNs ns, const TimestampOptions& options);

// A stamp: whole seconds, no fraction (stamp_inserted, stamp_updated).
void append_stamp(std::int64_t seconds, const TimestampOptions& options, std::string& out);

// The zone of `tm` as RFC 3339 wants it: "Z" for UTC (unless `rfc9557`,
// which gives "+00:00"), else "+hh:mm" / "-hh:mm".
std::string rfc3339_zone(const std::tm& tm, bool rfc9557 = false);

}  // namespace xacct::userspace
