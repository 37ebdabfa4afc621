// See config_plugins.hpp.
#include "userspace/config_plugins.hpp"
#include "userspace/text.hpp"

#include <algorithm>
#include <cctype>

namespace xacct::userspace {
namespace {

constexpr std::string_view kPmacctTypes[] = {"memory", "print",   "mysql",   "pgsql", "sqlite3",
                                             "amqp",   "kafka",   "nfprobe", "sfprobe", "tee"};

bool valid_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
}

}  // namespace

std::optional<PluginType> plugin_type_from_string(std::string_view type) {
  if (type == "print") return PluginType::kPrint;
  if (type == "tee") return PluginType::kTee;  // xacctd collect only (config_loader checks the role)
  return std::nullopt;
}

Result<std::vector<PluginDecl>> parse_plugin_list(std::string_view value) {
  std::vector<PluginDecl> out;
  if (trim(value).empty()) return make_error("empty plugins list");
  while (true) {
    std::size_t comma = value.find(',');
    std::string_view item = trim(value.substr(0, comma));
    if (item.empty()) return make_error("empty item in plugins list");

    PluginDecl decl;
    std::size_t open = item.find('[');
    std::string_view type = item;
    if (open != std::string_view::npos) {
      std::size_t close = item.find(']', open);
      if (close == std::string_view::npos || close != item.size() - 1 ||
          item.find('[', open + 1) != std::string_view::npos) {
        return make_error("malformed plugin '" + std::string(item) + "' (expected type[name])");
      }
      type = trim(item.substr(0, open));
      decl.name = std::string(trim(item.substr(open + 1, close - open - 1)));
      if (decl.name.empty()) return make_error("empty plugin name in '" + std::string(item) + "'");
    }
    decl.type = std::string(type);
    std::transform(decl.type.begin(), decl.type.end(), decl.type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (decl.type == "core") return make_error("plugin type 'core' is reserved");
    if (!plugin_type_from_string(decl.type)) {
      bool known = std::find(std::begin(kPmacctTypes), std::end(kPmacctTypes), decl.type) !=
                   std::end(kPmacctTypes);
      return make_error(known ? "plugin type '" + decl.type + "' is not supported yet"
                              : "unknown plugin type '" + decl.type + "'");
    }
    if (decl.name.empty()) decl.name = "default_" + decl.type;
    if (!valid_name(decl.name)) {
      return make_error("invalid plugin name '" + decl.name +
                        "' (letters, digits, '_', '-', '.' only)");
    }
    for (const PluginDecl& d : out) {
      if (d.name == decl.name) return make_error("plugin name '" + decl.name + "' is used twice");
    }
    out.push_back(std::move(decl));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace xacct::userspace
