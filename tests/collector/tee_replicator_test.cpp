// TeeReplicator (collector/tee_replicator.hpp) on loopback: receivers are
// UDP sockets of the test bound to port 0; datagrams must arrive
// byte-identical, balanced and filtered as tee_receivers says. The
// transparent case needs CAP_NET_RAW and skips itself without it.
#include "collector/tee_replicator.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace xacct::collector {
namespace {

using Bytes = std::vector<std::uint8_t>;

class Receiver {
 public:
  explicit Receiver(int family = AF_INET) : family_(family) {
    fd_ = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (family == AF_INET) {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
      socklen_t l = sizeof a;
      getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &l);
      port_ = ntohs(a.sin_port);
    } else {
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      a.sin6_addr = in6addr_loopback;
      EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
      socklen_t l = sizeof a;
      getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &l);
      port_ = ntohs(a.sin6_port);
    }
  }
  ~Receiver() { ::close(fd_); }
  std::string spec() const {
    return (family_ == AF_INET ? "127.0.0.1:" : "[::1]:") + std::to_string(port_);
  }
  // Every datagram waiting (up to 200 ms for the first one, 20 ms for the next).
  std::vector<Bytes> drain(std::vector<std::string>* sources = nullptr) {
    std::vector<Bytes> out;
    int wait = 200;
    while (true) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, wait) <= 0) break;
      Bytes b(65536);
      sockaddr_storage from{};
      socklen_t fl = sizeof from;
      const ssize_t n = ::recvfrom(fd_, b.data(), b.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
      if (n < 0) break;
      b.resize(static_cast<std::size_t>(n));
      out.push_back(std::move(b));
      if (sources != nullptr) {
        char buf[INET6_ADDRSTRLEN] = {};
        if (from.ss_family == AF_INET) {
          auto* s = reinterpret_cast<sockaddr_in*>(&from);
          inet_ntop(AF_INET, &s->sin_addr, buf, sizeof buf);
          sources->push_back(std::string(buf) + ":" + std::to_string(ntohs(s->sin_port)));
        } else {
          auto* s = reinterpret_cast<sockaddr_in6*>(&from);
          inet_ntop(AF_INET6, &s->sin6_addr, buf, sizeof buf);
          sources->push_back("[" + std::string(buf) + "]:" + std::to_string(ntohs(s->sin6_port)));
        }
      }
      wait = 20;
    }
    return out;
  }
  std::uint16_t port() const { return port_; }

 private:
  int family_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

userspace::IpAddress ip4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  userspace::IpAddress ip;
  ip.bytes[10] = ip.bytes[11] = 0xff;
  ip.bytes[12] = a;
  ip.bytes[13] = b;
  ip.bytes[14] = c;
  ip.bytes[15] = d;
  return ip;
}

class TeeReplicatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("xacct-tee-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    cfg_.plugin_name = "t";
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
  static Bytes payload(std::size_t n, std::uint8_t seed) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 7);
    return b;
  }
  static Datagram dgram(const Bytes& b, userspace::IpAddress exporter = ip4(127, 0, 0, 1)) {
    Datagram d;
    d.data = b;
    d.exporter = exporter;
    d.exporter_port = 40000;
    return d;
  }

  std::filesystem::path dir_;
  TeeConfig cfg_;
  userspace::Stats stats_;
};

