// See config.hpp.
#include "userspace/config.hpp"

namespace xacct::userspace {

std::string_view to_string(PluginType type) {
  switch (type) {
    case PluginType::kPrint: return "print";
    case PluginType::kTee: return "tee";
  }
  return "?";
}

std::string_view to_string(PrintOutput output) {
  switch (output) {
    case PrintOutput::kFormatted: return "formatted";
    case PrintOutput::kCsv: return "csv";
    case PrintOutput::kJson: return "json";
  }
  return "?";
}

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kProbe: return "probe";
    case Role::kCollect: return "collect";
  }
  return "?";
}

}  // namespace xacct::userspace
