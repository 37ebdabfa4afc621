// bmp_message_seeds.cpp: writes the seed corpus of fuzz_bmp_message into
// argv[1]: each byte-exact vector of tests/bgp/bmp_vectors.hpp as a stream
// of its own, and one whole router session (Initiation, Peer Up, Route
// Monitoring v4/v6/withdrawal, Stats, Loc-RIB, Adj-RIB-Out, Mirroring, Peer
// Downs, Termination). The first byte of a seed is the read size selector.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/bgp/bmp_vectors.hpp"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  namespace v = xacct::tests::bmp;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SEED_DIR\n", argv[0]);
    return 2;
  }
  const fs::path dir = argv[1];
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (!fs::create_directories(dir, ec) && ec) {
    std::fprintf(stderr, "bmp_message_seeds: create %s: %s\n", dir.c_str(), ec.message().c_str());
    return 1;
  }
  const v::Bytes* all[] = {&v::kInitiation,
                           &v::kPeerUp,
                           &v::kRouteMonitoringV4,
                           &v::kRouteMonitoringV6Post,
                           &v::kRouteMonitoringWithdraw,
                           &v::kStatsReport,
                           &v::kRouteMonitoringLocRib,
                           &v::kRouteMonitoringAdjRibOut,
                           &v::kRouteMirroring,
                           &v::kPeerDownNotification,
                           &v::kPeerDownFsm,
                           &v::kTermination};
  v::Bytes session = {13};
  int n = 0;
  for (const v::Bytes* m : all) {
    v::Bytes one = {static_cast<std::uint8_t>(n * 5)};
    one.insert(one.end(), m->begin(), m->end());
    session.insert(session.end(), m->begin(), m->end());
    std::ofstream out(dir / ("bmp-" + std::to_string(n++)), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(one.data()), static_cast<std::streamsize>(one.size()));
    if (!out) return 1;
  }
  std::ofstream out(dir / "bmp-session", std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(session.data()), static_cast<std::streamsize>(session.size()));
  return out ? 0 : 1;
}
