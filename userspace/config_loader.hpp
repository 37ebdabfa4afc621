// From config lines to a DaemonConfig, in two steps:
//   resolve_config(): every line checked against the key table (unknown
//     keys, pmacct keys not supported yet, scope, role, value) and the
//     plugins line parsed; every problem is reported, each with file:line,
//     and any problem means no config: the daemon refuses to start.
//   build_daemon_config(): the typed structs, from the effective value of
//     each key: for a plugin, the last line that is either global or scoped
//     to it (so a global line after a scoped one wins, as in pmacct).
// load_daemon_config() does both, reading the file (-f) or the embedded
// default and appending the command-line overrides after it.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "userspace/config.hpp"
#include "userspace/config_file.hpp"
#include "userspace/config_keys.hpp"
#include "userspace/config_plugins.hpp"
#include "userspace/result.hpp"

namespace xacct::userspace {

struct ConfigOptions {
  Role role = Role::kProbe;
  // -f FILE; empty = the role's embedded default (embedded_default_config()).
  std::string config_file;
  // Command-line settings as config lines ("pcap_interface: eth0",
  // "aggregate[foo]: proto"), applied after the file so they win. Join
  // repeated list options into one line ("pcap_interface: eth0, eth1").
  std::vector<std::string> overrides;
};

struct Assignment {
  const KeyDef* key = nullptr;
  std::string plugin;  // "" = global line
  std::string value;   // canonical (see canonicalize_value)
  std::string where;   // "file:line"
  std::size_t order = 0;  // index of the line, to report errors in file order
};

class ResolvedConfig {
 public:
  Role role = Role::kProbe;
  std::vector<PluginDecl> plugins;
  std::vector<Assignment> assignments;  // in file order
  std::vector<std::string> warnings;    // with file:line

  // The line in effect for `key` in `plugin` ("" = the core), or nullptr
  // when the default applies.
  const Assignment* effective(std::string_view key, std::string_view plugin) const;
  // Effective canonical value or the key's default.
  std::string value(std::string_view key, std::string_view plugin) const;

  // Names passed to value() so far (tests check every key is used).
  const std::vector<std::string>& keys_read() const { return keys_read_; }

 private:
  mutable std::vector<std::string> keys_read_;
};

Result<ResolvedConfig> resolve_config(std::span<const ConfigLine> lines, Role role);
Result<DaemonConfig> build_daemon_config(const ResolvedConfig& resolved);

// The file (or embedded default) followed by the overrides.
Result<std::vector<ConfigLine>> read_config_lines(const ConfigOptions& options);
// read_config_lines + resolve_config + build_daemon_config; warnings go to
// the "config" logger.
Result<DaemonConfig> load_daemon_config(const ConfigOptions& options);

// What `xacctd probe` runs without -f: one print plugin, formatted top 20 by
// bytes, every 5 s, on the 5-tuple.
std::string_view embedded_default_config(Role role);

}  // namespace xacct::userspace
