// Test helpers for sinks: a plugin config from config text, a temporary
// directory removed at the end of the test, whole-file reads.
#pragma once

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "userspace/config_loader.hpp"

namespace xacct::sinks::testing {

// The one plugin "p" of `text` (plugins: print[p] is prepended).
inline userspace::PluginConfig config(const std::string& text) {
  auto lines = userspace::parse_config_text("plugins: print[p]\n" + text, "t");
  if (!lines) throw std::runtime_error(lines.error().message);
  auto rc = userspace::resolve_config(lines.value(), userspace::Role::kProbe);
  if (!rc) throw std::runtime_error(rc.error().message);
  auto dc = userspace::build_daemon_config(rc.value());
  if (!dc) throw std::runtime_error(dc.error().message);
  return dc.value().plugins.at(0);
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/xacct-sink-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  // Every regular file and symlink under the directory, relative, sorted.
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(path_)) {
      if (e.is_symlink() || e.is_regular_file()) out.push_back(std::filesystem::relative(e.path(), path_));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::string path_;
};

}  // namespace xacct::sinks::testing
