// The map and filter keys from config text to MapsConfig / PluginFilterConfig
// (userspace/config_keys.cpp, config_loader.cpp), their errors with
// file:line, and the whole path: config -> MapSet + PluginFilter -> records.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "tests/userspace/record_builder.hpp"
#include "userspace/config_loader.hpp"
#include "userspace/filter/plugin_filter.hpp"
#include "userspace/label_pool.hpp"
#include "userspace/maps/map_set.hpp"

namespace xacct::maps {
namespace {

using userspace::DaemonConfig;
using userspace::Result;
using userspace::Role;

Result<DaemonConfig> load(std::string_view text, Role role = Role::kProbe) {
  auto lines = userspace::parse_config_text(text, "x.conf");
  if (!lines) return lines.error();
  auto rc = userspace::resolve_config(lines.value(), role);
  if (!rc) return rc.error();
  return userspace::build_daemon_config(rc.value());
}

std::string error_of(std::string_view text, Role role = Role::kProbe) {
  auto c = load(text, role);
  return c.ok() ? std::string("(no error)") : c.error().message;
}

TEST(MapsConfig, CoreKeysReachMapsConfig) {
  auto c = load(
      "plugins: print[a]\n"
      "pre_tag_map: /etc/xacct/tags.map\n"
      "maps_entries: 1000\n"
      "maps_row_len: 512\n"
      "maps_refresh: false\n"
      "maps_index: true\n"
      "networks_file: /etc/xacct/nets\n"
      "networks_file_filter: true\n"
      "networks_file_no_lpm: true\n"
      "networks_no_mask_if_zero: true\n"
      "networks_mask: 24\n"
      "ports_file: /etc/xacct/ports\n"
      "pmacctd_net: longest\n"
      "pmacctd_as: file\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const MapsConfig& m = c.value().core.maps;
  EXPECT_EQ(m.pre_tag_map, "/etc/xacct/tags.map");
  EXPECT_EQ(m.maps_entries, 1000u);
  EXPECT_EQ(m.maps_row_len, 512u);
  EXPECT_FALSE(m.maps_refresh);
  EXPECT_TRUE(m.maps_index);
  EXPECT_EQ(m.networks_file, "/etc/xacct/nets");
  EXPECT_TRUE(m.networks_file_filter);
  EXPECT_TRUE(m.networks_file_no_lpm);
  EXPECT_TRUE(m.networks_no_mask_if_zero);
  EXPECT_EQ(m.networks_mask, 24u);
  EXPECT_EQ(m.ports_file, "/etc/xacct/ports");
  EXPECT_EQ(m.net_source, "longest");
  EXPECT_EQ(m.as_source, "file");
  EXPECT_FALSE(m.collector);

  auto d = load("plugins: print\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value().core.maps, MapsConfig{});  // the defaults are the struct's

  auto n = load("plugins: print\nnfacctd_net: netflow\nnfacctd_as: sflow\n", Role::kCollect);
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_TRUE(n.value().core.maps.collector);
  EXPECT_EQ(n.value().core.maps.net_source, "netflow");
  EXPECT_EQ(n.value().core.maps.as_source, "sflow");
}

TEST(MapsConfig, PluginFilterKeysArePerPlugin) {
  auto c = load(
      "plugins: print[a], print[b]\n"
      "aggregate_filter[a]: udp and port 53\n"
      "pre_tag_filter[a]: 10,20-30,-25\n"
      "pre_tag2_filter[b]: 0\n"
      "pre_tag_label_filter[b]: -null\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const auto& a = c.value().plugins[0].filter;
  const auto& b = c.value().plugins[1].filter;
  EXPECT_EQ(a.aggregate_filter, "udp and port 53");
  EXPECT_EQ(a.pre_tag_filter, "10,20-30,-25");
  EXPECT_TRUE(a.pre_tag2_filter.empty());
  EXPECT_EQ(b.pre_tag2_filter, "0");
  EXPECT_EQ(b.pre_tag_label_filter, "-null");
  EXPECT_TRUE(b.aggregate_filter.empty());
}

TEST(MapsConfig, ErrorsWithFileAndLine) {
  EXPECT_EQ(error_of("plugins: print[a]\npre_tag_filter: 10\n"),
            "x.conf:2: key 'pre_tag_filter' must be scoped to a plugin (pre_tag_filter[name]: ...)");
  EXPECT_EQ(error_of("plugins: print[a]\naggregate_filter: tcp\n"),
            "x.conf:2: key 'aggregate_filter' must be scoped to a plugin (aggregate_filter[name]: ...)");
  EXPECT_EQ(error_of("plugins: print[a]\npre_tag_filter[a]: 9-2\n"),
            "x.conf:2: pre_tag_filter: invalid tag range '9-2' (LOW must be less than HIGH, as pmacct requires)");
  EXPECT_EQ(error_of("plugins: print[a]\npre_tag_label_filter[a]: x,,y\n"),
            "x.conf:2: pre_tag_label_filter: empty label in list");
  EXPECT_EQ(error_of("plugins: print[a]\nnetworks_file[a]: /x\n"),
            "x.conf:2: key 'networks_file' is global and cannot be scoped to plugin 'a'");
  EXPECT_EQ(error_of("plugins: print[a]\nnetworks_mask: 129\n"),
            "x.conf:2: value 129 for networks_mask is out of range [0, 128]");
  EXPECT_EQ(error_of("plugins: print[a]\npmacctd_as: bgp\n"),
            "x.conf:2: pmacctd_as: 'bgp' is not supported yet (supported: file,longest,fallback)");
  EXPECT_EQ(error_of("plugins: print[a]\nnfacctd_net: netflow\n"),
            "x.conf:2: key 'nfacctd_net' does not apply to xacctd probe");
  EXPECT_EQ(error_of("plugins: print[a]\npmacctd_net: mask\n", Role::kCollect),
            "x.conf:2: key 'pmacctd_net' does not apply to xacctd collect");
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/xacct-mapscfg-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp");
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ + "/" + name) << content;
    return path_ + "/" + name;
  }

 private:
  std::string path_;
};

// config text -> MapSet and each plugin's filter -> which plugin takes what.
TEST(MapsConfig, ConfigToMapSetAndPluginFilters) {
  TempDir dir;
  const std::string tags = dir.write("tags.map",
                                     "set_tag=10 filter='tcp' jeq=lbl\n"
                                     "set_tag=20 filter='udp' jeq=lbl\n"
                                     "set_label=dns filter='udp and port 53' label=lbl\n"
                                     "set_label=other filter='ip or ip6'\n");
  const std::string nets = dir.write("nets", "64500_65010,192.0.2.0/24\n65020,198.51.100.0/25\n");
  const std::string ports = dir.write("ports", "53\n443\n");
  auto c = load(
      "plugins: print[tcp], print[dns], print[rest]\n"
      "pre_tag_map: " + tags + "\n"
      "networks_file: " + nets + "\n"
      "ports_file: " + ports + "\n"
      "pre_tag_filter[tcp]: 10\n"
      "pre_tag_label_filter[dns]: dns\n"
      "aggregate_filter[rest]: not port 53 and not port 443\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto maps = MapSet::create(c.value().core.maps);
  ASSERT_TRUE(maps.ok()) << maps.error().message;
  std::vector<filter::PluginFilter> filters;
  for (const auto& p : c.value().plugins) {
    auto f = filter::PluginFilter::create(p.filter, p.name);
    ASSERT_TRUE(f.ok()) << f.error().message;
    filters.push_back(f.value());
  }

  using userspace::testing::flow;
  userspace::RecordBatch batch{
      flow("192.0.2.10", "198.51.100.20", 33000, 53, 17, 1, 58),   // dns
      flow("192.0.2.10", "198.51.100.20", 33001, 443, 6, 5, 900),  // tcp/443
      flow("192.0.2.10", "203.0.113.1", 33002, 8080, 6, 2, 200),   // tcp, port zeroed
  };
  maps.value()->apply(batch);
  // The spec's pmacctd record: tag 20, label dns, nets /24 and /25, src port 0.
  EXPECT_EQ(batch[0].tag, 20u);
  EXPECT_EQ(userspace::LabelPool::global().lookup(batch[0].label_id), "dns");
  EXPECT_EQ(batch[0].src_mask, 24);
  EXPECT_EQ(batch[0].dst_mask, 25);
  EXPECT_EQ(batch[0].src_port, 0);
  EXPECT_EQ(batch[0].dst_port, 53);
  EXPECT_EQ(batch[1].tag, 10u);
  EXPECT_EQ(batch[2].dst_port, 0);

  auto takes = [&](std::size_t plugin) {
    std::string s;
    for (const auto& r : batch) s += filters[plugin].accept(r) ? '1' : '0';
    return s;
  };
  EXPECT_EQ(takes(0), "011");  // tag 10: both TCP records
  EXPECT_EQ(takes(1), "100");  // label dns
  EXPECT_EQ(takes(2), "001");  // aggregate_filter sees the zeroed port
}

}  // namespace
}  // namespace xacct::maps
