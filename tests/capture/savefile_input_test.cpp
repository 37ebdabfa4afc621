// The savefile input (probe/capture/savefile_input.hpp) on pcap files these
// tests write: order of files, datalink per file, replay, delay, filter,
// truncated files, start-up checks, backpressure, progress lines, and that
// every packet is counted exactly once.
#include "probe/capture/savefile_input.hpp"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "tests/capture/capture_test_util.hpp"

namespace xacct::capture {
namespace {

using testing::Bytes;
using testing::cat;
using testing::hex;
using testing::PcapFile;

const Bytes kEth = hex("02 00 00 00 00 02 02 00 00 00 00 01");
// IPv4 UDP 198.18.0.1:1234 -> 198.18.0.2:5678, 38 bytes.
const Bytes kUdp4 = hex(
    "45 00 00 26 12 34 40 00 40 11 00 00 c6 12 00 01 c6 12 00 02"
    "04 d2 16 2e 00 12 00 00 30 31 32 33 34 35 36 37 38 39");
// IPv6 TCP 2001:db8::1:80 -> 2001:db8::2:50000, 60 bytes.
const Bytes kTcp6 = hex(
    "60 00 00 00 00 14 06 40"
    "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"
    "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02"
    "00 50 c3 50 00 00 00 01 00 00 00 02 50 10 ff ff 00 00 00 00");
const Bytes kArp = hex(
    "ff ff ff ff ff ff 02 00 00 00 00 01 08 06"
    "00 01 08 00 06 04 00 01 02 00 00 00 00 01 c6 12 00 01 00 00 00 00 00 00 c6 12 00 02");
constexpr std::uint64_t kT0 = 1'700'000'000'000'000'000;

class SavefileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/xacct-savefile-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  // eth.pcap: 3 UDP packets and 1 ARP (microseconds); null.pcap: 2 IPv6
  // TCP packets on DLT_NULL (nanoseconds).
  void write_two_files() {
    PcapFile eth(path("eth.pcap"), DLT_EN10MB);
    for (int i = 0; i < 3; ++i) eth.packet(kT0 + static_cast<std::uint64_t>(i) * 1000, cat({kEth, hex("08 00"), kUdp4}));
    eth.packet(kT0 + 5000, kArp);
    PcapFile null(path("null.pcap"), DLT_NULL, /*nanosecond=*/true);
    null.packet(kT0 + 10'000'000'123, cat({hex("1e 00 00 00"), kTcp6}));
    null.packet(kT0 + 10'000'000'456, cat({hex("1e 00 00 00"), kTcp6}));
  }

  CaptureConfig config(std::vector<std::string> files) const {
    CaptureConfig c;
    for (auto& f : files) c.savefile.files.push_back(path(f));
    c.batch_records = 2;
    return c;
  }

  BatchOutput collect() {
    BatchOutput out;
    out.push = [this](userspace::RecordBatch&& b) {
      for (auto& r : b) records_.push_back(r);
      ++batches_;
    };
    return out;
  }

  std::uint64_t counter(const std::string& name) { return stats_.counter("capture.savefile." + name).value(); }

  std::string dir_;
  userspace::Stats stats_;
  std::vector<userspace::FlowRecord> records_;
  std::size_t batches_ = 0;
};

TEST_F(SavefileTest, FilesInOrderEachWithItsDatalink) {
  write_two_files();
  auto in = SavefileInput::create(config({"eth.pcap", "null.pcap"}), stats_, collect());
  ASSERT_TRUE(in.ok()) << in.error().message;
  in.value()->run();
  EXPECT_TRUE(in.value()->finished());
  ASSERT_EQ(records_.size(), 5u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(records_[static_cast<std::size_t>(i)].bytes, 38u);
    EXPECT_EQ(records_[static_cast<std::size_t>(i)].first_ns, static_cast<std::int64_t>(kT0) + i * 1000);
  }
  EXPECT_EQ(records_[3].bytes, 60u);
  EXPECT_TRUE(records_[3].src_host.is_v6);
  // Nanosecond timestamps kept to the nanosecond.
  EXPECT_EQ(records_[3].first_ns, static_cast<std::int64_t>(kT0 + 10'000'000'123));
  EXPECT_EQ(records_[4].first_ns, static_cast<std::int64_t>(kT0 + 10'000'000'456));
  EXPECT_EQ(counter("file_packets"), 6u);
  EXPECT_EQ(counter("received"), 6u);
  EXPECT_EQ(counter("ip_packets"), 5u);
  EXPECT_EQ(counter("ip_bytes"), 3u * 38 + 2u * 60);
  EXPECT_EQ(counter("not_parsed"), 1u);
  EXPECT_EQ(counter("not_parsed_non_ip"), 1u);
  EXPECT_EQ(counter("filtered"), 0u);
  EXPECT_EQ(counter("files"), 2u);
  EXPECT_EQ(counter("read_errors"), 0u);
}

TEST_F(SavefileTest, ReplayReadsTheListAgain) {
  write_two_files();
  CaptureConfig c = config({"eth.pcap", "null.pcap"});
  c.savefile.replay = 3;
  auto in = SavefileInput::create(c, stats_, collect());
  ASSERT_TRUE(in.ok());
  in.value()->run();
  ASSERT_EQ(records_.size(), 15u);
  EXPECT_EQ(records_[5].bytes, 38u);  // the second pass starts with eth.pcap again
  EXPECT_EQ(counter("file_packets"), 18u);
  EXPECT_EQ(counter("ip_packets"), 15u);
  EXPECT_EQ(counter("files"), 6u);
}

TEST_F(SavefileTest, FilterRejectionsAreCounted) {
  write_two_files();
  CaptureConfig c = config({"eth.pcap", "null.pcap"});
  c.filter = "udp";
  auto in = SavefileInput::create(c, stats_, collect());
  ASSERT_TRUE(in.ok()) << in.error().message;
  in.value()->run();
  ASSERT_EQ(records_.size(), 3u);
  EXPECT_EQ(counter("file_packets"), 6u);
  EXPECT_EQ(counter("filtered"), 3u);  // the ARP frame and both TCP packets
  EXPECT_EQ(counter("received"), 3u);
  EXPECT_EQ(counter("not_parsed"), 0u);
  EXPECT_EQ(counter("file_packets"), counter("received") + counter("filtered"));
}

TEST_F(SavefileTest, FileCutInsideAPacketCountsWhatCameBefore) {
  {
    PcapFile f(path("cut.pcap"), DLT_EN10MB);
    f.packet(kT0, cat({kEth, hex("08 00"), kUdp4}));
    f.packet(kT0 + 1, cat({kEth, hex("08 00"), kUdp4}));
    // Record header announcing 52 bytes, then only 10 of them.
    f.raw(hex("00 f1 53 65 00 00 00 00 34 00 00 00 34 00 00 00"));
    f.raw(hex("02 00 00 00 00 02 02 00 00 00"));
  }
  write_two_files();
  auto in = SavefileInput::create(config({"cut.pcap", "eth.pcap"}), stats_, collect());
  ASSERT_TRUE(in.ok()) << in.error().message;
  in.value()->run();
  EXPECT_EQ(records_.size(), 2u + 3u);  // the cut file's two packets, then the next file
  EXPECT_EQ(counter("read_errors"), 1u);
  EXPECT_EQ(counter("files"), 1u);  // only eth.pcap was read to its end
  EXPECT_EQ(counter("file_packets"), 2u + 4u);
}

TEST_F(SavefileTest, StartUpChecksNameTheFile) {
  write_two_files();
  auto missing = SavefileInput::create(config({"eth.pcap", "nope.pcap"}), stats_, collect());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "pcap_savefile " + path("nope.pcap") + ": No such file or directory");

  { PcapFile wifi(path("wifi.pcap"), 105); }
  auto dl = SavefileInput::create(config({"wifi.pcap"}), stats_, collect());
  ASSERT_FALSE(dl.ok());
  EXPECT_NE(dl.error().message.find("datalink 105 (IEEE802_11) is not supported"), std::string::npos)
      << dl.error().message;

  CaptureConfig c = config({"eth.pcap"});
  c.filter = "udp and ((";
  auto filter = SavefileInput::create(c, stats_, collect());
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.error().message.rfind("pcap_filter 'udp and ((' on " + path("eth.pcap") + ": ", 0), 0u)
      << filter.error().message;

  {
    std::FILE* f = std::fopen(path("text.pcap").c_str(), "w");
    std::fputs("not a capture file at all\n", f);
    std::fclose(f);
  }
  auto text = SavefileInput::create(config({"text.pcap"}), stats_, collect());
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().message.rfind("pcap_savefile " + path("text.pcap") + ": ", 0), 0u);
}

TEST_F(SavefileTest, WaitsForRoomInsteadOfDropping) {
  write_two_files();
  BatchOutput out = collect();
  int refusals = 5;
  out.has_room = [&refusals](std::size_t) { return refusals-- <= 0; };
  auto in = SavefileInput::create(config({"eth.pcap", "null.pcap"}), stats_, std::move(out));
  ASSERT_TRUE(in.ok());
  in.value()->run();
  EXPECT_EQ(records_.size(), 5u);
  EXPECT_EQ(counter("backpressure_waits"), 5u);
}

TEST_F(SavefileTest, StopInterruptsTheDelay) {
  write_two_files();
  CaptureConfig c = config({"eth.pcap"});
  c.savefile.delay_s = 60;
  auto in = SavefileInput::create(c, stats_, collect());
  ASSERT_TRUE(in.ok());
  const auto t0 = std::chrono::steady_clock::now();
  in.value()->start();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(in.value()->finished());
  in.value()->stop();
  EXPECT_TRUE(in.value()->finished());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_TRUE(records_.empty());
  EXPECT_EQ(counter("file_packets"), 0u);
}

TEST_F(SavefileTest, ProgressLinesWhileReading) {
  {
    PcapFile f(path("long.pcap"), DLT_EN10MB);
    for (int i = 0; i < 9000; ++i) f.packet(kT0 + static_cast<std::uint64_t>(i), cat({kEth, hex("08 00"), kUdp4}));
  }
  std::ostringstream text;
  spdlog::drop("capture");
  auto logger = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(text));
  spdlog::register_logger(logger);
  CaptureConfig c = config({"long.pcap"});
  c.batch_records = 1024;
  auto in = SavefileInput::create(c, stats_, collect());
  ASSERT_TRUE(in.ok());
  in.value()->set_progress_interval(std::chrono::milliseconds(0));
  in.value()->run();
  spdlog::drop("capture");
  const std::string log = text.str();
  // Checked every 4096 packets: two progress lines, then the file's line.
  EXPECT_NE(log.find("long.pcap: 4096 packets, "), std::string::npos) << log;
  EXPECT_NE(log.find("long.pcap: 8192 packets, "), std::string::npos) << log;
  EXPECT_NE(log.find("% of "), std::string::npos) << log;
  EXPECT_NE(log.find("long.pcap: 9000 packets (EN10MB: 9000 IP, 0 not parsed, 0 filtered)"), std::string::npos)
      << log;
  EXPECT_EQ(records_.size(), 9000u);
}

}  // namespace
}  // namespace xacct::capture
