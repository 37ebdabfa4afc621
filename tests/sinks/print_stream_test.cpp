// PrintSink::write_chunks (the streaming purge): for every output format,
// with and without markers, replaced and appended files, the file holds
// exactly what write() of the same entries gives, whatever the chunking;
// and streams() is false where the whole purge must be seen at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "sinks/print_sink.hpp"
#include "tests/sinks/sink_test_util.hpp"
#include "tests/userspace/record_builder.hpp"

namespace xacct::sinks {
namespace {

using testing::config;
using testing::read_file;
using testing::TempDir;
using userspace::FlowRecord;
using userspace::testing::flow;

class VectorChunks : public userspace::EntryChunks {
 public:
  VectorChunks(const std::vector<FlowRecord>& all, std::size_t chunk) : all_(all), chunk_(chunk) {}
  std::size_t size() const override { return all_.size(); }
  std::span<const FlowRecord> next() override {
    const std::size_t n = std::min(chunk_, all_.size() - pos_);
    std::span<const FlowRecord> s(all_.data() + pos_, n);
    pos_ += n;
    return s;
  }

 private:
  const std::vector<FlowRecord>& all_;
  std::size_t chunk_;
  std::size_t pos_ = 0;
};

std::unique_ptr<PrintSink> sink(const std::string& text) {
  auto s = PrintSink::create(config(text));
  EXPECT_TRUE(s.ok());
  s.value()->set_writer_pid(4242);
  return std::move(s.value());
}

std::vector<FlowRecord> many(std::size_t n) {
  std::vector<FlowRecord> out;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string v4 = "198.18." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    if (i % 3 == 0) {
      out.push_back(flow("2001:db8::" + std::to_string(i % 9000 + 1), "2001:db8:1::1", 1000 + i % 7, 443, 6,
                         i + 1, 100 * (i + 1)));
    } else {
      out.push_back(flow(v4, "198.19.0.1", 53, static_cast<std::uint16_t>(i % 60000), 17, i + 1, 60 * (i + 1)));
    }
  }
  return out;
}

TEST(PrintStream, SameFileAsWriteForEveryFormatAndMode) {
  const std::vector<FlowRecord> e = many(5000);
  int compared = 0;
  for (const char* output : {"csv", "json", "formatted"}) {
    for (bool markers : {false, true}) {
      for (bool append : {false, true}) {
        for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{4096}}) {
          TempDir dir;
          const std::string keys = "aggregate: src_host, dst_host, src_port, dst_port, proto\nprint_output: " +
                                   std::string(output) + (markers ? "\nprint_markers: true" : "") +
                                   (append ? "\nprint_output_file_append: true" : "") + "\nprint_output_file: ";
          auto whole = sink(keys + dir.path() + "/whole.txt\n");
          auto streamed = sink(keys + dir.path() + "/streamed.txt\n");
          ASSERT_TRUE(streamed->streams());
          // Two purges: the second appends (or replaces) after the first.
          for (std::size_t purge = 0; purge < 2; ++purge) {
            const userspace::PurgeInfo info{1'700'000'000'000'000'000 + static_cast<std::int64_t>(purge), false};
            std::vector<FlowRecord> part(e.begin(), e.begin() + static_cast<std::ptrdiff_t>(e.size() - purge * 1000));
            ASSERT_TRUE(whole->write(part, info).ok());
            VectorChunks chunks(part, chunk);
            ASSERT_TRUE(streamed->write_chunks(chunks, info).ok());
          }
          const std::string a = read_file(dir.path() + "/whole.txt");
          ASSERT_FALSE(a.empty());
          ASSERT_EQ(a, read_file(dir.path() + "/streamed.txt")) << output << markers << append << chunk;
          // No temporary file left behind.
          std::size_t files = 0;
          for (const auto& f : std::filesystem::directory_iterator(dir.path())) files += f.is_regular_file() ? 1 : 0;
          EXPECT_EQ(files, 2u);
          ++compared;
        }
      }
    }
  }
  EXPECT_EQ(compared, 3 * 2 * 2 * 3);
}

TEST(PrintStream, EmptyPurgeWritesMarkersAndHeaderLikeWrite) {
  TempDir dir;
  const std::string keys = "aggregate: proto\nprint_output: csv\nprint_markers: true\nprint_output_file: ";
  auto whole = sink(keys + dir.path() + "/a.csv\n");
  auto streamed = sink(keys + dir.path() + "/b.csv\n");
  const std::vector<FlowRecord> none;
  ASSERT_TRUE(whole->write(none, {}).ok());
  VectorChunks chunks(none, 16);
  ASSERT_TRUE(streamed->write_chunks(chunks, {}).ok());
  EXPECT_EQ(read_file(dir.path() + "/a.csv"), read_file(dir.path() + "/b.csv"));
  EXPECT_EQ(read_file(dir.path() + "/b.csv"), "--START (4242)--\nPROTOCOL,PACKETS,BYTES\n--END (4242)--\n");
}

TEST(PrintStream, NotForTopStdoutDynamicNamesOrLatestLink) {
  TempDir dir;
  EXPECT_FALSE(sink("aggregate: proto\nprint_output: formatted\nprint_top: 3\nprint_output_file: " + dir.path() +
                    "/t.txt\n")->streams());
  EXPECT_FALSE(sink("aggregate: proto\nprint_output: csv\n")->streams());
  EXPECT_FALSE(sink("aggregate: proto\nprint_output: csv\nprint_history: 5m\nprint_output_file: " + dir.path() +
                    "/%Y%m%d-%H%M.csv\n")->streams());
  EXPECT_FALSE(sink("aggregate: proto\nprint_output: csv\nprint_output_file: " + dir.path() +
                    "/o.csv\nprint_latest_file: " + dir.path() + "/latest\n")->streams());
  EXPECT_TRUE(sink("aggregate: proto\nprint_output: csv\nprint_output_file: " + dir.path() + "/o.csv\n")->streams());
}

}  // namespace
}  // namespace xacct::sinks
