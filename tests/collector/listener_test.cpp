// Listener (collector/listener.hpp) over loopback with a counting decoder:
// batches reach the output, per-exporter and per-listener counters, the
// allow list and its reload, nfacctd_time_new, and the steering of one
// exporter address to one thread whatever its source port.
#include "collector/listener.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "collector/exporter_stats.hpp"

namespace xacct::collector {
namespace {

// One record per byte of payload; the record's obs_id names the decoder.
class CountingDecoder : public DatagramDecoder {
 public:
  explicit CountingDecoder(std::uint32_t id) : id_(id) {}
  DecodeResult decode(const Datagram& d, userspace::RecordBatch& out) override {
    DecodeResult r;
    if (!d.data.empty() && d.data[0] == 'x') {  // "malformed"
      r.decode_errors = 1;
      return r;
    }
    for (std::size_t i = 0; i < d.data.size(); ++i) {
      userspace::FlowRecord rec;
      rec.peer_src_ip = d.exporter;
      rec.obs_id = id_;
      rec.packets = 1;
      rec.bytes = 100;
      rec.first_ns = 5;
      rec.last_ns = 6;
      rec.arrival_ns = d.arrival_ns;
      out.push_back(rec);
    }
    r.records = static_cast<std::uint32_t>(d.data.size());
    r.sequence_gaps = 2;
    return r;
  }

 private:
  std::uint32_t id_;
};

struct Sink {
  std::mutex mu;
  std::vector<userspace::FlowRecord> records;
  std::size_t batches = 0;
  void push(userspace::RecordBatch&& b) {
    std::lock_guard lock(mu);
    ++batches;
    records.insert(records.end(), b.begin(), b.end());
  }
  std::size_t size() {
    std::lock_guard lock(mu);
    return records.size();
  }
};

std::uint64_t value(const userspace::Stats& stats, const std::string& name) {
  for (const auto& [n, v] : stats.snapshot()) {
    if (n == name) return v;
  }
  return ~0ull;
}

// Sends `payload` from src_ip:src_port (0 = any) to 127.0.0.1:port.
void send_from(const char* src_ip, std::uint16_t src_port, std::uint16_t port, const std::string& payload) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  src.sin_port = htons(src_port);
  inet_pton(AF_INET, src_ip, &src.sin_addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src), 0);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  ASSERT_EQ(sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst),
            static_cast<ssize_t>(payload.size()));
  close(fd);
}

