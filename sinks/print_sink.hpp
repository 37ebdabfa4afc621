// The print plugin's sink (pmacct's print plugin): at every purge, the
// table's aggregates as formatted columns, CSV or JSON lines, to stdout or
// to print_output_file (replaced atomically at each purge, or appended).
//
//   print_output_file  may be a dynamic name (userspace/dynamic_name.hpp):
//                  each record goes to the file its own values name (time
//                  bin start, peer_src_ip, tag, ...); markers and headers
//                  are per file; purge_close counts that file's entries
//                  (purged_entries) and the whole purge (total_entries)
//   print_latest_file  symlink to the newest file, updated after the files
//   print_trigger_exec  started after each purge that wrote output
//   print_markers  JSON {"event_type": "purge_init", "writer_id": "<name>/<pid>"}
//                  and purge_close (purged_entries, total_entries, duration);
//                  CSV and formatted --START (<pid>)-- / --END (<pid>)--;
//                  writer_id per writer_id_string
//   print_top N    (xacct) only the N entries with most bytes, biggest first;
//                  formatted output adds a TOTAL line over the whole table:
//                  "TOTAL <packets> [<flows>] <bytes>  (<n> entries)"
//
// Headers (CSV, formatted) follow pmacct: every purge of a replaced file;
// in append mode only when the file was missing or empty; on stdout until
// a purge has printed entries (pmacct's behaviour), except formatted with
// print_top, a live top-N view that repeats the header at every purge.
#pragma once

#include <sys/types.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sinks/record_format.hpp"
#include "sinks/trigger_exec.hpp"
#include "userspace/config.hpp"
#include "userspace/dynamic_name.hpp"
#include "userspace/result.hpp"
#include "userspace/sink.hpp"

namespace xacct::sinks {

class PrintSink : public userspace::Sink {
 public:
  // Checks that print_output_file's directory can be created and written
  // (static names) and that print_trigger_exec is an executable file.
  static userspace::Result<std::unique_ptr<PrintSink>> create(const userspace::PluginConfig& config);

  userspace::Status write(std::span<const userspace::FlowRecord> entries,
                          const userspace::PurgeInfo& info) override;
  // A static print_output_file without print_top or print_latest_file:
  // the purge is written as its entries come (userspace::EntryChunks).
  bool streams() const override;
  userspace::Status write_chunks(userspace::EntryChunks& chunks, const userspace::PurgeInfo& info) override;

  // The text of one purge of `entries` to one output; write() decides
  // `with_header`. Pure, for tests. `purge_ns` gives stamp_updated.
  std::string render(std::span<const userspace::FlowRecord> entries, bool with_header,
                     std::int64_t duration_s = 0, userspace::TimestampNs purge_ns = 0) const;

  // Writer pid in markers (getpid() by default; fixed in tests).
  void set_writer_pid(pid_t pid) { pid_ = pid; }
  // The trigger runner, if print_trigger_exec is set (tests wait on it).
  TriggerRunner* trigger() { return trigger_.get(); }

 private:
  explicit PrintSink(const userspace::PluginConfig& config);

  struct Part {
    std::span<const userspace::FlowRecord* const> rows;  // printed, in order
    std::span<const userspace::FlowRecord> all;          // the whole purge
    bool with_header = false;
    std::int64_t duration_s = 0;
    userspace::TimestampNs purge_ns = 0;
  };
  std::string render_part(const Part& part) const;
  // Pieces of render_part(): markers and header, the rows, the end marker.
  void render_begin(bool with_header, std::string& out) const;
  void render_rows(std::span<const userspace::FlowRecord* const> rows, userspace::TimestampNs purge_ns,
                   std::string& out) const;
  void render_row(const userspace::FlowRecord& r, userspace::TimestampNs purge_ns, std::string& out) const;
  void render_end(std::size_t purged, std::size_t total, std::int64_t duration_s, std::string& out) const;
  // The entries to print: all in table order, or print_top's biggest first.
  std::vector<const userspace::FlowRecord*> select_rows(std::span<const userspace::FlowRecord> entries) const;
  userspace::Status write_files(std::span<const userspace::FlowRecord> entries,
                                std::span<const userspace::FlowRecord* const> rows,
                                const userspace::PurgeInfo& info, bool& wrote);

  userspace::PluginConfig config_;
  RecordFormatter formatter_;
  userspace::DynamicName output_name_;
  userspace::DynamicName latest_name_;
  userspace::NameContext name_context_;
  std::unique_ptr<TriggerRunner> trigger_;
  pid_t pid_;
  bool stdout_header_pending_ = true;
};

}  // namespace xacct::sinks
