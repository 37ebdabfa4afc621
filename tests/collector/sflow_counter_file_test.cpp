// sfacctd_counter_file: the exact JSON lines of hand-built counter samples
// (collector/counter_json.hpp, pmacct 1.7.7's layout), decoded through the
// sFlow decoder, and the writer's files, log_init, seq, drops and reopen
// (collector/counter_file.hpp).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "collector/counter_file.hpp"
#include "collector/counter_json.hpp"
#include "collector/sflow_decoder.hpp"
#include "tests/collector/sflow_test_util.hpp"

namespace xacct::collector {
namespace {

namespace sf = tests::sflow;
using tests::Bytes;

// Owned copy of what the decoder reported (the views die with the call).
struct Seen {
  SflowCounterSampleView head;
  std::vector<std::pair<std::uint32_t, Bytes>> records;
  SflowCounterSampleView view() const {
    views.clear();
    for (const auto& [tag, b] : records) views.push_back({tag, std::span<const std::uint8_t>(b)});
    SflowCounterSampleView v = head;
    v.records = views;
    return v;
  }
  mutable std::vector<SflowCounterRecordView> views;
};

std::vector<Seen> decode_counters(const Bytes& datagram) {
  userspace::Stats stats;
  std::vector<Seen> seen;
  SflowOptions o;
  o.on_counter_sample = [&seen](const SflowCounterSampleView& v) {
    Seen s;
    s.head = v;
    s.head.records = {};
    for (const auto& r : v.records) s.records.push_back({r.tag, Bytes(r.data.begin(), r.data.end())});
    seen.push_back(std::move(s));
  };
  auto dec = make_sflow_decoder(o, stats);
  Datagram d;
  d.data = datagram;
  d.exporter.bytes[10] = d.exporter.bytes[11] = 0xff;
  d.exporter.bytes[12] = 192;
  d.exporter.bytes[15] = 9;
  d.arrival_ns = 1700000000100000000;
  userspace::RecordBatch out;
  dec->decode(d, out);
  return seen;
}

Bytes vlan_counters(std::uint32_t vlan) {
  sf::Xdr x;
  x.u32(vlan).u64(5000000000ull).u32(1).u32(2).u32(3).u32(4);
  return sf::tlv(5, x);
}

Bytes processor_counters() {
  sf::Xdr x;
  x.u32(5).u32(6).u32(7).u64(8000).u64(4000);
  return sf::tlv(1001, x);
}

userspace::IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  userspace::IpAddress ip;
  ip.bytes[10] = ip.bytes[11] = 0xff;
  ip.bytes[12] = a;
  ip.bytes[13] = b;
  ip.bytes[14] = c;
  ip.bytes[15] = d;
  return ip;
}

const std::string kStamp = "2023-11-14 22:13:20.100000";

std::string common(std::uint64_t seq, const char* agent, std::uint32_t index, std::uint32_t dseq,
                   std::uint32_t cseq) {
  return "{\"seq\": " + std::to_string(seq) + ", \"timestamp\": \"" + kStamp + "\", \"peer_ip_src\": \"" +
         agent + "\", \"event_type\": \"log\", \"source_id_index\": " + std::to_string(index) +
         ", \"sflow_seq\": " + std::to_string(dseq) + ", \"sflow_cnt_seq\": " + std::to_string(cseq);
}

const std::string kGenericFields =
    ", \"sf_cnt_type\": \"sflow_cnt_generic\", \"ifIndex\": 3, \"ifType\": 6, \"ifSpeed\": 1000000000, "
    "\"ifDirection\": 1, \"ifStatus\": 3, \"ifInOctets\": 123456789012, \"ifInUcastPkts\": 10, "
    "\"ifInMulticastPkts\": 11, \"ifInBroadcastPkts\": 12, \"ifInDiscards\": 13, \"ifInErrors\": 14, "
    "\"ifInUnknownProtos\": 15, \"ifOutOctets\": 987654321, \"ifOutUcastPkts\": 20, \"ifOutMulticastPkts\": "
    "21, "
    "\"ifOutBroadcastPkts\": 22, \"ifOutDiscards\": 23, \"ifOutErrors\": 24, \"ifPromiscuousMode\": 0";
const std::string kEthernetFields =
    ", \"dot3StatsAlignmentErrors\": 0, \"dot3StatsFCSErrors\": 1, \"dot3StatsSingleCollisionFrames\": 2, "
    "\"dot3StatsMultipleCollisionFrames\": 3, \"dot3StatsSQETestErrors\": 4, "
    "\"dot3StatsDeferredTransmissions\": 5, "
    "\"dot3StatsLateCollisions\": 6, \"dot3StatsExcessiveCollisions\": 7, "
    "\"dot3StatsInternalMacTransmitErrors\": 8, \"dot3StatsCarrierSenseErrors\": 9, "
    "\"dot3StatsFrameTooLongs\": 10, \"dot3StatsInternalMacReceiveErrors\": 11, \"dot3StatsSymbolErrors\": "
    "12";

TEST(SflowCounterJson, V5LinesPerRecordAsSfacctd) {
  const Bytes dg = sf::v5_datagram(
      sf::kAgent, 3, 42, 5000,
      {sf::counter_sample(7, 3,
                          {sf::generic_counters(3, 123456789012, 987654321), sf::ethernet_counters(),
                           vlan_counters(100), processor_counters()}),
       sf::expanded_counter_sample(8, 0, 70000, {vlan_counters(4094)})});
  const auto seen = decode_counters(dg);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].head.datagram_version, 5u);
  EXPECT_EQ(seen[0].head.sub_agent_id, 3u);
  std::string out;
  const std::string agent = counter_agent_text(seen[0].head.agent);
  EXPECT_EQ(agent, "192.0.2.77");
  EXPECT_EQ(append_counter_lines(seen[0].view(), kStamp, agent, 5, out), 4u);
  EXPECT_EQ(append_counter_lines(seen[1].view(), kStamp, agent, 9, out), 1u);
  const std::string want = common(5, "192.0.2.77", 3, 42, 7) + kGenericFields + "}\n" +
                           common(6, "192.0.2.77", 3, 42, 7) + ", \"sf_cnt_type\": \"sflow_cnt_ethernet\"" +
                           kEthernetFields + "}\n" + common(7, "192.0.2.77", 3, 42, 7) +
                           ", \"sf_cnt_type\": \"sflow_cnt_vlan\", \"octets\": 5000000000, \"ucastPkts\": 1, "
                           "\"multicastPkts\": 2, "
                           "\"broadcastPkts\": 3, \"discards\": 4, \"vlan\": 100}\n" +
                           common(8, "192.0.2.77", 3, 42, 7) + "}\n" +  // processor: the common fields only
                           common(9, "192.0.2.77", 70000, 42, 8) +
                           ", \"sf_cnt_type\": \"sflow_cnt_vlan\", \"octets\": 5000000000, \"ucastPkts\": 1, "
                           "\"multicastPkts\": 2, "
                           "\"broadcastPkts\": 3, \"discards\": 4, \"vlan\": 4094}\n";
  EXPECT_EQ(out, want);
}

