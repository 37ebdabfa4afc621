// NflogInput: the NFLOG input of `xacctd probe`, what uacctd does. It binds
// a netlink socket to one NFLOG group (nft `log group N`, iptables
// `-j NFLOG --nflog-group N`), and a thread of its own turns every logged
// packet into a FlowRecord (nflog_packet.hpp) and hands them to a callback
// in batches (one per socket drain, at most kBatchRecords).
//
// Counting: every logged packet that reaches xacct is counted exactly once
// (a record, or nflog.not_ip). Packets the kernel could not deliver because
// the socket's receive buffer was full are lost: the kernel says so with
// ENOBUFS on the next read (nflog.enobufs, events) and, since xacct asks for
// NFULNL_CFG_F_SEQ, by the gaps in the group's sequence numbers
// (nflog.lost_packets, packets). stop() unbinds the group, which makes the
// kernel flush the packets it was batching (uacctd_threshold), and reads
// them before returning: nothing logged before stop() is left behind.
//
// Stats: nflog.{messages,packets,bytes,records,not_ip,bad_messages,enobufs,
// lost_packets,recv_errors,batches}.
//
//   auto in = NflogInput::create(config.core.nflog, stats, push);
//   (*in)->start();  ...  (*in)->stop();
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bpf/packet_parse.h"
#include "userspace/config.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/result.hpp"
#include "userspace/stats.hpp"

struct mnl_socket;

namespace xacct::probe {

class NflogInput {
 public:
  using Callback = std::function<void(userspace::RecordBatch&&)>;
  static constexpr std::size_t kBatchRecords = 4096;

  // Opens the socket and binds the group (fails with EBUSY when another
  // process, ulogd or uacctd, reads that group).
  static userspace::Result<std::unique_ptr<NflogInput>> create(const userspace::NflogConfig& config,
                                                               userspace::Stats& stats, Callback callback);
  ~NflogInput();  // stop()s
  NflogInput(const NflogInput&) = delete;
  NflogInput& operator=(const NflogInput&) = delete;

  void start();
  // Joins the thread, unbinds the group and reads what the kernel flushed.
  // The callback runs on the caller's thread for that last batch. Idempotent.
  void stop();

  // "nflog group 5 (copy 128 bytes, threshold 1, direction in)".
  std::string describe() const;

 private:
  struct Counters {
    explicit Counters(userspace::Stats& stats);
    userspace::Counter& messages;
    userspace::Counter& packets;
    userspace::Counter& bytes;
    userspace::Counter& records;
    userspace::Counter& not_ip;
    userspace::Counter& bad_messages;
    userspace::Counter& enobufs;
    userspace::Counter& lost_packets;
    userspace::Counter& recv_errors;
    userspace::Counter& batches;
  };

  NflogInput(const userspace::NflogConfig& config, userspace::Stats& stats, Callback callback);
  userspace::Result<userspace::Ok> open();
  // Sends one config message and waits for its ack, reading packets that
  // arrive meanwhile.
  userspace::Result<userspace::Ok> configure(std::uint8_t command, bool with_mode);
  void run();
  // Reads the socket until it is empty (or the batch is full); returns false
  // on a fatal error. `ack_seq`: a pending config message whose ack ends the
  // read (its error code goes to *ack_error).
  bool read_available(std::uint32_t ack_seq = 0, int* ack_error = nullptr, bool* acked = nullptr);
  void handle_datagram(const std::uint8_t* buf, std::size_t len, std::uint32_t ack_seq, int* ack_error,
                       bool* acked);
  void flush_batch();

  const userspace::NflogConfig config_;
  const userspace::Direction direction_;
  Counters counters_;
  Callback callback_;
  mnl_socket* nl_ = nullptr;
  int wake_fd_ = -1;  // eventfd: stop() wakes the thread
  std::uint32_t portid_ = 0;
  std::uint32_t seq_ = 0;  // of our config messages
  std::vector<std::uint8_t> buf_;
  userspace::RecordBatch batch_;
  xacct_pkt pkt_{};
  // Sequence numbers of logged packets (NFULA_SEQ): gaps are lost packets.
  bool have_pkt_seq_ = false;
  std::uint32_t next_pkt_seq_ = 0;
  // Local tallies, published with each batch.
  std::uint64_t messages_ = 0, packets_ = 0, bytes_ = 0, not_ip_ = 0, bad_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_ = false;
  bool bound_ = false;
};

}  // namespace xacct::probe
