// AllowList: nfacctd_allow_file / sfacctd_allow_file, the exporters a
// listener accepts datagrams from. The file holds IPv4/IPv6 addresses or
// prefixes, one per line ('!' or '#' comments); no file configured = allow
// every exporter, an empty file = deny every exporter (pmacct).
//
// The rules are one immutable snapshot swapped atomically by reload()
// (SIGUSR2); a listener takes the snapshot once per receive batch. A file
// that cannot be read on reload keeps the previous rules (logged, and the
// error is returned). Unlike pmacct 1.7.7, an exporter removed and then
// added back is accepted again after the reload.
//
// Bad lines are warnings (file:line) and are skipped. Logger "collector".
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "userspace/flow_record.hpp"
#include "userspace/maps/ip_prefix.hpp"
#include "userspace/result.hpp"

namespace xacct::collector {

class AllowRules {
 public:
  explicit AllowRules(std::vector<maps::IpPrefix> prefixes, bool allow_all)
      : prefixes_(std::move(prefixes)), allow_all_(allow_all) {}
  bool allowed(const userspace::IpAddress& a) const {
    if (allow_all_) return true;
    for (const auto& p : prefixes_) {
      if (p.contains(a)) return true;
    }
    return false;
  }
  std::size_t size() const { return prefixes_.size(); }
  bool allow_all() const { return allow_all_; }

 private:
  std::vector<maps::IpPrefix> prefixes_;
  bool allow_all_;
};

// Parses the text of an allow file; `warnings` gets "name:line: ..." for bad lines.
AllowRules parse_allow_rules(std::string_view text, std::string_view name, std::vector<std::string>& warnings);

class AllowList {
 public:
  // `path` "" = allow all (reload() is then a no-op). Fails when the file
  // cannot be read.
  static userspace::Result<std::unique_ptr<AllowList>> create(const std::string& path);

  userspace::Status reload();
  std::shared_ptr<const AllowRules> rules() const { return rules_.load(std::memory_order_acquire); }
  const std::string& path() const { return path_; }

 private:
  explicit AllowList(std::string path) : path_(std::move(path)) {}
  userspace::Result<std::shared_ptr<const AllowRules>> load() const;

  std::string path_;
  std::atomic<std::shared_ptr<const AllowRules>> rules_;
};

}  // namespace xacct::collector
