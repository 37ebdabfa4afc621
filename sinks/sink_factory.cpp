// See sink_factory.hpp.
#include "sinks/sink_factory.hpp"

#include "sinks/print_sink.hpp"

namespace xacct::sinks {

userspace::Result<std::unique_ptr<userspace::Sink>> make_sink(const userspace::PluginConfig& config) {
  switch (config.type) {
    case userspace::PluginType::kPrint: {
      auto sink = PrintSink::create(config);
      if (!sink) return sink.error();
      return std::unique_ptr<userspace::Sink>(std::move(sink.value()));
    }
    case userspace::PluginType::kTee:
      break;  // replicates datagrams in the collect role, no record sink
  }
  return userspace::make_error("no sink for plugin type " + std::string(userspace::to_string(config.type)));
}

}  // namespace xacct::sinks
