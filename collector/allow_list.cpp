// See allow_list.hpp.
#include "collector/allow_list.hpp"

#include "userspace/logging.hpp"
#include "userspace/maps/map_text.hpp"
#include "userspace/text.hpp"

namespace xacct::collector {

AllowRules parse_allow_rules(std::string_view text, std::string_view name, std::vector<std::string>& warnings) {
  std::vector<maps::IpPrefix> prefixes;
  for (const maps::TextLine& line : maps::content_lines(text)) {
    std::string_view t = userspace::trim(line.text);
    auto p = maps::parse_prefix(t);
    if (!p) {
      warnings.push_back(std::string(name) + ":" + std::to_string(line.number) + ": " + p.error().message);
      continue;
    }
    prefixes.push_back(p.value());
  }
  return AllowRules(std::move(prefixes), false);
}

userspace::Result<std::unique_ptr<AllowList>> AllowList::create(const std::string& path) {
  std::unique_ptr<AllowList> list(new AllowList(path));
  auto rules = list->load();
  if (!rules) return rules.error();
  list->rules_.store(std::move(rules.value()), std::memory_order_release);
  return list;
}

userspace::Result<std::shared_ptr<const AllowRules>> AllowList::load() const {
  if (path_.empty()) return std::make_shared<const AllowRules>(std::vector<maps::IpPrefix>{}, true);
  auto text = maps::read_map_file(path_, "allow file");
  if (!text) return text.error();
  std::vector<std::string> warnings;
  auto rules = std::make_shared<const AllowRules>(parse_allow_rules(text.value(), path_, warnings));
  auto log = userspace::get_logger("collector");
  for (const auto& w : warnings) log->warn("{}", w);
  log->info("allow file {}: {} prefixes{}", path_, rules->size(), rules->size() == 0 ? " (every exporter denied)" : "");
  return rules;
}

userspace::Status AllowList::reload() {
  if (path_.empty()) return userspace::Ok{};
  auto rules = load();
  if (!rules) return rules.error();
  rules_.store(std::move(rules.value()), std::memory_order_release);
  return userspace::Ok{};
}

}  // namespace xacct::collector
