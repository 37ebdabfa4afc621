// See config_print.hpp.
#include "userspace/config_print.hpp"

#include "userspace/primitive.hpp"

namespace xacct::userspace {
namespace {

void print_line(std::string& out, const KeyDef& key, const std::string& plugin, const std::string& value) {
  std::string name(key.name);
  if (!plugin.empty()) name += "[" + plugin + "]";
  if (value.empty()) {
    out += "! " + name + ": (unset)\n";
  } else {
    out += name + ": " + value + "\n";
  }
}

std::string escape_cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else out += c;
  }
  return out;
}

}  // namespace

std::string canonical_config_text(const ResolvedConfig& rc) {
  std::string out = "! xacctd " + std::string(to_string(rc.role)) + ": canonical configuration\n";
  for (const KeyDef& key : key_table()) {
    if (!key_applies_to_role(key, rc.role)) continue;
    if (key.name == "plugins") {
      std::string v;
      for (const PluginDecl& d : rc.plugins) v += (v.empty() ? "" : ", ") + d.type + "[" + d.name + "]";
      print_line(out, key, "", v);
      continue;
    }
    // Global line (what the core and every plugin get), then the plugins
    // whose value differs: parsing this back gives the same values.
    const std::string global = rc.value(key.name, "");
    if (key.scope != KeyScope::kPluginOnly) print_line(out, key, "", global);
    if (key.scope == KeyScope::kGlobal) continue;
    for (const PluginDecl& d : rc.plugins) {
      if (!key.plugin_type.empty() && key.plugin_type != d.type) continue;
      const std::string v = rc.value(key.name, d.name);
      if (v != global || key.scope == KeyScope::kPluginOnly) print_line(out, key, d.name, v);
    }
  }
  return out;
}

Result<std::string> load_canonical_config_text(const ConfigOptions& options) {
  auto lines = read_config_lines(options);
  if (!lines) return lines.error();
  auto resolved = resolve_config(lines.value(), options.role);
  if (!resolved) return resolved.error();
  // Builder-level checks too (daemonize, separators, shared files).
  if (auto built = build_daemon_config(resolved.value()); !built) return built.error();
  return canonical_config_text(resolved.value());
}

std::string key_reference_markdown() {
  std::string out =
      "# xacct configuration keys\n\n"
      "Generated from the key table (userspace/config_keys.cpp). Syntax is pmacct's: "
      "`key: value`, `key[plugin]: value`, `!`/`#` comment lines. Scope: G = global only, "
      "P = global or per plugin, N = per plugin only.\n\n"
      "Unlike pmacct, an unknown key, an invalid value or a key that does not apply is an "
      "error and xacctd does not start; pmacct keys that xacct does not implement yet are "
      "rejected with \"not supported yet\".\n\n"
      "| key | type | scope | default | xacct only | description |\n"
      "|---|---|---|---|---|---|\n";
  for (const KeyDef& key : key_table()) {
    std::string type(to_string(key.type));
    if (!key.choices.empty()) type += " (" + std::string(key.choices) + ")";
    std::string applies;
    if (!key.plugin_type.empty()) applies = " Plugin type: " + std::string(key.plugin_type) + ".";
    if (key.roles == kRoleProbe) applies += " Role: probe.";
    out += "| " + std::string(key.name) + " | " + escape_cell(type) + " | " +
           std::string(to_string(key.scope)) + " | " + escape_cell(key.default_value) + " | " +
           (key.xacct_only ? "yes" : "") + " | " + escape_cell(key.help) + applies + " |\n";
  }
  out += "\nOld spellings accepted with a warning:";
  for (const KeyAlias& a : key_aliases()) {
    out += " `" + std::string(a.name) + "` (= `" + std::string(a.canonical) + "`)";
  }
  out +=
      "\n\n# Primitives\n\n"
      "| primitive | JSON key | CSV / formatted header | description |\n"
      "|---|---|---|---|\n";
  for (const PrimitiveInfo& p : primitive_table()) {
    out += "| " + std::string(p.name) + " | " + std::string(p.json_key) + " | " +
           std::string(p.csv_header) + " | " + std::string(p.description) + " |\n";
  }
  return out;
}

}  // namespace xacct::userspace
