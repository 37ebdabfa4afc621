// The collect role's keys as the loader types them (collector/
// collector_config.hpp): which listeners start, endpoint keys, threads,
// renormalisation and time knobs, and tee plugins (collect role only).
#include <string>
#include <vector>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace xacct::userspace
