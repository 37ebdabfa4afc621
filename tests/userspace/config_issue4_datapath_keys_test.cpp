// The datapath keys of issue 4: sampling_rate and pmacctd_renormalize (eBPF
// header samples) and uacctd_* (the NFLOG input), read into the typed
// config, and each plugin's choice between exact flows and header samples.
#include <gtest/gtest.h>

#include "userspace/config_loader.hpp"

namespace xacct::userspace {
namespace {

Result<DaemonConfig> load(std::string_view text, Role role = Role::kProbe) {
  auto lines = parse_config_text(text, "x.conf");
  if (!lines) return lines.error();
  auto rc = resolve_config(lines.value(), role);
  if (!rc) return rc.error();
  return build_daemon_config(rc.value());
}

std::string error_of(std::string_view text, Role role = Role::kProbe) {
  auto r = load(text, role);
  return r.ok() ? std::string("(no error)") : r.error().message;
}

TEST(ConfigDatapathKeys, Defaults) {
  auto c = load("plugins: print\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c.value().core.ebpf.sampling_rate, 0u);
  EXPECT_FALSE(c.value().core.nflog.enabled);
  EXPECT_EQ(c.value().core.nflog.nl_size, 131072u);
  EXPECT_EQ(c.value().core.nflog.threshold, 1u);
  EXPECT_EQ(c.value().core.nflog.direction, "");
  EXPECT_FALSE(c.value().plugins[0].renormalize);
  EXPECT_FALSE(c.value().plugins[0].ebpf_header_samples);
}

TEST(ConfigDatapathKeys, SamplingPicksHeaderSamplesForHeaderOnlyAggregates) {
  auto c = load(
      "plugins: print[flows], print[labels], print[macs]\n"
      "aggregate[flows]: src_host, dst_host, proto, vlan, etype, sampling_rate\n"
      "aggregate[labels]: mpls_label_top, mpls_stack_depth, src_host\n"
      "aggregate[macs]: src_mac, dst_host\n"
      "print_output: json\n"
      "sampling_rate: 100\n"
      "pmacctd_renormalize: true\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c.value().core.ebpf.sampling_rate, 100u);
  const auto& p = c.value().plugins;
  EXPECT_FALSE(p[0].ebpf_header_samples);
  EXPECT_TRUE(p[1].ebpf_header_samples);
  EXPECT_TRUE(p[2].ebpf_header_samples);
  for (const auto& pc : p) EXPECT_TRUE(pc.renormalize);

  // No sampling: nobody takes samples (there are none).
  auto d = load("aggregate: mpls_label_top\nplugins: print\n");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_FALSE(d.value().plugins[0].ebpf_header_samples);
}

TEST(ConfigDatapathKeys, NflogKeysAndTheOldDirectionName) {
  auto c = load(
      "plugins: print\n"
      "uacctd_group: 0\n"  // group 0 is a group: the key being set is what counts
      "uacctd_nl_size: 2097152\n"
      "uacctd_threshold: 64\n"
      "direction: out\n"
      "snaplen: 256\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const NflogConfig& n = c.value().core.nflog;
  EXPECT_TRUE(n.enabled);
  EXPECT_EQ(n.group, 0u);
  EXPECT_EQ(n.nl_size, 2097152u);
  EXPECT_EQ(n.threshold, 64u);
  EXPECT_EQ(n.direction, "out");
  EXPECT_EQ(n.snaplen, 256u);
}

TEST(ConfigDatapathKeys, BadValuesAndRolesAreErrorsWithLocation) {
  EXPECT_NE(error_of("uacctd_group: 65536\n").find("x.conf:1"), std::string::npos);
  EXPECT_NE(error_of("uacctd_direction: both\n").find("x.conf:1"), std::string::npos);
  EXPECT_NE(error_of("uacctd_threshold: 0\n").find("x.conf:1"), std::string::npos);
  EXPECT_NE(error_of("sampling_rate: 0\n").find("x.conf:1"), std::string::npos);
  EXPECT_NE(error_of("plugins: print[a]\nsampling_rate[a]: 10\n").find("global"), std::string::npos);
  EXPECT_NE(error_of("uacctd_group: 5\n", Role::kCollect).find("does not apply"), std::string::npos);
  EXPECT_NE(error_of("sampling_rate: 5\n", Role::kCollect).find("does not apply"), std::string::npos);
}

}  // namespace
}  // namespace xacct::userspace
