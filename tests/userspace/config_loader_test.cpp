// From config text to DaemonConfig: plugin scoping and pmacct's ordering
// rule, the embedded default, command-line overrides, every error with its
// file:line, and the canonical printout.
#include "userspace/config_loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "userspace/config_print.hpp"

namespace xacct::userspace {
namespace {

Result<ResolvedConfig> resolve(std::string_view text, Role role = Role::kProbe) {
  auto lines = parse_config_text(text, "x.conf");
  if (!lines) return lines.error();
  return resolve_config(lines.value(), role);
}

Result<DaemonConfig> load(std::string_view text, Role role = Role::kProbe) {
  auto rc = resolve(text, role);
  if (!rc) return rc.error();
  return build_daemon_config(rc.value());
}

std::string error_of(std::string_view text, Role role = Role::kProbe) {
  auto r = load(text, role);
  return r.ok() ? std::string("(no error)") : r.error().message;
}

const PluginConfig& plugin(const DaemonConfig& c, const std::string& name) {
  auto it = std::find_if(c.plugins.begin(), c.plugins.end(), [&](const auto& p) { return p.name == name; });
  if (it == c.plugins.end()) throw std::runtime_error("no plugin " + name);
  return *it;
}

using P = Primitive;

TEST(ConfigLoader, ScopedAndGlobalKeys) {
  auto c = load(
      "plugins: print[a], print[b], print\n"
      "aggregate: src_host, dst_host\n"
      "aggregate[b]: proto\n"
      "print_output[a]: json\n"
      "print_output_file[a]: /tmp/a.json\n"
      "print_output_file[b]: /tmp/b.csv\n"
      "print_output[b]: csv\n"
      "print_output_file_append[b]: true\n"
      "print_refresh_time: 10\n"
      "print_markers[a]: true\n"
      "print_top[default_print]: 5\n"
      "timestamps_utc: true\n"
      "debug[b]: true\n"
      "pcap_interface: eth0, eth1\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const DaemonConfig& d = c.value();
  ASSERT_EQ(d.plugins.size(), 3u);
  EXPECT_EQ(d.plugins[0].name, "a");
  EXPECT_EQ(d.plugins[1].name, "b");
  EXPECT_EQ(d.plugins[2].name, "default_print");
  EXPECT_EQ(d.core.interfaces, (std::vector<std::string>{"eth0", "eth1"}));
  EXPECT_FALSE(d.core.debug);

  const auto& a = plugin(d, "a");
  EXPECT_EQ(a.aggregate, (std::vector<P>{P::kSrcHost, P::kDstHost}));
  EXPECT_EQ(a.print.output, PrintOutput::kJson);
  EXPECT_EQ(a.print.output_file, "/tmp/a.json");
  EXPECT_FALSE(a.print.output_file_append);
  EXPECT_TRUE(a.print.markers);
  EXPECT_EQ(a.print.refresh_time_s, 10u);
  EXPECT_TRUE(a.format.timestamps.utc);
  EXPECT_FALSE(a.debug);

  const auto& b = plugin(d, "b");
  EXPECT_EQ(b.aggregate, (std::vector<P>{P::kProto}));
  EXPECT_EQ(b.print.output, PrintOutput::kCsv);
  EXPECT_TRUE(b.print.output_file_append);
  EXPECT_FALSE(b.print.markers);
  EXPECT_TRUE(b.debug);

  const auto& def = plugin(d, "default_print");
  EXPECT_EQ(def.print.output, PrintOutput::kFormatted);
  EXPECT_EQ(def.print.output_file, "");
  EXPECT_EQ(def.print.top, 5u);
  EXPECT_EQ(def.refresh_time_s(), 10u);
}

TEST(ConfigLoader, LaterGlobalLineOverridesEarlierScopedOne) {
  // pmacct 1.7.7 (observed): aggregate[a]: src_host then aggregate: proto => a aggregates on proto.
  auto c = load("plugins: print[a], print[b]\naggregate[a]: src_host\naggregate: proto\naggregate[b]: dst_host\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(plugin(c.value(), "a").aggregate, (std::vector<P>{P::kProto}));
  EXPECT_EQ(plugin(c.value(), "b").aggregate, (std::vector<P>{P::kDstHost}));
}

TEST(ConfigLoader, LastAssignmentWins) {
  auto c = load("print_refresh_time: 10\nprint_refresh_time: 20\nplugins: print[x]\nplugins: print[y]\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c.value().plugins.size(), 1u);
  EXPECT_EQ(c.value().plugins[0].name, "y");
  EXPECT_EQ(c.value().plugins[0].print.refresh_time_s, 20u);
}

TEST(ConfigLoader, DefaultsWithoutPluginsLine) {
  auto rc = resolve("aggregate: proto\n");
  ASSERT_TRUE(rc.ok()) << rc.error().message;
  ASSERT_EQ(rc.value().warnings.size(), 1u);
  EXPECT_NE(rc.value().warnings[0].find("no plugins line"), std::string::npos);
  auto c = build_daemon_config(rc.value());
  ASSERT_TRUE(c.ok());
  const DaemonConfig& d = c.value();
  ASSERT_EQ(d.plugins.size(), 1u);
  const PluginConfig& p = d.plugins[0];
  EXPECT_EQ(p.name, "default_print");
  EXPECT_EQ(p.type, PluginType::kPrint);
  EXPECT_EQ(p.print.refresh_time_s, 60u);
  EXPECT_EQ(p.print.output, PrintOutput::kFormatted);
  EXPECT_EQ(p.print.top, 0u);
  EXPECT_EQ(p.print.separator, ",");
  EXPECT_EQ(p.queue_records, 134217728u / sizeof(FlowRecord));
  EXPECT_FALSE(p.format.num_protos);
  EXPECT_EQ(p.format.timestamps, TimestampOptions{});
  const EbpfConfig& e = d.core.ebpf;
  EXPECT_TRUE(e.hook_tc);
  EXPECT_FALSE(e.hook_xdp);
  EXPECT_TRUE(e.dir_in);
  EXPECT_TRUE(e.dir_out);
  EXPECT_EQ(e.flow_entries, 262144u);
  EXPECT_EQ(e.drain_interval_s, 1u);
  EXPECT_EQ(e.attach, EbpfAttach::kTcx);
  EXPECT_TRUE(d.core.interfaces.empty());
  EXPECT_FALSE(d.core.daemonize);
}

TEST(ConfigLoader, InClassDefaultsMatchTheKeyTable) {
  auto c = load("plugins: print\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  DaemonConfig expected;
  PluginConfig plugin_defaults;
  plugin_defaults.name = "default_print";
  expected.plugins.push_back(plugin_defaults);
  EXPECT_TRUE(c.value() == expected);
  EXPECT_TRUE(c.value().core == CoreConfig{});
  EXPECT_TRUE(c.value().plugins[0].print == PrintConfig{});
}

TEST(ConfigLoader, CanonicalTextFromOptions) {
  ConfigOptions opts;
  opts.overrides = {"print_top: 9"};
  auto text = load_canonical_config_text(opts);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_NE(text.value().find("\nprint_top: 9\n"), std::string::npos) << text.value();
  EXPECT_NE(text.value().find("\nprint_refresh_time: 5\n"), std::string::npos) << text.value();
  opts.overrides = {"daemonize: true"};
  EXPECT_FALSE(load_canonical_config_text(opts).ok());
}

TEST(ConfigLoader, EbpfKeys) {
  auto c = load("ebpf_hooks: xdp, tc\nebpf_direction: in\nebpf_flow_entries: 4096\nebpf_drain_interval: 2\n"
                "ebpf_attach: clsact\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const EbpfConfig& e = c.value().core.ebpf;
  EXPECT_TRUE(e.hook_tc);
  EXPECT_TRUE(e.hook_xdp);
  EXPECT_TRUE(e.dir_in);
  EXPECT_FALSE(e.dir_out);
  EXPECT_EQ(e.flow_entries, 4096u);
  EXPECT_EQ(e.drain_interval_s, 2u);
  EXPECT_EQ(e.attach, EbpfAttach::kClsact);
}

TEST(ConfigLoader, PrintOptions) {
  auto c = load("print_output: csv\nprint_output_separator: \\t\nprint_num_protos: true\ntimestamps_secs: true\n"
                "timestamps_rfc3339: true\ntimestamps_since_epoch: true\nplugin_pipe_size: 1048576\n"
                "print_output_file: -\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const PluginConfig& p = c.value().plugins[0];
  EXPECT_EQ(p.print.separator, "\t");
  EXPECT_EQ(p.print.output_file, "");
  EXPECT_TRUE(p.format.num_protos);
  EXPECT_TRUE(p.format.timestamps.secs);
  EXPECT_TRUE(p.format.timestamps.rfc3339);
  EXPECT_TRUE(p.format.timestamps.since_epoch);
  EXPECT_EQ(p.queue_records, 1048576u / sizeof(FlowRecord));
}

TEST(ConfigLoader, ErrorsCarryFileAndLine) {
  EXPECT_EQ(error_of("aggregate: proto\nbogus_key: 1\n"), "x.conf:2: unknown key 'bogus_key'");
  EXPECT_EQ(error_of("kafka_topic: t\n"), "x.conf:1: key 'kafka_topic' is not supported yet");
  EXPECT_EQ(error_of("plugins: print[a]\ndaemonize[a]: false\n"),
            "x.conf:2: key 'daemonize' is global and cannot be scoped to plugin 'a'");
  EXPECT_EQ(error_of("plugins: print[a]\naggregate[b]: proto\n"),
            "x.conf:2: no plugin named 'b' (plugins: a)");
  EXPECT_EQ(error_of("print_refresh_time: soon\n"),
            "x.conf:1: invalid value 'soon' for print_refresh_time (expected a non-negative integer)");
  EXPECT_EQ(error_of("plugins: print, memory[m]\n"), "x.conf:1: plugins: plugin type 'memory' is not supported yet");
  EXPECT_EQ(error_of("plugins: print[a], sflow\n"), "x.conf:1: plugins: unknown plugin type 'sflow'");
  EXPECT_EQ(error_of("plugins: print[a], print[a]\n"), "x.conf:1: plugins: plugin name 'a' is used twice");
  EXPECT_EQ(error_of("plugins: core\n"), "x.conf:1: plugins: plugin type 'core' is reserved");
  EXPECT_EQ(error_of("daemonize: true\n"),
            "x.conf:1: daemonize: true is not supported yet (run xacctd under a service manager)");
  EXPECT_EQ(error_of("ebpf_hooks: xdp\n", Role::kCollect), "x.conf:1: key 'ebpf_hooks' does not apply to xacctd collect");
  EXPECT_EQ(error_of("print_output_separator: ;;\n"),
            "x.conf:1: print_output_separator must be one character, \\t or \\s");
  EXPECT_EQ(error_of("plugins: print[a], print[b]\nprint_output_file: /tmp/same\n"),
            "x.conf:2: plugins 'a' and 'b' both write /tmp/same (scope print_output_file per plugin)");
}

TEST(ConfigLoader, ErrorsComeInFileOrder) {
  EXPECT_EQ(error_of("plugins: print[a]\naggregate[b]: proto\nkafka_topic: t\n"),
            "x.conf:2: no plugin named 'b' (plugins: a)\n"
            "x.conf:3: key 'kafka_topic' is not supported yet");
}

TEST(ConfigLoader, ReportsEveryError) {
  EXPECT_EQ(error_of("a: 1\nprint_top: x\nplugins: print[p]\naggregate[q]: proto\n"),
            "x.conf:1: unknown key 'a'\n"
            "x.conf:2: invalid value 'x' for print_top (expected a non-negative integer)\n"
            "x.conf:4: no plugin named 'q' (plugins: p)");
}

TEST(ConfigLoader, OldInterfaceNameWarns) {
  auto rc = resolve("plugins: print\ninterface: eth0\n");
  ASSERT_TRUE(rc.ok()) << rc.error().message;
  ASSERT_EQ(rc.value().warnings.size(), 1u);
  EXPECT_EQ(rc.value().warnings[0], "x.conf:2: 'interface' is the old name of 'pcap_interface'");
  EXPECT_EQ(build_daemon_config(rc.value()).value().core.interfaces, std::vector<std::string>{"eth0"});
}

TEST(ConfigLoader, EmbeddedDefaultAndOverrides) {
  ConfigOptions opts;
  auto c = load_daemon_config(opts);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c.value().plugins.size(), 1u);
  const PluginConfig& p = c.value().plugins[0];
  EXPECT_EQ(p.name, "default_print");
  EXPECT_EQ(p.print.output, PrintOutput::kFormatted);
  EXPECT_EQ(p.print.output_file, "");
  EXPECT_EQ(p.print.top, 20u);
  EXPECT_EQ(p.print.refresh_time_s, 5u);
  EXPECT_EQ(p.aggregate, (std::vector<P>{P::kSrcHost, P::kDstHost, P::kSrcPort, P::kDstPort, P::kProto}));

  opts.overrides = {"pcap_interface: eth9", "print_top: 3"};
  c = load_daemon_config(opts);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c.value().core.interfaces, std::vector<std::string>{"eth9"});
  EXPECT_EQ(c.value().plugins[0].print.top, 3u);

  opts.overrides = {"print_top: 3", "nonsense"};
  c = load_daemon_config(opts);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "command line:2: syntax error: missing ':'");
  opts.overrides = {"print_top: 3", "print_top: x"};
  c = load_daemon_config(opts);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "command line:2: invalid value 'x' for print_top (expected a non-negative integer)");
}

TEST(ConfigLoader, MissingFile) {
  ConfigOptions opts;
  opts.config_file = "/nonexistent.conf";
  auto c = load_daemon_config(opts);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "/nonexistent.conf: cannot read config file: No such file or directory");
}

TEST(ConfigLoader, EveryKeyIsReadIntoTheStructs) {
  auto rc = resolve("plugins: print[a], print[b]\n");
  ASSERT_TRUE(rc.ok());
  ASSERT_TRUE(build_daemon_config(rc.value()).ok());
  const auto& read = rc.value().keys_read();
  for (const KeyDef& k : key_table()) {
    EXPECT_NE(std::find(read.begin(), read.end(), k.name), read.end())
        << "key '" << k.name << "' has a row but build_daemon_config never reads it";
  }
}

TEST(ConfigLoader, CanonicalPrintoutRoundTrips) {
  auto rc = resolve(
      "plugins: print[a], print\n"
      "aggregate[a]: proto, src_host\n"
      "print_output[a]: json\n"
      "print_output_file[a]: /tmp/a.json\n"
      "print_top: 7\n"
      "interface: eth0\n"
      "ebpf_hooks: xdp,tc\n");
  ASSERT_TRUE(rc.ok()) << rc.error().message;
  const std::string text = canonical_config_text(rc.value());
  EXPECT_NE(text.find("\nplugins: print[a], print[default_print]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\naggregate: src_host\naggregate[a]: src_host, proto\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("\npcap_interface: eth0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nebpf_hooks: tc, xdp\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n! print_output_file: (unset)\nprint_output_file[a]: /tmp/a.json\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("\nprint_top: 7\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("print_top[a]"), std::string::npos) << "same as global: not repeated";
  EXPECT_NE(text.find("\ndebug: false\n"), std::string::npos) << text;  // the core's value

  auto again = resolve(text);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again.value().warnings.empty());
  EXPECT_EQ(canonical_config_text(again.value()), text);
}

}  // namespace
}  // namespace xacct::userspace

namespace xacct::userspace {
namespace {

// pmacctd 1.7.7 refuses network and AS primitives without a source for
// them ("network aggregation selected but none of 'pmacctd_net',
// 'networks_file', 'networks_mask' is specified"); xacctd probe too, with
// the aggregate line.
TEST(ConfigLoader, NetworkPrimitivesNeedASource) {
  EXPECT_EQ(error_of("plugins: print[p]\n"
                     "aggregate[p]: src_host, dst_mask\n"),
            "x.conf:2: primitive 'dst_mask' needs one of pmacctd_net, networks_file, networks_mask "
            "(pmacctd refuses it too)");
  EXPECT_EQ(error_of("plugins: print[p]\n"
                     "! comment\n"
                     "aggregate[p]: src_as\n"),
            "x.conf:3: primitive 'src_as' needs networks_file or pmacctd_as (pmacctd refuses it too)");
  for (const char* agg : {"src_net", "dst_net", "src_mask", "peer_dst_ip"}) {
    EXPECT_NE(error_of(std::string("aggregate: ") + agg + "\n").find("needs one of pmacctd_net"), std::string::npos)
        << agg;
  }
  // A source makes them valid; with networks_file and no pmacctd_as the AS
  // primitives are accepted (and print 0), as pmacctd does.
  EXPECT_EQ(error_of("aggregate: src_net, dst_mask\nnetworks_mask: 24\n"), "(no error)");
  EXPECT_EQ(error_of("aggregate: src_net, src_as, dst_as\nnetworks_file: /nonexistent.lst\n"), "(no error)");
  // peer_src_as / peer_dst_as are accepted without a source (pmacctd too).
  EXPECT_EQ(error_of("aggregate: peer_src_as, peer_dst_as\n"), "(no error)");
  // The collector takes nets, masks and ASNs from the exporter.
  EXPECT_EQ(error_of("aggregate: src_net, dst_mask, src_as\n", Role::kCollect), "(no error)");
}

// The collector's id maps: read into MapsConfig; bgp_peer_src_as_map only
// with bgp_peer_src_as_type: map (and the other way round); probe role: not
// applicable.
TEST(ConfigLoader, CollectorIdMaps) {
  auto c = load(
      "sampling_map: /etc/x/sampling.map\n"
      "flow_to_rd_map: /etc/x/rd.map\n"
      "bgp_peer_src_as_type: map\n"
      "bgp_peer_src_as_map: /etc/x/peers.map\n",
      Role::kCollect);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c.value().core.maps.sampling_map, "/etc/x/sampling.map");
  EXPECT_EQ(c.value().core.maps.flow_to_rd_map, "/etc/x/rd.map");
  EXPECT_EQ(c.value().core.maps.bgp_peer_src_as_map, "/etc/x/peers.map");
  EXPECT_EQ(error_of("bgp_peer_src_as_map: /etc/x/peers.map\n", Role::kCollect),
            "x.conf:1: bgp_peer_src_as_map needs bgp_peer_src_as_type: map (as in pmacct)");
  EXPECT_EQ(error_of("! peers\nbgp_peer_src_as_type: map\n", Role::kCollect),
            "x.conf:2: bgp_peer_src_as_type: map needs bgp_peer_src_as_map");
  EXPECT_NE(error_of("sampling_map: /etc/x/sampling.map\n").find("x.conf:1:"), std::string::npos);
}

}  // namespace
}  // namespace xacct::userspace
