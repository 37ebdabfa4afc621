// xacct_probe_smoke: a root-only driver of the probe library for manual
// checks and the vmtests harness. Attaches to the given interfaces, prints
// every drained record ("flow ..."/"overflow ..."), and at the end the
// records summed per key over the run ("sum ..."), the totals per interface
// and direction ("total ..."), every probe counter ("stat ...") and the
// audit verdict ("audit ok" / "audit MISMATCH").
//
//   xacct_probe_smoke [-i veth0]... [--xdp] [--no-tc] [--dir in|out|both]
//       [--clsact] [--entries N] [--interval S] [--sample N] [--duration S]
//       [--quiet] [--nflog-group G [--nflog-threshold T] [--nflog-direction D]]
// Runs until --duration seconds passed, or SIGINT/SIGTERM.
#include <arpa/inet.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "probe/probe.hpp"

namespace {

using xacct::userspace::FlowRecord;

std::string addr(const xacct::userspace::IpAddress& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.is_v6) {
    inet_ntop(AF_INET6, a.bytes.data(), buf, sizeof(buf));
  } else {
    inet_ntop(AF_INET, a.bytes.data() + 12, buf, sizeof(buf));
  }
  return buf;
}

std::string ifname(const xacct::probe::ObsRegistry& reg, const FlowRecord& r) {
  const auto* p = reg.by_id(r.obs_id);
  return p != nullptr ? p->ifname : "?";
}

const char* dir(const FlowRecord& r) {
  return r.direction == xacct::userspace::Direction::kOut ? "out" : "in";
}

// The printed key; also the key of the "sum" lines.
std::string key_text(const xacct::probe::ObsRegistry& reg, const FlowRecord& r) {
  char buf[512];
  if (r.overflow) {
    std::snprintf(buf, sizeof(buf), "if=%s dir=%s overflow=1", ifname(reg, r).c_str(), dir(r));
  } else if (r.feed == xacct::userspace::RecordFeed::kAll) {  // NFLOG
    const char* d = r.direction == xacct::userspace::Direction::kIn    ? "in"
                    : r.direction == xacct::userspace::Direction::kOut ? "out"
                                                                       : "unknown";
    std::snprintf(buf, sizeof(buf),
                  "nflog in_iface=%u out_iface=%u dir=%s src=%s dst=%s sport=%u dport=%u proto=%u tos=%u",
                  r.in_iface, r.out_iface, d, addr(r.src_host).c_str(), addr(r.dst_host).c_str(), r.src_port,
                  r.dst_port, r.proto, r.tos);
  } else if (r.feed == xacct::userspace::RecordFeed::kEbpfSample) {
    std::snprintf(buf, sizeof(buf),
                  "if=%s dir=%s vlan=%u cos=%u etype=%04x smac=%02x:%02x:%02x:%02x:%02x:%02x "
                  "mpls_top=%u mpls_bottom=%u mpls_depth=%u src=%s dst=%s sport=%u dport=%u proto=%u "
                  "rate=%u",
                  ifname(reg, r).c_str(), dir(r), r.vlan, r.cos, r.etype, r.src_mac[0], r.src_mac[1],
                  r.src_mac[2], r.src_mac[3], r.src_mac[4], r.src_mac[5], r.mpls_label_top,
                  r.mpls_label_bottom, r.mpls_stack_depth, addr(r.src_host).c_str(),
                  addr(r.dst_host).c_str(), r.src_port, r.dst_port, r.proto, r.sampling_rate);
  } else {
    std::snprintf(buf, sizeof(buf),
                  "if=%s dir=%s vlan=%u etype=%04x src=%s dst=%s sport=%u dport=%u proto=%u "
                  "tos=%u",
                  ifname(reg, r).c_str(), dir(r), r.vlan, r.etype, addr(r.src_host).c_str(),
                  addr(r.dst_host).c_str(), r.src_port, r.dst_port, r.proto, r.tos);
  }
  return buf;
}

