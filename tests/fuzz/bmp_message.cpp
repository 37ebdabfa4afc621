// bmp_message.cpp: libFuzzer target of the BMP station's decoding
// (bgp/bmp_decoder.hpp, bgp/bmp_router.hpp). The input is a TCP byte stream
// from a router: cut by the stream splitter into reads of a size taken from
// the first byte (messages straddle reads), each message handled by one
// BmpRouter that lives across inputs (peers, capabilities from Peer Up),
// routes going to a counting sink. The whole input is also decoded as one
// message by every type's decoder. Checked: every message handed out lies
// inside the stream and is exactly as long as its length field; each
// message is counted exactly once (one type counter or malformed); a
// delivered route's PeerKey is a BMP one of this router; close() leaves no
// peer behind.
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "bgp/bmp_decoder.hpp"
#include "bgp/bmp_router.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using namespace xacct;
using namespace xacct::bgp;

struct CountingSink : RouteSink {
  IpAddress router;
  std::uint64_t updates = 0;
  std::uint64_t downs = 0;
  void on_update(const PeerKey& k, const UpdateMessage&) override {
    XACCT_FUZZ_CHECK(k.source == PeerKey::Source::kBmp && k.router == router);
    ++updates;
  }
  void on_peer_down(const PeerKey& k) override {
    XACCT_FUZZ_CHECK(k.source == PeerKey::Source::kBmp && k.router == router);
    ++downs;
  }
};

std::uint64_t accounted(userspace::Stats& s) {
  std::uint64_t n = 0;
  for (const char* c : {"malformed", "route_monitoring", "peer_up", "peer_down", "stats_reports",
                        "initiation", "termination", "route_mirroring", "adj_rib_out"}) {
    n += s.counter(std::string("bmp.router.192.0.2.1.") + c).value();
  }
  return n;
}

void decode_all(Bytes msg) {
  bmp::DecodeError err;
  bmp::PerPeerHeader p;
  bmp::Initiation i;
  bmp::Termination t;
  bmp::PeerUp u;
  bmp::PeerDown d;
  bmp::RouteMonitoring rm;
  bmp::StatsReport s;
  (void)bmp::decode_initiation(msg, i, err);
  (void)bmp::decode_termination(msg, t, err);
  (void)bmp::decode_peer_up(msg, u, err);
  (void)bmp::decode_peer_down(msg, d, err);
  SessionCaps caps;
  caps.add_path = {true, true};
  (void)bmp::decode_route_monitoring(msg, caps, rm, err);
  (void)bmp::decode_stats_report(msg, s, err);
  (void)bmp::decode_route_mirroring(msg, p, err);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static CountingSink sink;
  // The registry keeps every counter it ever made: a fresh one with each
  // router, as the router's statistics counters are bounded per session.
  static auto* stats_ptr = new userspace::Stats;
  static BmpRouter* router = [] {
    sink.router.bytes[10] = sink.router.bytes[11] = 0xff;
    sink.router.bytes[12] = 192;
    sink.router.bytes[14] = 2;
    sink.router.bytes[15] = 1;
    return new BmpRouter(sink.router, sink, *stats_ptr);
  }();
  userspace::Stats& stats = *stats_ptr;
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[size]);
  std::memcpy(copy.get(), data, size);
  const Bytes stream(copy.get() + 1, size - 1);

  decode_all(stream);

  const std::uint64_t before = stats.counter("bmp.router.192.0.2.1.messages").value();
  const std::uint64_t acc_before = accounted(stats);
  std::uint64_t handed = 0;
  bmp::StreamSplitter sp;
  bmp::DecodeError err;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    const Bytes piece = stream.subspan(at, std::min(chunk, stream.size() - at));
    const bool ok = sp.feed(
        piece,
        [&](Bytes m) {
          XACCT_FUZZ_CHECK(m.size() >= bmp::kCommonHeaderLen && m.size() <= bmp::kMaxMessageLen);
          const std::uint32_t len = static_cast<std::uint32_t>(m[1]) << 24 |
                                    static_cast<std::uint32_t>(m[2]) << 16 |
                                    static_cast<std::uint32_t>(m[3]) << 8 | m[4];
          XACCT_FUZZ_CHECK(len == m.size());
          ++handed;
          router->on_message(m);
        },
        err);
    if (!ok) break;
  }
  XACCT_FUZZ_CHECK(sp.stream_offset() <= stream.size());
  XACCT_FUZZ_CHECK(stats.counter("bmp.router.192.0.2.1.messages").value() - before == handed);
  XACCT_FUZZ_CHECK(accounted(stats) - acc_before == handed);
  // Every few inputs the router goes away, as on a TCP close.
  if (data[0] >= 0xf0) {
    router->close();
    XACCT_FUZZ_CHECK(router->peer_count() == 0);
    delete router;
    delete stats_ptr;
    stats_ptr = new userspace::Stats;
    router = new BmpRouter(sink.router, sink, *stats_ptr);
  }
  return 0;
}
