// SavefileInput: pmacctd's pcap_savefile. Reads pcap (and pcapng) files in
// the configured order, pcap_savefile_replay times, sleeping
// pcap_savefile_delay seconds before the first pass and before each replay,
// and turns every packet into a record (PacketBatcher). Timestamps are read
// at nanosecond precision, whatever the file's.
//
// Exact totals: every packet of every file is counted exactly once, as a
// record (ip_packets), as not parsed (capture_stats.hpp), or as rejected by
// pcap_filter (`filtered`; the filter is applied here with
// pcap_offline_filter so that rejected packets are counted too). Batches are
// only pushed when the pipeline has room (BatchOutput::has_room): the reader
// waits for slow plugins instead of dropping, and counts the waits.
//
// Extra counters under "capture.savefile.": file_packets (every packet read
// from a file = received + filtered), filtered, files (files read to their
// end), read_errors (a file that could not be opened or ends in the middle of
// a packet), backpressure_waits.
//
// A progress line goes to the "capture" logger every few seconds while a
// file is read (packets, percent of the file's size, rate), and one line per
// file when it ends.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "probe/capture/batch_output.hpp"
#include "probe/capture/capture_config.hpp"
#include "probe/capture/capture_stats.hpp"
#include "userspace/result.hpp"
#include "userspace/stats.hpp"

namespace xacct::capture {

class SavefileInput {
 public:
  // Opens every file once to check it (readable, pcap or pcapng, a datalink
  // xacct decodes, pcap_filter compiles for it): a typo fails at start-up,
  // naming the file.
  static userspace::Result<std::unique_ptr<SavefileInput>> create(const CaptureConfig& config,
                                                                  userspace::Stats& stats, BatchOutput output);
  ~SavefileInput();  // stop()
  SavefileInput(const SavefileInput&) = delete;
  SavefileInput& operator=(const SavefileInput&) = delete;

  // Reads on a thread of its own.
  void start();
  // Interrupts the reading (and any delay or wait), delivers what was
  // parsed so far and joins. Idempotent.
  void stop();
  // Every pass over every file is done (or stop() was called).
  bool finished() const { return finished_.load(std::memory_order_acquire); }

  // What start() runs, on the caller's thread (tests).
  void run();

  // Seconds between progress lines (tests set 0 to log at every check).
  void set_progress_interval(std::chrono::milliseconds interval) { progress_interval_ = interval; }

 private:
  SavefileInput(CaptureConfig config, userspace::Stats& stats, BatchOutput output);
  void read_file(const std::string& path);
  void deliver(userspace::RecordBatch&& batch);
  // Sleeps `d` unless stop() comes first; false if stopped.
  bool sleep_for(std::chrono::milliseconds d);
  bool stopping() const { return stop_.load(std::memory_order_relaxed); }

  const CaptureConfig config_;
  BatchOutput output_;
  SourceCounters counters_;
  userspace::Counter& file_packets_;
  userspace::Counter& filtered_;
  userspace::Counter& files_;
  userspace::Counter& read_errors_;
  userspace::Counter& waits_;
  PacketBatcher batcher_;
  std::chrono::milliseconds progress_interval_{5000};

  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace xacct::capture