struct Sum {
  std::uint64_t packets = 0, bytes = 0, records = 0;
  std::uint8_t tcp_flags = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"xacct probe smoke driver (root)"};
  xacct::probe::ProbeConfig cfg;
  std::string direction = "both";
  double duration = 0;
  bool no_tc = false;
  bool quiet = false;
  int nflog_group = -1;
  app.add_option("-i,--interface", cfg.interfaces, "interface to monitor");
  app.add_option("--nflog-group", nflog_group, "also read this NFLOG group");
  app.add_option("--nflog-threshold", cfg.nflog.threshold, "NFLOG queue threshold, packets");
  app.add_option("--nflog-nl-size", cfg.nflog.nl_size, "NFLOG buffer size, bytes");
  app.add_option("--nflog-direction", cfg.nflog.direction, "in or out");
  app.add_flag("--xdp", cfg.hook_xdp, "attach XDP ingress");
  app.add_flag("--no-tc", no_tc, "do not attach TC");
  app.add_option("--dir", direction, "in, out or both")->check(CLI::IsMember({"in", "out", "both"}));
  app.add_flag("--clsact", cfg.force_clsact, "use clsact even when TCX is available");
  app.add_option("--entries", cfg.flow_entries, "flow map entries per buffer");
  app.add_option("--interval", cfg.drain_interval_s, "drain interval, seconds");
  app.add_option("--sample", cfg.sample_every, "header samples 1:N (0 = off)");
  app.add_option("--duration", duration, "seconds to run (0 = until SIGINT/SIGTERM)");
  app.add_flag("--quiet", quiet, "no per-drain records, only the final sums");
  bool discard = false;
  app.add_flag("--discard", discard, "count records only (to measure the inputs' own cost)");
  CLI11_PARSE(app, argc, argv);
  if (nflog_group >= 0) {
    cfg.nflog.enabled = true;
    cfg.nflog.group = static_cast<std::uint32_t>(nflog_group);
  }
  cfg.hook_tc = !no_tc;
  cfg.dir_in = direction != "out";
  cfg.dir_out = direction != "in";

  // Block the signals before any thread starts so only sigtimedwait sees them.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  xacct::userspace::Stats stats;
  std::mutex mu;
  std::map<std::string, Sum> sums;
  const xacct::probe::ObsRegistry* reg = nullptr;
  std::uint64_t discarded = 0;
  auto on_batch = [&](xacct::userspace::RecordBatch&& batch) {
    std::lock_guard lk(mu);
    if (discard) {
      discarded += batch.size();
      return;
    }
    for (const FlowRecord& r : batch) {
      std::string k = key_text(*reg, r);
      Sum& s = sums[k];
      s.packets += r.packets;
      s.bytes += r.bytes;
      s.records += 1;
      s.tcp_flags |= r.tcp_flags;
      if (!quiet) {
        const bool sample = r.feed == xacct::userspace::RecordFeed::kEbpfSample;
        std::printf("%s %s tcp_flags=%u packets=%llu bytes=%llu\n",
                    r.overflow ? "overflow" : sample ? "sample" : "flow",
                    k.c_str(), r.tcp_flags, static_cast<unsigned long long>(r.packets),
                    static_cast<unsigned long long>(r.bytes));
      }
    }
    std::fflush(stdout);
  };

  auto probe = xacct::probe::Probe::create(cfg, stats, on_batch);
  if (!probe) {
    std::fprintf(stderr, "error: %s\n", probe.error().message.c_str());
    return 1;
  }
  reg = &(*probe)->registry();
  std::printf("attached %s\n", (*probe)->describe().c_str());
  std::fflush(stdout);
  (*probe)->start();

  if (duration > 0) {
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(duration);
    ts.tv_nsec = static_cast<long>((duration - static_cast<double>(ts.tv_sec)) * 1e9);
    sigtimedwait(&sigs, nullptr, &ts);
  } else {
    int sig = 0;
    sigwait(&sigs, &sig);
  }
  (*probe)->stop();

  std::lock_guard lk(mu);
  for (const auto& [k, s] : sums) {
    std::printf("sum %s%s tcp_flags=%u records=%llu packets=%llu bytes=%llu\n",
                k.find("rate=") != std::string::npos ? "sample " : "", k.c_str(),
                s.tcp_flags, static_cast<unsigned long long>(s.records),
                static_cast<unsigned long long>(s.packets), static_cast<unsigned long long>(s.bytes));
  }
  if (discard) std::printf("discarded %llu records\n", static_cast<unsigned long long>(discarded));
  std::uint64_t mismatch = 0;
  for (const auto& [name, value] : stats.snapshot()) {
    std::printf("stat %s %llu\n", name.c_str(), static_cast<unsigned long long>(value));
    if (name == "probe.audit.mismatch_packets" || name == "probe.audit.mismatch_bytes") {
      mismatch += value;
    }
  }
  for (const auto& p : reg->points()) {
    for (const char* d : {"in", "out"}) {
      std::string base = "probe." + p.ifname + "." + d + ".";
      std::uint64_t pk = 0, by = 0;
      for (const auto& [name, value] : stats.snapshot()) {
        if (name == base + "packets") pk = value;
        if (name == base + "bytes") by = value;
      }
      std::printf("total if=%s dir=%s packets=%llu bytes=%llu\n", p.ifname.c_str(), d,
                  static_cast<unsigned long long>(pk), static_cast<unsigned long long>(by));
    }
  }
  std::printf("audit %s\n", mismatch == 0 ? "ok" : "MISMATCH");
  return mismatch == 0 ? 0 : 2;
}
