// See config_file.hpp.
#include "userspace/config_file.hpp"
#include "userspace/text.hpp"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace xacct::userspace {
namespace {

// Parses the part before the first ':' into key and scope; returns an error
// text (without location) or empty on success.
std::string parse_key(std::string_view raw, std::string& key, std::string& plugin) {
  bool in_bracket = false;
  bool had_scope = false;
  std::string name;
  for (char c : raw) {
    if (c == '[') {
      if (in_bracket) return "nested '[' in key";
      if (had_scope) return "more than one [plugin] in key";
      in_bracket = true;
      continue;
    }
    if (c == ']') {
      if (!in_bracket) return "unbalanced ']' in key";
      in_bracket = false;
      had_scope = true;
      continue;
    }
    if (in_bracket) {
      name += c;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (had_scope) return "text after ']' in key";
    key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (in_bracket) return "unbalanced '[' in key";
  if (key.empty()) return "missing key before ':'";
  if (had_scope) {
    plugin = std::string(trim(name));
    if (plugin.empty()) return "empty plugin name in '[]'";
  }
  return {};
}

}  // namespace

Result<std::vector<ConfigLine>> parse_config_text(std::string_view text, std::string_view source) {
  std::vector<ConfigLine> lines;
  std::string errors;
  unsigned number = 0;
  while (!text.empty()) {
    ++number;
    std::size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);

    std::string_view content = trim(raw);
    if (content.empty() || content.front() == '!' || content.front() == '#') continue;

    ConfigLine line;
    line.file = std::string(source);
    line.line = number;
    std::size_t colon = content.find(':');
    std::string problem;
    if (colon == std::string_view::npos) {
      problem = "syntax error: missing ':'";
    } else {
      problem = parse_key(content.substr(0, colon), line.key, line.plugin);
      if (!problem.empty()) problem = "syntax error: " + problem;
    }
    if (!problem.empty()) {
      if (!errors.empty()) errors += '\n';
      errors += line.where() + ": " + problem;
      continue;
    }
    line.value = std::string(trim(content.substr(colon + 1)));
    lines.push_back(std::move(line));
  }
  if (!errors.empty()) return make_error(errors);
  return lines;
}

Result<std::vector<ConfigLine>> read_config_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return make_error(path + ": cannot read config file: " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return make_error(path + ": config path is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot open config file: " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return make_error(path + ": read error");
  return parse_config_text(buf.str(), path);
}

}  // namespace xacct::userspace