bool wait_for(const std::function<bool()>& cond) {
  for (int i = 0; i < 300; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

struct Fixture {
  userspace::Stats stats;
  Sink sink;
  std::atomic<std::uint32_t> next_id{0};
  std::unique_ptr<Listener> make(ListenerOptions o, const AllowList* allow = nullptr) {
    ListenerOutput out;
    out.push = [this](userspace::RecordBatch&& b) { sink.push(std::move(b)); };
    auto l = Listener::create(
        o, [this] { return std::make_unique<CountingDecoder>(next_id++); }, allow, std::move(out), stats);
    EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.error().message);
    return l.ok() ? std::move(l.value()) : nullptr;
  }
};

TEST(Listener, DecodesCountsAndTimeNew) {
  Fixture f;
  ListenerOptions o;
  o.ip = "127.0.0.1";
  o.time_new = true;
  o.pipe_size = 1 << 20;
  auto l = f.make(o);
  ASSERT_NE(l, nullptr);
  l->start();
  send_from("127.0.0.1", 0, l->port(), "abc");
  send_from("127.0.0.1", 0, l->port(), "de");
  send_from("127.0.0.1", 0, l->port(), "xx");  // decode error
  ASSERT_TRUE(wait_for([&] { return f.sink.size() == 5; }));
  l->stop();
  const std::string p = "collector.listener.127.0.0.1:" + std::to_string(l->port()) + ".";
  EXPECT_EQ(value(f.stats, p + "datagrams"), 3u);
  EXPECT_EQ(value(f.stats, p + "bytes"), 7u);
  EXPECT_EQ(value(f.stats, p + "records"), 5u);
  EXPECT_EQ(value(f.stats, p + "decode_errors"), 1u);
  EXPECT_EQ(value(f.stats, p + "sequence_gaps"), 4u);
  EXPECT_EQ(value(f.stats, p + "denied"), 0u);
  EXPECT_EQ(value(f.stats, p + "socket_drops"), 0u);
  EXPECT_EQ(value(f.stats, "collector.exporter.127.0.0.1.datagrams"), 3u);
  EXPECT_EQ(value(f.stats, "collector.exporter.127.0.0.1.records"), 5u);
  EXPECT_EQ(value(f.stats, "collector.exporter.127.0.0.1.bytes"), 7u);
  EXPECT_EQ(value(f.stats, "collector.exporter.127.0.0.1.decode_errors"), 1u);
  EXPECT_EQ(value(f.stats, "collector.exporter.127.0.0.1.sequence_gaps"), 4u);
  EXPECT_EQ(value(f.stats, "collector.exporter.127.0.0.1.template_misses"), 0u);
  for (const auto& r : f.sink.records) {
    EXPECT_NE(r.arrival_ns, 0);
    EXPECT_EQ(r.first_ns, r.arrival_ns);  // nfacctd_time_new
    EXPECT_EQ(r.last_ns, r.arrival_ns);
    EXPECT_EQ(format_ip(r.peer_src_ip), "127.0.0.1");
  }
}

TEST(Listener, DualStackReportsIpv4Exporters) {
  Fixture f;
  ListenerOptions o;  // "" = [::] dual stack
  auto l = f.make(o);
  ASSERT_NE(l, nullptr);
  EXPECT_NE(l->describe().find("[::]:"), std::string::npos) << l->describe();
  l->start();
  send_from("127.0.0.1", 0, l->port(), "abcd");
  // IPv6 loopback exporter
  int fd = socket(AF_INET6, SOCK_DGRAM, 0);
  sockaddr_in6 dst{};
  dst.sin6_family = AF_INET6;
  dst.sin6_port = htons(l->port());
  dst.sin6_addr = in6addr_loopback;
  ASSERT_EQ(sendto(fd, "zz", 2, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst), 2);
  close(fd);
  ASSERT_TRUE(wait_for([&] { return f.sink.size() == 6; }));
  l->stop();
  EXPECT_EQ(value(f.stats, "collector.exporter.127.0.0.1.records"), 4u);
  EXPECT_EQ(value(f.stats, "collector.exporter.::1.records"), 2u);
}

TEST(Listener, AllowFileDeniesAndReloads) {
  char path[] = "/tmp/xacct_allow_XXXXXX";
  int tfd = mkstemp(path);
  ASSERT_GE(tfd, 0);
  close(tfd);
  { std::ofstream(path) << "! comment\n127.0.0.2\n2001:db8::/32\nnot-an-ip\n"; }
  auto allow = AllowList::create(path);
  ASSERT_TRUE(allow.ok());
  EXPECT_EQ(allow.value()->rules()->size(), 2u);
  Fixture f;
  ListenerOptions o;
  o.ip = "127.0.0.1";
  auto l = f.make(o, allow.value().get());
  ASSERT_NE(l, nullptr);
  l->start();
  const std::string p = "collector.listener.127.0.0.1:" + std::to_string(l->port()) + ".";
  send_from("127.0.0.1", 0, l->port(), "aaa");  // denied
  send_from("127.0.0.2", 0, l->port(), "bb");   // allowed
  ASSERT_TRUE(wait_for([&] { return value(f.stats, p + "datagrams") == 2; }));
  ASSERT_TRUE(wait_for([&] { return f.sink.size() == 2; }));
  EXPECT_EQ(value(f.stats, p + "denied"), 1u);
  // Empty file = deny all; then allow 127.0.0.1 again (re-allowed works, unlike pmacct 1.7.7).
  { std::ofstream(path, std::ios::trunc) << ""; }
  ASSERT_TRUE(allow.value()->reload().ok());
  send_from("127.0.0.2", 0, l->port(), "cc");
  ASSERT_TRUE(wait_for([&] { return value(f.stats, p + "denied") == 2; }));
  { std::ofstream(path, std::ios::trunc) << "127.0.0.0/8\n"; }
  ASSERT_TRUE(allow.value()->reload().ok());
  send_from("127.0.0.1", 0, l->port(), "dddd");
  ASSERT_TRUE(wait_for([&] { return f.sink.size() == 6; }));
  // An unreadable file keeps the previous rules.
  unlink(path);
  EXPECT_FALSE(allow.value()->reload().ok());
  send_from("127.0.0.1", 0, l->port(), "e");
  ASSERT_TRUE(wait_for([&] { return f.sink.size() == 7; }));
  l->stop();
  EXPECT_EQ(value(f.stats, p + "denied"), 2u);
  EXPECT_EQ(value(f.stats, "collector.exporter.127.0.0.1.datagrams"), 2u);
  EXPECT_EQ(value(f.stats, "collector.exporter.127.0.0.2.datagrams"), 1u);
}

TEST(Listener, OneExporterAddressAlwaysReachesTheSameThread) {
  Fixture f;
  ListenerOptions o;
  o.ip = "127.0.0.1";
  o.threads = 4;
  auto l = f.make(o);
  ASSERT_NE(l, nullptr);
  ASSERT_EQ(l->threads(), 4u);
  l->start();
  const char* sources[] = {"127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4",
                           "127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8"};
  std::size_t sent = 0;
  for (int round = 0; round < 5; ++round) {
    for (const char* s : sources) {
      send_from(s, 0, l->port(), "p");  // a new source port each time
      ++sent;
    }
  }
  ASSERT_TRUE(wait_for([&] { return f.sink.size() == sent; }));
  l->stop();
  std::map<std::string, std::set<std::uint32_t>> threads_of;
  std::set<std::uint32_t> used;
  for (const auto& r : f.sink.records) {
    threads_of[format_ip(r.peer_src_ip)].insert(r.obs_id);
    used.insert(r.obs_id);
  }
  ASSERT_EQ(threads_of.size(), 8u);
  for (const auto& [ip, t] : threads_of)
    EXPECT_EQ(t.size(), 1u) << ip << " reached " << t.size() << " threads";
  EXPECT_GE(used.size(), 2u);  // 8 addresses over 4 sockets: the hash spreads them
}

// Datagrams are received into packed 2 KiB slots plus an overflow area
// (listener.cpp): one that fills the slot exactly, one a byte longer, jumbo
// and near-maximal ones must reach the decoder whole and byte for byte.
class PatternDecoder : public DatagramDecoder {
 public:
  DecodeResult decode(const Datagram& d, userspace::RecordBatch& out) override {
    bool intact = true;
    for (std::size_t i = 0; i < d.data.size(); ++i) {
      intact = intact && d.data[i] == static_cast<std::uint8_t>(i * 7 + d.data.size());
    }
    userspace::FlowRecord rec;
    rec.packets = intact ? 1 : 0;
    rec.bytes = d.data.size();
    out.push_back(rec);
    DecodeResult r;
    r.records = 1;
    return r;
  }
};

TEST(Listener, DatagramsLongerThanASlotArriveWhole) {
  Fixture f;
  ListenerOptions o;
  o.ip = "127.0.0.1";
  o.pipe_size = 1 << 20;
  ListenerOutput out;
  out.push = [&f](userspace::RecordBatch&& b) { f.sink.push(std::move(b)); };
  auto l = Listener::create(
      o, [] { return std::make_unique<PatternDecoder>(); }, nullptr, std::move(out), f.stats);
  ASSERT_TRUE(l.ok());
  l.value()->start();
  const std::vector<std::size_t> sizes = {1, 2047, 2048, 2049, 4096, 9000, 65000, 300};
  for (std::size_t n : sizes) {
    std::string payload(n, '\0');
    for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>(static_cast<std::uint8_t>(i * 7 + n));
    send_from("127.0.0.1", 0, l.value()->port(), payload);
  }
  ASSERT_TRUE(wait_for([&] { return f.sink.size() == sizes.size(); }));
  l.value()->stop();
  std::multiset<std::uint64_t> got;
  for (const auto& r : f.sink.records) {
    EXPECT_EQ(r.packets, 1u) << "datagram of " << r.bytes << " bytes arrived altered";
    got.insert(r.bytes);
  }
  EXPECT_EQ(got, std::multiset<std::uint64_t>(sizes.begin(), sizes.end()));
}

TEST(Listener, BindErrorNamesTheAddress) {
  Fixture f;
  ListenerOptions o;
  o.ip = "192.0.2.77";  // not local
  ListenerOutput out;
  auto l = Listener::create(
      o, [] { return std::make_unique<CountingDecoder>(0); }, nullptr, out, f.stats);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().message, "netflow listener 192.0.2.77:0: bind: Cannot assign requested address");
}

}  // namespace
}  // namespace xacct::collector
