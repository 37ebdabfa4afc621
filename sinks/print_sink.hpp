// The print plugin's sink (pmacct's print plugin): at every purge, the
// table's aggregates as formatted columns, CSV or JSON lines, to stdout or
// to print_output_file (replaced atomically at each purge, or appended).
//
//   print_markers  JSON {"event_type": "purge_init", "writer_id": "<name>/<pid>"}
//                  and purge_close (purged_entries, total_entries, duration);
//                  CSV and formatted --START (<pid>)-- / --END (<pid>)--
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

#include "sinks/record_format.hpp"
#include "userspace/config.hpp"
#include "userspace/result.hpp"
#include "userspace/sink.hpp"

namespace xacct::sinks {

class PrintSink : public userspace::Sink {
 public:
  // Checks that print_output_file's directory can be created and written.
  static userspace::Result<std::unique_ptr<PrintSink>> create(const userspace::PluginConfig& config);

  userspace::Status write(std::span<const userspace::FlowRecord> entries,
                          const userspace::PurgeInfo& info) override;

  // The text of one purge; write() decides `with_header`. Pure, for tests.
  std::string render(std::span<const userspace::FlowRecord> entries, bool with_header,
                     std::int64_t duration_s = 0) const;

  // Writer pid in markers (getpid() by default; fixed in tests).
  void set_writer_pid(pid_t pid) { pid_ = pid; }

 private:
  explicit PrintSink(const userspace::PluginConfig& config);

  userspace::PluginConfig config_;
  RecordFormatter formatter_;
  pid_t pid_;
  bool stdout_header_pending_ = true;
};

}  // namespace xacct::sinks
