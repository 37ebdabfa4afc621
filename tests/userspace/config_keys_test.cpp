// The key table: well-formed rows, value validation per type, aliases and
// the list of pmacct keys not supported yet.
#include "userspace/config_keys.hpp"

#include <gtest/gtest.h>

#include <set>

#include "userspace/config_print.hpp"

namespace xacct::userspace {
namespace {

TEST(ConfigKeys, RowsAreWellFormed) {
  std::set<std::string_view> names;
  for (const KeyDef& k : key_table()) {
    SCOPED_TRACE(std::string(k.name));
    EXPECT_TRUE(names.insert(k.name).second) << "duplicate key";
    for (char c : k.name) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    EXPECT_FALSE(k.help.empty());
    EXPECT_FALSE(is_unsupported_pmacct_key(k.name) && find_key(k.name) == nullptr);
    if (!k.default_value.empty()) {
      auto v = canonicalize_value(k, k.default_value);
      ASSERT_TRUE(v.ok()) << v.error().message;
      EXPECT_EQ(v.value(), k.default_value) << "default must be in canonical form";
    }
    if (k.type == KeyType::kEnum || k.type == KeyType::kEnumList) {
      EXPECT_FALSE(k.choices.empty());
    }
  }
  // The keys issue 2 needs.
  for (const char* n : {"pcap_interface", "aggregate", "plugins", "print_output", "print_output_file",
                        "print_output_file_append", "print_refresh_time", "print_markers", "print_top",
                        "daemonize", "debug", "ebpf_hooks", "ebpf_direction", "ebpf_flow_entries",
                        "ebpf_drain_interval", "ebpf_attach"}) {
    EXPECT_NE(find_key(n), nullptr) << n;
  }
}

TEST(ConfigKeys, AliasesResolve) {
  bool alias = false;
  const KeyDef* k = find_key("interface", &alias);
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->name, "pcap_interface");
  EXPECT_TRUE(alias);
  find_key("pcap_interface", &alias);
  EXPECT_FALSE(alias);
}

TEST(ConfigKeys, UnsupportedPmacctKeys) {
  EXPECT_TRUE(is_unsupported_pmacct_key("kafka_topic"));
  EXPECT_TRUE(is_unsupported_pmacct_key("pcap_filter"));
  EXPECT_TRUE(is_unsupported_pmacct_key("sql_refresh_time"));
  EXPECT_TRUE(is_unsupported_pmacct_key("print_preprocess"));
  EXPECT_TRUE(is_unsupported_pmacct_key("pre_tag_map"));
  EXPECT_TRUE(is_unsupported_pmacct_key("tos_encode_as_dscp"));
  for (const char* k : {"print_history", "print_history_roundoff", "print_history_offset", "print_latest_file",
                        "print_trigger_exec", "writer_id_string", "post_tag", "post_tag2", "timestamps_rfc9557",
                        "tcpflags_encode_as_array", "fwd_status_encode_as_string",
                        "mpls_label_stack_encode_as_array"}) {
    EXPECT_NE(find_key(k), nullptr) << k;
  }
  EXPECT_FALSE(is_unsupported_pmacct_key("no_such_key"));
  EXPECT_FALSE(is_unsupported_pmacct_key("aggregatex"));
  EXPECT_NE(find_key("pcap_interface"), nullptr);  // implemented despite pcap_*
}

const KeyDef& key(std::string_view name) {
  const KeyDef* k = find_key(name);
  if (k == nullptr) throw std::runtime_error("no key");
  return *k;
}

TEST(ConfigKeys, CanonicalizesValidValues) {
  EXPECT_EQ(canonicalize_value(key("print_markers"), " TRUE ").value(), "true");
  EXPECT_EQ(canonicalize_value(key("print_markers"), "false").value(), "false");
  EXPECT_EQ(canonicalize_value(key("print_refresh_time"), "300").value(), "300");
  EXPECT_EQ(canonicalize_value(key("print_output"), "JSON").value(), "json");
  EXPECT_EQ(canonicalize_value(key("ebpf_hooks"), "tc, xdp").value(), "tc, xdp");
  EXPECT_EQ(canonicalize_value(key("ebpf_hooks"), "xdp,tc,xdp").value(), "tc, xdp");
  EXPECT_EQ(canonicalize_value(key("ebpf_direction"), "out").value(), "out");
  EXPECT_EQ(canonicalize_value(key("pcap_interface"), "eth0 ,eth1").value(), "eth0, eth1");
  EXPECT_EQ(canonicalize_value(key("aggregate"), "proto, src_host,dst_port").value(),
            "src_host, dst_port, proto");
  EXPECT_EQ(canonicalize_value(key("plugins"), "print[a], print").value(), "print[a], print[default_print]");
  EXPECT_EQ(canonicalize_value(key("print_history"), "300").value(), "300s");
  EXPECT_EQ(canonicalize_value(key("print_history"), " 5m ").value(), "5m");
  EXPECT_EQ(canonicalize_value(key("print_history"), "1M").value(), "1M");
  EXPECT_EQ(canonicalize_value(key("print_history_roundoff"), "hm").value(), "mh");
  EXPECT_EQ(canonicalize_value(key("print_output_file"), "/x/%Y/$peer_src_ip-$tag.json").value(),
            "/x/%Y/$peer_src_ip-$tag.json");
  EXPECT_EQ(canonicalize_value(key("print_latest_file"), "/x/latest-$tag").value(), "/x/latest-$tag");
  EXPECT_EQ(canonicalize_value(key("writer_id_string"), "$proc_name-$PMACCT_BUILD").value(),
            "$proc_name-$PMACCT_BUILD");
  EXPECT_EQ(canonicalize_value(key("post_tag"), "18446744073709551615").value(), "18446744073709551615");
}

struct BadValue {
  const char* key;
  const char* value;
  const char* message;
};

class ConfigKeyErrors : public ::testing::TestWithParam<BadValue> {};

TEST_P(ConfigKeyErrors, RejectsWithAClearMessage) {
  auto r = canonicalize_value(key(GetParam().key), GetParam().value);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Values, ConfigKeyErrors,
    ::testing::Values(
        BadValue{"print_markers", "yes", "invalid value 'yes' for print_markers (expected true or false)"},
        BadValue{"print_refresh_time", "5m", "invalid value '5m' for print_refresh_time (expected a non-negative integer)"},
        BadValue{"print_refresh_time", "-1", "invalid value '-1' for print_refresh_time (expected a non-negative integer)"},
        BadValue{"print_refresh_time", "0", "value 0 for print_refresh_time is out of range [1, 86400]"},
        BadValue{"ebpf_flow_entries", "99999999", "value 99999999 for ebpf_flow_entries is out of range [1024, 16777216]"},
        BadValue{"print_output", "xml", "invalid value 'xml' for print_output (expected one of: formatted,csv,json)"},
        BadValue{"print_output", "avro", "print_output: 'avro' is not supported yet (supported: formatted,csv,json)"},
        BadValue{"ebpf_hooks", "tc,kprobe", "invalid item 'kprobe' for ebpf_hooks (expected: tc,xdp)"},
        BadValue{"pcap_interface", "eth0,,eth1", "empty item in pcap_interface list"},
        BadValue{"aggregate", "src_host,bogus", "aggregate: unknown primitive 'bogus'"},
        BadValue{"aggregate", "src_host,sum_host", "aggregate: primitive 'sum_host' is not supported yet"},
        BadValue{"print_history", "5x", "print_history: invalid time bin unit 'x' in '5x' (expected s, m, h, d, w or M)"},
        BadValue{"print_history", "0m", "print_history: invalid time bin '0m' (expected N[s|m|h|d|w|M], N > 0)"},
        BadValue{"print_history", "m", "print_history: invalid time bin 'm' (expected N[s|m|h|d|w|M], N > 0)"},
        BadValue{"print_history", "12000M", "print_history: time bin '12000M' is longer than 10 years"},
        BadValue{"print_history_roundoff", "dw", "print_history_roundoff: round-off letters d and w exclude each other"},
        BadValue{"print_history_roundoff", "mx", "print_history_roundoff: invalid round-off letter 'x' (expected m, h, d, w, M)"},
        BadValue{"print_history_roundoff", "mm", "print_history_roundoff: round-off letter 'm' given twice"},
        BadValue{"print_output_file", "/x/$peer_ip.json",
                 "print_output_file: unknown variable '$peer_ip' (known: $peer_src_ip, $tag, $tag2, $post_tag, "
                 "$post_tag2, $ref, $hst, $tzone)"},
        BadValue{"print_latest_file", "/x/latest-%Y",
                 "print_latest_file: time conversions (%...) and $tzone are not allowed here"},
        BadValue{"print_latest_file", "/x/latest$tzone",
                 "print_latest_file: time conversions (%...) and $tzone are not allowed here"},
        BadValue{"writer_id_string", "$proc_name/$pid",
                 "writer_id_string: unknown variable '$pid' (known: $proc_name, $writer_pid, $pmacct_build)"},
        BadValue{"post_tag", "0", "value 0 for post_tag is out of range [1, 18446744073709551615]"},
        BadValue{"aggregate", "none,proto", "aggregate: primitive 'none' cannot be combined with others"},
        BadValue{"plugins", "memory", "plugins: plugin type 'memory' is not supported yet"},
        BadValue{"plugins", "print[a],print[a]", "plugins: plugin name 'a' is used twice"}));

TEST(ConfigKeys, ReferenceListsEveryKeyAndPrimitive) {
  const std::string doc = key_reference_markdown();
  for (const KeyDef& k : key_table()) {
    EXPECT_NE(doc.find("| " + std::string(k.name) + " |"), std::string::npos) << k.name;
  }
  EXPECT_NE(doc.find("| src_host | ip_src | SRC_IP |"), std::string::npos);
  EXPECT_NE(doc.find("`interface` (= `pcap_interface`)"), std::string::npos);
}

}  // namespace
}  // namespace xacct::userspace
