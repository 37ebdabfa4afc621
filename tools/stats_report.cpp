#include "tools/stats_report.hpp"

#include <cstdio>
#include <string>
#include <string_view>

#include "userspace/logging.hpp"

namespace xacct::tools {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Counters whose non-zero value means something was lost or not counted
// the normal way; the final report names each one.
bool is_loss_counter(std::string_view name) {
  for (std::string_view s : {".overflow_packets", ".insert_fail", ".not_parsed", ".queue_drop_records",
                             ".mismatch_packets", ".mismatch_bytes", ".drops", ".drain_errors",
                             ".lost_packets", ".enobufs", ".kernel_drops", ".ifdrops"}) {
    if (ends_with(name, s)) return true;
  }
  return false;
}

}  // namespace

void log_stats(const userspace::Stats& stats) {
  auto log = userspace::get_logger("stats");
  auto snap = stats.snapshot();
  log->info("{} counters", snap.size());
  for (const auto& [name, value] : snap) log->info("{} {}", name, value);
}

void log_final_totals(const userspace::Stats& stats) {
  auto snap = stats.snapshot();
  std::printf("\nfinal totals\n");
  for (const auto& [name, value] : snap) {
    // probe.<ifname>.<dir>.packets, printed with its .bytes sibling.
    if (name.rfind("probe.", 0) != 0 || !ends_with(name, ".packets")) continue;
    if (name.find(".audit.") != std::string::npos || name.find(".ringbuf.") != std::string::npos) continue;
    std::string base = name.substr(6, name.size() - 6 - 8);
    if (base.find('.') == std::string::npos) continue;  // not <ifname>.<dir>
    std::uint64_t bytes = 0;
    for (const auto& [n2, v2] : snap) {
      if (n2 == "probe." + base + ".bytes") bytes = v2;
    }
    if (value == 0 && bytes == 0) continue;
    std::printf("  %-24s %14llu packets %18llu bytes\n", base.c_str(),
                static_cast<unsigned long long>(value), static_cast<unsigned long long>(bytes));
  }
  bool any_loss = false;
  for (const auto& [name, value] : snap) {
    if (value == 0 || !is_loss_counter(name)) continue;
    if (!any_loss) std::printf("not counted as flows or lost (see docs/datapath.md):\n");
    any_loss = true;
    std::printf("  %-48s %llu\n", name.c_str(), static_cast<unsigned long long>(value));
  }
  if (!any_loss) std::printf("  nothing lost: every packet is in a flow record\n");
  std::fflush(stdout);
}

}  // namespace xacct::tools
