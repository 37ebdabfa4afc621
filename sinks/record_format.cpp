// See record_format.hpp. Column layout of the formatted output: pmacct's
// print plugin pads each value to a fixed width followed by a fixed gap
// (e.g. addresses "%-45s  ", ports "%-5u     "), counters "%-20lu  ", bytes
// last and unpadded; the header pads each title to the same column width.
#include "sinks/record_format.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace xacct::sinks {
namespace {

using userspace::FlowRecord;
using userspace::JsonKind;
using userspace::Primitive;
using userspace::PrimitiveInfo;
using userspace::PrimitiveKind;

constexpr std::size_t kCounterWidth = 20;
constexpr std::size_t kCounterGap = 2;

void append_u64(std::uint64_t v, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, end);
}

void pad_to(std::string& out, std::size_t column_start, std::size_t width) {
  const std::size_t used = out.size() - column_start;
  if (used < width) out.append(width - used, ' ');
}

}  // namespace

void append_json_string(std::string_view s, std::string& out) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

RecordFormatter::RecordFormatter(std::span<const Primitive> aggregate, userspace::FormatOptions options,
                                 std::string csv_separator)
    : options_(options), separator_(std::move(csv_separator)) {
  std::vector<Primitive> sorted(aggregate.begin(), aggregate.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (Primitive p : sorted) {
    const PrimitiveInfo& info = userspace::primitive_info(p);
    if (info.kind == PrimitiveKind::kKey || info.kind == PrimitiveKind::kValue) columns_.push_back(&info);
    if (info.kind == PrimitiveKind::kCounter) flows_ = true;
  }
}

void RecordFormatter::append_json(const FlowRecord& r, std::string& out) const {
  out += "{\"event_type\": \"purge\"";
  std::string value;
  for (const PrimitiveInfo* c : columns_) {
    out += ", \"";
    out += c->json_key;
    out += "\": ";
    value.clear();
    c->format(r, options_, value);
    if (c->json_kind == JsonKind::kString) {
      append_json_string(value, out);
    } else {
      out += value;
    }
  }
  if (flows_) {
    out += ", \"flows\": ";
    append_u64(r.flows, out);
  }
  out += ", \"packets\": ";
  append_u64(r.packets, out);
  out += ", \"bytes\": ";
  append_u64(r.bytes, out);
  out += "}\n";
}

void RecordFormatter::append_csv_header(std::string& out) const {
  for (const PrimitiveInfo* c : columns_) {
    out += c->csv_header;
    out += separator_;
  }
  out += "PACKETS";
  if (flows_) out += separator_ + "FLOWS";
  out += separator_ + "BYTES\n";
}

void RecordFormatter::append_csv(const FlowRecord& r, std::string& out) const {
  for (const PrimitiveInfo* c : columns_) {
    c->format(r, options_, out);
    out += separator_;
  }
  append_u64(r.packets, out);
  if (flows_) {
    out += separator_;
    append_u64(r.flows, out);
  }
  out += separator_;
  append_u64(r.bytes, out);
  out += '\n';
}

void RecordFormatter::append_formatted_header(std::string& out) const {
  for (const PrimitiveInfo* c : columns_) {
    const std::size_t start = out.size();
    out += c->csv_header;
    out += ' ';  // at least one blank even if a title outgrew its column
    pad_to(out, start, std::size_t{c->fmt_width} + c->fmt_gap);
  }
  std::size_t start = out.size();
  out += "PACKETS";
  pad_to(out, start, kCounterWidth + kCounterGap);
  if (flows_) {
    start = out.size();
    out += "FLOWS";
    pad_to(out, start, kCounterWidth + kCounterGap);
  }
  out += "BYTES\n";
}

void RecordFormatter::append_formatted(const FlowRecord& r, std::string& out) const {
  for (const PrimitiveInfo* c : columns_) {
    const std::size_t start = out.size();
    c->format(r, options_, out);
    pad_to(out, start, c->fmt_width);
    out.append(c->fmt_gap, ' ');
  }
  std::size_t start = out.size();
  append_u64(r.packets, out);
  pad_to(out, start, kCounterWidth);
  out.append(kCounterGap, ' ');
  if (flows_) {
    start = out.size();
    append_u64(r.flows, out);
    pad_to(out, start, kCounterWidth);
    out.append(kCounterGap, ' ');
  }
  append_u64(r.bytes, out);
  out += '\n';
}

void RecordFormatter::append_formatted_counters(std::string_view label, std::uint64_t packets,
                                                std::uint64_t flows, std::uint64_t bytes,
                                                std::string& out) const {
  std::size_t width = 0;
  for (const PrimitiveInfo* c : columns_) width += std::size_t{c->fmt_width} + c->fmt_gap;
  std::size_t start = out.size();
  out += label;
  out += ' ';
  pad_to(out, start, width);
  start = out.size();
  append_u64(packets, out);
  pad_to(out, start, kCounterWidth);
  out.append(kCounterGap, ' ');
  if (flows_) {
    start = out.size();
    append_u64(flows, out);
    pad_to(out, start, kCounterWidth);
    out.append(kCounterGap, ' ');
  }
  append_u64(bytes, out);
}

}  // namespace xacct::sinks
