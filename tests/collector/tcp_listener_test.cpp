// IPFIX over TCP (collector/tcp_listener.hpp) over loopback: messages split
// at every byte boundary decode as whole ones, several exporters at once,
// templates belong to their connection (gone when it closes), a stream that
// loses its framing closes that connection only, and the connection bound.
#include "collector/tcp_listener.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "collector/netflow_decoder.hpp"
#include "tests/collector/nf_test_util.hpp"
#include "tests/collector/nf_vectors.hpp"

namespace xacct::collector {
namespace {

using Bytes = std::vector<std::uint8_t>;

// IPFIX message: template 256 (src 8, dst 12, packets 2, bytes 1), and/or
// data records of it (packets = 10 + i, bytes = 1000 * (i + 1)).
Bytes ipfix(bool with_template, std::uint32_t records, std::uint32_t seq = 0) {
  tests::nf::IpfixWriter w(1700000000, seq, 1);
  if (with_template) {
    auto t = w.begin_set(2);
    w.u16(256).u16(4).u16(8).u16(4).u16(12).u16(4).u16(2).u16(8).u16(1).u16(8);
    w.end_set(t);
  }
  if (records != 0) {
    auto d = w.begin_set(256);
    for (std::uint32_t i = 0; i < records; ++i) {
      w.ip4("198.18.0.1").ip4("198.18.0.2").u64(10 + i).u64(1000 * (i + 1));
    }
    w.end_set(d);
  }
  return w.finish();
}

class TcpListenerTest : public ::testing::Test {
 protected:
  void start(std::uint32_t max_connections = 16) {
    TcpListenerOptions o;
    o.ip = "127.0.0.1";
    o.port = 0;
    o.max_connections = max_connections;
    ListenerOutput out;
    out.push = [this](userspace::RecordBatch&& b) {
      std::lock_guard lock(mu_);
      for (const auto& r : b) {
        packets_ += r.packets;
        bytes_ += r.bytes;
        ++records_;
      }
    };
    auto l = TcpListener::create(
        o, [this]() -> std::unique_ptr<DatagramDecoder> { return make_netflow_decoder({}, stats_); }, nullptr,
        std::move(out), stats_);
    ASSERT_TRUE(l) << l.error().message;
    listener_ = std::move(l.value());
    listener_->start();
  }
  void TearDown() override {
    if (listener_) listener_->stop();
  }
  int connect_from(const char* src = "127.0.0.1") {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in me{};
    me.sin_family = AF_INET;
    inet_pton(AF_INET, src, &me.sin_addr);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&me), sizeof me), 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(listener_->port());
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    return fd;
  }
  static void send_all(int fd, const Bytes& b, std::size_t from = 0, std::size_t to = SIZE_MAX) {
    to = std::min(to, b.size());
    while (from < to) {
      const ssize_t n = send(fd, b.data() + from, to - from, MSG_NOSIGNAL);
      ASSERT_GT(n, 0);
      from += static_cast<std::size_t>(n);
    }
  }
  std::uint64_t stat(const std::string& name) {
    return stats_
        .counter("collector.tcp_listener.127.0.0.1:" + std::to_string(listener_->port()) + "." + name)
        .value();
  }
  // Waits until `name` reaches `want` (or 5 s).
  bool wait_stat(const std::string& name, std::uint64_t want) {
    for (int i = 0; i < 500; ++i) {
      if (stat(name) >= want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  std::uint64_t records() {
    std::lock_guard lock(mu_);
    return records_;
  }

  userspace::Stats stats_;
  std::unique_ptr<TcpListener> listener_;
  std::mutex mu_;
  std::uint64_t records_ = 0, packets_ = 0, bytes_ = 0;
};

TEST_F(TcpListenerTest, MessagesSplitAtEveryByteBoundary) {
  start();
  // One connection; a template + 3 records, then data messages of 2 records,
  // each sent in two pieces cut at every possible byte.
  int fd = connect_from();
  send_all(fd, ipfix(true, 3));
  const Bytes data = ipfix(false, 2);
  for (std::size_t cut = 1; cut < data.size(); ++cut) {
    send_all(fd, data, 0, cut);
    std::this_thread::sleep_for(std::chrono::microseconds(300));
    send_all(fd, data, cut);
  }
  const std::uint64_t messages = 1 + (data.size() - 1);
  ASSERT_TRUE(wait_stat("messages", messages));
  close(fd);
  ASSERT_TRUE(wait_stat("closed", 1));
  EXPECT_EQ(stat("accepted"), 1u);
  EXPECT_EQ(stat("records"), 3 + 2 * (data.size() - 1));
  EXPECT_EQ(stat("decode_errors"), 0u);
  EXPECT_EQ(stat("template_misses"), 0u);
  EXPECT_EQ(stat("framing_errors"), 0u);
  EXPECT_EQ(stat("connections"), 0u);
  listener_->stop();
  EXPECT_EQ(records(), 3 + 2 * (data.size() - 1));
  EXPECT_EQ(packets_, (10u + 11u + 12u) + (10u + 11u) * (data.size() - 1));
  EXPECT_EQ(stats_.counter("collector.exporter.127.0.0.1.datagrams").value(), messages);
}

TEST_F(TcpListenerTest, SeveralExportersTemplatesPerConnectionBadStreamClosesOnlyIt) {
  start();
  int a = connect_from("127.0.0.1");
  int b = connect_from("127.0.0.2");
  int c = connect_from("127.0.0.3");
  ASSERT_TRUE(wait_stat("accepted", 3));
  EXPECT_EQ(stat("connections"), 3u);
  send_all(a, ipfix(true, 4));
  send_all(b, ipfix(false, 5));  // b never sent a template: its own connection does not know a's
  ASSERT_TRUE(wait_stat("messages", 2));
  ASSERT_TRUE(wait_stat("template_misses", 1));
  // c breaks its framing (a NetFlow v9 header): c only is closed.
  send_all(c, tests::nf::v9_full());
  ASSERT_TRUE(wait_stat("framing_errors", 1));
  ASSERT_TRUE(wait_stat("closed", 1));
  EXPECT_EQ(stat("connections"), 2u);
  char byte = 0;
  EXPECT_EQ(recv(c, &byte, 1, 0), 0);  // the collector closed it
  close(c);
  // b's template arrives: its 5 buffered records decode too (the
  // decoder keeps data before its template for a while), then its own 1.
  send_all(b, ipfix(true, 1));
  send_all(a, ipfix(false, 6));
  ASSERT_TRUE(wait_stat("messages", 4));
  ASSERT_TRUE(wait_stat("records", 4u + 5u + 1u + 6u));
  EXPECT_EQ(stat("records"), 16u);
  // a closes: its templates go with the connection; a new connection from
  // the same address must send a template again.
  close(a);
  ASSERT_TRUE(wait_stat("closed", 2));
  a = connect_from("127.0.0.1");
  send_all(a, ipfix(false, 7));
  ASSERT_TRUE(wait_stat("template_misses", 2));
  EXPECT_EQ(stat("records"), 16u);
  close(a);
  close(b);
  ASSERT_TRUE(wait_stat("closed", 4));
  EXPECT_EQ(stat("connections"), 0u);
  EXPECT_EQ(stats_.counter("collector.exporter.127.0.0.2.records").value(), 6u);
  EXPECT_EQ(records(), 16u);  // the reconnected a's 7 records never decode: its connection took them away
  EXPECT_EQ(stats_.counter("collector.exporter.127.0.0.1.records").value(), 10u);
}

TEST_F(TcpListenerTest, ConnectionsAreBounded) {
  start(2);
  int a = connect_from();
  int b = connect_from();
  ASSERT_TRUE(wait_stat("accepted", 2));
  int c = connect_from();
  ASSERT_TRUE(wait_stat("rejected", 1));
  char byte = 0;
  EXPECT_EQ(recv(c, &byte, 1, 0), 0);
  close(c);
  send_all(b, ipfix(true, 2));
  ASSERT_TRUE(wait_stat("records", 2));
  EXPECT_EQ(stat("accepted"), 2u);
  EXPECT_EQ(stat("connections"), 2u);
  close(a);
  close(b);
}

}  // namespace
}  // namespace xacct::collector