TEST_F(TeeReplicatorTest, EveryReceiverGetsByteIdenticalCopies) {
  Receiver a, b, c(AF_INET6);
  write_map("id=1 ip=" + a.spec() + "," + b.spec() + "\nid=2 ip=" + c.spec() + "\n");
  auto tee = make_tee(cfg_, stats_);
  ASSERT_TRUE(tee) << tee.error().message;
  EXPECT_EQ(tee.value()->pool_count(), 2u);
  EXPECT_EQ(tee.value()->receiver_count(), 3u);
  std::vector<Bytes> sent;
  for (std::uint8_t i = 0; i < 10; ++i) {
    sent.push_back(payload(100 + i * 50u, i));
    tee.value()->replicate(dgram(sent.back()), 0, 0);
  }
  EXPECT_EQ(a.drain(), sent);
  EXPECT_EQ(b.drain(), sent);
  EXPECT_EQ(c.drain(), sent);
  EXPECT_EQ(stat("tee.t." + a.spec() + ".sent"), 10u);
  EXPECT_EQ(stat("tee.t." + c.spec() + ".sent"), 10u);
  std::uint64_t bytes = 0;
  for (const Bytes& s : sent) bytes += s.size();
  EXPECT_EQ(stat("tee.t." + b.spec() + ".bytes"), bytes);
  EXPECT_EQ(stat("tee.t." + a.spec() + ".send_errors"), 0u);
  EXPECT_EQ(stat("tee.t.datagrams"), 10u);
}

TEST_F(TeeReplicatorTest, BalancingAndTagFilters) {
  Receiver a, b, c, d, e;
  write_map("id=1 ip=" + a.spec() + "," + b.spec() + " balance-alg=rr\n" +  //
            "id=2 ip=" + c.spec() + "," + d.spec() + " balance-alg=hash-tag tag=1-10\n" +
            "id=3 ip=" + e.spec() + " tag=100 tag2=7\n");
  auto tee = make_tee(cfg_, stats_);
  ASSERT_TRUE(tee) << tee.error().message;
  const Bytes p = payload(64, 1);
  for (std::uint64_t tag = 0; tag < 6; ++tag) tee.value()->replicate(dgram(p), tag, 0);
  tee.value()->replicate(dgram(p), 100, 7);
  tee.value()->replicate(dgram(p), 100, 8);
  EXPECT_EQ(a.drain().size(), 4u);  // rr over 8 datagrams
  EXPECT_EQ(b.drain().size(), 4u);
  EXPECT_EQ(c.drain().size(), 2u);  // tags 2, 4
  EXPECT_EQ(d.drain().size(), 3u);  // tags 1, 3, 5
  EXPECT_EQ(e.drain().size(), 1u);  // tag 100 with tag2 7 only
  EXPECT_EQ(stat("tee.t.unmatched"), 0u);
}

TEST_F(TeeReplicatorTest, HashAgentKeepsAnExporterOnOneReceiver) {
  Receiver a, b, c;
  write_map("id=1 ip=" + a.spec() + "," + b.spec() + "," + c.spec() + " balance-alg=hash-agent\n" +
            "id=2 ip=" + a.spec() + "," + b.spec() + "," + c.spec() + " balance-alg=hash-crc32 tag=9\n");
  auto tee = make_tee(cfg_, stats_);
  ASSERT_TRUE(tee) << tee.error().message;
  const Bytes p = payload(32, 3);
  for (int i = 0; i < 5; ++i) {
    for (std::uint8_t x = 1; x <= 30; ++x) tee.value()->replicate(dgram(p, ip4(198, 18, 0, x)), 0, 0);
  }
  const std::size_t na = a.drain().size(), nb = b.drain().size(), nc = c.drain().size();
  EXPECT_EQ(na + nb + nc, 150u);
  EXPECT_EQ(na % 5, 0u);  // each exporter's 5 datagrams on the same receiver
  EXPECT_EQ(nb % 5, 0u);
  EXPECT_GT(na, 0u);
  EXPECT_GT(nb, 0u);
  EXPECT_GT(nc, 0u);
}

