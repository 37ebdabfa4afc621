// The `plugins` value: "print[a], print[b], memory". An unnamed plugin is
// called default_<type>; names must be unique across all types (pmacct's
// rule) and made of letters, digits, '_', '-' and '.', because they appear
// in stats names ("plugin.<name>.records_in") and marker writer ids. Type
// "core" is reserved. Known pmacct types that xacct does not have yet are
// rejected as "not supported yet".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "userspace/config.hpp"
#include "userspace/result.hpp"

namespace xacct::userspace {

struct PluginDecl {
  std::string type;  // lowercase type name ("print")
  std::string name;
};

// Errors carry no location (the caller adds "file:line: ").
Result<std::vector<PluginDecl>> parse_plugin_list(std::string_view value);

// The implemented type of that name, if any.
std::optional<PluginType> plugin_type_from_string(std::string_view type);

}  // namespace xacct::userspace
