// See dynamic_name.hpp.
#include "userspace/dynamic_name.hpp"

#include <algorithm>
#include <ctime>

#include "userspace/civil_time.hpp"
#include "userspace/primitive_encodings.hpp"
#include "userspace/timestamp_format.hpp"

namespace xacct::userspace {
namespace {

struct VarName {
  std::string_view name;
  NameVar var;
};

constexpr VarName kVars[] = {
    {"peer_src_ip", NameVar::kPeerSrcIp}, {"tag", NameVar::kTag},     {"tag2", NameVar::kTag2},
    {"post_tag", NameVar::kPostTag},      {"post_tag2", NameVar::kPostTag2},
    {"ref", NameVar::kRef},               {"hst", NameVar::kHst},     {"tzone", NameVar::kTzone},
};

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// True if `format` has a strftime conversion other than "%%".
bool has_conversion(std::string_view format) {
  for (std::size_t i = 0; i + 1 < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (format[i + 1] != '%') return true;
    ++i;
  }
  return false;
}

// strftime of a whole format, %s replaced by the epoch seconds first.
std::string format_time(const std::string& format, std::int64_t t, bool utc) {
  std::string fmt;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '%' && i + 1 < format.size()) {
      if (format[i + 1] == 's') {
        fmt += std::to_string(t);
      } else {
        fmt += format.substr(i, 2);
      }
      ++i;
    } else {
      fmt += format[i];
    }
  }
  const std::tm tm = to_tm(t, utc);
  // A trailing blank tells an empty result from a too small buffer.
  fmt += ' ';
  std::string out(fmt.size() * 4 + 64, '\0');
  while (true) {
    const std::size_t n = std::strftime(out.data(), out.size(), fmt.c_str(), &tm);
    if (n > 0) {
      out.resize(n - 1);
      return out;
    }
    out.resize(out.size() * 2);
  }
}

std::string underscored_ip(const IpAddress& ip) {
  std::string s;
  append_ip(ip, s);
  std::replace(s.begin(), s.end(), '.', '_');
  std::replace(s.begin(), s.end(), ':', '_');
  return s;
}

}  // namespace

Result<DynamicName> DynamicName::parse(std::string_view text, bool allow_time) {
  DynamicName name;
  name.text_ = std::string(text);
  std::string literal;
  auto flush_literal = [&name, &literal] {
    if (literal.empty()) return;
    Segment s;
    s.text = std::move(literal);
    // "%%" alone still goes through strftime (to "%"), as in pmacct.
    s.has_conversion = s.text.find('%') != std::string::npos;
    name.uses_time_ = name.uses_time_ || has_conversion(s.text);
    name.segments_.push_back(std::move(s));
    literal.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size() || !is_name_char(text[i + 1])) {
      literal += text[i];
      continue;
    }
    std::size_t end = i + 1;
    while (end < text.size() && is_name_char(text[end])) ++end;
    while (end > i + 2 && text[end - 1] == '_') --end;  // trailing '_' are text
    const std::string_view var = text.substr(i + 1, end - i - 1);
    auto known = std::find_if(std::begin(kVars), std::end(kVars), [&](const VarName& v) { return v.name == var; });
    if (known == std::end(kVars)) {
      return make_error("unknown variable '$" + std::string(var) +
                        "' (known: $peer_src_ip, $tag, $tag2, $post_tag, $post_tag2, $ref, $hst, $tzone)");
    }
    flush_literal();
    Segment s;
    s.is_var = true;
    s.var = known->var;
    name.segments_.push_back(s);
    switch (known->var) {
      case NameVar::kPeerSrcIp:
      case NameVar::kTag:
      case NameVar::kTag2: name.uses_record_ = true; break;
      case NameVar::kTzone: name.uses_time_ = true; break;
      default: name.uses_config_ = true; break;
    }
    i = end - 1;
  }
  flush_literal();
  if (!allow_time && name.uses_time_) {
    return make_error("time conversions (%...) and $tzone are not allowed here");
  }
  return name;
}

bool DynamicName::uses(NameVar var) const {
  return std::any_of(segments_.begin(), segments_.end(),
                     [var](const Segment& s) { return s.is_var && s.var == var; });
}

std::string DynamicName::expand(const FlowRecord* record, const NameContext& c) const {
  std::string out;
  for (const Segment& s : segments_) {
    if (!s.is_var) {
      out += s.has_conversion ? format_time(s.text, c.time_s, c.utc) : s.text;
      continue;
    }
    switch (s.var) {
      case NameVar::kPeerSrcIp:
        out += record != nullptr && c.has_peer_src_ip && !ip_is_unset(record->peer_src_ip)
                   ? underscored_ip(record->peer_src_ip)
                   : "null";
        break;
      case NameVar::kTag: out += record != nullptr ? std::to_string(record->tag) : "null"; break;
      case NameVar::kTag2: out += record != nullptr ? std::to_string(record->tag2) : "null"; break;
      case NameVar::kPostTag: out += std::to_string(c.post_tag); break;
      case NameVar::kPostTag2: out += std::to_string(c.post_tag2); break;
      case NameVar::kRef: out += std::to_string(c.refresh_s); break;
      case NameVar::kHst: out += std::to_string(c.history_s); break;
      case NameVar::kTzone: out += rfc3339_zone(to_tm(c.time_s, c.utc)); break;
    }
  }
  return out;
}

}  // namespace xacct::userspace
