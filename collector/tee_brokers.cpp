// See tee_brokers.hpp.
#include "collector/tee_brokers.hpp"

#include <librdkafka/rdkafka.h>

#include <mutex>
#include <zmq.hpp>

#include "userspace/kafka_config_file.hpp"
#include "userspace/logging.hpp"

namespace xacct::collector {
namespace {

using userspace::make_error;

constexpr int kZmqHighWaterMark = 100000;  // messages, as pmacct's PM_ZMQ_DEFAULT_FLOW_HWM

// librdkafka's delivery report: the final outcome of each message.
void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* c = static_cast<TeeBrokerCounters*>(opaque);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    c->errors->add();
    return;
  }
  c->sent->add();
  c->bytes->add(m->len);
}

class KafkaTeeOutput final : public TeeBrokerOutput {
 public:
  KafkaTeeOutput(std::string name, TeeBrokerCounters counters)
      : name_(std::move(name)), counters_(counters) {}
  ~KafkaTeeOutput() override {
    if (topic_ != nullptr) rd_kafka_topic_destroy(topic_);
    if (rk_ != nullptr) {
      // Deliver what is queued (bounded), count the rest as lost.
      rd_kafka_flush(rk_, 5000);
      const int left = rd_kafka_outq_len(rk_);
      if (left > 0) counters_.errors->add(static_cast<std::uint64_t>(left));
      rd_kafka_destroy(rk_);
    }
  }

  userspace::Status open(const std::string& broker, const std::string& topic,
                         const std::string& config_file) {
    char err[512] = {};
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_topic_conf_t* tconf = rd_kafka_topic_conf_new();
    auto fail = [&](std::string what) {
      if (conf != nullptr) rd_kafka_conf_destroy(conf);
      if (tconf != nullptr) rd_kafka_topic_conf_destroy(tconf);
      return make_error(name_ + ": " + std::move(what));
    };
    if (!config_file.empty()) {
      auto props = userspace::load_kafka_config(config_file);
      if (!props) return fail(props.error().message);
      for (const userspace::KafkaProperty& p : props.value()) {
        const rd_kafka_conf_res_t r =
            p.topic ? rd_kafka_topic_conf_set(tconf, p.key.c_str(), p.value.c_str(), err, sizeof err)
                    : rd_kafka_conf_set(conf, p.key.c_str(), p.value.c_str(), err, sizeof err);
        if (r != RD_KAFKA_CONF_OK) return fail(config_file + ":" + std::to_string(p.line) + ": " + err);
      }
    }
    if (rd_kafka_conf_set(conf, "bootstrap.servers", broker.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      return fail(std::string("kafka_broker: ") + err);
    }
    rd_kafka_conf_set_opaque(conf, &counters_);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (rk_ == nullptr) return fail(std::string("producer: ") + err);
    conf = nullptr;  // owned by rk_ now
    topic_ = rd_kafka_topic_new(rk_, topic.c_str(), tconf);
    tconf = nullptr;  // owned by the topic (or freed by librdkafka on failure)
    if (topic_ == nullptr) return fail("topic '" + topic + "': " + rd_kafka_err2str(rd_kafka_last_error()));
    return userspace::Ok{};
  }

  void send(std::span<const std::uint8_t> message) override {
    // RD_KAFKA_MSG_F_COPY: the listener's buffer is reused right after.
    const int r =
        rd_kafka_produce(topic_, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                         const_cast<std::uint8_t*>(message.data()), message.size(), nullptr, 0, nullptr);
    if (r != 0) counters_.errors->add();  // queue full or unknown topic: lost now, counted
    rd_kafka_poll(rk_, 0);                // serve delivery reports (thread-safe)
  }

  const std::string& name() const override { return name_; }

 private:
  std::string name_;
  TeeBrokerCounters counters_;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_topic_t* topic_ = nullptr;
};

class ZmqTeeOutput final : public TeeBrokerOutput {
 public:
  ZmqTeeOutput(std::string name, TeeBrokerCounters counters)
      : name_(std::move(name)), counters_(counters), socket_(context_, zmq::socket_type::push) {}

  userspace::Status open(const std::string& address) {
    endpoint_ = address.find("://") == std::string::npos ? "tcp://" + address : address;
    try {
      socket_.set(zmq::sockopt::sndhwm, kZmqHighWaterMark);
      socket_.set(zmq::sockopt::linger, 0);
      socket_.bind(endpoint_);
    } catch (const zmq::error_t& e) {
      return make_error(name_ + ": bind " + endpoint_ + ": " + e.what());
    }
    return userspace::Ok{};
  }

  void send(std::span<const std::uint8_t> message) override {
    // A ZeroMQ socket is not thread-safe; sends are short and non-blocking.
    const std::lock_guard lock(mutex_);
    zmq::send_result_t r;
    try {
      r = socket_.send(zmq::const_buffer(message.data(), message.size()), zmq::send_flags::dontwait);
    } catch (const zmq::error_t&) {
      r = std::nullopt;
    }
    if (!r) {
      counters_.errors->add();  // high-water mark reached or no peer: dropped, counted
      return;
    }
    counters_.sent->add();
    counters_.bytes->add(message.size());
  }

  const std::string& name() const override { return name_; }

 private:
  std::string name_;
  TeeBrokerCounters counters_;
  zmq::context_t context_;
  zmq::socket_t socket_;
  std::string endpoint_;
  std::mutex mutex_;
};

}  // namespace

userspace::Result<std::unique_ptr<TeeBrokerOutput>> make_kafka_tee_output(const std::string& broker,
                                                                          const std::string& topic,
                                                                          const std::string& config_file,
                                                                          TeeBrokerCounters counters) {
  auto out = std::make_unique<KafkaTeeOutput>("kafka:" + broker + "/" + topic, counters);
  if (auto s = out->open(broker, topic, config_file); !s) return s.error();
  return std::unique_ptr<TeeBrokerOutput>(std::move(out));
}

userspace::Result<std::unique_ptr<TeeBrokerOutput>> make_zmq_tee_output(const std::string& address,
                                                                        TeeBrokerCounters counters) {
  auto out = std::make_unique<ZmqTeeOutput>("zmq:" + address, counters);
  if (auto s = out->open(address); !s) return s.error();
  return std::unique_ptr<TeeBrokerOutput>(std::move(out));
}

}  // namespace xacct::collector
