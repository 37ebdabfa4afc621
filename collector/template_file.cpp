// See template_file.hpp. The parser below reads exactly the format this file
// writes (flat object, string and integer values, one array of integer
// triples); it is not a general JSON parser and does not need to be.
#include "collector/template_file.hpp"
#include "userspace/primitive_encodings.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace xacct::collector::nf {

namespace {

std::optional<userspace::IpAddress> parse_address(const std::string& s) {
  userspace::IpAddress a;
  if (s.find(':') != std::string::npos) {
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
    a.is_v6 = true;
    return a;
  }
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data() + 12) != 1) return std::nullopt;
  a.bytes[10] = a.bytes[11] = 0xff;
  return a;
}

class LineParser {
 public:
  explicit LineParser(std::string_view s) : s_(s) {}

  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  bool eat(char c) {
    skip_ws();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool peek(char c) {
    skip_ws();
    return i_ < s_.size() && s_[i_] == c;
  }
  bool at_end() {
    skip_ws();
    return i_ == s_.size();
  }
  std::optional<std::string> string() {
    if (!eat('"')) return std::nullopt;
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\' || out.size() > 64) return std::nullopt;  // never written by us
      out.push_back(s_[i_++]);
    }
    if (i_ == s_.size()) return std::nullopt;
    ++i_;
    return out;
  }
  std::optional<std::uint64_t> number(std::uint64_t max) {
    skip_ws();
    std::uint64_t v = 0;
    std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
      v = v * 10 + static_cast<std::uint64_t>(s_[i_] - '0');
      if (v > max) return std::nullopt;
      ++i_;
    }
    if (i_ == start) return std::nullopt;
    return v;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::string format_template_line(const StoredTemplate& t) {
  std::ostringstream o;
  o << "{\"exporter\":\"" << userspace::ip_text(t.key.exporter) << "\",\"version\":" << t.key.version
    << ",\"domain\":" << t.key.domain << ",\"id\":" << t.def.id << ",\"options\":" << (t.def.options ? 1 : 0)
    << ",\"scope\":" << t.def.scope_count << ",\"fields\":[";
  for (std::size_t i = 0; i < t.def.fields.size(); ++i) {
    const FieldSpec& f = t.def.fields[i];
    o << (i ? "," : "") << '[' << f.id << ',' << f.length << ',' << f.pen << ']';
  }
  o << "]}";
  return o.str();
}

std::optional<StoredTemplate> parse_template_line(std::string_view line) {
  LineParser p(line);
  StoredTemplate t;
  bool have_exporter = false, have_version = false, have_domain = false, have_id = false, have_fields = false;
  if (!p.eat('{')) return std::nullopt;
  do {
    auto key = p.string();
    if (!key || !p.eat(':')) return std::nullopt;
    if (*key == "exporter") {
      auto s = p.string();
      if (!s) return std::nullopt;
      auto a = parse_address(*s);
      if (!a) return std::nullopt;
      t.key.exporter = *a;
      have_exporter = true;
    } else if (*key == "fields") {
      if (!p.eat('[')) return std::nullopt;
      if (!p.eat(']')) {
        do {
          FieldSpec f;
          auto id = (p.eat('[') ? p.number(0x7fff) : std::nullopt);
          auto len = (id && p.eat(',')) ? p.number(0xffff) : std::nullopt;
          auto pen = (len && p.eat(',')) ? p.number(0xffffffffu) : std::nullopt;
          if (!pen || !p.eat(']')) return std::nullopt;
          f.id = static_cast<std::uint16_t>(*id);
          f.length = static_cast<std::uint16_t>(*len);
          f.pen = static_cast<std::uint32_t>(*pen);
          t.def.fields.push_back(f);
          if (t.def.fields.size() > 65535 / 4) return std::nullopt;
        } while (p.eat(','));
        if (!p.eat(']')) return std::nullopt;
      }
      have_fields = true;
    } else {
      auto v = p.number(0xffffffffu);
      if (!v) return std::nullopt;
      if (*key == "version") {
        if (*v != 9 && *v != 10) return std::nullopt;
        t.key.version = static_cast<std::uint16_t>(*v);
        have_version = true;
      } else if (*key == "domain") {
        t.key.domain = static_cast<std::uint32_t>(*v);
        have_domain = true;
      } else if (*key == "id") {
        if (*v < 256 || *v > 65535) return std::nullopt;
        t.def.id = static_cast<std::uint16_t>(*v);
        have_id = true;
      } else if (*key == "options") {
        t.def.options = *v != 0;
      } else if (*key == "scope") {
        if (*v > 65535) return std::nullopt;
        t.def.scope_count = static_cast<std::uint16_t>(*v);
      }  // unknown numeric keys: ignored (forward compatible)
    }
  } while (p.eat(','));
  if (!p.eat('}') || !p.at_end()) return std::nullopt;
  if (!have_exporter || !have_version || !have_domain || !have_id || !have_fields) return std::nullopt;
  if (t.def.fields.empty() || t.def.scope_count > t.def.fields.size()) return std::nullopt;
  if (t.def.options != (t.def.scope_count > 0)) return std::nullopt;
  return t;
}

std::shared_ptr<TemplateFile> TemplateFile::open(const std::string& path) {
  static std::mutex registry_mu;
  static std::unordered_map<std::string, std::weak_ptr<TemplateFile>> registry;
  std::lock_guard lock(registry_mu);
  auto& slot = registry[path];
  if (auto existing = slot.lock()) return existing;
  auto file = std::make_shared<TemplateFile>(path);
  slot = file;
  return file;
}

TemplateFile::TemplateFile(std::string path) : path_(std::move(path)) {
  std::ifstream in(path_);
  if (!in) return;
  loaded_file_ = true;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto t = parse_template_line(line);
    if (!t) {
      ++load_errors_;
      continue;
    }
    templates_[map_key(t->key, t->def.id)] = std::move(*t);
  }
}

