// The value syntax of pre_tag_filter / pre_tag2_filter ("10,20-30,-25",
// 0 = untagged) and pre_tag_label_filter ("dns,-null"), and how pmacct
// 1.7.7 evaluates them (evaluate_tags / evaluate_labels in util.c):
//
//   Items are tried left to right. An item that matches decides: accept,
//   or reject when it is negated. A negated item that does not match
//   accepts at once. When no item decided, the record is rejected.
//
// So order matters: "20-30,-25" accepts 25 (the range decides first) while
// "-25,20-30" rejects it; "-6" alone accepts everything but 6.
//
// Labels: "null" stands for "no label", and an item matches when the label
// starts with it (pmacct compares the item's length only), so "dns" also
// matches "dns,web" (a concatenated label) and "dnsx".
//
// Header-only (no library), so the config key table can check values.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "userspace/result.hpp"

namespace xacct::filter {

struct TagRange {
  std::uint64_t low = 0;
  std::uint64_t high = 0;
  bool neg = false;
};

struct LabelItem {
  std::string value;
  bool neg = false;
};

namespace detail {

inline std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

inline bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size();
}

template <typename F>
void for_each_item(std::string_view text, F&& f) {
  while (true) {
    const std::size_t comma = text.find(',');
    f(trim_blanks(text.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
}

}  // namespace detail

// "10,20-30,-25" -> ranges; the error names the bad item.
inline userspace::Result<std::vector<TagRange>> parse_tag_list(std::string_view text) {
  std::vector<TagRange> out;
  std::string error;
  detail::for_each_item(text, [&](std::string_view item) {
    if (!error.empty()) return;
    const std::string original(item);
    TagRange r;
    if (!item.empty() && item.front() == '-') {
      r.neg = true;
      item.remove_prefix(1);
    }
    const std::size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      if (!detail::parse_u64(item, r.low)) {
        error = "invalid tag '" + original + "' (expected N, LOW-HIGH, -N or -LOW-HIGH)";
        return;
      }
      r.high = r.low;
    } else {
      if (!detail::parse_u64(item.substr(0, dash), r.low) || !detail::parse_u64(item.substr(dash + 1), r.high)) {
        error = "invalid tag range '" + original + "' (expected LOW-HIGH)";
        return;
      }
      if (r.high <= r.low) {
        error = "invalid tag range '" + original + "' (LOW must be less than HIGH, as pmacct requires)";
        return;
      }
    }
    out.push_back(r);
  });
  if (!error.empty()) return userspace::make_error(error);
  return out;
}

inline bool tag_list_accepts(const std::vector<TagRange>& list, std::uint64_t tag) {
  if (list.empty()) return true;
  for (const TagRange& r : list) {
    if (r.low <= tag && tag <= r.high) return !r.neg;
    if (r.neg) return true;
  }
  return false;
}

// "dns,-null" -> items; empty items are errors.
inline userspace::Result<std::vector<LabelItem>> parse_label_list(std::string_view text) {
  std::vector<LabelItem> out;
  std::string error;
  detail::for_each_item(text, [&](std::string_view item) {
    if (!error.empty()) return;
    LabelItem l;
    if (!item.empty() && item.front() == '-') {
      l.neg = true;
      item.remove_prefix(1);
    }
    if (item.empty()) {
      error = "empty label in list";
      return;
    }
    l.value = std::string(item);
    out.push_back(std::move(l));
  });
  if (!error.empty()) return userspace::make_error(error);
  return out;
}

// `label` is the record's label, "" when it has none (compared as "null").
inline bool label_list_accepts(const std::vector<LabelItem>& list, std::string_view label) {
  if (list.empty()) return true;
  if (label.empty()) label = "null";
  for (const LabelItem& l : list) {
    if (label.substr(0, l.value.size()) == l.value) return !l.neg;
    if (l.neg) return true;
  }
  return false;
}

}  // namespace xacct::filter
