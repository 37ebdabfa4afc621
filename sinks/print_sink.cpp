// See print_sink.hpp.
#include "sinks/print_sink.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <vector>

#include "sinks/output_file.hpp"

namespace xacct::sinks {
namespace {

using userspace::FlowRecord;
using userspace::PrintOutput;

std::string writer_id(const std::string& name, pid_t pid) { return name + "/" + std::to_string(pid); }

}  // namespace

PrintSink::PrintSink(const userspace::PluginConfig& config)
    : config_(config),
      formatter_(config.aggregate, config.format, config.print.separator),
      pid_(::getpid()) {}

userspace::Result<std::unique_ptr<PrintSink>> PrintSink::create(const userspace::PluginConfig& config) {
  const std::string& file = config.print.output_file;
  if (!file.empty()) {
    if (auto st = make_parent_dirs(file); !st) return userspace::make_error("print_output_file: " + st.error().message);
    const std::size_t slash = file.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : file.substr(0, slash);
    if (::access(dir.c_str(), W_OK) != 0) {
      return userspace::make_error("print_output_file: directory " + dir + " is not writable");
    }
  }
  return std::unique_ptr<PrintSink>(new PrintSink(config));
}

std::string PrintSink::render(std::span<const FlowRecord> entries, bool with_header,
                              std::int64_t duration_s) const {
  const auto& print = config_.print;
  // Rows to print: all in table order, or print_top's biggest first.
  std::vector<const FlowRecord*> rows;
  rows.reserve(entries.size());
  for (const FlowRecord& r : entries) rows.push_back(&r);
  if (print.top > 0) {
    const std::size_t n = std::min<std::size_t>(print.top, rows.size());
    // Ties keep table order, so output is deterministic.
    std::stable_sort(rows.begin(), rows.end(),
                     [](const FlowRecord* a, const FlowRecord* b) { return a->bytes > b->bytes; });
    rows.resize(n);
  }

  std::string out;
  out.reserve(64 + rows.size() * 160);
  const std::string wid = writer_id(config_.name, pid_);
  const bool json = print.output == PrintOutput::kJson;

  if (print.markers) {
    if (json) {
      out += "{\"event_type\": \"purge_init\", \"writer_id\": ";
      append_json_string(wid, out);
      out += "}\n";
    } else {
      out += "--START (" + std::to_string(pid_) + ")--\n";
    }
  }
  if (with_header && print.output == PrintOutput::kCsv) formatter_.append_csv_header(out);
  if (with_header && print.output == PrintOutput::kFormatted) formatter_.append_formatted_header(out);

  for (const FlowRecord* r : rows) {
    switch (print.output) {
      case PrintOutput::kJson: formatter_.append_json(*r, out); break;
      case PrintOutput::kCsv: formatter_.append_csv(*r, out); break;
      case PrintOutput::kFormatted: formatter_.append_formatted(*r, out); break;
    }
  }

  if (print.top > 0 && print.output == PrintOutput::kFormatted) {
    std::uint64_t packets = 0, flows = 0, bytes = 0;
    for (const FlowRecord& r : entries) {
      packets += r.packets;
      flows += r.flows;
      bytes += r.bytes;
    }
    formatter_.append_formatted_counters("TOTAL", packets, flows, bytes, out);
    out += "  (" + std::to_string(entries.size()) + " entries)\n";
  }

  if (print.markers) {
    if (json) {
      out += "{\"event_type\": \"purge_close\", \"writer_id\": ";
      append_json_string(wid, out);
      out += ", \"purged_entries\": " + std::to_string(rows.size()) +
             ", \"total_entries\": " + std::to_string(entries.size()) +
             ", \"duration\": " + std::to_string(duration_s) + "}\n";
    } else {
      out += "--END (" + std::to_string(pid_) + ")--\n";
    }
  }
  return out;
}

userspace::Status PrintSink::write(std::span<const FlowRecord> entries, const userspace::PurgeInfo& info) {
  (void)info;
  const auto& print = config_.print;
  const auto started = std::chrono::steady_clock::now();
  const auto duration = [&] {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count();
  };

  if (print.output_file.empty()) {
    const bool live_top = print.top > 0 && print.output == PrintOutput::kFormatted;
    const bool header = live_top || stdout_header_pending_;
    std::string text = render(entries, header, duration());
    if (!live_top && !entries.empty()) stdout_header_pending_ = false;
    return write_stdout(text);
  }
  if (print.output_file_append) {
    const bool header = file_missing_or_empty(print.output_file);
    return append_file(print.output_file, render(entries, header, duration()));
  }
  return write_file_atomic(print.output_file, render(entries, true, duration()));
}

}  // namespace xacct::sinks
