// Tee pools that emit to Kafka and ZeroMQ (collector/tee_brokers.hpp):
// against librdkafka's in-process mock cluster (a real Kafka protocol
// server on loopback) and a real ZeroMQ PULL socket. Every datagram must
// arrive exactly once as the transparent IP + UDP packet, and every
// message that cannot be queued must be counted.
#include "collector/tee_brokers.hpp"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "collector/tee_packet.hpp"
#include "collector/tee_receivers.hpp"
#include "collector/tee_replicator.hpp"
#include "userspace/kafka_config_file.hpp"

namespace xacct::collector {
namespace {

using Bytes = std::vector<std::uint8_t>;

userspace::IpAddress ip4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  userspace::IpAddress ip;
  ip.bytes[10] = ip.bytes[11] = 0xff;
  ip.bytes[12] = a;
  ip.bytes[13] = b;
  ip.bytes[14] = c;
  ip.bytes[15] = d;
  return ip;
}

userspace::IpAddress ip6_doc(std::uint8_t last) {
  userspace::IpAddress ip;
  ip.is_v6 = true;
  ip.bytes[0] = 0x20;
  ip.bytes[1] = 0x01;
  ip.bytes[2] = 0x0d;
  ip.bytes[3] = 0xb8;
  ip.bytes[15] = last;
  return ip;
}

// What a broker pool must emit for `d`: IP + UDP to the unspecified
// address of the exporter's family, port 0, carrying the datagram.
Bytes expected_message(const Datagram& d) {
  userspace::IpAddress any;
  any.is_v6 = d.exporter.is_v6;
  if (!any.is_v6) any.bytes[10] = any.bytes[11] = 0xff;
  Bytes out;
  EXPECT_TRUE(build_udp_packet(d.exporter, d.exporter_port, any, 0, 0, d.data, out));
  return out;
}

// Datagram holds a span: the bytes live here for the whole test binary.
Datagram make_datagram(std::size_t n, std::uint8_t seed, userspace::IpAddress exporter, std::uint16_t port) {
  static std::vector<std::unique_ptr<Bytes>> storage;
  auto bytes = std::make_unique<Bytes>(n);
  for (std::size_t i = 0; i < n; ++i) (*bytes)[i] = static_cast<std::uint8_t>(seed + i * 13);
  Datagram d;
  d.data = *bytes;
  storage.push_back(std::move(bytes));
  d.exporter = exporter;
  d.exporter_port = port;
  return d;
}

// A TCP port nobody listens on right now (bound then released).
std::uint16_t free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t l = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &l);
  ::close(fd);
  return ntohs(a.sin_port);
}

class TeeBrokersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("xacct-tee-brokers-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    cfg_.plugin_name = "t";
    cfg_.transparent = true;
    cfg_.receivers_file = (dir_ / "tee_receivers.lst").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write_map(const std::string& text) { std::ofstream(cfg_.receivers_file) << text; }
  std::uint64_t stat(const std::string& name) {
    for (const auto& [n, v] : stats_.snapshot()) {
      if (n == name) return v;
    }
    return 0;
  }
  std::filesystem::path dir_;
  TeeConfig cfg_;
  userspace::Stats stats_;
};

