// DaemonSignals: the daemon's signals are blocked in every thread (call
// block() before any thread starts) and taken synchronously by the main
// thread with sigtimedwait, so handlers never run inside library code and
// no flag polling is needed.
#pragma once

#include <csignal>
#include <chrono>

namespace xacct::tools {

enum class DaemonSignal { kNone, kStop, kStats, kReload };

class DaemonSignals {
 public:
  // Blocks SIGINT, SIGTERM, SIGUSR1, SIGUSR2 and SIGHUP for the calling
  // thread and every thread it creates afterwards. SIGPIPE is ignored: a
  // closed stdout pipe must give the print sink EPIPE (counted), not kill
  // the daemon.
  static void block() {
    std::signal(SIGPIPE, SIG_IGN);
    sigset_t set = watched();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }

  // Waits up to `timeout` for one of the watched signals.
  static DaemonSignal wait(std::chrono::milliseconds timeout) {
    sigset_t set = watched();
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    ts.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1000000);
    switch (sigtimedwait(&set, nullptr, &ts)) {
      case SIGINT:
      case SIGTERM:
        return DaemonSignal::kStop;
      case SIGUSR1:
        return DaemonSignal::kStats;
      case SIGUSR2:
      case SIGHUP:
        return DaemonSignal::kReload;
      default:
        return DaemonSignal::kNone;
    }
  }

 private:
  static sigset_t watched() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGHUP}) sigaddset(&set, s);
    return set;
  }
};

}  // namespace xacct::tools
