// Template definitions of NetFlow v9 / IPFIX and their persistence in
// nfacctd_templates_file, so that a restarted collector decodes data from
// exporters that only resend templates every few minutes.
//
// File format: JSON lines, one template per line, written whole (temp file +
// rename) when the set of templates changes:
//   {"exporter":"192.0.2.1","version":10,"domain":4242,"id":256,"options":0,"scope":0,
//    "fields":[[8,4,0],[12,4,0],[1,8,0],[40000,4,9]]}
// `scope` is the number of scope fields (options templates, first in
// `fields`); a field is [element id, length, enterprise number]; length 65535
// is an IPFIX variable-length field. Lines that do not parse are skipped
// and counted. Only this module reads or writes the file.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "userspace/flow_record.hpp"
#include "userspace/result.hpp"

namespace xacct::collector::nf {

inline constexpr std::uint16_t kVariableLength = 65535;

struct FieldSpec {
  std::uint16_t id = 0;  // element id without the enterprise bit
  std::uint16_t length = 0;
  std::uint32_t pen = 0;  // enterprise number, 0 = IANA
  bool operator==(const FieldSpec&) const = default;
};

struct TemplateDef {
  std::uint16_t id = 0;
  bool options = false;
  std::uint16_t scope_count = 0;  // options templates: the first scope_count fields are scopes
  std::vector<FieldSpec> fields;
  bool operator==(const TemplateDef&) const = default;
};

// Where templates live: (exporter, version, source id / observation domain).
struct DomainKey {
  userspace::IpAddress exporter;
  std::uint16_t version = 0;
  std::uint32_t domain = 0;
  bool operator==(const DomainKey&) const = default;
};

struct DomainKeyHash {
  std::size_t operator()(const DomainKey& k) const noexcept {
    std::uint64_t h = 1469598103934665603ull;
    for (std::uint8_t b : k.exporter.bytes) h = (h ^ b) * 1099511628211ull;
    h = (h ^ k.version) * 1099511628211ull;
    h = (h ^ k.domain) * 1099511628211ull;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
};

struct StoredTemplate {
  DomainKey key;
  TemplateDef def;
};

// One line of the file, and back. parse_template_line returns nullopt for
// anything that is not a complete, valid line of this format.
std::string format_template_line(const StoredTemplate& t);
std::optional<StoredTemplate> parse_template_line(std::string_view line);

// The file and its in-memory copy, shared (and locked) by every decoder of
// the process that names the same path.
class TemplateFile {
 public:
  static std::shared_ptr<TemplateFile> open(const std::string& path);

  explicit TemplateFile(std::string path);
  ~TemplateFile();

  // What the file held when first opened (and what was put since).
  std::vector<StoredTemplate> entries() const;
  std::uint64_t load_errors() const { return load_errors_; }
  bool loaded_file() const { return loaded_file_; }

  void put(const DomainKey& key, const TemplateDef& def);
  void remove(const DomainKey& key, std::uint16_t id);

  // Writes the file if something changed and the last write is at least
  // one second older than now_ns; returns the write's status (Ok if nothing
  // was written).
  userspace::Status maybe_write(std::int64_t now_ns);
  // Writes the file if something changed.
  userspace::Status write();

 private:
  userspace::Status write_locked();
  static std::string map_key(const DomainKey& key, std::uint16_t id);

  const std::string path_;
  mutable std::mutex mu_;
  std::map<std::string, StoredTemplate> templates_;
  std::atomic<bool> dirty_{false};  // read without the lock on every datagram
  std::int64_t last_write_ns_ = 0;
  std::uint64_t load_errors_ = 0;
  bool loaded_file_ = false;
};

}  // namespace xacct::collector::nf
