// See capture_role.hpp. Start order as in the probe role: the pipeline
// first, so the first batch has somewhere to go; stop order reversed, so
// the input's last batches reach the plugins before their final flush.
#include "tools/capture_role.hpp"

#include <chrono>
#include <cstdio>
#include <string>

#include "probe/capture/capture_config.hpp"
#include "probe/capture/live_capture.hpp"
#include "probe/capture/savefile_input.hpp"
#include "probe/default_route.hpp"
#include "tools/daemon_loop.hpp"
#include "tools/stats_report.hpp"
#include "userspace/logging.hpp"
#include "userspace/maps/map_set.hpp"
#include "userspace/pipeline.hpp"

namespace xacct::tools {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

std::uint64_t value_of(const userspace::Stats& stats, const std::string& name) {
  for (const auto& [n, v] : stats.snapshot()) {
    if (n == name) return v;
  }
  return 0;
}

unsigned long long ull(std::uint64_t v) { return static_cast<unsigned long long>(v); }

}  // namespace

void print_capture_totals(const userspace::Stats& stats) {
  std::printf("\ncapture totals\n");
  const std::string suffix = ".received";
  for (const auto& [name, received] : stats.snapshot()) {
    if (name.rfind("capture.", 0) != 0 || name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    const std::string prefix = name.substr(0, name.size() - suffix.size() + 1);  // "capture.<src>."
    const std::string source = prefix.substr(8, prefix.size() - 9);
    std::printf("  %-16s %llu received: %llu IP packets (%llu bytes), %llu not parsed", source.c_str(),
                ull(received), ull(value_of(stats, prefix + "ip_packets")),
                ull(value_of(stats, prefix + "ip_bytes")), ull(value_of(stats, prefix + "not_parsed")));
    if (source == "savefile") {
      std::printf("; %llu read from files, %llu filtered", ull(value_of(stats, prefix + "file_packets")),
                  ull(value_of(stats, prefix + "filtered")));
    } else {
      std::printf("; libpcap: %llu packets, %llu kernel drops, %llu interface drops",
                  ull(value_of(stats, prefix + "packets")), ull(value_of(stats, prefix + "kernel_drops")),
                  ull(value_of(stats, prefix + "ifdrops")));
    }
    std::printf("\n");
  }
  std::fflush(stdout);
}

namespace {

int run_savefiles(const capture::CaptureConfig& cc, userspace::Pipeline& pl, maps::MapSet& ms,
                  userspace::Stats& stats) {
  auto log = userspace::get_logger("xacctd");
  capture::BatchOutput out;
  out.push = make_input_feed(pl, ms);
  out.has_room = [&pl](std::size_t n) { return pl.has_room(n); };
  auto input = capture::SavefileInput::create(cc, stats, std::move(out));
  if (!input) {
    log->error("{}", input.error().message);
    return 1;
  }
  pl.start();
  input.value()->start();
  log->info("reading savefiles: {} ({} pass{}{})", join(cc.savefile.files), cc.savefile.replay,
            cc.savefile.replay == 1 ? "" : "es",
            cc.savefile.wait ? ", then waiting (pcap_savefile_wait)" : "");
  bool announced = false;
  run_signal_loop(stats, ms, std::chrono::milliseconds(100), {}, [&] {
    if (!input.value()->finished()) return false;
    if (!cc.savefile.wait) return true;
    if (!announced) log->info("savefiles done; running until SIGINT/SIGTERM (pcap_savefile_wait)");
    announced = true;
    return false;
  });
  log->info("stopping: final flush");
  input.value()->stop();
  pl.stop();
  return 0;
}

int run_live(capture::CaptureConfig cc, userspace::Pipeline& pl, maps::MapSet& ms, userspace::Stats& stats) {
  auto log = userspace::get_logger("xacctd");
  if (cc.interfaces.empty()) {
    auto iface = probe::default_route_interface();
    if (!iface) {
      log->error("no interface configured and {}; set `pcap_interface:` or use -i IFACE",
                 iface.error().message);
      return 1;
    }
    cc.interfaces.push_back(iface.value());
    log->info("no interface configured: using {}, the interface of the default route", iface.value());
  }
  capture::BatchOutput out;
  out.push = make_input_feed(pl, ms);
  auto live = capture::LiveCapture::create(cc, stats, std::move(out));
  if (!live) {
    log->error("{}", live.error().message);
    return 1;
  }
  pl.start();
  live.value()->start();
  log->info("capturing with libpcap: {}", live.value()->describe());
  run_signal_loop(stats, ms, std::chrono::milliseconds(1000), [&] { live.value()->refresh_stats(); });
  log->info("stopping: final read of the capture rings and flush");
  live.value()->stop();
  pl.stop();
  return 0;
}

}  // namespace

bool capture_selected(const userspace::DaemonConfig& config) {
  const auto kind = capture::select_input(config.core);
  return kind == capture::InputKind::kPcapLive || kind == capture::InputKind::kSavefile;
}

int run_capture(const userspace::DaemonConfig& config, userspace::Stats& stats) {
  auto log = userspace::get_logger("xacctd");
  auto cc = capture::make_capture_config(config.core);
  if (!cc) {
    log->error("{}", cc.error().message);
    return 1;
  }
  if (cc.value().ifindex_mode != capture::IfindexMode::kNone &&
      cc.value().direction == userspace::Direction::kUnknown) {
    log->warn("pcap_ifindex has no effect without pcap_direction (as in pmacct): in_iface/out_iface stay 0");
  }
  auto role = make_role_core(config, stats);
  if (!role) {
    log->error("{}", role.error().message);
    return 1;
  }
  userspace::Pipeline& pl = *role.value().pipeline;
  maps::MapSet& ms = *role.value().maps;
  const int rc = cc.value().uses_savefile() ? run_savefiles(cc.value(), pl, ms, stats)
                                            : run_live(cc.value(), pl, ms, stats);
  if (rc != 0) return rc;
  print_capture_totals(stats);
  log_final_totals(stats);
  return 0;
}

}  // namespace xacct::tools
