// See print_sink.hpp.
#include "sinks/print_sink.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "sinks/output_file.hpp"
#include "sinks/purge_files.hpp"
#include "userspace/logging.hpp"
#include "userspace/writer_id.hpp"

namespace xacct::sinks {
namespace {

using userspace::FlowRecord;
using userspace::PrintOutput;

std::string parent_dir(const std::string& file) {
  const std::size_t slash = file.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : file.substr(0, slash);
}

void append_error(std::string& errors, const std::string& e) {
  if (!errors.empty()) errors += "; ";
  errors += e;
}

}  // namespace

PrintSink::PrintSink(const userspace::PluginConfig& config)
    : config_(config),
      formatter_(config.aggregate, config.format, config.print.separator, config.history.enabled()),
      pid_(::getpid()) {
  name_context_.utc = config.format.timestamps.utc;
  name_context_.refresh_s = config.print.refresh_time_s;
  name_context_.history_s = config.history.enabled() ? userspace::nominal_bin_seconds(config.history) : 0;
  name_context_.post_tag = config.post_tag;
  name_context_.post_tag2 = config.post_tag2;
  name_context_.has_peer_src_ip = std::find(config.aggregate.begin(), config.aggregate.end(),
                                            userspace::Primitive::kPeerSrcIp) != config.aggregate.end();
}

userspace::Result<std::unique_ptr<PrintSink>> PrintSink::create(const userspace::PluginConfig& config) {
  std::unique_ptr<PrintSink> sink(new PrintSink(config));
  const auto& print = config.print;
  // The loader validated both names; parse errors cannot happen here.
  auto out = userspace::DynamicName::parse(print.output_file);
  if (!out) return userspace::make_error("print_output_file: " + out.error().message);
  sink->output_name_ = std::move(out.value());
  auto latest = userspace::DynamicName::parse(print.latest_file, /*allow_time=*/false);
  if (!latest) return userspace::make_error("print_latest_file: " + latest.error().message);
  sink->latest_name_ = std::move(latest.value());

  const std::string& file = print.output_file;
  if (!file.empty() && !sink->output_name_.is_dynamic()) {
    if (auto st = make_parent_dirs(file); !st) return userspace::make_error("print_output_file: " + st.error().message);
    const std::string dir = parent_dir(file);
    if (::access(dir.c_str(), W_OK) != 0) {
      return userspace::make_error("print_output_file: directory " + dir + " is not writable");
    }
  }
  auto log = userspace::get_logger("sink.print");
  for (const auto* name : {&sink->output_name_, &sink->latest_name_}) {
    if (name->uses(userspace::NameVar::kPeerSrcIp) && !sink->name_context_.has_peer_src_ip) {
      log->warn("plugin {}: {} uses $peer_src_ip but peer_src_ip is not aggregated: it expands to null",
                config.name, name->text());
    }
  }
  if (sink->output_name_.uses_time() && !config.history.enabled()) {
    log->warn("plugin {}: {} has time conversions but no print_history: they give the purge time",
              config.name, file);
  }
  if (!print.trigger_exec.empty()) {
    auto trigger = TriggerRunner::create(print.trigger_exec, "plugin " + config.name);
    if (!trigger) return userspace::make_error("print_trigger_exec: " + trigger.error().message);
    sink->trigger_ = std::move(trigger.value());
  }
  return sink;
}

std::vector<const FlowRecord*> PrintSink::select_rows(std::span<const FlowRecord> entries) const {
  std::vector<const FlowRecord*> rows;
  rows.reserve(entries.size());
  for (const FlowRecord& r : entries) rows.push_back(&r);
  if (config_.print.top > 0) {
    const std::size_t n = std::min<std::size_t>(config_.print.top, rows.size());
    // Ties keep table order, so output is deterministic.
    std::stable_sort(rows.begin(), rows.end(),
                     [](const FlowRecord* a, const FlowRecord* b) { return a->bytes > b->bytes; });
    rows.resize(n);
  }
  return rows;
}

std::string PrintSink::render(std::span<const FlowRecord> entries, bool with_header, std::int64_t duration_s,
                              userspace::TimestampNs purge_ns) const {
  const std::vector<const FlowRecord*> rows = select_rows(entries);
  return render_part({rows, entries, with_header, duration_s, purge_ns});
}

void PrintSink::render_begin(bool with_header, std::string& out) const {
  const auto& print = config_.print;
  if (print.markers) {
    if (print.output == PrintOutput::kJson) {
      out += "{\"event_type\": \"purge_init\", \"writer_id\": ";
      append_json_string(userspace::expand_writer_id(config_.writer_id, config_.name, pid_), out);
      out += "}\n";
    } else {
      out += "--START (" + std::to_string(pid_) + ")--\n";
    }
  }
  if (with_header && print.output == PrintOutput::kCsv) formatter_.append_csv_header(out);
  if (with_header && print.output == PrintOutput::kFormatted) formatter_.append_formatted_header(out);
}

void PrintSink::render_rows(std::span<const FlowRecord* const> rows, userspace::TimestampNs purge_ns,
                            std::string& out) const {
  for (const FlowRecord* r : rows) render_row(*r, purge_ns, out);
}

void PrintSink::render_row(const FlowRecord& r, userspace::TimestampNs purge_ns, std::string& out) const {
  switch (config_.print.output) {
    case PrintOutput::kJson: formatter_.append_json(r, out, purge_ns); break;
    case PrintOutput::kCsv: formatter_.append_csv(r, out); break;
    case PrintOutput::kFormatted: formatter_.append_formatted(r, out); break;
  }
}

void PrintSink::render_end(std::size_t purged, std::size_t total, std::int64_t duration_s, std::string& out) const {
  if (!config_.print.markers) return;
  if (config_.print.output == PrintOutput::kJson) {
    out += "{\"event_type\": \"purge_close\", \"writer_id\": ";
    append_json_string(userspace::expand_writer_id(config_.writer_id, config_.name, pid_), out);
    out += ", \"purged_entries\": " + std::to_string(purged) + ", \"total_entries\": " + std::to_string(total) +
           ", \"duration\": " + std::to_string(duration_s) + "}\n";
  } else {
    out += "--END (" + std::to_string(pid_) + ")--\n";
  }
}

std::string PrintSink::render_part(const Part& part) const {
  const auto& print = config_.print;
  std::string out;
  out.reserve(64 + part.rows.size() * 160);
  render_begin(part.with_header, out);
  render_rows(part.rows, part.purge_ns, out);
  if (print.top > 0 && print.output == PrintOutput::kFormatted) {
    std::uint64_t packets = 0, flows = 0, bytes = 0;
    for (const FlowRecord& r : part.all) {
      packets += r.packets;
      flows += r.flows;
      bytes += r.bytes;
    }
    formatter_.append_formatted_counters("TOTAL", packets, flows, bytes, out);
    out += "  (" + std::to_string(part.all.size()) + " entries)\n";
  }
  render_end(part.rows.size(), part.all.size(), part.duration_s, out);
  return out;
}

bool PrintSink::streams() const {
  // One static file, every entry in table order, no link naming a record:
  // the text of a purge is its entries' lines in order, so it can be
  // written as the entries come (write_files() of one group, chunk by chunk).
  return !config_.print.output_file.empty() && !output_name_.is_dynamic() && latest_name_.text().empty() &&
         config_.print.top == 0;
}

userspace::Status PrintSink::write_chunks(userspace::EntryChunks& chunks, const userspace::PurgeInfo& info) {
  const auto& print = config_.print;
  const std::string& path = output_name_.text();
  const std::size_t total = chunks.size();
  const bool header = !print.output_file_append || file_missing_or_empty(path);
  OutputWriter writer;
  if (auto st = writer.open(path, print.output_file_append); !st) return st;
  // Written in pieces of about kPiece bytes: one reused buffer.
  constexpr std::size_t kPiece = 1u << 20;
  std::string text;
  text.reserve(kPiece + 4096);
  render_begin(header, text);
  for (std::span<const FlowRecord> chunk = chunks.next(); !chunk.empty(); chunk = chunks.next()) {
    for (const FlowRecord& r : chunk) {
      render_row(r, info.time_ns, text);
      if (text.size() < kPiece) continue;
      if (auto st = writer.write(text); !st) return st;
      text.clear();
    }
  }
  // Duration 0 as write_files() gives one file (measured before rendering).
  render_end(total, total, 0, text);
  if (auto st = writer.write(text); !st) return st;
  if (auto st = writer.commit(); !st) return st;
  if (trigger_) (void)trigger_->run();
  return userspace::Ok{};
}

userspace::Status PrintSink::write_files(std::span<const FlowRecord> entries,
                                         std::span<const FlowRecord* const> rows, const userspace::PurgeInfo& info,
                                         bool& wrote) {
  const auto& print = config_.print;
  const auto started = std::chrono::steady_clock::now();
  const std::int64_t purge_s = info.time_ns / 1'000'000'000;
  std::string errors;
  for (const FileGroup& g : group_by_file(output_name_, rows, name_context_, purge_s)) {
    const auto duration = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();
    const bool header = !print.output_file_append || file_missing_or_empty(g.path);
    const std::string text = render_part({g.rows, entries, header, duration, info.time_ns});
    userspace::Status st = print.output_file_append ? append_file(g.path, text) : write_file_atomic(g.path, text);
    if (!st) {
      append_error(errors, st.error().message);
      continue;
    }
    wrote = true;
    if (latest_name_.empty()) continue;
    userspace::NameContext context = name_context_;
    context.time_s = g.base_s;
    const std::string link = latest_name_.expand(g.rows.empty() ? nullptr : g.rows.front(), context);
    if (auto ls = update_latest_link(link, g.path); !ls) append_error(errors, ls.error().message);
  }
  if (!errors.empty()) return userspace::make_error(errors);
  return userspace::Ok{};
}

userspace::Status PrintSink::write(std::span<const FlowRecord> entries, const userspace::PurgeInfo& info) {
  const auto& print = config_.print;
  const std::vector<const FlowRecord*> rows = select_rows(entries);
  userspace::Status st = userspace::Ok{};
  bool wrote = false;
  if (print.output_file.empty()) {
    const bool live_top = print.top > 0 && print.output == PrintOutput::kFormatted;
    const bool header = live_top || stdout_header_pending_;
    st = write_stdout(render_part({rows, entries, header, 0, info.time_ns}));
    if (!live_top && !entries.empty()) stdout_header_pending_ = false;
    wrote = st.ok();
  } else {
    st = write_files(entries, rows, info, wrote);
  }
  if (wrote && trigger_) {
    // A trigger that cannot start is logged by the runner; the purge itself
    // succeeded, so it is not reported as a sink error.
    (void)trigger_->run();
  }
  return st;
}

}  // namespace xacct::sinks
