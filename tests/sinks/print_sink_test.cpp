// PrintSink: markers, print_top with its TOTAL line, header rules, and the
// file modes (atomic replace, append) compared to exact expected text.
#include "sinks/print_sink.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/sinks/sink_test_util.hpp"
#include "tests/userspace/record_builder.hpp"

namespace xacct::sinks {
namespace {

using testing::config;
using testing::read_file;
using testing::TempDir;
using userspace::FlowRecord;
using userspace::testing::flow;

std::unique_ptr<PrintSink> sink(const std::string& text) {
  auto s = PrintSink::create(config(text));
  if (!s) throw std::runtime_error(s.error().message);
  s.value()->set_writer_pid(4242);
  return std::move(s.value());
}

std::vector<FlowRecord> entries() {
  return {flow("198.18.0.1", "198.18.0.2", 1000, 80, 6, 10, 100),
          flow("198.18.0.3", "198.18.0.4", 53, 53, 17, 30, 300),
          flow("2001:db8::1", "2001:db8::2", 0, 0, 58, 20, 200),
          flow("198.18.0.5", "198.18.0.6", 1, 2, 17, 31, 300)};
}

TEST(PrintSink, JsonWithMarkers) {
  auto s = sink("aggregate: src_host, proto\nprint_output: json\nprint_markers: true\n");
  auto e = entries();
  EXPECT_EQ(s->render(std::span(e).first(2), true),
            R"({"event_type": "purge_init", "writer_id": "p/4242"})" "\n"
            R"({"event_type": "purge", "ip_src": "198.18.0.1", "ip_proto": "tcp", "packets": 10, "bytes": 100})" "\n"
            R"({"event_type": "purge", "ip_src": "198.18.0.3", "ip_proto": "udp", "packets": 30, "bytes": 300})" "\n"
            R"({"event_type": "purge_close", "writer_id": "p/4242", "purged_entries": 2, "total_entries": 2, "duration": 0})" "\n");
}

TEST(PrintSink, CsvWithMarkersAndTop) {
  auto s = sink("aggregate: dst_port\nprint_output: csv\nprint_markers: true\nprint_top: 3\n");
  auto e = entries();
  // Biggest bytes first; the two 300-byte entries keep table order.
  EXPECT_EQ(s->render(e, true),
            "--START (4242)--\n"
            "DST_PORT,PACKETS,BYTES\n"
            "53,30,300\n"
            "2,31,300\n"
            "0,20,200\n"
            "--END (4242)--\n");
}

TEST(PrintSink, JsonTopCountsInPurgeClose) {
  auto s = sink("aggregate: proto\nprint_output: json\nprint_markers: true\nprint_top: 1\n");
  auto e = entries();
  EXPECT_EQ(s->render(e, true),
            R"({"event_type": "purge_init", "writer_id": "p/4242"})" "\n"
            R"({"event_type": "purge", "ip_proto": "udp", "packets": 30, "bytes": 300})" "\n"
            R"({"event_type": "purge_close", "writer_id": "p/4242", "purged_entries": 1, "total_entries": 4, "duration": 0})" "\n");
}

TEST(PrintSink, FormattedTopWithTotalLine) {
  auto s = sink("aggregate: src_host, proto\nprint_top: 2\n");
  auto e = entries();
  EXPECT_EQ(s->render(e, true),
            "SRC_IP                                         PROTOCOL    PACKETS               BYTES\n"
            "198.18.0.3                                     udp         30                    300\n"
            "198.18.0.5                                     udp         31                    300\n"
            "TOTAL                                                      91                    900  (4 entries)\n");
  // Empty table: header and a zero total.
  EXPECT_EQ(s->render({}, true),
            "SRC_IP                                         PROTOCOL    PACKETS               BYTES\n"
            "TOTAL                                                      0                     0  (0 entries)\n");
}

TEST(PrintSink, FormattedWithoutTopHasNoTotal) {
  auto s = sink("aggregate: proto\nprint_markers: true\n");
  auto e = entries();
  EXPECT_EQ(s->render(std::span(e).first(1), true),
            "--START (4242)--\n"
            "PROTOCOL    PACKETS               BYTES\n"
            "tcp         10                    100\n"
            "--END (4242)--\n");
}

TEST(PrintSink, FileIsReplacedAtomicallyEachPurge) {
  TempDir dir;
  const std::string file = dir.path() + "/sub/dir/out.csv";  // parents are created
  auto s = sink("aggregate: proto\nprint_output: csv\nprint_output_file: " + file + "\n");
  auto e = entries();
  ASSERT_TRUE(s->write(std::span(e).first(2), {}).ok());
  EXPECT_EQ(read_file(file), "PROTOCOL,PACKETS,BYTES\ntcp,10,100\nudp,30,300\n");
  ASSERT_TRUE(s->write(std::span(e).last(1), {}).ok());
  EXPECT_EQ(read_file(file), "PROTOCOL,PACKETS,BYTES\nudp,31,300\n");
  // No temporary file left behind.
  std::vector<std::string> files;
  for (const auto& f : std::filesystem::directory_iterator(dir.path() + "/sub/dir")) files.push_back(f.path().filename());
  EXPECT_EQ(files, std::vector<std::string>{"out.csv"});
}

TEST(PrintSink, AppendWritesHeaderOnceAndKeepsEveryPurge) {
  TempDir dir;
  const std::string file = dir.path() + "/out.csv";
  auto s = sink("aggregate: proto\nprint_output: csv\nprint_output_file_append: true\nprint_output_file: " + file + "\n");
  auto e = entries();
  ASSERT_TRUE(s->write(std::span(e).first(1), {}).ok());
  ASSERT_TRUE(s->write(std::span(e).last(1), {}).ok());
  ASSERT_TRUE(s->write({}, {}).ok());
  EXPECT_EQ(read_file(file), "PROTOCOL,PACKETS,BYTES\ntcp,10,100\nudp,31,300\n");
}

TEST(PrintSink, AppendJsonAcrossPurges) {
  TempDir dir;
  const std::string file = dir.path() + "/out.json";
  auto s = sink("aggregate: proto\nprint_output: json\nprint_output_file_append: true\nprint_output_file: " + file + "\n");
  auto e = entries();
  ASSERT_TRUE(s->write(std::span(e).first(1), {}).ok());
  ASSERT_TRUE(s->write(std::span(e).first(1), {}).ok());
  const std::string line = R"({"event_type": "purge", "ip_proto": "tcp", "packets": 10, "bytes": 100})" "\n";
  EXPECT_EQ(read_file(file), line + line);
}

TEST(PrintSink, StdoutHeaderUntilAPurgeHadEntries) {
  auto s = sink("aggregate: proto\nprint_output: csv\n");
  auto e = entries();
  ::testing::internal::CaptureStdout();
  ASSERT_TRUE(s->write({}, {}).ok());
  ASSERT_TRUE(s->write(std::span(e).first(1), {}).ok());
  ASSERT_TRUE(s->write(std::span(e).first(1), {}).ok());
  EXPECT_EQ(::testing::internal::GetCapturedStdout(),
            "PROTOCOL,PACKETS,BYTES\n"
            "PROTOCOL,PACKETS,BYTES\ntcp,10,100\n"
            "tcp,10,100\n");
}

TEST(PrintSink, StdoutLiveTopRepeatsHeader) {
  auto s = sink("aggregate: proto\nprint_top: 1\n");
  auto e = entries();
  ::testing::internal::CaptureStdout();
  ASSERT_TRUE(s->write(std::span(e).first(1), {}).ok());
  ASSERT_TRUE(s->write(std::span(e).first(1), {}).ok());
  const std::string one =
      "PROTOCOL    PACKETS               BYTES\n"
      "tcp         10                    100\n"
      "TOTAL       10                    100  (1 entries)\n";
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), one + one);
}

TEST(PrintSink, RefusesAnUnusableOutputPath) {
  TempDir dir;
  const std::string plain_file = dir.path() + "/f";
  std::ofstream(plain_file) << "x";
  auto s = PrintSink::create(config("print_output_file: " + plain_file + "/x.json\n"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "print_output_file: " + plain_file + " is not a directory");
}

}  // namespace
}  // namespace xacct::sinks
