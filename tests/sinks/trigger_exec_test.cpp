// TriggerRunner and print_trigger_exec: argv split on blanks with argv[0]
// the program path (no shell), the child reaped and failures counted, a
// clean child (default signal mask, only fds 0-2), and the print sink
// starting it after each purge that wrote output.
#include "sinks/trigger_exec.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>

#include "sinks/print_sink.hpp"
#include "tests/sinks/sink_test_util.hpp"
#include "tests/userspace/record_builder.hpp"

namespace xacct::sinks {
namespace {

using namespace std::chrono_literals;
using testing::read_file;
using testing::TempDir;

// An executable script in `dir`.
std::string script(const TempDir& dir, const std::string& name, const std::string& body) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path) << "#!/bin/sh\n" << body;
  ::chmod(path.c_str(), 0755);
  return path;
}

TEST(TriggerExec, RunsTheProgramWithItsArgumentsAndReapsIt) {
  TempDir dir;
  const std::string out = dir.path() + "/args";
  // The arguments reach the program as words: no shell expands "$HOME".
  const std::string prog = script(dir, "t.sh", "printf '%s|' \"$@\" > " + out + "\n");
  auto r = TriggerRunner::create("  " + prog + "   -f  x.conf $HOME ", "plugin p");
  ASSERT_TRUE(r.ok()) << r.error().message;
  TriggerRunner& t = *r.value();
  EXPECT_EQ(t.argv(), (std::vector<std::string>{prog, "-f", "x.conf", "$HOME"}));
  ASSERT_TRUE(t.run().ok());
  ASSERT_TRUE(t.wait_idle(10s));
  EXPECT_EQ(read_file(out), "-f|x.conf|$HOME|");
  EXPECT_EQ(t.started(), 1u);
  EXPECT_EQ(t.reaped(), 1u);
  EXPECT_EQ(t.failed(), 0u);
}

TEST(TriggerExec, CountsFailuresAndKeepsGoing) {
  TempDir dir;
  auto r = TriggerRunner::create(script(dir, "fail.sh", "exit 3\n"), "plugin p");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r.value()->run().ok());
  ASSERT_TRUE(r.value()->run().ok());
  ASSERT_TRUE(r.value()->wait_idle(10s));
  EXPECT_EQ(r.value()->reaped(), 2u);
  EXPECT_EQ(r.value()->failed(), 2u);
}

TEST(TriggerExec, ChildGetsDefaultSignalsAndNoInheritedFds) {
  TempDir dir;
  const std::string sig = dir.path() + "/sigblk";
  const std::string fds = dir.path() + "/fds";
  // The child's blocked-signal mask and its open fds (the shell may keep
  // its script open on a high fd of its own).
  // Shell builtins only while reading the mask: a forking shell blocks
  // its signals for a moment.
  const std::string prog = script(dir, "s.sh",
                                  "while read -r k v; do case $k in SigBlk:|SigIgn:) echo \"$k $v\";; esac; "
                                  "done < /proc/$$/status > " + sig + "\nls /proc/$$/fd > " + fds + "\n");
  const int leaked = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC
  ASSERT_GE(leaked, 3);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &block, &old);  // as the daemon's threads have it
  auto* old_pipe = std::signal(SIGPIPE, SIG_IGN);  // as the daemon has it
  {
    auto r = TriggerRunner::create(prog, "plugin p");
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r.value()->run().ok());
    ASSERT_TRUE(r.value()->wait_idle(10s));
    EXPECT_EQ(r.value()->failed(), 0u);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  std::signal(SIGPIPE, old_pipe);
  ::close(leaked);
  std::istringstream masks(read_file(sig));
  std::string label, blocked, ignored;
  masks >> label >> blocked >> label >> ignored;
  EXPECT_EQ(blocked, "0000000000000000");
  // SIGPIPE (bit 12) back to its default; glibc's own signals 32/33 may
  // show as ignored whatever we do.
  EXPECT_EQ(std::stoull(ignored, nullptr, 16) & (1ULL << (SIGPIPE - 1)), 0u) << ignored;
  std::vector<int> open_fds;
  std::istringstream in(read_file(fds));
  for (int fd; in >> fd;) open_fds.push_back(fd);
  EXPECT_EQ(std::count(open_fds.begin(), open_fds.end(), 0), 1);
  EXPECT_EQ(std::count(open_fds.begin(), open_fds.end(), 2), 1);
  EXPECT_EQ(std::count(open_fds.begin(), open_fds.end(), leaked), 0) << read_file(fds);
}

TEST(TriggerExec, RefusesMissingOrNonExecutablePrograms) {
  TempDir dir;
  auto missing = TriggerRunner::create(dir.path() + "/nope -x", "plugin p");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "trigger " + dir.path() + "/nope: No such file or directory");
  std::ofstream(dir.path() + "/plain") << "x";
  auto plain = TriggerRunner::create(dir.path() + "/plain", "plugin p");
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().message, "trigger " + dir.path() + "/plain: not an executable file");
  EXPECT_FALSE(TriggerRunner::create("   ", "plugin p").ok());
}

TEST(TriggerExec, ShutdownDoesNotWaitForeverForAHangingChild) {
  TempDir dir;
  const std::string prog = script(dir, "hang.sh", "exec sleep 3 >/dev/null 2>&1\n");
  auto r = TriggerRunner::create(prog, "plugin p", 100ms);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r.value()->run().ok());
  const auto start = std::chrono::steady_clock::now();
  r.value().reset();  // grace 100 ms, then leave it (it ends by itself)
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(TriggerExec, PrintSinkRunsItAfterEachPurgeThatWroteOutput) {
  TempDir dir;
  const std::string count = dir.path() + "/count";
  // The trigger sees the finished purge: it copies the output file.
  const std::string prog = script(dir, "t.sh", "cat " + dir.path() + "/out.csv >> " + count + "\n");
  auto s = PrintSink::create(testing::config("aggregate: proto\nprint_output: csv\nprint_output_file: " + dir.path() +
                                             "/out.csv\nprint_trigger_exec: " + prog + "\n"));
  ASSERT_TRUE(s.ok()) << s.error().message;
  const std::vector<userspace::FlowRecord> e{userspace::testing::flow("198.18.0.1", "198.18.0.2", 1, 2, 6, 1, 10)};
  ASSERT_TRUE(s.value()->write(e, {}).ok());
  ASSERT_TRUE(s.value()->trigger()->wait_idle(10s));
  ASSERT_TRUE(s.value()->write(e, {}).ok());
  ASSERT_TRUE(s.value()->trigger()->wait_idle(10s));
  EXPECT_EQ(s.value()->trigger()->started(), 2u);
  EXPECT_EQ(read_file(count), "PROTOCOL,PACKETS,BYTES\ntcp,1,10\nPROTOCOL,PACKETS,BYTES\ntcp,1,10\n");

  auto bad = PrintSink::create(testing::config("print_trigger_exec: " + dir.path() + "/missing\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "print_trigger_exec: trigger " + dir.path() + "/missing: No such file or directory");
}

}  // namespace
}  // namespace xacct::sinks
