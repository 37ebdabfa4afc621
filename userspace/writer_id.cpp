// See writer_id.hpp.
#include "userspace/writer_id.hpp"
#include "userspace/text.hpp"

#include <algorithm>
#include <cctype>

namespace xacct::userspace {
namespace {

#ifndef XACCT_VERSION
#define XACCT_VERSION "unknown"
#endif

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// Calls `var(name)` for each $name and `text(chars)` for the rest.
template <typename Var, typename Text>
void scan(std::string_view tmpl, Var var, Text text) {
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '$' || i + 1 >= tmpl.size() || !is_name_char(tmpl[i + 1])) {
      text(tmpl.substr(i, 1));
      continue;
    }
    std::size_t end = i + 1;
    while (end < tmpl.size() && is_name_char(tmpl[end])) ++end;
    while (end > i + 2 && tmpl[end - 1] == '_') --end;
    var(lower(tmpl.substr(i + 1, end - i - 1)));
    i = end - 1;
  }
}

}  // namespace

std::string_view build_string() { return "xacct " XACCT_VERSION; }

Status check_writer_id(std::string_view tmpl) {
  std::string unknown;
  scan(
      tmpl,
      [&](const std::string& v) {
        if (v != "proc_name" && v != "writer_pid" && v != "pmacct_build" && unknown.empty()) unknown = v;
      },
      [](std::string_view) {});
  if (!unknown.empty()) {
    return make_error("unknown variable '$" + unknown + "' (known: $proc_name, $writer_pid, $pmacct_build)");
  }
  return Ok{};
}

std::string expand_writer_id(std::string_view tmpl, std::string_view proc_name, long pid) {
  std::string out;
  scan(
      tmpl,
      [&](const std::string& v) {
        if (v == "proc_name") out += proc_name;
        else if (v == "writer_pid") out += std::to_string(pid);
        else if (v == "pmacct_build") out += build_string();
      },
      [&](std::string_view t) { out += t; });
  return out;
}

}  // namespace xacct::userspace
