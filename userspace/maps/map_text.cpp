// See map_text.hpp.
#include "userspace/maps/map_text.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace xacct::maps {

void LoadReport::warn(std::string_view file, unsigned line, const std::string& message) {
  warnings.push_back(std::string(file) + ":" + std::to_string(line) + ": " + message);
}

void LoadReport::warn(std::string_view file, const std::string& message) {
  warnings.push_back(std::string(file) + ": " + message);
}

userspace::Result<std::string> read_map_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return userspace::make_error(std::string(what) + " " + path + ": cannot read: " + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    return userspace::make_error(std::string(what) + " " + path + ": read error: " + std::strerror(errno));
  }
  return content.str();
}

std::vector<TextLine> content_lines(std::string_view text) {
  std::vector<TextLine> out;
  unsigned number = 0;
  while (!text.empty()) {
    ++number;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t first = line.find_first_not_of(" \t\f\v");
    if (first == std::string_view::npos) continue;
    if (line[first] == '!' || line[first] == '#') continue;
    out.push_back({number, line});
  }
  return out;
}

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v'; }

// Splits a row into tokens; "" on success, else why the line is malformed.
std::string tokenize(std::string_view line, std::vector<MapToken>& tokens) {
  if (line.find('|') != std::string_view::npos) return "malformed line: '|' is not allowed";
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  bool quoted = false;
  for (char c : line) {
    if (c == '\'') {
      quoted = !quoted;
      in_word = true;
      continue;
    }
    if (is_blank(c) && !quoted) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    word += c;
    in_word = true;
  }
  if (quoted) return "malformed line: unbalanced quote";
  if (in_word) words.push_back(std::move(word));
  for (std::string& w : words) {
    const std::size_t eq = w.find('=');
    if (eq == std::string::npos || eq == 0) {
      return "malformed token '" + w + "' (expected key=value, without blanks around '=')";
    }
    if (eq + 1 == w.size()) return "empty value for key '" + w.substr(0, eq) + "'";
    tokens.push_back({w.substr(0, eq), w.substr(eq + 1)});
  }
  return {};
}

}  // namespace

std::vector<MapRow> parse_key_value_rows(std::string_view text, std::uint32_t max_row_len) {
  std::vector<MapRow> rows;
  for (const TextLine& l : content_lines(text)) {
    MapRow row;
    row.line = l.number;
    if (max_row_len > 0 && l.text.size() >= max_row_len) {
      row.error = "line too long (max " + std::to_string(max_row_len - 1) +
                  " characters, raise maps_row_len)";
    } else {
      row.error = tokenize(l.text, row.tokens);
      if (!row.error.empty()) row.tokens.clear();
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace xacct::maps
