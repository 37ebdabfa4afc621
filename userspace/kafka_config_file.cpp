// See kafka_config_file.hpp.
#include "userspace/kafka_config_file.hpp"

#include <fstream>
#include <sstream>

namespace xacct::userspace {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::vector<KafkaProperty>> parse_kafka_config(std::string_view text, std::string_view file) {
  std::vector<KafkaProperty> out;
  int line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#' || line.front() == '!') continue;
    const std::size_t c1 = line.find(',');
    const std::size_t c2 = c1 == std::string_view::npos ? c1 : line.find(',', c1 + 1);
    const auto where = std::string(file) + ":" + std::to_string(line_no) + ": ";
    if (c2 == std::string_view::npos) return make_error(where + "expected 'global|topic, key, value'");
    const std::string_view scope = trim(line.substr(0, c1));
    KafkaProperty p;
    p.line = line_no;
    if (scope == "topic") {
      p.topic = true;
    } else if (scope != "global") {
      return make_error(where + "scope '" + std::string(scope) + "' is neither 'global' nor 'topic'");
    }
    p.key = std::string(trim(line.substr(c1 + 1, c2 - c1 - 1)));
    p.value = std::string(trim(line.substr(c2 + 1)));
    if (p.key.empty() || p.value.empty()) return make_error(where + "empty key or value");
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<KafkaProperty>> load_kafka_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error("kafka config file " + path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_kafka_config(text.str(), path);
}

}  // namespace xacct::userspace
