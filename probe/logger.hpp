// The probe's named spdlog loggers: "probe" for the control path and
// "probe.libbpf" for libbpf's own messages (userspace::get_logger: the
// daemon's registered logger of that name, else a stderr one).
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

#include "userspace/logging.hpp"

namespace xacct::probe {

inline std::shared_ptr<spdlog::logger> named_logger(const std::string& name) {
  return userspace::get_logger(name);
}

inline std::shared_ptr<spdlog::logger> log() { return named_logger("probe"); }

}  // namespace xacct::probe
