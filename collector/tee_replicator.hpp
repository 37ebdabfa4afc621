// Replication of received datagrams (pmacct's tee plugin): every datagram a
// listener receives is sent on, byte-identical, to the receivers of
// tee_receivers (collector/tee_receivers.hpp), optionally with the original
// exporter's source address and port (tee_transparent).
//
// API for the collect role (tools/collect_role.cpp):
//
//   TeeConfig tc;  // from the tee plugin's keys: tee_receivers, tee_transparent, ...
//   auto tee = make_tee(tc, stats);          // Result<std::unique_ptr<TeeReplicator>>
//   if (!tee) return error;                  // unreadable file, no pool, socket errors
//   ...listener thread, for every datagram (after the allow list and the
//      pre_tag_map evaluation on the exporter, if any):
//   tee.value()->replicate(dgram, tag, tag2);
//   ...SIGUSR2:
//   tee.value()->reload();                   // re-reads tee_receivers; keeps the old set on error
//
// A tee plugin is not a record sink: the collect role takes tee plugins out
// of the record pipeline and calls replicate() from its listener threads.
// replicate() is thread-safe (any number of listener threads) and never
// blocks on a lock: the receiver set is an immutable snapshot swapped
// atomically by reload().
//
// Pools: a pool takes a datagram when its tag= list (and xacct's tag2=)
// accepts the tags (no list = every datagram); then with no balance-alg
// every receiver of the pool gets it, else one receiver picked by rr
// (round robin), hash-agent (hash of the exporter address: IPv4 and IPv6,
// unlike 1.7.7 which indexed with `addr & n` and had no IPv6), hash-crc32
// (CRC-32 of the exporter address) or hash-tag (tag % n).
//
// Sending: non-transparent = one UDP socket per receiver (source address
// tee_source_ip if set, source port the pool's src_port if set). Transparent
// = raw sockets (IPv4: IPPROTO_RAW, i.e. IP_HDRINCL; IPv6: IPPROTO_RAW,
// which implies IPV6_HDRINCL on Linux >= 4.5): xacct writes the IP and UDP
// headers with the exporter's address and port as source. Needs
// CAP_NET_RAW. An exporter of one family cannot be sent transparently to a
// receiver of the other (counted as a send error, as pmacct refuses it).
//
// Stats per receiver: "tee.<plugin>.<receiver>.{sent,bytes,send_errors}"
// (<receiver> = "ip:port" / "[v6]:port", or "kafka:<broker>/<topic>" /
// "zmq:<address>" for broker pools, collector/tee_brokers.hpp); per plugin
// "tee.<plugin>.{datagrams,unmatched,reloads,reload_errors}" (unmatched: no pool
// took the datagram).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "collector/datagram.hpp"
#include "userspace/result.hpp"
#include "userspace/stats.hpp"

namespace xacct::collector {

// The tee plugin's keys (spec/config.md §3.4).
struct TeeConfig {
  std::string plugin_name = "default_tee";  // stats and log names
  std::string receivers_file;               // tee_receivers (mandatory)
  bool transparent = false;                 // tee_transparent
  std::string source_ip;                    // tee_source_ip: non-transparent source address; "" = OS
  std::uint32_t ipprec = 0;                 // tee_ipprec: IP precedence (0-7) of sent datagrams
  std::uint32_t pipe_size = 0;              // tee_pipe_size: SO_SNDBUF bytes; 0 = OS default
  std::uint32_t max_receivers = 32;         // tee_max_receivers: per pool
  std::uint32_t max_pools = 128;            // tee_max_receiver_pools
  std::uint32_t max_row_len = 256;          // maps_row_len
  std::string kafka_config_file;            // tee_kafka_config_file ("" = librdkafka defaults)
};

struct TeeSet;  // the loaded pools and their sockets (tee_replicator.cpp)

class TeeReplicator {
 public:
  TeeReplicator(TeeConfig config, userspace::Stats& stats, std::shared_ptr<const TeeSet> set);
  ~TeeReplicator();
  TeeReplicator(const TeeReplicator&) = delete;
  TeeReplicator& operator=(const TeeReplicator&) = delete;

  // Sends dgram.data, unchanged, to the receivers that take it.
  void replicate(const Datagram& dgram, std::uint64_t tag, std::uint64_t tag2);

  // Re-reads tee_receivers and opens the new receivers' sockets; the old
  // set stays in use when that fails (returned error, counted).
  userspace::Status reload();

  // Pools and receivers of the current set (tests, logs).
  std::size_t pool_count() const;
  std::size_t receiver_count() const;

 private:
  TeeConfig config_;
  userspace::Stats& stats_;
  std::atomic<std::shared_ptr<const TeeSet>> set_;
  std::shared_ptr<const TeeSet> retired_;  // the set reload() replaced (reload's thread only)
  userspace::Counter& datagrams_;
  userspace::Counter& unmatched_;
  userspace::Counter& reloads_;
  userspace::Counter& reload_errors_;
};

// Loads tee_receivers and opens the sockets.
userspace::Result<std::unique_ptr<TeeReplicator>> make_tee(const TeeConfig& config, userspace::Stats& stats);

}  // namespace xacct::collector