TEST(SflowCounterJson, V4EthernetIsOneLineAndTypeReplacedInPlace) {
  const Bytes dg = sf::v4_datagram(4, sf::kAgent, 10, 5000, {sf::v4_counter_sample(77, 5)});
  const auto seen = decode_counters(dg);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].head.datagram_version, 4u);
  ASSERT_EQ(seen[0].records.size(), 1u);
  EXPECT_EQ(seen[0].records[0].first, 2u);
  EXPECT_EQ(seen[0].records[0].second.size(), 140u);
  std::string out;
  EXPECT_EQ(append_counter_lines(seen[0].view(), kStamp, "192.0.2.77", 0, out), 1u);
  std::string generic = kGenericFields;
  generic.replace(generic.find("sflow_cnt_generic"), 17, "sflow_cnt_ethernet");
  generic.replace(generic.find("\"ifIndex\": 3"), 12, "\"ifIndex\": 5");
  generic.replace(generic.find("123456789012"), 12, "5000");
  generic.replace(generic.find("987654321"), 9, "6000");
  EXPECT_EQ(out, common(0, "192.0.2.77", 5, 10, 77) + generic + kEthernetFields + "}\n");
}

TEST(SflowCounterJson, LogInitAndSignedCounters) {
  std::string out;
  append_log_init_line(kStamp, "2001:db8::1", 0, out);
  EXPECT_EQ(out, "{\"seq\": 0, \"timestamp\": \"" + kStamp +
                     "\", \"peer_src_ip\": \"2001:db8::1\", \"event_type\": \"log_init\"}\n");
  // A 64-bit counter above 2^63 prints as jansson's signed integer.
  sf::Xdr x;
  x.u32(1).u64(0xffffffffffffffffull).u32(0).u32(0).u32(0).u32(0);
  const Bytes rec(x.bytes().begin(), x.bytes().end());
  const SflowCounterRecordView r{5, rec};
  SflowCounterSampleView v;
  v.records = std::span<const SflowCounterRecordView>(&r, 1);
  out.clear();
  append_counter_lines(v, kStamp, "192.0.2.1", 0, out);
  EXPECT_NE(out.find("\"octets\": -1,"), std::string::npos) << out;
}

class CounterFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("xacct_counter_file_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static std::vector<std::string> lines_of(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::vector<std::string> l;
    for (std::string s; std::getline(in, s);) l.push_back(s);
    return l;
  }
  std::uint64_t stat(const std::string& name) {
    return stats_.counter("collector.counter_file." + name).value();
  }

  std::filesystem::path dir_;
  userspace::Stats stats_;
};

TEST_F(CounterFileTest, FilesPerAgentLogInitSeqAndStats) {
  CounterFileOptions o;
  o.file = (dir_ / "sub" / "cnt-$peer_src_ip.json").string();
  o.timestamps.utc = true;
  auto w = CounterFileWriter::create(o, stats_);
  ASSERT_TRUE(w) << w.error().message;
  CounterFileWriter& cw = *w.value();
  cw.start();
  userspace::Stats dstats;
  SflowOptions so;
  so.on_counter_sample = cw.callback();
  auto dec = make_sflow_decoder(so, dstats);
  const tests::Ip4 agent2{198, 18, 0, 2};
  const Bytes a =
      sf::v5_datagram(sf::kAgent, 0, 1, 100,
                      {sf::counter_sample(1, 3, {sf::generic_counters(3, 1, 2), sf::ethernet_counters()})});
  const Bytes b =
      sf::v5_datagram(agent2, 0, 1, 100, {sf::counter_sample(1, 4, {sf::generic_counters(4, 1, 2)})});
  const Bytes c = sf::v5_datagram(sf::kAgent, 1, 2, 100, {sf::counter_sample(2, 3, {vlan_counters(7)})});
  userspace::RecordBatch out;
  Datagram d;
  d.arrival_ns = 1700000000100000000;
  for (const Bytes* dg : {&a, &b, &c}) {
    d.data = *dg;
    dec->decode(d, out);
  }
  cw.flush();
  EXPECT_EQ(cw.file_name(v4(192, 0, 2, 77)), (dir_ / "sub" / "cnt-192_0_2_77.json").string());
  const auto l1 = lines_of(dir_ / "sub" / "cnt-192_0_2_77.json");
  const auto l2 = lines_of(dir_ / "sub" / "cnt-198_18_0_2.json");
  ASSERT_EQ(l1.size(), 5u);  // log_init, generic, ethernet; log_init of sub agent 1, vlan
  ASSERT_EQ(l2.size(), 2u);
  EXPECT_EQ(l1[0], "{\"seq\": 0, \"timestamp\": \"" + kStamp +
                       "\", \"peer_src_ip\": \"192.0.2.77\", \"event_type\": \"log_init\"}");
  EXPECT_EQ(l1[1].rfind("{\"seq\": 1, ", 0), 0u);
  EXPECT_NE(l1[1].find("sflow_cnt_generic"), std::string::npos);
  EXPECT_EQ(l1[2].rfind("{\"seq\": 2, ", 0), 0u);
  EXPECT_NE(l1[2].find("sflow_cnt_ethernet"), std::string::npos);
  EXPECT_EQ(l2[0].rfind("{\"seq\": 3, ", 0), 0u);
  EXPECT_NE(l2[0].find("log_init"), std::string::npos);
  EXPECT_EQ(l2[1].rfind("{\"seq\": 4, ", 0), 0u);
  EXPECT_EQ(l1[3].rfind("{\"seq\": 5, ", 0), 0u);
  EXPECT_NE(l1[3].find("log_init"), std::string::npos);
  EXPECT_EQ(l1[4].rfind("{\"seq\": 6, ", 0), 0u);
  EXPECT_NE(l1[4].find("\"vlan\": 7}"), std::string::npos);
  EXPECT_EQ(stat("samples"), 3u);
  EXPECT_EQ(stat("lines_written"), 7u);
  EXPECT_EQ(stat("lines_dropped"), 0u);
  EXPECT_EQ(stat("files_opened"), 2u);

  // Reopen (log rotation): the old file was moved away, lines go to a new one.
  std::filesystem::rename(dir_ / "sub" / "cnt-192_0_2_77.json", dir_ / "rotated.json");
  cw.reopen();
  const Bytes again =
      sf::v5_datagram(sf::kAgent, 0, 3, 100, {sf::counter_sample(3, 3, {sf::generic_counters(3, 1, 2)})});
  d.data = again;
  dec->decode(d, out);
  cw.flush();
  const auto l3 = lines_of(dir_ / "sub" / "cnt-192_0_2_77.json");
  ASSERT_EQ(l3.size(), 1u);  // no second log_init: the agent is known
  EXPECT_EQ(l3[0].rfind("{\"seq\": 7, ", 0), 0u);
  EXPECT_EQ(lines_of(dir_ / "rotated.json").size(), 5u);
  EXPECT_EQ(stat("files_opened"), 3u);
  cw.stop();
}

