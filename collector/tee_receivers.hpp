// The tee_receivers map (spec/maps.md §7): one receiver pool per line,
//
//   id=1   ip=127.0.0.1:2101,127.0.0.1:2102   balance-alg=hash-agent
//   id=2   ip=[::1]:2200   tag=100,110-120   src_port=2300
//
// id (> 0, unique) and ip (comma list of numeric "a.b.c.d:port" or
// "[v6]:port") are mandatory; tag= is a tag list as pre_tag_filter takes
// it (userspace/filter/tag_list.hpp); tag2= (xacct) the same on tag2;
// balance-alg= rr | hash-agent | hash-crc32 | hash-tag (absent: every
// receiver); src_port= the source port of non-transparent sends. Instead
// of ip=, a pool may emit to Kafka (kafka_broker=host:port[,host:port]
// kafka_topic=T) or ZeroMQ (zmq_address=host:port: a PUSH socket xacct
// binds), which needs tee_transparent and no balance-alg, as in pmacct
// (collector/tee_brokers.hpp). Bad lines are skipped with a warning (pmacct).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "userspace/filter/tag_list.hpp"
#include "userspace/maps/map_text.hpp"
#include "userspace/result.hpp"

namespace xacct::collector {

enum class TeeBalance : std::uint8_t { kAll, kRoundRobin, kHashAgent, kHashCrc32, kHashTag };

struct TeeReceiverAddress {
  std::string text;  // as written, normalised: "192.0.2.1:2100", "[2001:db8::1]:2100"
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  int family = AF_INET;
};

struct TeePoolSpec {
  std::uint32_t id = 0;
  std::vector<TeeReceiverAddress> receivers;
  TeeBalance balance = TeeBalance::kAll;
  std::vector<filter::TagRange> tags;   // empty = any
  std::vector<filter::TagRange> tags2;  // empty = any
  std::uint16_t src_port = 0;           // 0 = any
  std::string kafka_broker;             // kafka_broker=: emit to Kafka instead of `receivers`
  std::string kafka_topic;              // kafka_topic=
  std::string zmq_address;              // zmq_address=: emit to a ZeroMQ PUSH socket instead
  int line = 0;                         // in the map file (logs)
};

struct TeeReceiversLimits {
  std::uint32_t max_receivers = 32;  // per pool
  std::uint32_t max_pools = 128;
  std::uint32_t max_row_len = 256;
  bool transparent = false;  // tee_transparent: Kafka/ZeroMQ pools need it
};

// Parses the map's text; `file` names it in warnings.
std::vector<TeePoolSpec> parse_tee_receivers(std::string_view text, std::string_view file,
                                             const TeeReceiversLimits& limits, maps::LoadReport& report);

// "192.0.2.1:2100" / "[2001:db8::1]:2100" -> address; error says why not.
userspace::Result<TeeReceiverAddress> parse_receiver_address(std::string_view text);

}  // namespace xacct::collector
