// PacketBatcher: the per-packet path of every libpcap input. Each frame is
// parsed (datalink.hpp, the shared parser), counted exactly once in the
// source's tally (an IP record, or one of the not-parsed reasons), and IP
// packets become FlowRecords (packet_record.hpp) in a batch of
// `batch_records`; a full batch goes to `deliver`, and so does the partial
// one on flush(). IPv4 and IPv6 fragments take the ports of their first fragment
// (fragment_table.hpp). Counters reach the Stats registry with each delivered
// batch and on flush(), so Stats always agree with what was delivered.
//
// One batcher per capture thread; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "probe/capture/capture_stats.hpp"
#include "probe/capture/fragment_table.hpp"
#include "probe/capture/datalink.hpp"
#include "probe/capture/packet_record.hpp"
#include "userspace/flow_record.hpp"

namespace xacct::capture {

inline constexpr std::size_t kDefaultBatchRecords = 1024;

class PacketBatcher {
 public:
  using Deliver = std::function<void(userspace::RecordBatch&&)>;

  PacketBatcher(Datalink datalink, RecordContext context, SourceCounters& counters, Deliver deliver,
                std::size_t batch_records = kDefaultBatchRecords);

  // One frame of `caplen` captured bytes at `ts_ns` (epoch ns).
  void packet(const std::uint8_t* data, std::size_t caplen, userspace::TimestampNs ts_ns) {
    ++tally_.received;
    int status = parse_frame(datalink_, data, caplen, pkt_, link_);
    if (pkt_.ip_version == 0) {
      count_not_parsed(status);
      return;
    }
    if (status != XACCT_PARSE_OK) ++tally_.partial;
    ++tally_.ip_packets;
    tally_.ip_bytes += pkt_.l3_len;
    userspace::FlowRecord& r = batch_.emplace_back();
    fill_record(pkt_, link_, data, caplen, ts_ns, context_, r);
    if (pkt_.frag != 0) fragment(data, caplen, ts_ns, r);
    if (batch_.size() >= batch_records_) deliver_batch();
  }

  // Delivers the partial batch (if any) and publishes the counters.
  void flush();

  // The datalink can change between savefiles.
  void set_datalink(Datalink datalink) { datalink_ = datalink; }
  void set_context(const RecordContext& context) { context_ = context; }
  std::size_t pending_records() const { return batch_.size(); }

 private:
  void count_not_parsed(int status);
  // TCP/UDP fragments (IPv4, IPv6): the ports of their first fragment.
  void fragment(const std::uint8_t* data, std::size_t caplen, userspace::TimestampNs ts_ns,
                userspace::FlowRecord& r);
  void deliver_batch();

  Datalink datalink_;
  RecordContext context_;
  SourceCounters& counters_;
  Deliver deliver_;
  std::size_t batch_records_;
  userspace::RecordBatch batch_;
  PacketTally tally_;
  xacct_pkt pkt_{};
  LinkInfo link_{};
  FragmentTable fragments_;
};

}  // namespace xacct::capture
