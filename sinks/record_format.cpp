// See record_format.hpp. Column layout of the formatted output: pmacct's
// print plugin pads each value to a fixed width followed by a fixed gap
// (e.g. addresses "%-45s  ", ports "%-5u     "), counters "%-20lu  ", bytes
// last and unpadded; the header pads each title to the same column width.
#include "sinks/record_format.hpp"

#include <algorithm>
#include <charconv>

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

RecordFormatter::RecordFormatter(std::span<const Primitive> aggregate, userspace::FormatOptions options,
                                 std::string csv_separator, bool stamps)
    : options_(options), separator_(std::move(csv_separator)), stamps_(stamps) {
  std::vector<Primitive> sorted(aggregate.begin(), aggregate.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  auto printed = [&sorted](Primitive p) { return std::binary_search(sorted.begin(), sorted.end(), p); };
  for (Primitive p : sorted) {
    const PrimitiveInfo& info = userspace::primitive_info(p);
    if (info.kind == PrimitiveKind::kKey || info.kind == PrimitiveKind::kValue) json_columns_.push_back(&info);
    if (info.kind == PrimitiveKind::kCounter) flows_ = true;
  }
  for (Primitive p : userspace::text_order()) {
    if (printed(p)) columns_.push_back(&userspace::primitive_info(p));
  }
}

void RecordFormatter::append_json(const FlowRecord& r, std::string& out,
                                  userspace::TimestampNs stamp_updated_ns) const {
  out += "{\"event_type\": \"purge\"";
  std::string value;
  for (const PrimitiveInfo* c : json_columns_) {
    out += ", \"";
    out += c->json_key;
    out += "\": ";
    if (c->format_json != nullptr) {
      c->format_json(r, options_, out);
      continue;
    }
    value.clear();
    c->format(r, options_, value);
    if (c->json_kind == JsonKind::kString) {
      append_json_string(value, out);
    } else {
      out += value;
    }
  }
  // pmacct prints the stamps only for entries with a bin (always, here).
  if (stamps_ && r.time_bin_ns > 0) {
    out += ", \"stamp_inserted\": \"";
    userspace::append_stamp(r.time_bin_ns / 1'000'000'000, options_.timestamps, out);
    out += "\", \"stamp_updated\": \"";
    userspace::append_stamp(stamp_updated_ns / 1'000'000'000, options_.timestamps, out);
    out += '"';
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
    if (out.size() == start) out += c->formatted_if_empty;
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
