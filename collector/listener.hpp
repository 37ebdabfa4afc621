// Listener: one UDP endpoint of `xacctd collect` (NetFlow/IPFIX on
// nfacctd_port, sFlow on sfacctd_port) and its receive/decode threads.
//
//   threads      `threads` sockets bound to the same address with
//                SO_REUSEPORT (+ SO_REUSEADDR), one thread each. A classic
//                BPF program on the reuseport group (SO_ATTACH_REUSEPORT_CBPF)
//                picks the socket from a hash of the exporter's source
//                address only, so one exporter always reaches the same
//                thread and decoder (templates, sequence numbers) whatever
//                its source port.
//   receive      recvmmsg() batches of up to 128 datagrams (MSG_WAITFORONE,
//                200 ms timeout to notice stop()) into packed 2 KiB slots
//                (plus an overflow area for longer datagrams); SO_RCVBUFFORCE
//                of pipe_size; datagrams the socket dropped for lack of buffer
//                come back in SO_RXQ_OVFL and are counted (socket_drops).
//   per datagram the allow list (denied: counted, not decoded), the tap
//                (tee replication: gets the datagram byte for byte), the
//                decoder (collector/datagram.hpp), per-exporter counters,
//                nfacctd_time_new.
//   output       records go to `push` (maps, then the pipeline:
//                tools/daemon_loop.hpp) in batches of about 1024 records or
//                2 ms, and whenever the socket is idle; the pipeline hands
//                back a finished batch's buffer for reuse. After a receive of
//                fewer than 64 datagrams the thread pauses (200 us, up to 1 ms
//                with a receive buffer of 2 MB or more) so that the next
//                receive takes many: one wake-up per many datagrams.
//
// Address: "" = "::" dual stack (IPv4 exporters arrive IPv4-mapped and are
// reported as IPv4), unless ipv6_only; an IPv4 address binds AF_INET.
//
// Stats ("collector.listener.<ip:port>." + name): datagrams, bytes, records,
// denied, truncated (datagram larger than 64 KiB - 1), socket_drops,
// receive_errors, decode_errors, template_misses, sequence_gaps,
// options_records; per exporter: exporter_stats.hpp.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "collector/allow_list.hpp"
#include "collector/datagram.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/result.hpp"
#include "userspace/stats.hpp"

namespace xacct::collector {

struct ListenerOptions {
  std::string protocol = "netflow";  // for logs
  std::string ip;                    // "" = every address (dual stack)
  std::uint16_t port = 0;            // 0 = an ephemeral port (tests)
  bool ipv6_only = false;
  std::uint32_t pipe_size = 0;  // SO_RCVBUF(FORCE) bytes; 0 = OS default
  unsigned threads = 1;         // 0 = one per online CPU
  bool time_new = false;        // first_ns = last_ns = arrival time
};

using DecoderFactory = std::function<std::unique_ptr<DatagramDecoder>()>;

struct ListenerOutput {
  // Records of one receive batch (called on the listener thread).
  std::function<void(userspace::RecordBatch&&)> push;
  // Optional: every allowed datagram before decoding (tee); listener thread.
  std::function<void(const Datagram&)> tap;
};

class Listener {
 public:
  // Binds every socket (errors name the address: "bind [::]:2100: Address
  // already in use"); the threads start in start().
  static userspace::Result<std::unique_ptr<Listener>> create(const ListenerOptions& options,
                                                             DecoderFactory decoders, const AllowList* allow,
                                                             ListenerOutput output, userspace::Stats& stats);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  void start();
  // Stops the threads (within the receive timeout) after their last batch was pushed.
  void stop();

  std::uint16_t port() const { return port_; }
  unsigned threads() const { return static_cast<unsigned>(fds_.size()); }
  // "netflow on [::]:2100, 2 threads, SO_RCVBUF 4194304"
  std::string describe() const;

 private:
  struct Counters;
  Listener(ListenerOptions options, DecoderFactory decoders, const AllowList* allow, ListenerOutput output,
           userspace::Stats& stats);
  userspace::Status bind_sockets();
  void run(std::size_t index, DatagramDecoder& decoder);

  ListenerOptions options_;
  DecoderFactory decoders_;
  const AllowList* allow_;
  ListenerOutput output_;
  userspace::Stats& stats_;
  std::unique_ptr<Counters> counters_;
  std::vector<int> fds_;
  std::vector<std::unique_ptr<DatagramDecoder>> decoder_objs_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::uint16_t port_ = 0;
  std::string bound_;  // "[::]:2100"
  int rcvbuf_ = 0;
};

}  // namespace xacct::collector