// Consumes every message of `topic` (all partitions) from the beginning.
std::vector<Bytes> consume_all(const std::string& bootstrap, const std::string& topic, std::size_t want) {
  char err[512];
  rd_kafka_conf_t* c = rd_kafka_conf_new();
  rd_kafka_conf_set(c, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(c, "group.id", "xacct-test", err, sizeof err);
  rd_kafka_conf_set(c, "auto.offset.reset", "earliest", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
  EXPECT_NE(rk, nullptr) << err;
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* t = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(t, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, t);
  rd_kafka_topic_partition_list_destroy(t);
  std::vector<Bytes> out;
  // Bounded: 20 s for the group to form and every message to arrive.
  for (int i = 0; i < 200 && out.size() < want; ++i) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const auto* p = static_cast<const std::uint8_t*>(m->payload);
      out.emplace_back(p, p + m->len);
    }
    rd_kafka_message_destroy(m);
  }
  // A few more polls: nothing beyond `want` may arrive (no duplicates).
  for (int i = 0; i < 5; ++i) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const auto* p = static_cast<const std::uint8_t*>(m->payload);
      out.emplace_back(p, p + m->len);
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

TEST_F(TeeBrokersTest, KafkaPoolEmitsEveryDatagramOnceAsTransparentPacket) {
  char err[512];
  rd_kafka_conf_t* hc = rd_kafka_conf_new();
  rd_kafka_conf_set(hc, "log_level", "3", err, sizeof err);
  rd_kafka_t* host = rd_kafka_new(RD_KAFKA_PRODUCER, hc, err, sizeof err);
  ASSERT_NE(host, nullptr) << err;
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(host, 1);
  ASSERT_NE(mc, nullptr);
  const std::string bootstrap = rd_kafka_mock_cluster_bootstraps(mc);
  rd_kafka_mock_topic_create(mc, "flows-tee", 2, 1);

  // A property file as pmacct's kafka_config_file: applied to the producer.
  const std::string props = (dir_ / "kafka.conf").string();
  std::ofstream(props) << "# comment\nglobal, client.id, xacct-tee-test\nglobal, linger.ms, 5\n";
  cfg_.kafka_config_file = props;
  write_map("id=1 kafka_broker=" + bootstrap + " kafka_topic=flows-tee\n");

  std::vector<Datagram> sent;
  for (int i = 0; i < 60; ++i) {
    sent.push_back(make_datagram(100 + static_cast<std::size_t>(i) * 9, static_cast<std::uint8_t>(i),
                                 i % 3 == 0 ? ip6_doc(static_cast<std::uint8_t>(i)) : ip4(198, 18, 0, 1),
                                 static_cast<std::uint16_t>(40000 + i)));
  }
  {
    auto tee = make_tee(cfg_, stats_);
    ASSERT_TRUE(tee) << tee.error().message;
    for (const Datagram& d : sent) tee.value()->replicate(d, 0, 0);
  }  // destroying the replicator flushes the producer
  const std::string key = "tee.t.kafka:" + bootstrap + "/flows-tee.";
  EXPECT_EQ(stat(key + "sent"), 60u);
  EXPECT_EQ(stat(key + "send_errors"), 0u);
  std::uint64_t total = 0;
  std::map<Bytes, int> want;
  for (const Datagram& d : sent) {
    Bytes m = expected_message(d);
    total += m.size();
    ++want[m];
  }
  EXPECT_EQ(stat(key + "bytes"), total);

  std::map<Bytes, int> got;
  for (Bytes& m : consume_all(bootstrap, "flows-tee", sent.size())) ++got[m];
  EXPECT_EQ(got, want);  // each datagram exactly once (order across partitions is free)

  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(host);
}

TEST_F(TeeBrokersTest, KafkaConfigFileErrorsNameTheLine) {
  const std::string props = (dir_ / "kafka.conf").string();
  std::ofstream(props) << "global, client.id, x\nglobal, no.such.property, 1\n";
  cfg_.kafka_config_file = props;
  write_map("id=1 kafka_broker=127.0.0.1:1 kafka_topic=t\n");
  auto tee = make_tee(cfg_, stats_);
  ASSERT_FALSE(tee);
  EXPECT_NE(tee.error().message.find(props + ":2: "), std::string::npos) << tee.error().message;
  EXPECT_NE(tee.error().message.find("tee_receivers.lst:1"), std::string::npos) << tee.error().message;
}

TEST_F(TeeBrokersTest, ZmqPoolPushesEveryDatagramAndSurvivesReload) {
  const std::uint16_t port = free_tcp_port();
  const std::string address = "127.0.0.1:" + std::to_string(port);
  write_map("id=7 zmq_address=" + address + "\n");
  auto tee = make_tee(cfg_, stats_);
  ASSERT_TRUE(tee) << tee.error().message;

  zmq::context_t ctx;
  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.set(zmq::sockopt::rcvtimeo, 5000);
  pull.connect("tcp://" + address);
  // The PUSH socket queues only once the peer is connected: wait for it by
  // sending probes until one arrives, then count from a clean state.
  const Datagram probe = make_datagram(10, 1, ip4(198, 18, 0, 9), 9);
  zmq::message_t m;
  bool connected = false;
  for (int i = 0; i < 100 && !connected; ++i) {
    tee.value()->replicate(probe, 0, 0);
    pull.set(zmq::sockopt::rcvtimeo, 50);
    connected = static_cast<bool>(pull.recv(m, zmq::recv_flags::none));
  }
  ASSERT_TRUE(connected);
  pull.set(zmq::sockopt::rcvtimeo, 200);
  while (pull.recv(m, zmq::recv_flags::none)) {
  }
  const std::string key = "tee.t.zmq:" + address + ".";
  const std::uint64_t sent_before = stat(key + "sent");
  // Probes sent before the peer connected were dropped, and counted.
  const std::uint64_t errors_before = stat(key + "send_errors");

  // Reload with the same pool keeps the bound socket (no EADDRINUSE).
  ASSERT_TRUE(tee.value()->reload());
  std::vector<Datagram> sent;
  for (int i = 0; i < 50; ++i) {
    sent.push_back(make_datagram(64 + static_cast<std::size_t>(i), static_cast<std::uint8_t>(i),
                                 i % 2 ? ip4(198, 18, 1, static_cast<std::uint8_t>(i)) : ip6_doc(7), 2055));
  }
  for (const Datagram& d : sent) tee.value()->replicate(d, 0, 0);
  pull.set(zmq::sockopt::rcvtimeo, 5000);
  for (const Datagram& d : sent) {
    ASSERT_TRUE(pull.recv(m, zmq::recv_flags::none));
    const auto* p = static_cast<const std::uint8_t*>(m.data());
    EXPECT_EQ(Bytes(p, p + m.size()), expected_message(d));  // one PUSH peer: order kept
  }
  EXPECT_EQ(stat(key + "sent") - sent_before, 50u);
  EXPECT_EQ(stat(key + "send_errors"), errors_before);
}

TEST_F(TeeBrokersTest, ZmqWithoutConsumerCountsEveryDrop) {
  const std::string address = "127.0.0.1:" + std::to_string(free_tcp_port());
  write_map("id=1 zmq_address=" + address + "\n");
  auto tee = make_tee(cfg_, stats_);
  ASSERT_TRUE(tee) << tee.error().message;
  const Datagram d = make_datagram(200, 3, ip4(198, 18, 0, 2), 2100);
  for (int i = 0; i < 25; ++i) tee.value()->replicate(d, 0, 0);
  // No PULL peer: a PUSH socket cannot queue; every datagram is a counted drop.
  EXPECT_EQ(stat("tee.t.zmq:" + address + ".send_errors"), 25u);
  EXPECT_EQ(stat("tee.t.zmq:" + address + ".sent"), 0u);
}

TEST_F(TeeBrokersTest, TwoPoolsOfOneZmqAddressShareItsSocket) {
  const std::string address = "127.0.0.1:" + std::to_string(free_tcp_port());
  write_map("id=1 zmq_address=" + address + " tag=1\nid=2 zmq_address=" + address + " tag=2\n");
  auto tee = make_tee(cfg_, stats_);  // one bind, not two (EADDRINUSE)
  ASSERT_TRUE(tee) << tee.error().message;
  EXPECT_EQ(tee.value()->pool_count(), 2u);
  ASSERT_TRUE(tee.value()->reload());
}

TEST(TeeBrokerPools, ParsedAndCheckedAsPmacct) {
  TeeReceiversLimits lim;
  lim.transparent = true;
  maps::LoadReport report;
  auto pools = parse_tee_receivers(
      "id=1 kafka_broker=127.0.0.1:9092 kafka_topic=t\n"
      "id=2 zmq_address=127.0.0.1:5555 tag=10\n"
      "id=3 kafka_broker=127.0.0.1:9092\n"
      "id=4 ip=127.0.0.1:2100 zmq_address=127.0.0.1:5556\n"
      "id=5 zmq_address=127.0.0.1:5557 balance-alg=rr\n"
      "id=6\n",
      "r.lst", lim, report);
  ASSERT_EQ(pools.size(), 2u);
  EXPECT_EQ(pools[0].kafka_broker, "127.0.0.1:9092");
  EXPECT_EQ(pools[0].kafka_topic, "t");
  EXPECT_EQ(pools[1].zmq_address, "127.0.0.1:5555");
  EXPECT_EQ(pools[1].line, 2);
  ASSERT_EQ(report.warnings.size(), 4u);
  EXPECT_NE(report.warnings[0].find("r.lst:3: kafka_topic= missing"), std::string::npos)
      << report.warnings[0];
  EXPECT_NE(report.warnings[1].find("r.lst:4: 'ip', 'kafka_broker' and 'zmq_address' are mutually exclusive"),
            std::string::npos)
      << report.warnings[1];
  EXPECT_NE(report.warnings[2].find("r.lst:5: balance-alg does not apply"), std::string::npos)
      << report.warnings[2];
  EXPECT_NE(report.warnings[3].find("r.lst:6: missing ip="), std::string::npos) << report.warnings[3];

  lim.transparent = false;
  maps::LoadReport r2;
  EXPECT_TRUE(parse_tee_receivers("id=1 zmq_address=127.0.0.1:5555\n", "r.lst", lim, r2).empty());
  ASSERT_EQ(r2.warnings.size(), 1u);
  EXPECT_NE(r2.warnings[0].find("tee_transparent must be true"), std::string::npos) << r2.warnings[0];
}

TEST(KafkaConfigFile, ParsesScopesAndValuesWithCommas) {
  auto p = userspace::parse_kafka_config(
      "! pmacct comment\n\nglobal, compression.codec, snappy\ntopic, message.timeout.ms, 1000\n"
      "global, sasl.jaas, a,b,c\n",
      "k.conf");
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p.value().size(), 3u);
  EXPECT_FALSE(p.value()[0].topic);
  EXPECT_EQ(p.value()[0].key, "compression.codec");
  EXPECT_EQ(p.value()[0].value, "snappy");
  EXPECT_TRUE(p.value()[1].topic);
  EXPECT_EQ(p.value()[1].line, 4);
  EXPECT_EQ(p.value()[2].value, "a,b,c");
  auto bad = userspace::parse_kafka_config("global, x, 1\nglobal x\n", "k.conf");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "k.conf:2: expected 'global|topic, key, value'");
  auto scope = userspace::parse_kafka_config("local, x, 1\n", "k.conf");
  ASSERT_FALSE(scope);
  EXPECT_EQ(scope.error().message, "k.conf:1: scope 'local' is neither 'global' nor 'topic'");
}

}  // namespace
}  // namespace xacct::collector