TEST_F(CounterFileTest, FullQueueDropsAreCounted) {
  CounterFileOptions o;
  o.file = (dir_ / "c.json").string();
  o.queue_samples = 2;
  auto w = CounterFileWriter::create(o, stats_);
  ASSERT_TRUE(w);
  const Bytes rec = sf::generic_counters(3, 1, 2);
  const SflowCounterRecordView r{1, std::span<const std::uint8_t>(rec).subspan(8)};
  SflowCounterSampleView v;
  v.records = std::span<const SflowCounterRecordView>(&r, 1);
  for (int i = 0; i < 5; ++i) w.value()->submit(v);  // thread not started: the queue fills
  EXPECT_EQ(stat("samples"), 2u);
  EXPECT_EQ(stat("samples_dropped"), 3u);
  w.value()->start();
  w.value()->flush();
  EXPECT_EQ(lines_of(dir_ / "c.json").size(), 3u);  // log_init + 2
  EXPECT_EQ(stat("lines_written"), 3u);
}

TEST_F(CounterFileTest, UnwritableFileDropsLinesAndTemplateIsChecked) {
  CounterFileOptions o;
  std::filesystem::create_directories(dir_);
  { std::ofstream(dir_ / "plainfile") << "x"; }
  o.file = (dir_ / "plainfile" / "c.json").string();  // parent is a file
  auto w = CounterFileWriter::create(o, stats_);
  ASSERT_TRUE(w);
  const Bytes rec = sf::generic_counters(3, 1, 2);
  const SflowCounterRecordView r{1, std::span<const std::uint8_t>(rec).subspan(8)};
  SflowCounterSampleView v;
  v.records = std::span<const SflowCounterRecordView>(&r, 1);
  w.value()->start();
  w.value()->submit(v);
  w.value()->submit(v);
  w.value()->flush();
  EXPECT_EQ(stat("open_errors"), 1u);  // once, not per batch
  EXPECT_EQ(stat("lines_dropped"), 3u);
  EXPECT_EQ(stat("lines_written"), 0u);
  o.file = "/tmp/$peer_src_ip-$tag.json";
  auto bad = CounterFileWriter::create(o, stats_);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("only $peer_src_ip"), std::string::npos);
}

TEST_F(CounterFileTest, NamedPipeNobodyReadsDropsInsteadOfBlocking) {
  std::filesystem::create_directories(dir_);
  const auto fifo = dir_ / "pipe.json";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  CounterFileOptions o;
  o.file = fifo.string();
  auto w = CounterFileWriter::create(o, stats_);
  ASSERT_TRUE(w);
  const Bytes rec = sf::generic_counters(3, 1, 2);
  const SflowCounterRecordView r{1, std::span<const std::uint8_t>(rec).subspan(8)};
  SflowCounterSampleView v;
  v.records = std::span<const SflowCounterRecordView>(&r, 1);
  w.value()->start();
  // ~600 bytes a line: 2000 lines are far more than a pipe holds (64 KiB).
  for (int i = 0; i < 2000; ++i) w.value()->submit(v);
  w.value()->flush();  // returns: the writer never blocks on the pipe
  EXPECT_EQ(stat("lines_written") + stat("lines_dropped"), 2001u);  // + log_init
  EXPECT_GT(stat("lines_dropped"), 0u);
  EXPECT_GT(stat("lines_written"), 0u);
  EXPECT_GE(stat("write_errors"), 1u);
  w.value()->stop();
}

}  // namespace
}  // namespace xacct::collector
