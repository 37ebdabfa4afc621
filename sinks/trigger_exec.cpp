// See trigger_exec.hpp.
#include "sinks/trigger_exec.hpp"

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "userspace/logging.hpp"

extern char** environ;

namespace xacct::sinks {
namespace {

using userspace::make_error;

std::vector<std::string> split_blanks(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string describe(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
  return "stopped";
}

}  // namespace

userspace::Result<std::unique_ptr<TriggerRunner>> TriggerRunner::create(std::string_view command, std::string who,
                                                                         std::chrono::milliseconds grace) {
  std::vector<std::string> argv = split_blanks(command);
  if (argv.empty()) return make_error("trigger: empty command");
  struct stat st {};
  if (::stat(argv[0].c_str(), &st) != 0) {
    return make_error("trigger " + argv[0] + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode) || ::access(argv[0].c_str(), X_OK) != 0) {
    return make_error("trigger " + argv[0] + ": not an executable file");
  }
  return std::unique_ptr<TriggerRunner>(new TriggerRunner(std::move(argv), std::move(who), grace));
}

TriggerRunner::TriggerRunner(std::vector<std::string> argv, std::string who, std::chrono::milliseconds grace)
    : argv_(std::move(argv)), who_(std::move(who)), grace_(grace) {
  reaper_ = std::thread([this] { reap_loop(); });
}

TriggerRunner::~TriggerRunner() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  reaper_.join();
}

userspace::Status TriggerRunner::run() {
  std::vector<char*> args;
  for (std::string& a : argv_) args.push_back(a.data());
  args.push_back(nullptr);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);

  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv_[0].c_str(), &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    std::string msg = "trigger " + argv_[0] + ": " + std::strerror(rc);
    userspace::get_logger("sink.print")->error("{}: {}", who_, msg);
    std::lock_guard lock(mu_);
    ++failed_;
    return make_error(msg);
  }
  {
    std::lock_guard lock(mu_);
    children_.push_back(pid);
    ++started_;
  }
  cv_.notify_all();
  return userspace::Ok{};
}

void TriggerRunner::reap_finished() {
  for (auto it = children_.begin(); it != children_.end();) {
    int status = 0;
    const pid_t r = ::waitpid(*it, &status, WNOHANG);
    if (r == 0) {
      ++it;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    ++reaped_;
    // ECHILD: someone else reaped it (SIGCHLD ignored): nothing to report.
    if (r > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
      ++failed_;
      userspace::get_logger("sink.print")->warn("{}: trigger {} (pid {}) {}", who_, argv_[0], *it, describe(status));
    }
    it = children_.erase(it);
  }
}

void TriggerRunner::reap_loop() {
  std::unique_lock lock(mu_);
  std::chrono::steady_clock::time_point give_up{};
  while (true) {
    reap_finished();
    cv_.notify_all();  // wake wait_idle()
    if (stopping_) {
      if (children_.empty()) return;
      const auto now = std::chrono::steady_clock::now();
      if (give_up == std::chrono::steady_clock::time_point{}) give_up = now + grace_;
      if (now >= give_up) {
        for (pid_t pid : children_) {
          userspace::get_logger("sink.print")->warn("{}: trigger {} (pid {}) still running at shutdown; not waiting",
                                                    who_, argv_[0], pid);
        }
        return;
      }
    }
    // Poll while children run (waitpid has no timeout); sleep otherwise.
    if (children_.empty()) {
      cv_.wait(lock, [this] { return stopping_ || !children_.empty(); });
    } else {
      cv_.wait_for(lock, std::chrono::milliseconds(20));
    }
  }
}

std::uint64_t TriggerRunner::started() const {
  std::lock_guard lock(mu_);
  return started_;
}

std::uint64_t TriggerRunner::reaped() const {
  std::lock_guard lock(mu_);
  return reaped_;
}

std::uint64_t TriggerRunner::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

bool TriggerRunner::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return children_.empty(); });
}

}  // namespace xacct::sinks
