// TriggerRunner: print_trigger_exec (and later *_trigger_exec). After a
// purge the plugin thread starts the configured program and goes on: it
// never waits for it. The value is split on blanks into argv, argv[0] is
// the program path (no shell, no PATH search, as pmacct's execv), and the
// child gets the daemon's environment, a default signal mask and
// dispositions (the daemon blocks its signals in every thread), and no
// file descriptors beyond stdin/stdout/stderr.
//
// A reaper thread collects each child as soon as it exits and logs a
// failure (exit status != 0, killed by a signal); failing to start the
// program is logged by run(). pmacct reaps nothing in its default mode
// (hence its advice to run Docker with --init). On destruction the
// runner waits up to a grace period for running children, then leaves
// them running and says so.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "userspace/result.hpp"

namespace xacct::sinks {

class TriggerRunner {
 public:
  // "prog arg ..." split on blanks; `who` names the plugin in logs.
  // Fails if argv[0] is not an executable file.
  static userspace::Result<std::unique_ptr<TriggerRunner>> create(std::string_view command, std::string who,
                                                                   std::chrono::milliseconds grace =
                                                                       std::chrono::seconds(5));
  ~TriggerRunner();
  TriggerRunner(const TriggerRunner&) = delete;
  TriggerRunner& operator=(const TriggerRunner&) = delete;

  // Starts the program; returns as soon as it runs (or failed to start,
  // which is logged and returned).
  userspace::Status run();

  const std::vector<std::string>& argv() const { return argv_; }
  // Counters: programs started, children reaped, children that failed
  // (non-zero exit or signal).
  std::uint64_t started() const;
  std::uint64_t reaped() const;
  std::uint64_t failed() const;
  // Waits until every started child has been reaped; false on timeout.
  bool wait_idle(std::chrono::milliseconds timeout);

 private:
  TriggerRunner(std::vector<std::string> argv, std::string who, std::chrono::milliseconds grace);
  void reap_loop();
  // Reaps finished children; called with mu_ held.
  void reap_finished();

  std::vector<std::string> argv_;
  std::string who_;
  std::chrono::milliseconds grace_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<pid_t> children_;
  std::uint64_t started_ = 0;
  std::uint64_t reaped_ = 0;
  std::uint64_t failed_ = 0;
  bool stopping_ = false;
  std::thread reaper_;
};

}  // namespace xacct::sinks
