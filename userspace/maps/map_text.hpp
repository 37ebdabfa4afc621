// Reading map files: the whole file (a map is loaded into an immutable
// object at once), its lines with their numbers, and pmacct's key=value
// rows (spec/maps.md §0): blank-separated key=value tokens in any order,
// single quotes group blanks ('udp and port 53') and are removed, '!' or
// '#' as first non-blank starts a comment, no blanks around '=' and no '|'.
//
// Bad lines are not fatal: each one becomes a "file:line: message" warning
// in the LoadReport and is skipped, the rest of the file loads (pmacct).
// Only an unreadable file fails a load.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "userspace/result.hpp"

namespace xacct::maps {

struct LoadReport {
  std::vector<std::string> warnings;  // "file:line: message" (or "file: message")

  void warn(std::string_view file, unsigned line, const std::string& message);
  void warn(std::string_view file, const std::string& message);
};

// The file's content; "pre_tag_map /x: cannot read: No such file or directory".
userspace::Result<std::string> read_map_file(const std::string& path, std::string_view what);

struct TextLine {
  unsigned number = 0;  // 1-based
  std::string_view text;  // without the end of line (and '\r')
};

// Every line that is neither blank nor a comment.
std::vector<TextLine> content_lines(std::string_view text);

struct MapToken {
  std::string key;
  std::string value;
};

struct MapRow {
  unsigned line = 0;
  std::vector<MapToken> tokens;  // in file order
  std::string error;             // non-empty: the line is malformed (why)
};

// Tokenizes key=value rows, in file order. A malformed line, or one of
// max_row_len characters or more (maps_row_len counts the NUL, as pmacct's
// buffer does; 0 = no limit), comes back with `error` set and no tokens.
std::vector<MapRow> parse_key_value_rows(std::string_view text, std::uint32_t max_row_len);

}  // namespace xacct::maps