TEST_F(TeeReplicatorTest, UnmatchedAndReload) {
  Receiver a, b;
  write_map("id=1 ip=" + a.spec() + " tag=5\n");
  auto tee = make_tee(cfg_, stats_);
  ASSERT_TRUE(tee) << tee.error().message;
  const Bytes p = payload(20, 9);
  tee.value()->replicate(dgram(p), 4, 0);
  EXPECT_EQ(stat("tee.t.unmatched"), 1u);
  EXPECT_TRUE(a.drain().empty());
  write_map("id=1 ip=" + b.spec() + "\n");
  ASSERT_TRUE(tee.value()->reload());
  tee.value()->replicate(dgram(p), 4, 0);
  EXPECT_TRUE(a.drain().empty());
  EXPECT_EQ(b.drain(), std::vector<Bytes>{p});
  std::filesystem::remove(cfg_.receivers_file);
  EXPECT_FALSE(tee.value()->reload());  // unreadable: the old set stays
  tee.value()->replicate(dgram(p), 4, 0);
  EXPECT_EQ(b.drain().size(), 1u);
  EXPECT_EQ(stat("tee.t.reloads"), 1u);
  EXPECT_EQ(stat("tee.t.reload_errors"), 1u);
}

TEST_F(TeeReplicatorTest, ErrorsAtStart) {
  cfg_.receivers_file.clear();
  EXPECT_FALSE(make_tee(cfg_, stats_));
  cfg_.receivers_file = (dir_ / "missing").string();
  auto r = make_tee(cfg_, stats_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("missing"), std::string::npos) << r.error().message;
  cfg_.receivers_file = (dir_ / "tee_receivers.lst").string();
  write_map("id=1 ip=nowhere:1\n");
  EXPECT_FALSE(make_tee(cfg_, stats_));  // no valid pool
}

TEST_F(TeeReplicatorTest, SourcePortOfPool) {
  Receiver a;
  std::uint16_t sport = 0;
  {
    Receiver probe;  // a free port to use as source, released at the end of the block
    sport = probe.port();
  }
  write_map("id=1 ip=" + a.spec() + " src_port=" + std::to_string(sport) + "\n");
  auto tee = make_tee(cfg_, stats_);
  if (!tee) GTEST_SKIP() << "port taken meanwhile: " << tee.error().message;
  tee.value()->replicate(dgram(payload(10, 1)), 0, 0);
  std::vector<std::string> from;
  EXPECT_EQ(a.drain(&from).size(), 1u);
  ASSERT_EQ(from.size(), 1u);
  EXPECT_EQ(from[0], "127.0.0.1:" + std::to_string(sport));
}

TEST_F(TeeReplicatorTest, TransparentKeepsTheExporterAddressAndPort) {
  Receiver a, b(AF_INET6);
  write_map("id=1 ip=" + a.spec() + "," + b.spec() + "\n");
  cfg_.transparent = true;
  auto tee = make_tee(cfg_, stats_);
  if (!tee) GTEST_SKIP() << "no raw sockets here: " << tee.error().message;
  const Bytes p = payload(300, 5);
  Datagram d = dgram(p, ip4(127, 0, 0, 55));
  d.exporter_port = 6343;
  tee.value()->replicate(d, 0, 0);
  std::vector<std::string> from;
  EXPECT_EQ(a.drain(&from), std::vector<Bytes>{p});
  ASSERT_EQ(from.size(), 1u);
  EXPECT_EQ(from[0], "127.0.0.55:6343");
  // An IPv4 exporter cannot be replayed transparently to an IPv6 receiver.
  EXPECT_TRUE(b.drain().empty());
  EXPECT_EQ(stat("tee.t." + b.spec() + ".send_errors"), 1u);
  // IPv6 exporter to the IPv6 receiver.
  userspace::IpAddress lo6;
  lo6.is_v6 = true;
  lo6.bytes[15] = 1;
  Datagram d6 = dgram(p, lo6);
  d6.exporter_port = 6344;
  tee.value()->replicate(d6, 0, 0);
  from.clear();
  EXPECT_EQ(b.drain(&from), std::vector<Bytes>{p});
  ASSERT_EQ(from.size(), 1u);
  EXPECT_EQ(from[0], "[::1]:6344");
  EXPECT_EQ(stat("tee.t." + a.spec() + ".send_errors"), 1u);  // the v6 exporter to the v4 receiver
}

}  // namespace
}  // namespace xacct::collector
