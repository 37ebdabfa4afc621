// Named spdlog loggers, one per subsystem ("config", "pipeline",
// "sink.print"). main() may register its own loggers (sinks, levels) before
// the components start; get_logger() then returns those, and otherwise
// creates a plain stderr logger so that library code and unit tests never
// depend on main() having run.
#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace xacct::userspace {

std::shared_ptr<spdlog::logger> get_logger(const std::string& name);

}  // namespace xacct::userspace
