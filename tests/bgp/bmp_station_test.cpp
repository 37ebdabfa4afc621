// The BMP station (bgp/bmp_station.hpp) over real loopback TCP: a raw client
// plays a router (Initiation, Peer Up, Route Monitoring v4 and v6, Stats,
// Peer Down) and the sink must see exactly the prefixes and peer downs;
// plus TCP close without Peer Down, bmp_daemon_max_peers, malformed
// messages (skipped) and a broken stream (session closed), IPv6 routers,
// and the per-router logic (bmp_router.hpp) under random corruption.
#include "bgp/bmp_station.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <thread>

#include "bgp/bmp_router.hpp"
#include "tests/bgp/bmp_vectors.hpp"

namespace xacct::bgp {
namespace {

namespace v = xacct::tests::bmp;

IpAddress ip4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress ip;
  ip.bytes[10] = ip.bytes[11] = 0xff;
  ip.bytes[12] = a;
  ip.bytes[13] = b;
  ip.bytes[14] = c;
  ip.bytes[15] = d;
  return ip;
}

class RecordingSink : public RouteSink {
 public:
  void on_update(const PeerKey& peer, const UpdateMessage& update) override {
    std::lock_guard lock(mu_);
    updates_.emplace_back(peer, update);
  }
  void on_peer_down(const PeerKey& peer) override {
    std::lock_guard lock(mu_);
    downs_.push_back(peer);
  }
  std::vector<std::pair<PeerKey, UpdateMessage>> updates() {
    std::lock_guard lock(mu_);
    return updates_;
  }
  std::vector<PeerKey> downs() {
    std::lock_guard lock(mu_);
    return downs_;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<PeerKey, UpdateMessage>> updates_;
  std::vector<PeerKey> downs_;
};

bool wait_for(const std::function<bool()>& done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

// A raw TCP client playing the router.
class Router {
 public:
  Router(std::uint16_t port, bool v6 = false) {
    fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (v6) {
      sockaddr_in6 sa{};
      sa.sin6_family = AF_INET6;
      sa.sin6_port = htons(port);
      sa.sin6_addr = in6addr_loopback;
      connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0;
    } else {
      sockaddr_in sa{};
      sa.sin_family = AF_INET;
      sa.sin_port = htons(port);
      sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0;
    }
  }
  ~Router() { close(); }
  bool connected() const { return connected_; }
  // Sends in small pieces so messages straddle reads.
  void send(const v::Bytes& b, std::size_t piece = 7) {
    for (std::size_t at = 0; at < b.size(); at += piece) {
      const std::size_t n = std::min(piece, b.size() - at);
      ASSERT_EQ(::send(fd_, b.data() + at, n, MSG_NOSIGNAL), static_cast<ssize_t>(n));
    }
  }
  // True once the station closed the connection (read returns 0).
  bool closed_by_peer() {
    char c;
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return ::recv(fd_, &c, 1, 0) == 0;
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

std::uint64_t counter(userspace::Stats& stats, const std::string& name) {
  return stats.counter(name).value();
}

BmpStationOptions loopback_options(std::uint32_t max_peers = 4) {
  BmpStationOptions o;
  o.ip = "";  // dual stack
  o.port = 0;
  o.max_peers = max_peers;
  return o;
}

TEST(BmpStation, RouterSessionDeliversExactPrefixesAndPeerDowns) {
  RecordingSink sink;
  userspace::Stats stats;
  BmpStation station(loopback_options(), sink, stats);
  ASSERT_TRUE(station.start().ok());
  ASSERT_NE(station.port(), 0);
  {
    Router r(station.port());
    ASSERT_TRUE(r.connected());
    for (const v::Bytes* m : {&v::kInitiation, &v::kPeerUp, &v::kRouteMonitoringV4,
                              &v::kRouteMonitoringV6Post, &v::kStatsReport, &v::kPeerDownNotification}) {
      r.send(*m);
    }
    ASSERT_TRUE(wait_for([&] { return sink.downs().size() == 2; }));
    const auto ups = sink.updates();
    ASSERT_EQ(ups.size(), 2u);
    // IPv4, pre-policy, with the path ids the Peer Up's ADD-PATH announced.
    const PeerKey& k4 = ups[0].first;
    EXPECT_EQ(k4.source, PeerKey::Source::kBmp);
    EXPECT_EQ(k4.router, ip4(127, 0, 0, 1));
    EXPECT_EQ(k4.peer_addr, ip4(198, 18, 1, 1));
    EXPECT_EQ(k4.peer_port, 40000);
    EXPECT_EQ(k4.bgp_id, 0xc6120101u);
    EXPECT_EQ(k4.peer_as, 65001u);
    EXPECT_EQ(k4.peer_distinguisher, 0u);
    EXPECT_FALSE(k4.post_policy);
    EXPECT_FALSE(k4.loc_rib);
    EXPECT_EQ(k4.add_path, (std::array<bool, 2>{true, false}));  // from the Peer Up
    EXPECT_EQ(k4.router_bgp_id, 0xc6120001u);                    // the router's ID: its sent OPEN
    EXPECT_EQ(ups[0].second.announced,
              (std::vector<Prefix>{{ip4(198, 51, 100, 0), 24, 1}, {ip4(203, 0, 112, 0), 22, 2}}));
    // IPv6, post-policy.
    const PeerKey& k6 = ups[1].first;
    EXPECT_TRUE(k6.post_policy);
    EXPECT_EQ(k6.peer_addr, ip4(198, 18, 1, 1));
    ASSERT_EQ(ups[1].second.announced.size(), 2u);
    EXPECT_EQ(ups[1].second.announced[0].len, 48);
    EXPECT_EQ(ups[1].second.announced[1].len, 64);
    EXPECT_TRUE(ups[1].second.announced[0].addr.is_v6);
    // Peer Down: both RIBs of the peer (pre and post policy) go.
    const auto downs = sink.downs();
    EXPECT_EQ(downs[0], k4);
    EXPECT_EQ(downs[1], k6);
  }
  ASSERT_TRUE(wait_for([&] { return counter(stats, "bmp.sessions.closed") == 1; }));
  const std::string r = "bmp.router.127.0.0.1.";
  EXPECT_EQ(counter(stats, r + "messages"), 6u);
  EXPECT_EQ(counter(stats, r + "initiation"), 1u);
  EXPECT_EQ(counter(stats, r + "peer_up"), 1u);
  EXPECT_EQ(counter(stats, r + "route_monitoring"), 2u);
  EXPECT_EQ(counter(stats, r + "stats_reports"), 1u);
  EXPECT_EQ(counter(stats, r + "peer_down"), 1u);
  EXPECT_EQ(counter(stats, r + "malformed"), 0u);
  EXPECT_EQ(counter(stats, r + "announced"), 4u);
  EXPECT_EQ(counter(stats, r + "rm_without_peer_up"), 0u);
  EXPECT_EQ(counter(stats, r + "peer.198.18.1.1.stat.0"), 5u);
  EXPECT_EQ(counter(stats, r + "peer.198.18.1.1.stat.7"), 1000u);
  EXPECT_EQ(counter(stats, r + "peer.198.18.1.1.stat.9.1.1"), 42u);
  EXPECT_EQ(counter(stats, "bmp.sessions.accepted"), 1u);
  EXPECT_EQ(counter(stats, "bmp.sessions.refused"), 0u);
  // The peers were already down: the close withdrew nothing more.
  EXPECT_EQ(sink.downs().size(), 2u);
  station.stop();
}

TEST(BmpStation, TcpCloseTakesEveryPeerDown) {
  RecordingSink sink;
  userspace::Stats stats;
  BmpStation station(loopback_options(), sink, stats);
  ASSERT_TRUE(station.start().ok());
  {
    Router r(station.port());
    ASSERT_TRUE(r.connected());
    // Loc-RIB without Peer Up (gobgpd), then a peer with Peer Up, then its
    // Adj-RIB-Out (counted, not delivered).
    r.send(v::kInitiation);
    r.send(v::kRouteMonitoringLocRib);
    r.send(v::kPeerUp);
    r.send(v::kRouteMonitoringV4);
    r.send(v::kRouteMonitoringWithdraw);
    r.send(v::kRouteMonitoringAdjRibOut);
    r.send(v::kRouteMirroring);
    ASSERT_TRUE(wait_for([&] { return counter(stats, "bmp.router.127.0.0.1.messages") == 7; }));
  }  // closed without Peer Down or Termination
  ASSERT_TRUE(wait_for([&] { return sink.downs().size() == 2; }));
  const auto ups = sink.updates();
  ASSERT_EQ(ups.size(), 3u);
  EXPECT_TRUE(ups[0].first.loc_rib);
  EXPECT_EQ(ups[0].first.peer_distinguisher, 7u);
  EXPECT_EQ(ups[0].first.router_bgp_id, 0xc6120001u);  // Loc-RIB header: the router's own ID
  EXPECT_EQ(ups[0].second.announced, (std::vector<Prefix>{{ip4(198, 51, 100, 128), 25, 0}}));
  EXPECT_EQ(ups[2].second.withdrawn, (std::vector<Prefix>{{ip4(198, 51, 100, 0), 24, 1}}));
  const auto downs = sink.downs();
  EXPECT_EQ(downs.size(), 2u);
  EXPECT_NE(std::find(downs.begin(), downs.end(), ups[0].first), downs.end());
  EXPECT_NE(std::find(downs.begin(), downs.end(), ups[1].first), downs.end());
  const std::string r = "bmp.router.127.0.0.1.";
  EXPECT_EQ(counter(stats, r + "rm_without_peer_up"), 1u);
  EXPECT_EQ(counter(stats, r + "adj_rib_out"), 1u);
  EXPECT_EQ(counter(stats, r + "route_mirroring"), 1u);
  EXPECT_EQ(counter(stats, r + "route_monitoring"), 3u);
  EXPECT_EQ(counter(stats, r + "withdrawn"), 1u);
  EXPECT_EQ(counter(stats, "bmp.sessions.closed"), 1u);
}

TEST(BmpStation, MalformedMessagesAreSkippedBrokenStreamCloses) {
  RecordingSink sink;
  userspace::Stats stats;
  BmpStation station(loopback_options(), sink, stats);
  ASSERT_TRUE(station.start().ok());
  Router r(station.port());
  ASSERT_TRUE(r.connected());
  r.send(v::kPeerUp);
  v::Bytes bad_type = v::kRouteMonitoringV4;
  bad_type[6] = 9;  // unknown peer type: skipped
  r.send(bad_type);
  v::Bytes bad_msg = v::kTermination;
  bad_msg[5] = 42;  // unknown message type: skipped
  r.send(bad_msg);
  r.send(v::kRouteMonitoringV4);  // still decoded
  ASSERT_TRUE(wait_for([&] { return sink.updates().size() == 1; }));
  EXPECT_EQ(counter(stats, "bmp.router.127.0.0.1.malformed"), 2u);
  EXPECT_EQ(sink.updates()[0].second.announced.size(), 2u);
  r.send({3, 0, 0, 0, 2, 0});  // length 2: the stream cannot be resynchronised
  EXPECT_TRUE(r.closed_by_peer());
  ASSERT_TRUE(wait_for([&] { return sink.downs().size() == 1; }));
  EXPECT_EQ(sink.downs()[0], sink.updates()[0].first);
  EXPECT_EQ(counter(stats, "bmp.router.127.0.0.1.malformed"), 3u);
  EXPECT_EQ(counter(stats, "bmp.sessions.closed"), 1u);
}

TEST(BmpStation, MaxPeersRefusesAndIpv6RoutersConnect) {
  RecordingSink sink;
  userspace::Stats stats;
  BmpStation station(loopback_options(1), sink, stats);
  ASSERT_TRUE(station.start().ok());
  Router first(station.port(), /*v6=*/true);
  ASSERT_TRUE(first.connected());
  ASSERT_TRUE(wait_for([&] { return counter(stats, "bmp.sessions.accepted") == 1; }));
  Router second(station.port());
  ASSERT_TRUE(second.connected());  // the kernel accepts; the station closes it
  EXPECT_TRUE(second.closed_by_peer());
  EXPECT_EQ(counter(stats, "bmp.sessions.refused"), 1u);
  first.send(v::kPeerUp);
  first.send(v::kRouteMonitoringV4);
  ASSERT_TRUE(wait_for([&] { return sink.updates().size() == 1; }));
  IpAddress lo6;
  lo6.is_v6 = true;
  lo6.bytes[15] = 1;
  EXPECT_EQ(sink.updates()[0].first.router, lo6);
  EXPECT_EQ(counter(stats, "bmp.router.::1.route_monitoring"), 1u);
  // stop() with a router connected: its peers go down.
  station.stop();
  EXPECT_EQ(sink.downs().size(), 1u);
  EXPECT_EQ(counter(stats, "bmp.sessions.closed"), 1u);
}

TEST(BmpStation, AllowFileRefusesOtherRouters) {
  const std::string path = ::testing::TempDir() + "bmp_allow_" + std::to_string(::getpid());
  std::ofstream(path) << "! only this one\n192.0.2.1\n";
  RecordingSink sink;
  userspace::Stats stats;
  BmpStationOptions o = loopback_options();
  o.allow_file = path;
  BmpStation station(o, sink, stats);
  ASSERT_TRUE(station.start().ok());
  Router r(station.port());
  ASSERT_TRUE(r.connected());
  EXPECT_TRUE(r.closed_by_peer());
  EXPECT_EQ(counter(stats, "bmp.sessions.refused"), 1u);
  std::ofstream(path) << "127.0.0.0/8\n";
  ASSERT_TRUE(station.reload_allow_file().ok());
  Router ok(station.port());
  ASSERT_TRUE(ok.connected());
  ASSERT_TRUE(wait_for([&] { return counter(stats, "bmp.sessions.accepted") == 1; }));
  station.stop();
  std::remove(path.c_str());
}

TEST(BmpStation, OptionsFromKeysAndBindErrors) {
  BmpDaemonConfig c;
  auto o = make_bmp_station_options(c);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o.value().port, 1790);
  EXPECT_EQ(o.value().max_peers, 4u);
  EXPECT_EQ(o.value().ip, "");
  c.ip = "not-an-ip";
  auto bad = make_bmp_station_options(c);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "bmp_daemon_ip: 'not-an-ip' is not an IP address");
  c.ip = "127.0.0.1";
  c.max_peers = 0;
  EXPECT_FALSE(make_bmp_station_options(c).ok());

  // Not an address of this host: bind fails with the address in the error.
  RecordingSink sink;
  userspace::Stats stats;
  BmpStationOptions opts;
  opts.ip = "192.0.2.77";
  opts.port = 0;
  BmpStation station(opts, sink, stats);
  auto st = station.start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message.rfind("bmp: bind 192.0.2.77:0: ", 0), 0u) << st.error().message;
}

// Per-router logic without sockets: every truncation and random
// corruptions are counted (each message once: decoded, or malformed), and
// nothing crashes.
TEST(BmpRouter, CorruptedMessagesAreCountedNeverCrash) {
  RecordingSink sink;
  userspace::Stats stats;
  BmpRouter router(ip4(192, 0, 2, 9), sink, stats);
  const v::Bytes* all[] = {&v::kInitiation,
                           &v::kPeerUp,
                           &v::kRouteMonitoringV4,
                           &v::kRouteMonitoringV6Post,
                           &v::kRouteMonitoringWithdraw,
                           &v::kStatsReport,
                           &v::kPeerDownNotification,
                           &v::kPeerDownFsm,
                           &v::kTermination,
                           &v::kRouteMirroring,
                           &v::kRouteMonitoringLocRib,
                           &v::kRouteMonitoringAdjRibOut};
  std::mt19937 rng(9069);
  std::uint64_t fed = 0;
  for (int round = 0; round < 6000; ++round) {
    v::Bytes m = *all[static_cast<std::size_t>(round) % std::size(all)];
    if (round % 3 == 0) {
      m.resize(6 + rng() % (m.size() - 6));  // truncated, length field patched
      m[3] = static_cast<std::uint8_t>(m.size() >> 8);
      m[4] = static_cast<std::uint8_t>(m.size());
    } else {
      for (int i = 0, n = 1 + static_cast<int>(rng() % 4); i < n; ++i) {
        m[6 + rng() % (m.size() - 6)] = static_cast<std::uint8_t>(rng());
      }
    }
    router.on_message(Bytes(m.data(), m.size()));
    ++fed;
  }
  router.close();
  const std::string p = "bmp.router.192.0.2.9.";
  const std::uint64_t accounted = counter(stats, p + "malformed") + counter(stats, p + "route_monitoring") +
                                  counter(stats, p + "peer_up") + counter(stats, p + "stats_reports") +
                                  counter(stats, p + "initiation") + counter(stats, p + "termination") +
                                  counter(stats, p + "route_mirroring") + counter(stats, p + "adj_rib_out") +
                                  counter(stats, p + "peer_down");
  EXPECT_EQ(counter(stats, p + "messages"), fed);
  EXPECT_EQ(accounted, fed);  // each message counted exactly once
  EXPECT_GT(counter(stats, p + "malformed"), 0u);
  EXPECT_EQ(router.peer_count(), 0u);
}

}  // namespace
}  // namespace xacct::bgp
