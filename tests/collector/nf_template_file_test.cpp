// nfacctd_templates_file: templates written on change, read back by a new
// decoder (a restarted collector decodes data without waiting for a
// template refresh), line format round trip, bad lines skipped and counted.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "collector/netflow_decoder.hpp"
#include "collector/template_file.hpp"
#include "tests/collector/nf_test_util.hpp"
#include "tests/collector/nf_vectors.hpp"

namespace xacct::collector {
namespace {

using tests::nf::datagram;
using tests::nf::v4;

std::filesystem::path temp_dir() {
  return std::filesystem::temp_directory_path() / ("xacct_nf_" + std::to_string(getpid()));
}

std::string temp_path(const char* name) {
  auto dir = temp_dir();
  std::filesystem::create_directories(dir);
  auto p = dir / name;
  std::filesystem::remove(p);
  return p.string();
}

// Removes the test's files (the decoders, and with them the file writers,
// are gone by then).
class NfTemplateFile : public ::testing::Test {
 protected:
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(temp_dir(), ec);
  }
};

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(NfTemplateFile, LineRoundTrip) {
  nf::StoredTemplate t;
  t.key = {tests::nf::v6("2001:db8::1"), 10, 4242};
  t.def.id = 300;
  t.def.options = true;
  t.def.scope_count = 1;
  t.def.fields = {{149, 4, 0}, {82, 65535, 0}, {12235, 4, 9}};
  const std::string line = nf::format_template_line(t);
  EXPECT_EQ(
      line,
      "{\"exporter\":\"2001:db8::1\",\"version\":10,\"domain\":4242,\"id\":300,\"options\":1,\"scope\":1,"
      "\"fields\":[[149,4,0],[82,65535,0],[12235,4,9]]}");
  auto back = nf::parse_template_line(line);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->key, t.key);
  EXPECT_EQ(back->def, t.def);
  for (std::size_t cut = 0; cut < line.size(); ++cut) {
    EXPECT_FALSE(nf::parse_template_line(line.substr(0, cut)).has_value()) << cut;
  }
  EXPECT_FALSE(
      nf::parse_template_line("{\"exporter\":\"1.2.3.4\",\"version\":9,\"domain\":1,\"id\":12,"
                              "\"options\":0,\"scope\":0,\"fields\":[[1,4,0]]}"));  // id < 256
}

TEST_F(NfTemplateFile, PersistedAndReloaded) {
  const std::string path = temp_path("templates.jsonl");
  userspace::Stats stats;
  NetflowOptions o;
  o.templates_file = path;
  {
    auto dec = make_netflow_decoder(o, stats);
    userspace::RecordBatch out;
    dec->decode(datagram(tests::nf::v9_full(), "192.0.2.254"), out);
    dec->decode(datagram(tests::nf::ipfix_basic(), "192.0.2.254"), out);
    EXPECT_EQ(out.size(), 5u);
    dec->flush_templates();
    const std::string text = read_all(path);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);  // v9 256, 257; IPFIX 300, 301
    EXPECT_NE(
        text.find("{\"exporter\":\"192.0.2.254\",\"version\":9,\"domain\":4242,\"id\":256,\"options\":0,"
                  "\"scope\":0,\"fields\":[[8,4,0],[12,4,0],"),
        std::string::npos);
    EXPECT_NE(text.find("[1,8,43874],[33,65535,29305]]}"), std::string::npos);
  }
  // A new decoder (restart) decodes data without a template in the datagram.
  userspace::Stats stats2;
  auto dec2 = make_netflow_decoder(o, stats2);
  EXPECT_EQ(stats2.counter("collector.netflow.templates_loaded").value(), 4u);
  EXPECT_EQ(dec2->template_count(), 4u);
  userspace::RecordBatch out;
  DecodeResult res = dec2->decode(datagram(tests::nf::v9_data_seq5(), "192.0.2.254"), out);
  EXPECT_EQ(res.records, 1u);
  EXPECT_EQ(res.template_misses, 0u);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes, 1500u);
  EXPECT_EQ(out[0].src_host, v4("10.0.0.1"));
  // Another exporter still has no template.
  res = dec2->decode(datagram(tests::nf::v9_data_seq5(), "192.0.2.253"), out);
  EXPECT_EQ(res.template_misses, 1u);
}

TEST_F(NfTemplateFile, WithdrawalRemovesFromTheFile) {
  const std::string path = temp_path("withdraw.jsonl");
  userspace::Stats stats;
  NetflowOptions o;
  o.templates_file = path;
  auto dec = make_netflow_decoder(o, stats);
  userspace::RecordBatch out;
  dec->decode(datagram(tests::nf::ipfix_basic()), out);
  tests::nf::IpfixWriter w(tests::nf::kIpfixExport, 3, 77);
  auto t = w.begin_set(2);
  w.u16(301).u16(0);
  w.end_set(t);
  dec->decode(datagram(w.finish()), out);
  dec->flush_templates();
  const std::string text = read_all(path);
  EXPECT_NE(text.find("\"id\":300"), std::string::npos);
  EXPECT_EQ(text.find("\"id\":301"), std::string::npos);
}

TEST_F(NfTemplateFile, BadLinesAreSkippedAndCounted) {
  const std::string path = temp_path("bad.jsonl");
  {
    std::ofstream f(path);
    f << "not json\n"
      << "{\"exporter\":\"192.0.2.1\",\"version\":10,\"domain\":5,\"id\":256,\"options\":0,\"scope\":0,"
         "\"fields\":[[2,4,0]]}\n"
      << "{\"exporter\":\"192.0.2.1\",\"version\":10,\"domain\":5,\"id\":257,\"options\":0,\"scope\":0,"
         "\"fields\":[[2,0,0]]}\n";  // parses, but a record length of 0 cannot compile
  }
  userspace::Stats stats;
  NetflowOptions o;
  o.templates_file = path;
  auto dec = make_netflow_decoder(o, stats);
  EXPECT_EQ(stats.counter("collector.netflow.templates_file_errors").value(), 2u);
  EXPECT_EQ(dec->template_count(), 1u);
}

}  // namespace
}  // namespace xacct::collector
