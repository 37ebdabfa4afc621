// The collect role's keys as the loader types them (collector/
// collector_config.hpp): which listeners start, endpoint keys, threads,
// renormalisation and time knobs, and tee plugins (collect role only).
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "collector/collector_options.hpp"
#include "tests/collector/nf_test_util.hpp"
#include "tests/collector/nf_vectors.hpp"
#include "userspace/config_loader.hpp"

namespace xacct::userspace {
namespace {

Result<DaemonConfig> load(Role role, std::vector<std::string> lines) {
  ConfigOptions o;
  o.role = role;
  o.overrides = std::move(lines);
  return load_daemon_config(o);
}

TEST(CollectConfig, NetflowListenerByDefault) {
  auto c = load(Role::kCollect, {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  const auto& cc = c.value().core.collector;
  EXPECT_TRUE(cc.netflow.enabled);
  EXPECT_EQ(cc.netflow.port, 2100);
  EXPECT_EQ(cc.netflow.ip, "");
  EXPECT_FALSE(cc.sflow.enabled);
  EXPECT_EQ(cc.threads, 1u);
  EXPECT_FALSE(cc.time_new);
}

TEST(CollectConfig, SflowKeysStartOnlyTheSflowListener) {
  auto c = load(Role::kCollect, {"sfacctd_port: 6400", "sfacctd_allow_file: /x/allow", "sfacctd_pipe_size: 4194304"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  const auto& cc = c.value().core.collector;
  EXPECT_FALSE(cc.netflow.enabled);
  EXPECT_TRUE(cc.sflow.enabled);
  EXPECT_EQ(cc.sflow.port, 6400);
  EXPECT_EQ(cc.sflow.allow_file, "/x/allow");
  EXPECT_EQ(cc.sflow.pipe_size, 4194304u);
}

TEST(CollectConfig, BothListenersAndKnobs) {
  auto c = load(Role::kCollect, {"nfacctd_ip: 127.0.0.1", "sfacctd_ip: ::1", "nfacctd_ipv6_only: true",
                                 "collector_threads: 0", "sfacctd_time_new: true", "nfacctd_time_secs: true",
                                 "nfacctd_renormalize: true"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  const auto& cc = c.value().core.collector;
  EXPECT_TRUE(cc.netflow.enabled);
  EXPECT_TRUE(cc.sflow.enabled);
  EXPECT_EQ(cc.netflow.ip, "127.0.0.1");
  EXPECT_EQ(cc.netflow.port, 2100);
  EXPECT_EQ(cc.sflow.ip, "::1");
  EXPECT_EQ(cc.sflow.port, 6343);
  EXPECT_TRUE(cc.netflow.ipv6_only);
  EXPECT_EQ(cc.threads, 0u);
  EXPECT_TRUE(cc.time_new);
  EXPECT_TRUE(cc.time_secs);
  EXPECT_TRUE(cc.renormalize);
  ASSERT_EQ(c.value().plugins.size(), 1u);
  EXPECT_TRUE(c.value().plugins[0].renormalize);  // done by the plugins, after the maps
}

TEST(CollectConfig, CollectorKeysDoNotApplyToTheProbe) {
  auto c = load(Role::kProbe, {"nfacctd_port: 2100"});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("does not apply to xacctd probe"), std::string::npos) << c.error().message;
  c = load(Role::kCollect, {"pmacctd_renormalize: true"});
  ASSERT_FALSE(c.ok());
}

TEST(CollectConfig, TeePlugins) {
  auto c = load(Role::kCollect, {"plugins: print[p], tee[t]", "tee_receivers[t]: /x/tee.map",
                                 "tee_transparent[t]: true", "tee_ipprec[t]: 3"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c.value().plugins.size(), 2u);
  const auto& t = c.value().plugins[1];
  EXPECT_EQ(t.type, PluginType::kTee);
  EXPECT_EQ(t.tee.receivers, "/x/tee.map");
  EXPECT_TRUE(t.tee.transparent);
  EXPECT_EQ(t.tee.ipprec, 3u);
  EXPECT_EQ(t.tee.max_receivers, 32u);
  EXPECT_EQ(t.tee.max_pools, 128u);

  c = load(Role::kCollect, {"plugins: tee[t]"});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("tee needs tee_receivers"), std::string::npos) << c.error().message;
  c = load(Role::kCollect, {"plugins: print[p], tee[t]", "tee_receivers[p]: /x"});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("does not apply to plugin 'p'"), std::string::npos) << c.error().message;
  c = load(Role::kProbe, {"plugins: tee[t]"});
  ASSERT_FALSE(c.ok());
}

// Decoder options as the collect role builds them (collector/collector_options.hpp).
TEST(CollectConfig, DecoderOptionsFromKeys) {
  auto c = load(Role::kCollect, {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  collector::NetflowOptions nf = collector::netflow_options(c.value().core.collector);
  EXPECT_EQ(nf.templates_file, "");
  EXPECT_FALSE(nf.time_secs);
  EXPECT_FALSE(nf.use_ip_next_hop);
  EXPECT_FALSE(collector::sflow_options(c.value().core.collector).use_ip_next_hop);

  c = load(Role::kCollect, {"nfacctd_templates_file: /x/templates.jsonl", "nfacctd_time_secs: true",
                            "use_ip_next_hop: true", "nfacctd_time_new: true"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  const auto& cc = c.value().core.collector;
  EXPECT_TRUE(cc.time_new);  // the listener's job (ListenerOptions::time_new), not a decoder option
  nf = collector::netflow_options(cc);
  EXPECT_EQ(nf.templates_file, "/x/templates.jsonl");
  EXPECT_TRUE(nf.time_secs);
  EXPECT_TRUE(nf.use_ip_next_hop);
  EXPECT_TRUE(collector::sflow_options(cc).use_ip_next_hop);

  c = load(Role::kProbe, {"use_ip_next_hop: true"});
  EXPECT_FALSE(c.ok());
  c = load(Role::kProbe, {"nfacctd_templates_file: /x"});
  EXPECT_FALSE(c.ok());
}

// The options change what the decoder produces: v5 times in seconds, the
// IP next hop as peer_dst_ip.
TEST(CollectConfig, TimeSecsAndNextHopReachTheDecoder) {
  constexpr std::int64_t kS = 1'000'000'000;
  constexpr std::int64_t kMs = 1'000'000;
  for (bool on : {false, true}) {
    auto c = load(Role::kCollect, {std::string("nfacctd_time_secs: ") + (on ? "true" : "false"),
                                   std::string("use_ip_next_hop: ") + (on ? "true" : "false")});
    ASSERT_TRUE(c.ok()) << c.error().message;
    Stats stats;
    auto dec = collector::make_netflow_decoder(collector::netflow_options(c.value().core.collector), stats);
    RecordBatch out;
    dec->decode(tests::nf::datagram(tests::nf::v5_two_records()), out);
    ASSERT_EQ(out.size(), 2u);
    // sysUptime 100000, first 90000, last 99000, export 1700000000.5 s.
    const std::int64_t unit = on ? kS : kMs;
    EXPECT_EQ(out[0].first_ns, 1700000000 * kS + 500 * kMs - 10000 * unit) << on;
    EXPECT_EQ(out[0].last_ns, 1700000000 * kS + 500 * kMs - 1000 * unit) << on;
    EXPECT_EQ(out[0].peer_dst_ip, on ? tests::nf::v4("10.255.0.1") : IpAddress{}) << on;
  }
}

// nfacctd_templates_file across a restart, through the options the collect
// role builds: a second decoder (as after a daemon restart) decodes v9 data
// whose template only the first one saw. (The daemon itself:
// vmtests/test_collect_templates.py.)
TEST(CollectConfig, TemplatesFileAcrossRestart) {
  const auto dir = std::filesystem::temp_directory_path() / ("xacct_cc_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "templates.jsonl").string();
  std::filesystem::remove(path);
  auto c = load(Role::kCollect, {"nfacctd_templates_file: " + path});
  ASSERT_TRUE(c.ok()) << c.error().message;
  const collector::NetflowOptions o = collector::netflow_options(c.value().core.collector);
  {
    Stats stats;
    auto dec = collector::make_netflow_decoder(o, stats);
    RecordBatch out;
    dec->decode(tests::nf::datagram(tests::nf::v9_full(), "192.0.2.254"), out);
    EXPECT_EQ(out.size(), 2u);
  }  // destruction writes the file
  Stats stats;
  auto dec = collector::make_netflow_decoder(o, stats);
  RecordBatch out;
  const collector::DecodeResult r =
      dec->decode(tests::nf::datagram(tests::nf::v9_data_seq5(), "192.0.2.254"), out);
  EXPECT_EQ(r.template_misses, 0u);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes, 1500u);
  EXPECT_EQ(out[0].src_host, tests::nf::v4("10.0.0.1"));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace xacct::userspace
