// PrintSink with dynamic print_output_file names, time bins and
// print_latest_file: records split across the files their own values name,
// parent directories created, headers once per appended file, stamps in
// JSON only, the latest symlink on the newest file. Purge times are given,
// not read from the clock.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "sinks/print_sink.hpp"
#include "tests/sinks/sink_test_util.hpp"
#include "tests/userspace/record_builder.hpp"
#include "tests/userspace/tz_guard.hpp"

namespace xacct::sinks {
namespace {

using testing::config;
using testing::read_file;
using testing::TempDir;
using userspace::FlowRecord;
using userspace::PurgeInfo;
using userspace::testing::flow;
using userspace::testing::ip;
using userspace::testing::utc;

constexpr userspace::TimestampNs kNs = 1'000'000'000;

std::unique_ptr<PrintSink> sink(const std::string& text) {
  auto s = PrintSink::create(config(text));
  if (!s) throw std::runtime_error(s.error().message);
  s.value()->set_writer_pid(4242);
  return std::move(s.value());
}

// An aggregate as the plugin hands it over: keyed fields, counters, bin.
FlowRecord entry(const char* peer, std::uint64_t tag, std::uint8_t proto, const char* bin, std::uint64_t bytes) {
  FlowRecord r = flow("198.18.0.1", "198.18.0.2", 0, 0, proto, 1, bytes);
  r.peer_src_ip = ip(peer);
  r.tag = tag;
  r.time_bin_ns = bin != nullptr ? utc(bin) * kNs : 0;
  return r;
}

PurgeInfo purge_at(const char* time) { return PurgeInfo{utc(time) * kNs, false}; }

TEST(PrintDynamic, RecordsSplitAcrossTheFilesTheyName) {
  TempDir dir;
  auto s = sink("aggregate: peer_src_ip, tag, proto\nprint_output: json\nprint_history: 5m\n"
                "print_history_roundoff: m\ntimestamps_utc: true\nprint_output_file: " +
                dir.path() + "/%Y%m%d/%H%M/$peer_src_ip-$tag.json\n");
  const std::vector<FlowRecord> e{
      entry("192.0.2.1", 1, 6, "2024-02-29T23:55:00Z", 100),
      entry("192.0.2.2", 1, 17, "2024-02-29T23:55:00Z", 200),
      entry("192.0.2.1", 1, 17, "2024-02-29T23:55:00Z", 300),
      entry("192.0.2.1", 1, 6, "2024-03-01T00:00:00Z", 400),  // next bin, next day
  };
  ASSERT_TRUE(s->write(e, purge_at("2024-03-01T00:01:00Z")).ok());
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"20240229/2355/192_0_2_1-1.json", "20240229/2355/192_0_2_2-1.json",
                                                   "20240301/0000/192_0_2_1-1.json"}));
  const std::string stamps = R"("stamp_inserted": "2024-02-29 23:55:00", "stamp_updated": "2024-03-01 00:01:00")";
  EXPECT_EQ(read_file(dir.path() + "/20240229/2355/192_0_2_1-1.json"),
            R"({"event_type": "purge", "tag": 1, "peer_ip_src": "192.0.2.1", "ip_proto": "tcp", )" + stamps +
                R"(, "packets": 1, "bytes": 100})" "\n"
                R"({"event_type": "purge", "tag": 1, "peer_ip_src": "192.0.2.1", "ip_proto": "udp", )" + stamps +
                R"(, "packets": 1, "bytes": 300})" "\n");
  EXPECT_EQ(read_file(dir.path() + "/20240229/2355/192_0_2_2-1.json"),
            R"({"event_type": "purge", "tag": 1, "peer_ip_src": "192.0.2.2", "ip_proto": "udp", )" + stamps +
                R"(, "packets": 1, "bytes": 200})" "\n");
  EXPECT_EQ(read_file(dir.path() + "/20240301/0000/192_0_2_1-1.json"),
            R"({"event_type": "purge", "tag": 1, "peer_ip_src": "192.0.2.1", "ip_proto": "tcp", )"
            R"("stamp_inserted": "2024-03-01 00:00:00", "stamp_updated": "2024-03-01 00:01:00", "packets": 1, "bytes": 400})"
            "\n");
}

TEST(PrintDynamic, LocalTimeNamesAndStamps) {
  userspace::testing::TzGuard tz("Europe/Berlin");
  TempDir dir;
  auto s = sink("aggregate: proto\nprint_output: json\nprint_history: 1h\nprint_history_roundoff: h\n"
                "print_output_file: " + dir.path() + "/%Y-%m-%dT%H$tzone.json\n");
  const std::vector<FlowRecord> e{entry("192.0.2.1", 0, 6, "2024-03-31T01:00:00Z", 100)};  // 03:00 CEST
  ASSERT_TRUE(s->write(e, purge_at("2024-03-31T01:30:00Z")).ok());
  EXPECT_EQ(dir.files(), std::vector<std::string>{"2024-03-31T03+02:00.json"});
  EXPECT_EQ(read_file(dir.path() + "/2024-03-31T03+02:00.json"),
            R"({"event_type": "purge", "ip_proto": "tcp", "stamp_inserted": "2024-03-31 03:00:00", )"
            R"("stamp_updated": "2024-03-31 03:30:00", "packets": 1, "bytes": 100})" "\n");
}

