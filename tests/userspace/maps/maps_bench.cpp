// xacct_maps_bench: lookups per second of the networks_file table (IPv4 and
// IPv6, full-table sizes) and records per second of MapSet::apply with a
// pre_tag_map. Not a test: prints numbers (run it on an idle machine).
//
//   xacct_maps_bench [v4_prefixes [v6_prefixes]]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "userspace/maps/map_set.hpp"
#include "userspace/maps/network_policy.hpp"
#include "userspace/maps/networks_file.hpp"
#include "userspace/maps/pre_tag_map.hpp"

namespace {

using xacct::maps::LoadReport;
using xacct::maps::NetworksTable;
using xacct::userspace::FlowRecord;
using xacct::userspace::IpAddress;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

IpAddress v4(std::uint32_t a) {
  IpAddress ip;
  ip.bytes[10] = ip.bytes[11] = 0xff;
  for (int i = 0; i < 4; ++i) ip.bytes[static_cast<std::size_t>(12 + i)] = static_cast<std::uint8_t>(a >> (24 - 8 * i));
  return ip;
}

std::string v4_text(std::uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string(a >> 16 & 0xff) + "." + std::to_string(a >> 8 & 0xff) + "." +
         std::to_string(a & 0xff);
}

// A full-table-like length mix: mostly /24, some /16../23, a few longer.
unsigned v4_length(std::mt19937& rng) {
  const unsigned r = rng() % 100;
  if (r < 55) return 24;
  if (r < 90) return 16 + rng() % 8;
  if (r < 97) return 8 + rng() % 8;
  return 25 + rng() % 8;
}

template <typename F>
void measure(const char* what, std::size_t n, F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t sink = 0;
  for (std::size_t i = 0; i < n; ++i) sink += f(i);
  const double s = seconds_since(t0);
  std::printf("%-44s %10.1f M/s  (%.1f ns each, checksum %zu)\n", what, static_cast<double>(n) / s / 1e6,
              s * 1e9 / static_cast<double>(n), sink);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n4 = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000000;
  const std::size_t n6 = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 200000;
  std::mt19937 rng(42);

  std::string file;
  file.reserve((n4 + n6) * 40);
  for (std::size_t i = 0; i < n4; ++i) {
    file += std::to_string(64512 + rng() % 1000) + "," + v4_text(static_cast<std::uint32_t>(rng())) + "/" +
            std::to_string(v4_length(rng)) + "\n";
  }
  char buf[64];
  for (std::size_t i = 0; i < n6; ++i) {
    std::snprintf(buf, sizeof buf, "2%03x:%x:%x::/%u", static_cast<unsigned>(rng() % 0x1000),
                  static_cast<unsigned>(rng() % 0x10000), static_cast<unsigned>(rng() % 0x10000),
                  static_cast<unsigned>(29 + rng() % 20));
    file += std::string("65000,") + buf + "\n";
  }
  LoadReport report;
  auto t0 = std::chrono::steady_clock::now();
  auto table = NetworksTable::parse(file, "bench", report);
  std::printf("networks_file: %zu prefixes (%zu v4, %zu v6 requested) parsed and compiled in %.2f s; "
              "%zu v4 / %zu v6 intervals; %zu bad lines\n",
              table->size(), n4, n6, seconds_since(t0), table->intervals_v4(), table->intervals_v6(),
              report.warnings.size());

  constexpr std::size_t kQueries = 1 << 22;
  std::vector<IpAddress> q4(kQueries), q6(kQueries);
  for (auto& a : q4) a = v4(static_cast<std::uint32_t>(rng()));
  for (auto& a : q6) {
    a.is_v6 = true;
    a.bytes[0] = 0x20;
    for (std::size_t b = 1; b < 16; ++b) a.bytes[b] = static_cast<std::uint8_t>(rng());
    a.bytes[1] &= 0x0f;
  }
  for (int round = 0; round < 2; ++round) {
    measure("networks_file lookup, IPv4 random addresses", kQueries,
            [&](std::size_t i) { return table->lookup(q4[i]) != nullptr ? 1u : 0u; });
    measure("networks_file lookup, IPv6 random addresses", kQueries,
            [&](std::size_t i) { return table->lookup(q6[i]) != nullptr ? 1u : 0u; });
  }

  // MapSet::apply: networks + a 10-rule pre_tag_map (in/out rules, then a filter rule).
  std::string tags;
  for (int i = 1; i <= 8; ++i) tags += "set_tag=" + std::to_string(i) + " in=" + std::to_string(i) + " jeq=out\n";
  tags += "set_tag2=1 out=1 label=out\n";
  tags += "set_label=dns filter='udp port 53'\n";
  auto ptm = xacct::maps::PreTagMap::parse(tags, "bench.map", {}, report);
  std::vector<FlowRecord> records(4096);
  for (std::size_t i = 0; i < records.size(); ++i) {
    FlowRecord& r = records[i];
    r.src_host = q4[i];
    r.dst_host = q4[i + 4096];
    r.proto = 17;
    r.src_port = static_cast<std::uint16_t>(rng());
    r.dst_port = i % 4 == 0 ? 53 : 443;
    r.in_iface = static_cast<std::uint32_t>(1 + i % 10);
    r.out_iface = static_cast<std::uint32_t>(i % 2);
    r.packets = 1;
    r.bytes = 100;
  }
  measure("pre_tag_map apply (10 rules, jeq, 1 filter)", records.size() * 256, [&](std::size_t i) {
    FlowRecord r = records[i % records.size()];
    ptm->apply(r, nullptr);
    return static_cast<std::size_t>(r.tag);
  });
  // The per-record work of MapSet::apply: networks (nets, masks, ASNs),
  // pre_tag_map, networks_file_filter.
  xacct::maps::MapsConfig mc;
  mc.networks_file = "bench";
  mc.as_source = "file";
  mc.networks_file_filter = true;
  auto policy = xacct::maps::NetworkPolicy::resolve(mc);
  measure("networks (nets, masks, ASNs) per record", records.size() * 256, [&](std::size_t i) {
    FlowRecord r = records[i % records.size()];
    xacct::maps::apply_networks(policy.value(), table.get(), r);
    return static_cast<std::size_t>(r.src_mask);
  });
  measure("networks + pre_tag_map + filter per record", records.size() * 256, [&](std::size_t i) {
    FlowRecord r = records[i % records.size()];
    const auto lookup = xacct::maps::apply_networks(policy.value(), table.get(), r);
    ptm->apply(r, nullptr);
    xacct::maps::apply_networks_filter(policy.value(), lookup, r);
    return static_cast<std::size_t>(r.src_mask);
  });
  return 0;
}