TemplateFile::~TemplateFile() { (void)write(); }

std::string TemplateFile::map_key(const DomainKey& key, std::uint16_t id) {
  std::string k(reinterpret_cast<const char*>(key.exporter.bytes.data()), key.exporter.bytes.size());
  char buf[32];
  std::snprintf(buf, sizeof buf, "|%u|%u|%u|%u", key.exporter.is_v6 ? 1u : 0u,
                static_cast<unsigned>(key.version), static_cast<unsigned>(key.domain),
                static_cast<unsigned>(id));
  return k + buf;
}

std::vector<StoredTemplate> TemplateFile::entries() const {
  std::lock_guard lock(mu_);
  std::vector<StoredTemplate> out;
  out.reserve(templates_.size());
  for (const auto& [k, t] : templates_) out.push_back(t);
  return out;
}

void TemplateFile::put(const DomainKey& key, const TemplateDef& def) {
  std::lock_guard lock(mu_);
  auto& slot = templates_[map_key(key, def.id)];
  if (slot.key == key && slot.def == def) return;
  slot.key = key;
  slot.def = def;
  dirty_ = true;
}

void TemplateFile::remove(const DomainKey& key, std::uint16_t id) {
  std::lock_guard lock(mu_);
  if (templates_.erase(map_key(key, id)) != 0) dirty_ = true;
}

userspace::Status TemplateFile::maybe_write(std::int64_t now_ns) {
  if (!dirty_.load(std::memory_order_relaxed)) return userspace::Ok{};
  std::lock_guard lock(mu_);
  if (!dirty_) return userspace::Ok{};
  if (last_write_ns_ != 0 && now_ns - last_write_ns_ < 1'000'000'000 && now_ns >= last_write_ns_) {
    return userspace::Ok{};
  }
  last_write_ns_ = now_ns;
  return write_locked();
}

userspace::Status TemplateFile::write() {
  std::lock_guard lock(mu_);
  if (!dirty_) return userspace::Ok{};
  return write_locked();
}

userspace::Status TemplateFile::write_locked() {
  const std::string tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return userspace::make_error("write templates file " + tmp + ": " + std::strerror(errno));
    for (const auto& [k, t] : templates_) out << format_template_line(t) << '\n';
    out.flush();
    if (!out) return userspace::make_error("write templates file " + tmp + ": " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
    return userspace::make_error("rename " + tmp + " to " + path_ + ": " + std::strerror(errno));
  }
  dirty_ = false;  // only now: a failed write is retried on the next change or flush
  return userspace::Ok{};
}

}  // namespace xacct::collector::nf