TEST(PrintDynamic, WithoutHistoryNamesUseThePurgeTime) {
  TempDir dir;
  auto s = sink("aggregate: proto\nprint_output: csv\ntimestamps_utc: true\nprint_output_file: " + dir.path() +
                "/acct-%Y%m%d-%H%M-$ref.csv\n");
  const std::vector<FlowRecord> e{entry("192.0.2.1", 0, 6, nullptr, 100)};
  ASSERT_TRUE(s->write(e, purge_at("2024-02-29T12:34:56Z")).ok());
  EXPECT_EQ(read_file(dir.path() + "/acct-20240229-1234-60.csv"), "PROTOCOL,PACKETS,BYTES\ntcp,1,100\n");
  // An empty purge still writes the (header-only) file of its time.
  ASSERT_TRUE(s->write({}, purge_at("2024-02-29T12:35:56Z")).ok());
  EXPECT_EQ(read_file(dir.path() + "/acct-20240229-1235-60.csv"), "PROTOCOL,PACKETS,BYTES\n");
}

TEST(PrintDynamic, EmptyPurgeWritesNothingWhenNamesNeedRecords) {
  TempDir dir;
  auto s = sink("aggregate: tag\nprint_output: csv\nprint_output_file: " + dir.path() + "/t-$tag.csv\n");
  ASSERT_TRUE(s->write({}, purge_at("2024-02-29T12:34:56Z")).ok());
  EXPECT_TRUE(dir.files().empty());
}

TEST(PrintDynamic, AppendKeepsOneHeaderPerFile) {
  TempDir dir;
  auto s = sink("aggregate: tag, proto\nprint_output: csv\nprint_output_file_append: true\nprint_output_file: " +
                dir.path() + "/t-$tag.csv\n");
  ASSERT_TRUE(s->write(std::vector<FlowRecord>{entry("192.0.2.1", 1, 6, nullptr, 10), entry("192.0.2.1", 2, 6, nullptr, 20)},
                       purge_at("2024-02-29T12:00:00Z"))
                  .ok());
  ASSERT_TRUE(s->write(std::vector<FlowRecord>{entry("192.0.2.1", 2, 17, nullptr, 30), entry("192.0.2.1", 3, 6, nullptr, 40)},
                       purge_at("2024-02-29T12:01:00Z"))
                  .ok());
  EXPECT_EQ(read_file(dir.path() + "/t-1.csv"), "TAG,PROTOCOL,PACKETS,BYTES\n1,tcp,1,10\n");
  EXPECT_EQ(read_file(dir.path() + "/t-2.csv"), "TAG,PROTOCOL,PACKETS,BYTES\n2,tcp,1,20\n2,udp,1,30\n");
  EXPECT_EQ(read_file(dir.path() + "/t-3.csv"), "TAG,PROTOCOL,PACKETS,BYTES\n3,tcp,1,40\n");
}

TEST(PrintDynamic, MarkersPerFileCountThatFileAndThePurge) {
  TempDir dir;
  auto s = sink("aggregate: tag\nprint_output: json\nprint_markers: true\nwriter_id_string: $proc_name@x\n"
                "print_output_file: " + dir.path() + "/t-$tag.json\n");
  ASSERT_TRUE(s->write(std::vector<FlowRecord>{entry("192.0.2.1", 1, 6, nullptr, 10), entry("192.0.2.1", 2, 6, nullptr, 20),
                                               entry("192.0.2.1", 2, 17, nullptr, 30)},
                       purge_at("2024-02-29T12:00:00Z"))
                  .ok());
  EXPECT_EQ(read_file(dir.path() + "/t-2.json"),
            R"({"event_type": "purge_init", "writer_id": "p@x"})" "\n"
            R"({"event_type": "purge", "tag": 2, "packets": 1, "bytes": 20})" "\n"
            R"({"event_type": "purge", "tag": 2, "packets": 1, "bytes": 30})" "\n"
            R"({"event_type": "purge_close", "writer_id": "p@x", "purged_entries": 2, "total_entries": 3, "duration": 0})"
            "\n");
}

