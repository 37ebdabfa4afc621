// See logging.hpp.
#include "userspace/logging.hpp"

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace xacct::userspace {

std::shared_ptr<spdlog::logger> get_logger(const std::string& name) {
  // spdlog::get + create is not atomic; two threads asking for the same new
  // name at once would make create throw.
  static std::mutex mu;
  std::lock_guard lock(mu);
  if (auto existing = spdlog::get(name)) return existing;
  return spdlog::stderr_color_mt(name);
}

}  // namespace xacct::userspace
