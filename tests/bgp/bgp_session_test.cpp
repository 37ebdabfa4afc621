// The passive BGP speaker (bgp/bgp_server.hpp, bgp/bgp_session.hpp) over
// real loopback TCP: a raw client in the test speaks BGP (OPEN with 4-byte AS,
// MP IPv4/IPv6 and ADD-PATH, UPDATEs from tests/bgp/bgp_wire_vectors.hpp)
// and the server's sink must receive exactly the prefixes sent; hold timer
// expiry, bgp_daemon_max_peers refusal, NOTIFICATION on a bad marker and on
// a malformed UPDATE, clean stop(), and the options built from the keys.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

#include "bgp/bgp_server.hpp"
#include "bgp/bgp_wire.hpp"
#include "tests/bgp/bgp_wire_vectors.hpp"

namespace xacct::bgp {
namespace {

namespace v = xacct::tests::bgp;
using v::Bytes;
using namespace std::chrono_literals;

IpAddress ip4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress ip;
  ip.bytes[10] = ip.bytes[11] = 0xff;
  ip.bytes[12] = a;
  ip.bytes[13] = b;
  ip.bytes[14] = c;
  ip.bytes[15] = d;
  return ip;
}

class TestSink : public RouteSink {
 public:
  void on_update(const PeerKey& peer, const UpdateMessage& update) override {
    std::lock_guard lock(mu_);
    updates.emplace_back(peer, update);
    cv_.notify_all();
  }
  void on_peer_down(const PeerKey& peer) override {
    std::lock_guard lock(mu_);
    downs.push_back(peer);
    cv_.notify_all();
  }
  // Waits until `pred` holds (under the lock) or 5 s pass.
  template <typename Pred>
  bool wait(Pred pred) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 5s, [&] { return pred(); });
  }

  std::vector<std::pair<PeerKey, UpdateMessage>> updates;
  std::vector<PeerKey> downs;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
};

// A blocking BGP client on loopback.
class Client {
 public:
  // To 127.0.0.1, or ::1 when `v6`.
  explicit Client(std::uint16_t port, bool v6 = false) {
    fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    timeval tv{8, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (v6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(port);
      a->sin6_addr = in6addr_loopback;
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_port = htons(port);
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof *a;
    }
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) == 0;
    sockaddr_storage local{};
    socklen_t llen = sizeof local;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &llen);
    local_port_ = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&local)->sin6_port
                           : reinterpret_cast<sockaddr_in*>(&local)->sin_port);
  }
  ~Client() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool connected() const { return connected_; }
  std::uint16_t local_port() const { return local_port_; }

  void send(const Bytes& b) {
    ASSERT_EQ(::send(fd_, b.data(), b.size(), MSG_NOSIGNAL), static_cast<ssize_t>(b.size()));
  }

  // One whole message, or empty on EOF / timeout.
  Bytes read_message() {
    Bytes m(19);
    if (!read_exact(m.data(), 19)) return {};
    const std::size_t len = static_cast<std::size_t>(m[16]) << 8 | m[17];
    if (len < 19) return {};
    m.resize(len);
    if (!read_exact(m.data() + 19, len - 19)) return {};
    return m;
  }
  // Reads messages until one of `type` (skipping KEEPALIVEs etc.).
  Bytes read_type(MessageType type) {
    for (int i = 0; i < 20; ++i) {
      Bytes m = read_message();
      if (m.empty() || m[18] == static_cast<std::uint8_t>(type)) return m;
    }
    return {};
  }
  bool at_eof() {
    std::uint8_t b;
    return ::recv(fd_, &b, 1, 0) == 0;
  }

 private:
  bool read_exact(std::uint8_t* p, std::size_t n) {
    while (n > 0) {
      ssize_t r = ::recv(fd_, p, n, 0);
      if (r <= 0) return false;
      p += r;
      n -= static_cast<std::size_t>(r);
    }
    return true;
  }
  int fd_ = -1;
  bool connected_ = false;
  std::uint16_t local_port_ = 0;
};

