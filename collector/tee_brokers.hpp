// Broker outputs of tee pools: a tee_receivers pool with kafka_broker= +
// kafka_topic=, or with zmq_address=, emits every datagram it takes to a
// Kafka topic or a ZeroMQ PUSH socket instead of UDP receivers, as pmacct's
// tee plugin does. As in pmacct, such pools need tee_transparent: true and
// take no balance-alg; each message is the datagram wrapped in the IP + UDP
// headers of a transparent send (collector/tee_packet.hpp) whose source is
// the exporter's address and port and whose destination is the unspecified
// address of the exporter's family, port 0 (pmacct zeroes the target), so a
// consumer can replay it with the original exporter address.
//
// Kafka: one librdkafka producer per pool (librdkafka batches and retries
// itself); `tee_kafka_config_file` lines `global|topic, key, value` are
// applied first (pmacct's kafka_config_file format). A message librdkafka
// cannot queue or finally fails to deliver is counted in send_errors.
// ZeroMQ: a PUSH socket bound to zmq_address ("tcp://" is prepended when no
// scheme is given, as pmacct does), high-water mark 100000 messages as
// pmacct's; a message the queue cannot take is dropped and counted (the
// listener never blocks on a slow consumer).
//
// Both are thread-safe: listener threads call send() concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "userspace/result.hpp"
#include "userspace/stats.hpp"

namespace xacct::collector {

class TeeBrokerOutput {
 public:
  virtual ~TeeBrokerOutput() = default;
  // Queues one message (a copy is taken). Counts sent or send_errors.
  virtual void send(std::span<const std::uint8_t> message) = 0;
  // "kafka:<broker>/<topic>" or "zmq:<address>": the stats and log name.
  virtual const std::string& name() const = 0;
};

struct TeeBrokerCounters {
  userspace::Counter* sent = nullptr;
  userspace::Counter* bytes = nullptr;
  userspace::Counter* errors = nullptr;
};

// Kafka producer for `broker` ("host:port[,host:port]") and `topic`;
// `config_file` = tee_kafka_config_file ("" = none). Errors name the file
// and line of a bad config line, or what librdkafka refused.
userspace::Result<std::unique_ptr<TeeBrokerOutput>> make_kafka_tee_output(const std::string& broker,
                                                                          const std::string& topic,
                                                                          const std::string& config_file,
                                                                          TeeBrokerCounters counters);

// ZeroMQ PUSH socket bound to `address`; fails when the bind fails.
userspace::Result<std::unique_ptr<TeeBrokerOutput>> make_zmq_tee_output(const std::string& address,
                                                                        TeeBrokerCounters counters);

}  // namespace xacct::collector