TEST(PrintDynamic, LatestFileLinksTheNewestFile) {
  TempDir dir;
  auto s = sink("aggregate: peer_src_ip, proto\nprint_output: csv\nprint_history: 5m\nprint_history_roundoff: m\n"
                "timestamps_utc: true\nprint_output_file: " + dir.path() + "/spool/$peer_src_ip/%H%M.csv\n"
                "print_latest_file: " + dir.path() + "/latest/$peer_src_ip\n");
  const std::vector<FlowRecord> first{entry("192.0.2.1", 0, 6, "2024-02-29T23:55:00Z", 1),
                                      entry("192.0.2.1", 0, 6, "2024-02-29T23:50:00Z", 2),
                                      entry("192.0.2.2", 0, 6, "2024-02-29T23:50:00Z", 3)};
  ASSERT_TRUE(s->write(first, purge_at("2024-02-29T23:56:00Z")).ok());
  auto link = [&dir](const char* peer) { return std::filesystem::read_symlink(dir.path() + "/latest/" + peer).string(); };
  // Files are written oldest bin first, so the newest bin ends up linked.
  EXPECT_EQ(link("192_0_2_1"), dir.path() + "/spool/192_0_2_1/2355.csv");
  EXPECT_EQ(link("192_0_2_2"), dir.path() + "/spool/192_0_2_2/2350.csv");
  EXPECT_EQ(read_file(dir.path() + "/latest/192_0_2_1"), "PEER_SRC_IP,PROTOCOL,PACKETS,BYTES\n192.0.2.1,tcp,1,1\n");
  // A later purge moves the link on.
  ASSERT_TRUE(s->write(std::vector<FlowRecord>{entry("192.0.2.2", 0, 17, "2024-03-01T00:00:00Z", 4)},
                       purge_at("2024-03-01T00:01:00Z"))
                  .ok());
  EXPECT_EQ(link("192_0_2_2"), dir.path() + "/spool/192_0_2_2/0000.csv");
  EXPECT_EQ(link("192_0_2_1"), dir.path() + "/spool/192_0_2_1/2355.csv");
}

TEST(PrintDynamic, LatestFileForARelativeOutputIsAbsolute) {
  TempDir dir;
  const std::string cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  auto s = sink("aggregate: proto\nprint_output: csv\nprint_output_file: out/acct.csv\nprint_latest_file: latest.csv\n");
  const bool ok = s->write(std::vector<FlowRecord>{entry("192.0.2.1", 0, 6, nullptr, 1)}, purge_at("2024-02-29T23:56:00Z")).ok();
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(ok);
  EXPECT_EQ(std::filesystem::read_symlink(dir.path() + "/latest.csv").string(), dir.path() + "/out/acct.csv");
}

TEST(PrintDynamic, LatestFileNeverReplacesARegularFile) {
  TempDir dir;
  std::ofstream(dir.path() + "/latest") << "keep";
  auto s = sink("aggregate: proto\nprint_output: csv\nprint_output_file: " + dir.path() + "/acct.csv\n"
                "print_latest_file: " + dir.path() + "/latest\n");
  auto st = s->write(std::vector<FlowRecord>{entry("192.0.2.1", 0, 6, nullptr, 1)}, purge_at("2024-02-29T23:56:00Z"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "print_latest_file " + dir.path() + "/latest exists and is not a symlink");
  EXPECT_EQ(read_file(dir.path() + "/latest"), "keep");
  EXPECT_EQ(read_file(dir.path() + "/acct.csv"), "PROTOCOL,PACKETS,BYTES\ntcp,1,1\n");  // the purge itself was written
}

TEST(PrintDynamic, StampsAreJsonOnly) {
  const std::vector<FlowRecord> e{entry("192.0.2.1", 0, 6, "2024-02-29T23:55:00Z", 100)};
  auto csv = sink("aggregate: proto\nprint_output: csv\nprint_history: 5m\ntimestamps_utc: true\n");
  EXPECT_EQ(csv->render(e, true, 0, utc("2024-03-01T00:01:00Z") * kNs), "PROTOCOL,PACKETS,BYTES\ntcp,1,100\n");
  auto epoch = sink("aggregate: proto\nprint_output: json\nprint_history: 5m\ntimestamps_since_epoch: true\n");
  EXPECT_EQ(epoch->render(e, true, 0, utc("2024-03-01T00:01:00Z") * kNs),
            R"({"event_type": "purge", "ip_proto": "tcp", "stamp_inserted": "1709250900", )"
            R"("stamp_updated": "1709251260", "packets": 1, "bytes": 100})" "\n");
  auto rfc = sink("aggregate: proto\nprint_output: json\nprint_history: 5m\ntimestamps_utc: true\n"
                  "timestamps_rfc3339: true\n");
  EXPECT_EQ(rfc->render(e, true, 0, utc("2024-03-01T00:01:00Z") * kNs),
            R"({"event_type": "purge", "ip_proto": "tcp", "stamp_inserted": "2024-02-29T23:55:00Z", )"
            R"("stamp_updated": "2024-03-01T00:01:00Z", "packets": 1, "bytes": 100})" "\n");
}

}  // namespace
}  // namespace xacct::sinks
