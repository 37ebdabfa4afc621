// libbpf calls one process-wide print function; it maps libbpf levels onto
// the "probe.libbpf" logger and formats only what the logger will print.
#include "probe/libbpf_log.hpp"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <string>

#include "probe/logger.hpp"

namespace xacct::probe {
namespace {

int print_to_spdlog(enum libbpf_print_level level, const char* fmt, va_list args) {
  auto lg = named_logger("probe.libbpf");
  spdlog::level::level_enum lvl = spdlog::level::debug;
  if (level == LIBBPF_WARN) lvl = spdlog::level::warn;
  if (level == LIBBPF_INFO) lvl = spdlog::level::info;
  if (!lg->should_log(lvl)) return 0;

  va_list copy;
  va_copy(copy, args);
  int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  if (n <= 0) return 0;
  std::string msg(static_cast<std::size_t>(n) + 1, '\0');
  std::vsnprintf(msg.data(), msg.size(), fmt, args);
  msg.resize(static_cast<std::size_t>(n));
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  lg->log(lvl, "{}", msg);
  return n;
}

}  // namespace

void route_libbpf_logs() { libbpf_set_print(print_to_spdlog); }

}  // namespace xacct::probe
