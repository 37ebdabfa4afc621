// CounterFileWriter: sfacctd_counter_file, pmacct's streamed log of sFlow
// counter samples (JSON lines, collector/counter_json.hpp), on a thread of
// its own so that a slow disk or a full named pipe never stalls decoding.
//
//   decode threads  submit() (the decoder's SflowOptions::on_counter_sample)
//                   copies the sample into a bounded queue (`queue_samples`
//                   samples, `queue_bytes` record bytes);
//                   a sample that finds the queue full is dropped and counted.
//   writer thread   formats the lines (seq numbers in queue order, one
//                   log_init per agent and sub agent id before its first
//                   line), groups them per file and appends each group with
//                   one write().
//   files           the template's $peer_src_ip is the agent address with
//                   '.' and ':' turned into '_' (sfacctd's
//                   bgp_peer_log_dynname); parent directories are created
//                   (mkdir -p); files are opened for append (O_APPEND) and
//                   kept open; a named pipe (made beforehand, as with
//                   sfacctd) is opened read-write non-blocking, so a pipe
//                   nobody reads drops lines (counted) instead of blocking.
//                   At most `max_files` distinct files (sfacctd: 1024 log
//                   entries); lines for further files are dropped, counted.
//   reopen()        closes every file; each is opened again at its next line
//                   (SIGHUP/SIGUSR2: log rotation, as sfacctd on SIGHUP).
//
// Stats "collector.counter_file." + samples (queued), samples_dropped
// (queue full), lines_written, lines_dropped (file could not be opened or
// written, or too many files), files_opened, open_errors, write_errors.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "collector/collector_config.hpp"
#include "collector/sflow_counter_record.hpp"
#include "userspace/result.hpp"
#include "userspace/stats.hpp"
#include "userspace/timestamp_format.hpp"

namespace xacct::collector {

struct CounterFileOptions {
  std::string file;                        // sfacctd_counter_file ($peer_src_ip allowed)
  userspace::TimestampOptions timestamps;  // timestamps_utc / _rfc3339 / _since_epoch (global)
  std::size_t queue_samples = 65536;
  // Record bytes queued at most: an agent sending big counter records must
  // not grow the queue without bound while the disk is slow.
  std::size_t queue_bytes = std::size_t{64} << 20;
  std::size_t max_files = 1024;
  std::size_t max_agents = 65536;  // agents remembered for log_init
};

class CounterFileWriter {
 public:
  // Checks the template (only $peer_src_ip is a variable); the thread
  // starts in start().
  static userspace::Result<std::unique_ptr<CounterFileWriter>> create(const CounterFileOptions& options,
                                                                      userspace::Stats& stats);
  ~CounterFileWriter();
  CounterFileWriter(const CounterFileWriter&) = delete;
  CounterFileWriter& operator=(const CounterFileWriter&) = delete;

  // Any thread; copies the sample.
  void submit(const SflowCounterSampleView& sample);
  // The callback for SflowOptions::on_counter_sample (the writer must outlive the decoders).
  SflowCounterSampleFn callback() {
    return [this](const SflowCounterSampleView& s) { submit(s); };
  }
  // Files are closed and re-opened at their next line (any thread).
  void reopen();
  void start();
  // Writes what is queued, closes the files, ends the thread.
  void stop();
  // Waits until everything submitted so far is written (tests).
  void flush();

  // The file name of an agent (for tests and logs).
  std::string file_name(const userspace::IpAddress& agent) const;

 private:
  struct Sample;
  struct File;
  struct Counters;
  explicit CounterFileWriter(CounterFileOptions options, userspace::Stats& stats);
  void run();
  void write_batch(std::deque<Sample>& batch);
  File* file_for(const std::string& name);
  void close_files();

  CounterFileOptions options_;
  std::unique_ptr<Counters> counters_;
  std::mutex mu_;
  std::condition_variable cv_;       // work for the thread
  std::condition_variable idle_cv_;  // flush()
  std::deque<Sample> queue_;
  std::uint64_t submitted_ = 0;   // under mu_
  std::size_t queued_bytes_ = 0;  // under mu_: record bytes in queue_
  std::uint64_t done_ = 0;        // under mu_
  bool stop_ = false;
  bool reopen_ = false;
  std::thread thread_;
  // Writer thread only.
  std::uint64_t seq_ = 0;
  std::vector<std::unique_ptr<File>> files_;
  std::unordered_set<std::string> agents_;  // "agent/sub" that had their log_init
};

// The writer of sfacctd_counter_file (timestamps from the global
// timestamps_* keys); nullptr when the key is unset.
userspace::Result<std::unique_ptr<CounterFileWriter>> make_counter_writer(const CollectorConfig& cc,
                                                                          userspace::Stats& stats);

}  // namespace xacct::collector
