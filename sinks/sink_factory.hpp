// make_sink: the SinkFactory the daemon hands to Pipeline::create(): the
// sink for a plugin's type (print only, for now).
#pragma once

#include <memory>

#include "userspace/config.hpp"
#include "userspace/result.hpp"
#include "userspace/sink.hpp"

namespace xacct::sinks {

userspace::Result<std::unique_ptr<userspace::Sink>> make_sink(const userspace::PluginConfig& config);

}  // namespace xacct::sinks
