// The pmacct configuration file syntax (spec/config.md §1), lexically: no
// knowledge of which keys exist (that is config_keys) or what they mean.
//
//   key: value             split at the first ':'; the value keeps later
//                          colons (IPv6 addresses, host:port)
//   key[plugin]: value     scoped to one plugin
//   ! comment / # comment  whole-line comments only; blank lines ignored
//
// Keys are lowercased and lose every blank outside the brackets
// ("  AGGREGATE [b] :" is "aggregate" scoped to "b"); plugin names keep their
// case, as in pmacct, but lose surrounding blanks. Values are trimmed.
// Missing ':', a missing key, or unbalanced/nested brackets are errors
// carrying "file:line". Every error of the file is reported, not only the
// first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "userspace/result.hpp"

namespace xacct::userspace {

struct ConfigLine {
  std::string file;  // file path, "command line" or "<embedded default>"
  unsigned line = 0;  // 1-based
  std::string key;     // normalized
  std::string plugin;  // scope; empty = global
  std::string value;   // trimmed

  std::string where() const { return file + ":" + std::to_string(line); }
};

// Parses `text` as if read from a file called `source`.
Result<std::vector<ConfigLine>> parse_config_text(std::string_view text, std::string_view source);

// Reads and parses a config file. The path must name a regular file.
Result<std::vector<ConfigLine>> read_config_file(const std::string& path);

}  // namespace xacct::userspace
