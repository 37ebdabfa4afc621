// See packet_batcher.hpp.
#include "probe/capture/packet_batcher.hpp"

#include <utility>

namespace xacct::capture {

PacketBatcher::PacketBatcher(Datalink datalink, RecordContext context, SourceCounters& counters,
                             Deliver deliver, std::size_t batch_records)
    : datalink_(datalink),
      context_(context),
      counters_(counters),
      deliver_(std::move(deliver)),
      batch_records_(batch_records == 0 ? 1 : batch_records) {
  batch_.reserve(batch_records_);
}

void PacketBatcher::count_not_parsed(int status) {
  switch (status) {
    case XACCT_PARSE_TRUNCATED: ++tally_.truncated; break;
    case XACCT_PARSE_MALFORMED: ++tally_.malformed; break;
    default: ++tally_.non_ip; break;  // NON_IP (OK always has an IP version)
  }
}

void PacketBatcher::deliver_batch() {
  // Publish before handing the batch on: a reader of Stats then never sees
  // records that the counters do not cover yet.
  counters_.publish(tally_);
  userspace::RecordBatch full;
  full.reserve(batch_records_);
  full.swap(batch_);
  deliver_(std::move(full));
}

void PacketBatcher::flush() {
  if (!batch_.empty()) {
    deliver_batch();
  } else {
    counters_.publish(tally_);
  }
}

}  // namespace xacct::capture
