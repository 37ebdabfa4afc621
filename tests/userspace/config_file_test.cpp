// pmacct file syntax: normalization of keys, scoping, comments, values with
// colons, and every syntax error with its file:line.
#include "userspace/config_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace xacct::userspace {
namespace {

TEST(ConfigFile, ParsesKeysScopesCommentsAndBlankLines) {
  auto r = parse_config_text(
      "! a comment\n"
      "# another comment\n"
      "\n"
      "   \t\n"
      "aggregate: src_host, dst_host\n"
      "  AGGREGATE [b] :  proto  \n"
      "Print_Output[ Foo ]: json\n"
      "print_output_file[a]: /tmp/x!y.json\n"
      "pcap_interface:eth0\r\n",
      "t.conf");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& l = r.value();
  ASSERT_EQ(l.size(), 5u);
  EXPECT_EQ(l[0].key, "aggregate");
  EXPECT_EQ(l[0].plugin, "");
  EXPECT_EQ(l[0].value, "src_host, dst_host");
  EXPECT_EQ(l[0].where(), "t.conf:5");
  EXPECT_EQ(l[1].key, "aggregate");
  EXPECT_EQ(l[1].plugin, "b");
  EXPECT_EQ(l[1].value, "proto");
  EXPECT_EQ(l[1].line, 6u);
  EXPECT_EQ(l[2].key, "print_output");
  EXPECT_EQ(l[2].plugin, "Foo");  // names keep their case, lose blanks
  EXPECT_EQ(l[3].value, "/tmp/x!y.json");  // no end-of-line comments
  EXPECT_EQ(l[4].value, "eth0");           // CRLF tolerated
}

TEST(ConfigFile, ValueKeepsColonsAfterTheFirst) {
  auto r = parse_config_text("nfacctd_ip: 2001:db8::1\nbgp_daemon_lg_ip: [::1]:179\n", "t");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()[0].key, "nfacctd_ip");
  EXPECT_EQ(r.value()[0].value, "2001:db8::1");
  EXPECT_EQ(r.value()[1].value, "[::1]:179");
}

TEST(ConfigFile, EmptyValueIsKept) {
  auto r = parse_config_text("print_output_file:\n", "t");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()[0].value, "");
}

struct BadLine {
  const char* text;
  const char* message;
};

class ConfigFileErrors : public ::testing::TestWithParam<BadLine> {};

TEST_P(ConfigFileErrors, ReportsFileAndLine) {
  std::string text = std::string("aggregate: proto\n! comment\n") + GetParam().text + "\n";
  auto r = parse_config_text(text, "/etc/xacct/x.conf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, std::string("/etc/xacct/x.conf:3: ") + GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Syntax, ConfigFileErrors,
    ::testing::Values(BadLine{"aggregate src_host", "syntax error: missing ':'"},
                      BadLine{"aggregate[a: src_host", "syntax error: unbalanced '[' in key"},
                      BadLine{"aggregate]a[: src_host", "syntax error: unbalanced ']' in key"},
                      BadLine{"aggregate[[a]]: src_host", "syntax error: nested '[' in key"},
                      BadLine{"aggregate[a][b]: src_host", "syntax error: more than one [plugin] in key"},
                      BadLine{"aggre[a]gate: src_host", "syntax error: text after ']' in key"},
                      BadLine{"  : src_host", "syntax error: missing key before ':'"},
                      BadLine{"[a]: src_host", "syntax error: missing key before ':'"},
                      BadLine{"aggregate[ ]: src_host", "syntax error: empty plugin name in '[]'"}));

TEST(ConfigFile, ReportsEveryBadLine) {
  auto r = parse_config_text("a b\nok: 1\nc[d: e\n", "f");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "f:1: syntax error: missing ':'\n"
            "f:3: syntax error: unbalanced '[' in key");
}

TEST(ConfigFile, ReadsARegularFile) {
  char path[] = "/tmp/xacct-config-test-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream out(path);
    out << "! test\nprint_refresh_time: 10\n";
  }
  auto r = read_config_file(path);
  std::remove(path);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_EQ(r.value()[0].where(), std::string(path) + ":2");
}

TEST(ConfigFile, RejectsMissingFileAndDirectory) {
  auto missing = read_config_file("/nonexistent/xacct.conf");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "/nonexistent/xacct.conf: cannot read config file: No such file or directory");
  auto dir = read_config_file("/tmp");
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().message, "/tmp: config path is not a regular file");
}

}  // namespace
}  // namespace xacct::userspace
