// The keys of time bins, dynamic names, print_latest_file/_trigger_exec,
// post_tag, writer_id_string and the JSON encodings: read into the typed
// config, and the checks across keys, each error with file:line.
#include <gtest/gtest.h>

#include "userspace/config_loader.hpp"

namespace xacct::userspace {
namespace {

Result<DaemonConfig> load(std::string_view text) {
  auto lines = parse_config_text(text, "x.conf");
  if (!lines) return lines.error();
  auto rc = resolve_config(lines.value(), Role::kProbe);
  if (!rc) return rc.error();
  return build_daemon_config(rc.value());
}

std::string error_of(std::string_view text) {
  auto r = load(text);
  return r.ok() ? std::string("(no error)") : r.error().message;
}

TEST(ConfigIssue3Keys, ReadIntoThePluginConfig) {
  auto c = load(
      "plugins: print[a], print[b]\n"
      "print_output: json\n"
      "print_history[a]: 15m\n"
      "print_history_roundoff[a]: hm\n"
      "print_history_offset[a]: 300\n"
      "print_output_file[a]: /spool/%Y%m%d/$peer_src_ip-$tag.json\n"
      "print_latest_file[a]: /spool/latest-$peer_src_ip\n"
      "print_trigger_exec[a]: /usr/local/bin/upload.sh -x\n"
      "post_tag[b]: 18446744073709551615\n"
      "post_tag2[b]: 2\n"
      "writer_id_string[b]: $proc_name@edge\n"
      "timestamps_rfc9557[b]: true\n"
      "tcpflags_encode_as_array: true\n"
      "fwd_status_encode_as_string[b]: true\n"
      "mpls_label_stack_encode_as_array[a]: true\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const PluginConfig& a = c.value().plugins[0];
  const PluginConfig& b = c.value().plugins[1];
  EXPECT_EQ(a.history.count, 15u);
  EXPECT_EQ(a.history.unit, BinUnit::kMinute);
  EXPECT_EQ(a.history.roundoff, "mh");
  EXPECT_EQ(a.history.offset_s, 300u);
  EXPECT_FALSE(b.history.enabled());
  EXPECT_EQ(a.print.output_file, "/spool/%Y%m%d/$peer_src_ip-$tag.json");
  EXPECT_EQ(a.print.latest_file, "/spool/latest-$peer_src_ip");
  EXPECT_EQ(a.print.trigger_exec, "/usr/local/bin/upload.sh -x");
  EXPECT_EQ(a.post_tag, 0u);
  EXPECT_EQ(b.post_tag, 18446744073709551615ULL);
  EXPECT_EQ(b.post_tag2, 2u);
  EXPECT_EQ(a.writer_id, "$proc_name/$writer_pid");
  EXPECT_EQ(b.writer_id, "$proc_name@edge");
  EXPECT_FALSE(a.format.timestamps.rfc3339);
  EXPECT_TRUE(b.format.timestamps.rfc3339);
  EXPECT_TRUE(b.format.timestamps.rfc9557);
  EXPECT_TRUE(a.format.tcpflags_as_array);
  EXPECT_TRUE(b.format.tcpflags_as_array);
  EXPECT_FALSE(a.format.fwd_status_as_string);
  EXPECT_TRUE(b.format.fwd_status_as_string);
  EXPECT_TRUE(a.format.mpls_label_stack_as_array);
  EXPECT_FALSE(b.format.mpls_label_stack_as_array);
}

TEST(ConfigIssue3Keys, ChecksAcrossKeys) {
  EXPECT_EQ(error_of("print_history_offset: 60\n"), "x.conf:1: print_history_offset needs print_history");
  EXPECT_EQ(error_of("print_history: 5m\nprint_history_offset: 300\n"),
            "x.conf:2: print_history_offset (300 s) must be less than print_history (5m)");
  EXPECT_EQ(error_of("print_history: 1M\nprint_history_offset: 2419200\n"),  // 28 days
            "x.conf:2: print_history_offset (2419200 s) must be less than print_history (1M)");
  EXPECT_EQ(error_of("print_history: 1M\nprint_history_offset: 2419199\n"), "(no error)");
  EXPECT_EQ(error_of("aggregate: src_host, label\n"),
            "x.conf:1: primitive 'label' needs print_output csv or json (pmacct refuses it in formatted output too)");
  EXPECT_EQ(error_of("print_output: csv\naggregate: mpls_label_stack\n"), "(no error)");
  EXPECT_EQ(error_of("print_latest_file: /tmp/latest\n"), "x.conf:1: print_latest_file needs print_output_file");
  EXPECT_EQ(error_of("print_output_file: /tmp/out.csv\nprint_latest_file: /tmp/latest-$tag\n"),
            "x.conf:2: a dynamic print_latest_file needs a dynamic print_output_file");
  EXPECT_EQ(error_of("print_output_file: /tmp/$bogus\n"),
            "x.conf:1: print_output_file: unknown variable '$bogus' (known: $peer_src_ip, $tag, $tag2, $post_tag, "
            "$post_tag2, $ref, $hst, $tzone)");
  EXPECT_EQ(error_of("print_history: 5\n"), "(no error)");  // bare number = seconds
  EXPECT_EQ(error_of("print_history: 5 m\n"),
            "x.conf:1: print_history: invalid time bin '5 m' (expected N[s|m|h|d|w|M], N > 0)");
}

}  // namespace
}  // namespace xacct::userspace
