// Timestamp rendering shared by every output (timestamp_start/_end today,
// stamp_inserted/stamp_updated and file-name strftime later), following
// pmacct's compose_timestamp() (spec/primitives.md §2):
//   default         2023-11-14 22:13:20.100000   (local time zone)
//   timestamps_utc  the same in UTC
//   rfc3339         2023-11-14T22:13:20.100000Z, or +hh:mm outside UTC
//   since_epoch     1700000000.100000
//   secs            fraction forced to .000000 (pmacct still prints it)
//   unknown (0)     0000-00-00 00:00:00.000000
#pragma once

#include <string>

#include "userspace/flow_record.hpp"

namespace xacct::userspace {

struct TimestampOptions {
  bool utc = false;          // timestamps_utc
  bool rfc3339 = false;      // timestamps_rfc3339
  bool since_epoch = false;  // timestamps_since_epoch
  bool secs = false;         // timestamps_secs

  bool operator==(const TimestampOptions&) const = default;
};

// Appends the rendering of `ns` (nanoseconds since the epoch; <= 0 means
// unknown) to `out`.
void append_timestamp(TimestampNs ns, const TimestampOptions& options, std::string& out);

std::string format_timestamp(TimestampNs ns, const TimestampOptions& options);

}  // namespace xacct::userspace
