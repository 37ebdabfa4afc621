// Full-table numbers of the Rib (prints them; not part of ctest):
//   xacct_bgp_rib_bench [v4_prefixes=900000] [v6_prefixes=150000] [attr_sets=300000]
// A synthetic table like cookbook/bgp/gen_table.py's (AS paths 1..12 hops,
// communities on 75 % of the sets, large communities on 12 %), fed through
// RouteSink as UPDATEs of one attribute set each; then: heap bytes per route
// (mallinfo2 before/after, writers' tables + interned sets), compile time of
// the peer's view, the view's bytes, and the enrichment's cost per record
// (both ends looked up) over batches of 4096 records.
#include <malloc.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "bgp/bgp_enrich.hpp"
#include "bgp/bgp_rib.hpp"

using namespace xacct;
using Clock = std::chrono::steady_clock;

namespace {

std::size_t heap_used() { return mallinfo2().uordblks + mallinfo2().hblkhd; }

userspace::IpAddress v4(std::uint32_t a) {
  userspace::IpAddress ip;
  ip.bytes[10] = 0xff;
  ip.bytes[11] = 0xff;
  ip.bytes[12] = static_cast<std::uint8_t>(a >> 24);
  ip.bytes[13] = static_cast<std::uint8_t>(a >> 16);
  ip.bytes[14] = static_cast<std::uint8_t>(a >> 8);
  ip.bytes[15] = static_cast<std::uint8_t>(a);
  return ip;
}

userspace::IpAddress v6(std::uint64_t hi) {
  userspace::IpAddress ip;
  ip.is_v6 = true;
  for (int i = 0; i < 8; ++i) ip.bytes[i] = static_cast<std::uint8_t>(hi >> (56 - 8 * i));
  return ip;
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// CPU time of this thread, ms: the machine is shared, wall time is not ours.
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n4 = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 900000;
  const std::size_t n6 = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 150000;
  const std::size_t nattr = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 300000;
  std::mt19937_64 rng(42);

  // Attribute sets.
  std::vector<bgp::PathAttributes> sets(nattr);
  for (std::size_t i = 0; i < nattr; ++i) {
    bgp::PathAttributes& a = sets[i];
    a.origin = bgp::Origin::kIgp;
    bgp::AsPathSegment seg;
    const int hops = 1 + static_cast<int>(rng() % 12);
    for (int h = 0; h < hops; ++h) seg.asns.push_back(static_cast<std::uint32_t>(1000 + rng() % 400000));
    a.as_path.push_back(seg);
    a.next_hop = v4(0xc6120000u | static_cast<std::uint32_t>(rng() % 256));  // 198.18.0.x
    a.has_next_hop = true;
    a.local_pref = 100;
    a.has_local_pref = true;
    if (rng() % 100 < 45) {
      a.med = static_cast<std::uint32_t>(rng() % 1000);
      a.has_med = true;
    }
    if (rng() % 100 < 75) {
      const int nc = 1 + static_cast<int>(rng() % 8);
      for (int c = 0; c < nc; ++c) a.communities.push_back(static_cast<std::uint32_t>(rng()));
    }
    if (rng() % 100 < 12) a.large_communities.push_back({65000, 1, static_cast<std::uint32_t>(i)});
  }
  // Prefixes: distinct, /8../24 for IPv4, /32../48 for IPv6; set i % nattr
  // first so every set is used, then random.
  std::vector<bgp::Prefix> p4(n4);
  std::vector<bgp::Prefix> p6(n6);
  for (std::size_t i = 0; i < n4; ++i) {
    const std::uint8_t len = static_cast<std::uint8_t>(i % 10 == 0 ? 16 + rng() % 8 : 24);
    // Distinct /24 slots spread over the whole space like a real table
    // (an odd multiplier is a bijection mod 2^24).
    const std::uint32_t base = (static_cast<std::uint32_t>(i) * 2654435761u & 0xffffffu) << 8;
    p4[i] = {v4(base & (len == 24 ? 0xffffff00u : ~0u << (32 - len))), len, 0};
  }
  for (std::size_t i = 0; i < n6; ++i) {
    p6[i] = {v6(0x2001000000000000ull | (static_cast<std::uint64_t>(i) << 16)), 48, 0};
  }

  userspace::Stats stats;
  const std::size_t heap0 = heap_used();
  bgp::Rib rib({}, &stats);
  bgp::PeerKey peer;
  peer.router = v4(0xc0000201);
  peer.peer_addr = peer.router;
  const Clock::time_point t0 = Clock::now();
  const double c0 = cpu_ms();
  bgp::UpdateMessage u;
  std::size_t routes = 0;
  std::size_t next_set = 0;
  auto feed = [&](std::vector<bgp::Prefix>& prefixes) {
    for (std::size_t i = 0; i < prefixes.size();) {
      const std::size_t set = next_set < nattr ? next_set++ : rng() % nattr;
      const std::size_t take = std::min<std::size_t>(prefixes.size() - i, 1 + rng() % 6);
      u.announced.assign(prefixes.begin() + static_cast<std::ptrdiff_t>(i),
                         prefixes.begin() + static_cast<std::ptrdiff_t>(i + take));
      u.attrs = sets[set];
      rib.on_update(peer, u);
      routes += take;
      i += take;
    }
  };
  feed(p4);
  feed(p6);
  const Clock::time_point t1 = Clock::now();
  const double c1 = cpu_ms();
  malloc_trim(0);
  const std::size_t heap1 = heap_used();
  const double c1b = cpu_ms();
  rib.publish_now();
  const Clock::time_point t2 = Clock::now();
  const double c2 = cpu_ms();
  const std::size_t heap2 = heap_used();
  const auto snap = rib.snapshot();
  const bgp::RibView* view = snap->find_bgp(peer.peer_addr);
  std::printf("routes %zu (v4 %zu, v6 %zu), attribute sets %zu\n", routes, n4, n6, rib.attr_set_count());
  std::printf("insert: %.0f ms wall, %.0f ms CPU (%.0f routes/s of CPU)\n", ms(t1 - t0), c1 - c0,
              static_cast<double>(routes) / ((c1 - c0) / 1000.0));
  std::printf("writer tables + interned sets: %zu bytes = %.1f bytes/route\n", heap1 - heap0,
              static_cast<double>(heap1 - heap0) / static_cast<double>(routes));
  std::printf("compile + publish: %.0f ms wall, %.0f ms CPU (bgp.rib.compile_us %llu, wall)\n", ms(t2 - t1),
              c2 - c1b, static_cast<unsigned long long>(stats.counter("bgp.rib.compile_us").value()));
  std::printf("compiled view: %zu bytes = %.1f bytes/route (heap delta %zu), %zu intervals\n",
              view->memory_bytes(), static_cast<double>(view->memory_bytes()) / static_cast<double>(routes),
              heap2 - heap1, view->intervals());

  // Enrichment: records whose two ends are random addresses inside table
  // prefixes (80 %) or outside (20 %), 4096 per batch. Few batches, many
  // rounds: in the collector a batch is enriched right after decoding,
  // while its records are in cache; the lookups are what is measured.
  bgp::EnrichOptions eo;
  eo.use_bgp = true;
  eo.as_bgp = true;
  eo.net_bgp = true;
  bgp::Enricher enricher(rib, eo, nullptr, nullptr, stats);
  std::vector<userspace::RecordBatch> batches(2);
  for (auto& b : batches) {
    b.resize(4096);
    for (auto& r : b) {
      r.peer_src_ip = peer.peer_addr;
      auto pick = [&]() {
        if (rng() % 10 < 2) return v4(0xdf000000u | static_cast<std::uint32_t>(rng() % 0xffffff));
        if (rng() % 7 == 0) {
          userspace::IpAddress a = p6[rng() % n6].addr;
          a.bytes[15] = static_cast<std::uint8_t>(rng());
          return a;
        }
        userspace::IpAddress a = p4[rng() % n4].addr;
        a.bytes[15] = static_cast<std::uint8_t>(rng());
        return a;
      };
      r.src_host = pick();
      r.dst_host = pick();
      if (r.src_host.is_v6 != r.dst_host.is_v6) r.dst_host = r.src_host;
    }
  }
  // Uniformly random over the table: fresh addresses (from a pre-drawn
  // pool of 1 M pairs) are written into the cached batch before each round;
  // the cost of that copy is measured alone and subtracted.
  std::vector<std::pair<userspace::IpAddress, userspace::IpAddress>> pool(1 << 20);
  for (auto& [a, b] : pool) {
    const auto& r = batches[rng() % batches.size()][rng() % 4096];
    a = r.src_host;
    b = r.dst_host;
  }
  for (auto& [a, b] : pool) {  // redraw from the table itself
    userspace::IpAddress x = p4[rng() % n4].addr;
    x.bytes[15] = static_cast<std::uint8_t>(rng());
    userspace::IpAddress y =
        rng() % 10 < 2 ? v4(0xdf000000u | static_cast<std::uint32_t>(rng() % 0xffffff)) : p4[rng() % n4].addr;
    a = x;
    b = y;
  }
  std::size_t next = 0;
  auto refill = [&](userspace::RecordBatch& b) {
    for (auto& r : b) {
      r.src_host = pool[next].first;
      r.dst_host = pool[next].second;
      next = (next + 1) & (pool.size() - 1);
    }
  };
  {
    const double u0 = cpu_ms();
    for (int round = 0; round < 128; ++round) refill(batches[round & 1]);
    const double copy = cpu_ms() - u0;
    const double u1 = cpu_ms();
    for (int round = 0; round < 128; ++round) {
      refill(batches[round & 1]);
      enricher.apply(batches[round & 1]);
    }
    const double both = cpu_ms() - u1;
    std::printf("enrichment, uniformly random IPv4 over the table: %.1f ns/record CPU\n",
                (both - copy) * 1e6 / (128.0 * 4096));
  }
  std::size_t records = 0;
  const Clock::time_point t3 = Clock::now();
  const double c3 = cpu_ms();
  for (int round = 0; round < 256; ++round) {
    for (auto& b : batches) {
      enricher.apply(b);
      records += b.size();
    }
  }
  const Clock::time_point t4 = Clock::now();
  const double c4 = cpu_ms();
  std::printf(
      "enrichment: %zu records, %.1f ns/record wall, %.1f ns/record CPU (src + dst lookups), dst routes "
      "%llu\n",
      records, std::chrono::duration<double, std::nano>(t4 - t3).count() / static_cast<double>(records),
      (c4 - c3) * 1e6 / static_cast<double>(records),
      static_cast<unsigned long long>(stats.counter("bgp.enrich.dst_routes").value()));
  // The same with a hot set: 8192 distinct addresses (top talkers).
  {
    std::vector<userspace::IpAddress> hot(8192);
    for (auto& a : hot) a = batches[rng() % batches.size()][rng() % 4096].dst_host;
    for (auto& b : batches) {
      for (auto& r : b) {
        r.dst_host = hot[rng() % hot.size()];
        r.src_host = hot[rng() % hot.size()];
        if (r.src_host.is_v6 != r.dst_host.is_v6) r.dst_host = r.src_host;
      }
    }
    const double h0 = cpu_ms();
    std::size_t n = 0;
    for (int round = 0; round < 256; ++round) {
      for (auto& b : batches) {
        enricher.apply(b);
        n += b.size();
      }
    }
    std::printf("enrichment, 8192 distinct addresses: %.1f ns/record CPU\n",
                (cpu_ms() - h0) * 1e6 / static_cast<double>(n));
  }
  // Withdraw everything (peer down) and check the memory comes back.
  rib.on_peer_down(peer);
  rib.publish_now();
  malloc_trim(0);
  std::printf("after peer down: prefixes %zu, attribute sets %zu\n", rib.prefix_count(),
              rib.attr_set_count());
  return 0;
}
