// CollectorConfig: the collect role's own keys (nfacctd_* / sfacctd_* and
// xacct's collector_threads), as validated by the config key table. Plain
// data, header-only, so userspace/config.hpp can hold it (CoreConfig::
// collector) without linking the collector; tools/collect_role.cpp turns it
// into listeners (collector/listener.hpp).
#pragma once

#include <cstdint>
#include <string>

namespace xacct::collector {

// One protocol's UDP endpoint (nfacctd_* for NetFlow/IPFIX, sfacctd_* for sFlow).
struct EndpointConfig {
  bool enabled = false;         // decided by the loader (see collector_config_rules below)
  std::string ip;               // [ns]facctd_ip; "" = every address, IPv4 and IPv6
  std::uint16_t port = 0;       // [ns]facctd_port
  bool ipv6_only = false;       // [ns]facctd_ipv6_only: IPV6_V6ONLY on the "::" socket
  std::uint32_t pipe_size = 0;  // [ns]facctd_pipe_size: SO_RCVBUF(FORCE) bytes; 0 = OS default
  std::string allow_file;       // [ns]facctd_allow_file; "" = allow every exporter

  bool operator==(const EndpointConfig&) const = default;
};

// A tee plugin's keys (pmacct's tee_*), as validated by the key table; the
// collect role turns them into collector::TeeConfig (tee_replicator.hpp).
struct TeeKeys {
  std::string receivers;             // tee_receivers: the receivers map file (mandatory)
  bool transparent = false;          // tee_transparent: keep the exporter's source address (raw socket)
  std::string source_ip;             // tee_source_ip: non-transparent source address; "" = OS
  std::uint32_t ipprec = 0;          // tee_ipprec: IP precedence 0-7
  std::uint32_t pipe_size = 0;       // tee_pipe_size: SO_SNDBUF bytes; 0 = OS default
  std::uint32_t max_receivers = 32;  // tee_max_receivers: per pool
  std::uint32_t max_pools = 128;     // tee_max_receiver_pools
  std::string kafka_config_file;     // tee_kafka_config_file: librdkafka properties of Kafka pools

  bool operator==(const TeeKeys&) const = default;
};

inline EndpointConfig endpoint_defaults(bool enabled, std::uint16_t port) {
  EndpointConfig e;
  e.enabled = enabled;
  e.port = port;
  return e;
}

// Which listeners start (xacct; pmacct has one daemon per protocol):
//   NetFlow/IPFIX: when nfacctd_port or nfacctd_ip is set, or when no
//                  sfacctd_port/sfacctd_ip is set (then on 2100, as nfacctd);
//   sFlow:         when sfacctd_port or sfacctd_ip is set (6343 by default).
struct CollectorConfig {
  // In-class defaults = the key table's (a unit test compares them).
  EndpointConfig netflow = endpoint_defaults(true, 2100);
  EndpointConfig sflow = endpoint_defaults(false, 6343);
  // collector_threads (xacct): sockets (SO_REUSEPORT) and decode threads per
  // listener; an exporter (by source address) always reaches the same one.
  // 0 = one per online CPU.
  std::uint32_t threads = 1;
  bool time_new = false;         // nfacctd_time_new / sfacctd_time_new: flow times = arrival time
  bool time_secs = false;        // nfacctd_time_secs: NetFlow v5 header times in seconds (decoder option)
  bool renormalize = false;      // nfacctd_renormalize / sfacctd_renormalize (done by the plugins)
  std::string templates_file;    // nfacctd_templates_file: NetFlow v9/IPFIX templates kept across restarts
  bool use_ip_next_hop = false;  // use_ip_next_hop: IP next hop as peer_dst_ip when there is no BGP one
  // sfacctd_counter_file: sFlow counter samples as JSON lines (collector/counter_file.hpp); "" = off.
  std::string counter_file;
  // The global timestamps_* keys, for the counter file's "timestamp".
  bool counter_ts_utc = false;
  bool counter_ts_rfc3339 = false;
  bool counter_ts_rfc9557 = false;
  bool counter_ts_since_epoch = false;
  // nfacctd_tcp_port (xacct): IPFIX over TCP on nfacctd_ip; 0 = off (collector/tcp_listener.hpp).
  std::uint16_t tcp_port = 0;
  std::uint32_t tcp_max_connections = 256;  // nfacctd_tcp_max_connections

  bool operator==(const CollectorConfig&) const = default;
};

}  // namespace xacct::collector