BgpServerOptions test_options() {
  BgpServerOptions o;
  o.ip = "127.0.0.1";
  o.port = 0;
  o.session.bgp_id = 0x7f000001;
  return o;
}

std::uint64_t counter(userspace::Stats& stats, const std::string& name) {
  for (const auto& [n, value] : stats.snapshot()) {
    if (n == name) return value;
  }
  return 0;
}

bool wait_counter(userspace::Stats& stats, const std::string& name, std::uint64_t want) {
  for (int i = 0; i < 500; ++i) {
    if (counter(stats, name) == want) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

// OPEN exchange: the client's OPEN, the server's OPEN + KEEPALIVE, the
// client's KEEPALIVE. Returns the server's OPEN.
OpenMessage establish(Client& c, const Bytes& open) {
  c.send(open);
  OpenMessage theirs;
  Bytes m = c.read_message();
  EXPECT_TRUE(parse_open(m, theirs).ok());
  EXPECT_EQ(c.read_message(), v::keepalive());
  c.send(v::keepalive());
  return theirs;
}

TEST(BgpSession, EstablishesAndDeliversExactPrefixes) {
  TestSink sink;
  userspace::Stats stats;
  BgpServer server(test_options(), sink, stats);
  ASSERT_TRUE(server.start().ok());
  Client c(server.port());
  ASSERT_TRUE(c.connected());
  OpenMessage theirs = establish(c, v::open_as4_addpath());
  // Mirrors AS 4200000001 (AS_TRANS + 4-octet capability), hold time 30,
  // ADD-PATH receive for the two families the client sends with path ids.
  EXPECT_EQ(theirs.my_as, kAsTrans);
  EXPECT_EQ(theirs.asn(), 4200000001u);
  EXPECT_EQ(theirs.hold_time, 30);
  EXPECT_EQ(theirs.bgp_id, 0x7f000001u);
  EXPECT_EQ(theirs.caps.multiprotocol, (std::vector<AfiSafi>{kIpv4Unicast, kIpv6Unicast}));
  EXPECT_EQ(theirs.caps.add_path,
            (std::vector<AddPathFamily>{{kIpv4Unicast, kAddPathReceive}, {kIpv6Unicast, kAddPathReceive}}));
  ASSERT_TRUE(wait_counter(stats, "bgp.sessions.established", 1));

  // update_addpath: withdraws path 7 of 198.18.8.0/24, announces paths 1, 2
  // of 198.18.9.0/24 (NEXT_HOP 198.18.0.2) and path 3 of 2001:db8:300::/40
  // (MP next hop 2001:db8::2): delivered as two updates. Then both EoRs.
  c.send(v::cat({v::update_addpath(/*as4=*/true), v::eor_v4()}));
  c.send(v::eor_v6());
  ASSERT_TRUE(sink.wait([&] { return sink.updates.size() == 4; }));
  const PeerKey& key = sink.updates[0].first;
  EXPECT_EQ(key.source, PeerKey::Source::kBgp);
  EXPECT_EQ(key.peer_addr, ip4(127, 0, 0, 1));
  EXPECT_EQ(key.router, ip4(127, 0, 0, 1));
  EXPECT_EQ(key.peer_port, c.local_port());
  EXPECT_EQ(key.bgp_id, 0xc6120003u);
  EXPECT_EQ(key.peer_as, 4200000001u);

  const UpdateMessage& u4 = sink.updates[0].second;
  EXPECT_EQ(u4.withdrawn, (std::vector<Prefix>{{ip4(198, 18, 8, 0), 24, 7}}));
  EXPECT_EQ(u4.announced, (std::vector<Prefix>{{ip4(198, 18, 9, 0), 24, 1}, {ip4(198, 18, 9, 0), 24, 2}}));
  EXPECT_EQ(u4.attrs.next_hop, ip4(198, 18, 0, 2));
  ASSERT_EQ(u4.attrs.as_path.size(), 1u);
  EXPECT_EQ(u4.attrs.as_path[0].asns, (std::vector<std::uint32_t>{65001}));
  const UpdateMessage& u6 = sink.updates[1].second;
  ASSERT_EQ(u6.announced.size(), 1u);
  EXPECT_TRUE(u6.withdrawn.empty());
  EXPECT_EQ(u6.announced[0].len, 40);
  EXPECT_EQ(u6.announced[0].path_id, 3u);
  EXPECT_TRUE(u6.attrs.next_hop.is_v6);
  EXPECT_EQ(u6.attrs.next_hop.bytes[15], 2);
  EXPECT_TRUE(sink.updates[2].second.end_of_rib);
  EXPECT_EQ(sink.updates[2].second.end_of_rib_afi, Afi::kIpv4);
  EXPECT_TRUE(sink.updates[3].second.end_of_rib);
  EXPECT_EQ(sink.updates[3].second.end_of_rib_afi, Afi::kIpv6);

  EXPECT_EQ(counter(stats, "bgp.peer.127.0.0.1.updates"), 3u);
  EXPECT_EQ(counter(stats, "bgp.peer.127.0.0.1.prefixes_announced"), 3u);
  EXPECT_EQ(counter(stats, "bgp.peer.127.0.0.1.prefixes_withdrawn"), 1u);
  EXPECT_EQ(counter(stats, "bgp.peer.127.0.0.1.malformed"), 0u);
  EXPECT_EQ(counter(stats, "bgp.sessions.accepted"), 1u);
  EXPECT_EQ(server.sessions(), 1u);

  // The peer goes away: its routes go with it.
  c.close();
  ASSERT_TRUE(sink.wait([&] { return sink.downs.size() == 1; }));
  EXPECT_EQ(sink.downs[0], key);
  ASSERT_TRUE(wait_counter(stats, "bgp.sessions.closed", 1));
  EXPECT_EQ(server.sessions(), 0u);
  server.stop();
  EXPECT_EQ(sink.downs.size(), 1u);
}

TEST(BgpSession, HoldTimerExpiry) {
  TestSink sink;
  userspace::Stats stats;
  BgpServer server(test_options(), sink, stats);
  ASSERT_TRUE(server.start().ok());
  Client c(server.port());
  // open_plain with hold time 3 s: the server mirrors 3, sends KEEPALIVEs
  // every second, and expects ours within 3 s.
  Bytes open = v::open_plain();
  open[22] = 0;
  open[23] = 3;
  OpenMessage theirs = establish(c, open);
  EXPECT_EQ(theirs.hold_time, 3);
  EXPECT_EQ(theirs.asn(), 65002u);
  EXPECT_FALSE(theirs.caps.as4);
  const auto t0 = std::chrono::steady_clock::now();
  Bytes n = c.read_type(MessageType::kNotification);
  const auto waited = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(n, v::message(3, {notify::kHoldTimerExpired, 0}));
  EXPECT_GE(waited, 2500ms);
  EXPECT_LE(waited, 4500ms);
  EXPECT_TRUE(c.at_eof());
  ASSERT_TRUE(sink.wait([&] { return sink.downs.size() == 1; }));
  EXPECT_EQ(counter(stats, "bgp.peer.127.0.0.1.notifications_sent"), 1u);
}

TEST(BgpSession, MaxPeersRefusal) {
  TestSink sink;
  userspace::Stats stats;
  BgpServerOptions o = test_options();
  o.max_peers = 1;
  BgpServer server(o, sink, stats);
  ASSERT_TRUE(server.start().ok());
  Client first(server.port());
  establish(first, v::open_as4_addpath());
  ASSERT_TRUE(wait_counter(stats, "bgp.sessions.established", 1));
  Client second(server.port());
  ASSERT_TRUE(second.connected());
  EXPECT_EQ(second.read_message(), v::message(3, {notify::kCease, notify::kConnectionRejected}));
  EXPECT_TRUE(second.at_eof());
  ASSERT_TRUE(wait_counter(stats, "bgp.sessions.refused", 1));
  EXPECT_EQ(counter(stats, "bgp.sessions.accepted"), 1u);
  EXPECT_EQ(server.sessions(), 1u);
  // The first session is untouched: an UPDATE still arrives.
  first.send(v::eor_v4());
  ASSERT_TRUE(sink.wait([&] { return sink.updates.size() == 1; }));
  // Once it is gone there is room again.
  first.close();
  ASSERT_TRUE(wait_counter(stats, "bgp.sessions.closed", 1));
  Client third(server.port());
  establish(third, v::open_plain());
  ASSERT_TRUE(wait_counter(stats, "bgp.sessions.established", 2));
  EXPECT_EQ(counter(stats, "bgp.sessions.refused"), 1u);
}

TEST(BgpSession, BadMarkerGetsNotification) {
  TestSink sink;
  userspace::Stats stats;
  BgpServer server(test_options(), sink, stats);
  ASSERT_TRUE(server.start().ok());
  Client c(server.port());
  establish(c, v::open_as4_addpath());
  Bytes bad = v::keepalive();
  bad[3] = 0;
  c.send(bad);
  EXPECT_EQ(c.read_type(MessageType::kNotification),
            v::message(3, {notify::kHeaderError, notify::kConnectionNotSynchronized}));
  EXPECT_TRUE(c.at_eof());
  ASSERT_TRUE(sink.wait([&] { return sink.downs.size() == 1; }));
  EXPECT_EQ(counter(stats, "bgp.peer.127.0.0.1.malformed"), 1u);
  EXPECT_EQ(counter(stats, "bgp.peer.127.0.0.1.notifications_sent"), 1u);
}

TEST(BgpSession, MalformedUpdates) {
  TestSink sink;
  userspace::Stats stats;
  BgpServer server(test_options(), sink, stats);
  ASSERT_TRUE(server.start().ok());
  Client c(server.port());
  establish(c, v::open_plain());
  // Treat-as-withdraw: delivered as a withdrawal, the session stays.
  c.send(v::update_bad_origin());
  ASSERT_TRUE(sink.wait([&] { return sink.updates.size() == 1; }));
  EXPECT_EQ(sink.updates[0].second.withdrawn, (std::vector<Prefix>{{ip4(198, 18, 10, 0), 24, 0}}));
  EXPECT_TRUE(sink.updates[0].second.announced.empty());
  EXPECT_EQ(counter(stats, "bgp.peer.127.0.0.1.malformed"), 1u);
  // VPNv4 and EVPN: skipped and counted, nothing delivered, no error.
  c.send(v::update_other_families());
  ASSERT_TRUE(wait_counter(stats, "bgp.peer.127.0.0.1.skipped_families", 2));
  // An NLRI of /33: UPDATE Message Error / Invalid Network Field, closed.
  c.send(v::update_bad_prefix());
  Bytes n = c.read_type(MessageType::kNotification);
  ASSERT_GE(n.size(), 21u);
  EXPECT_EQ(n[19], notify::kUpdateError);
  EXPECT_EQ(n[20], notify::kInvalidNetworkField);
  ASSERT_TRUE(sink.wait([&] { return sink.downs.size() == 1; }));
  EXPECT_EQ(counter(stats, "bgp.peer.127.0.0.1.malformed"), 2u);
  EXPECT_EQ(counter(stats, "bgp.peer.127.0.0.1.updates"), 3u);
  EXPECT_EQ(sink.updates.size(), 1u);
}

TEST(BgpSession, PeerNotificationAndUnexpectedMessages) {
  TestSink sink;
  userspace::Stats stats;
  BgpServer server(test_options(), sink, stats);
  ASSERT_TRUE(server.start().ok());
  {
    // An UPDATE before the OPEN: FSM error, never established.
    Client c(server.port());
    c.send(v::eor_v4());
    EXPECT_EQ(c.read_message(), v::message(3, {notify::kFsmError, 1}));
    EXPECT_TRUE(c.at_eof());
  }
  {
    // A NOTIFICATION from the peer ends the session.
    Client c(server.port());
    establish(c, v::open_plain());
    ASSERT_TRUE(wait_counter(stats, "bgp.sessions.established", 1));
    c.send(v::notification_shutdown());
    EXPECT_TRUE(c.at_eof());
    ASSERT_TRUE(sink.wait([&] { return sink.downs.size() == 1; }));
  }
  EXPECT_EQ(counter(stats, "bgp.peer.127.0.0.1.notifications_received"), 1u);
  EXPECT_EQ(counter(stats, "bgp.peer.127.0.0.1.notifications_sent"), 1u);
  ASSERT_TRUE(wait_counter(stats, "bgp.sessions.closed", 2));
  EXPECT_EQ(sink.downs.size(), 1u);  // the first session never had routes
}

TEST(BgpSession, StopSendsShutdownCommunication) {
  TestSink sink;
  userspace::Stats stats;
  BgpServer server(test_options(), sink, stats);
  ASSERT_TRUE(server.start().ok());
  Client c(server.port());
  establish(c, v::open_as4_addpath());
  ASSERT_TRUE(wait_counter(stats, "bgp.sessions.established", 1));
  server.stop();
  EXPECT_EQ(sink.downs.size(), 1u);
  Bytes n = c.read_type(MessageType::kNotification);
  NotificationMessage msg;
  ASSERT_TRUE(parse_notification(n, msg).ok());
  EXPECT_EQ(msg.code, notify::kCease);
  EXPECT_EQ(msg.subcode, notify::kAdministrativeShutdown);
  EXPECT_EQ(msg.shutdown_text, "xacct shutting down");
  EXPECT_TRUE(c.at_eof());
  EXPECT_EQ(server.sessions(), 0u);
}

TEST(BgpSession, DualStackListenerKeysPeersByTheirFamily) {
  TestSink sink;
  userspace::Stats stats;
  BgpServerOptions o = test_options();
  o.ip = "";  // every address: one "::" socket that also takes IPv4
  BgpServer server(o, sink, stats);
  ASSERT_TRUE(server.start().ok());
  Client c4(server.port());
  ASSERT_TRUE(c4.connected());
  establish(c4, v::open_plain());
  Client c6(server.port(), /*v6=*/true);
  if (!c6.connected()) GTEST_SKIP() << "no IPv6 loopback";
  establish(c6, v::open_plain());
  c4.send(v::eor_v4());
  ASSERT_TRUE(sink.wait([&] { return sink.updates.size() == 1; }));
  c6.send(v::eor_v6());
  ASSERT_TRUE(sink.wait([&] { return sink.updates.size() == 2; }));
  EXPECT_EQ(sink.updates[0].first.peer_addr, ip4(127, 0, 0, 1));  // not ::ffff:127.0.0.1
  IpAddress loop6;
  loop6.is_v6 = true;
  loop6.bytes[15] = 1;
  EXPECT_EQ(sink.updates[1].first.peer_addr, loop6);
  EXPECT_EQ(counter(stats, "bgp.peer.127.0.0.1.updates"), 1u);
  EXPECT_EQ(counter(stats, "bgp.peer.::1.updates"), 1u);
}

TEST(BgpSession, AllowFileRefusesOtherPeers) {
  TestSink sink;
  userspace::Stats stats;
  const std::string path = ::testing::TempDir() + "xacct_bgp_allow_" + std::to_string(::getpid());
  std::ofstream(path) << "! only the benchmarking range\n198.18.0.0/15\n2001:db8::/32\n";
  BgpServerOptions o = test_options();
  o.allow_file = path;
  BgpServer server(o, sink, stats);
  ASSERT_TRUE(server.start().ok());
  Client c(server.port());
  EXPECT_EQ(c.read_message(), v::message(3, {notify::kCease, notify::kConnectionRejected}));
  EXPECT_TRUE(c.at_eof());
  ASSERT_TRUE(wait_counter(stats, "bgp.sessions.refused", 1));
  EXPECT_EQ(counter(stats, "bgp.sessions.accepted"), 0u);
  server.stop();
  std::remove(path.c_str());
  // A file that cannot be read is a start-up error.
  o.allow_file = "/nonexistent/allow";
  BgpServer bad(o, sink, stats);
  EXPECT_FALSE(bad.start().ok());
}

// 1300 IPv4 /24 with path ids: a 10,4xx-byte UPDATE (RFC 8654).
Bytes big_update() {
  v::Writer nlri;
  for (std::uint32_t i = 0; i < 1300; ++i) nlri.u32(i + 1).raw({24, 10, i >> 8, i & 0xff});
  Bytes attrs = v::cat(
      {v::attr(0x40, 1, {0}), v::attr(0x40, 2, {2, 1, 0, 0, 0xfd, 0xe9}), v::attr(0x40, 3, {198, 18, 0, 1})});
  return v::update({}, attrs, nlri);
}

TEST(BgpSession, ExtendedMessagesOnlyWhenNegotiated) {
  TestSink sink;
  userspace::Stats stats;
  BgpServer server(test_options(), sink, stats);
  ASSERT_TRUE(server.start().ok());
  const Bytes big = big_update();
  ASSERT_GT(big.size(), 10000u);
  {
    // open_full: extended message, 4-byte AS, ADD-PATH send for IPv4.
    Client c(server.port());
    OpenMessage theirs = establish(c, v::open_full());
    EXPECT_TRUE(theirs.caps.extended_message);
    c.send(big);
    ASSERT_TRUE(sink.wait([&] { return sink.updates.size() == 1; }));
    ASSERT_EQ(sink.updates[0].second.announced.size(), 1300u);
    EXPECT_EQ(sink.updates[0].second.announced[1299], (Prefix{ip4(10, 5, 19, 0), 24, 1300}));
  }
  {
    // open_as4_addpath has no extended message capability: 1/2 Bad Message Length.
    Client c(server.port());
    establish(c, v::open_as4_addpath());
    c.send(big);
    Bytes n = c.read_type(MessageType::kNotification);
    ASSERT_EQ(n.size(), 23u);
    EXPECT_EQ(n[19], notify::kHeaderError);
    EXPECT_EQ(n[20], notify::kBadMessageLength);
    EXPECT_EQ((Bytes{n[21], n[22]}), (Bytes{big[16], big[17]}));
  }
  ASSERT_TRUE(sink.wait([&] { return sink.downs.size() == 2; }));
  EXPECT_EQ(sink.updates.size(), 1u);
}

TEST(BgpSession, OptionsFromKeys) {
  BgpDaemonConfig c;
  auto o = bgp_server_options(c);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->ip, "");
  EXPECT_EQ(o->port, 179);
  EXPECT_EQ(o->max_peers, 4u);
  EXPECT_EQ(o->session.bgp_id, 0x01020304u);  // 1.2.3.4
  EXPECT_EQ(o->session.local_as, 0u);
  c.ip = "198.18.0.1";
  c.as = 65000;
  c.port = 1179;
  o = bgp_server_options(c);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->session.bgp_id, 0xc6120001u);
  EXPECT_EQ(o->session.local_as, 65000u);
  EXPECT_EQ(o->port, 1179);
  c.id = "198.18.0.7";
  EXPECT_EQ(bgp_server_options(c)->session.bgp_id, 0xc6120007u);
  c.ip = "2001:db8::1";
  c.id = "";
  EXPECT_EQ(bgp_server_options(c)->session.bgp_id, 0x01020304u);
  c.id = "2001:db8::2";
  auto bad = bgp_server_options(c);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "bgp_daemon_id: '2001:db8::2' is not a non-zero IPv4 address");
  c.id = "";
  c.ip = "not-an-ip";
  EXPECT_FALSE(bgp_server_options(c).ok());
}

TEST(BgpSession, BindErrorIsReported) {
  TestSink sink;
  userspace::Stats stats;
  BgpServer first(test_options(), sink, stats);
  ASSERT_TRUE(first.start().ok());
  BgpServerOptions o = test_options();
  o.ip = "198.18.255.254";  // not a local address
  BgpServer second(o, sink, stats);
  auto st = second.start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("bgp: listen on [198.18.255.254]:0: "), std::string::npos)
      << st.error().message;
}

}  // namespace
}  // namespace xacct::bgp
