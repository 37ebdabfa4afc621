// A plugin's record filter: the four keys together, their errors, and the
// empty filter (userspace/filter/plugin_filter.hpp).
#include "userspace/filter/plugin_filter.hpp"

#include <gtest/gtest.h>

#include "tests/userspace/record_builder.hpp"
#include "userspace/label_pool.hpp"

namespace xacct::filter {
namespace {

using userspace::FlowRecord;
using userspace::testing::flow;

PluginFilter make(const PluginFilterConfig& c) {
  auto f = PluginFilter::create(c, "p");
  if (!f) throw std::runtime_error(f.error().message);
  return f.value();
}

TEST(PluginFilter, EmptyAcceptsEverything) {
  PluginFilter f = make({});
  EXPECT_TRUE(f.empty());
  EXPECT_TRUE(f.accept(FlowRecord{}));
  EXPECT_TRUE(PluginFilter().accept(FlowRecord{}));
}

TEST(PluginFilter, AllKeysMustAccept) {
  PluginFilterConfig c;
  c.pre_tag_filter = "10-20";
  c.pre_tag2_filter = "-5";
  c.pre_tag_label_filter = "dns";
  c.aggregate_filter = "udp and port 53";
  PluginFilter f = make(c);
  EXPECT_FALSE(f.empty());

  FlowRecord r = flow("198.18.0.1", "198.18.0.2", 4000, 53, 17, 1, 60);
  r.tag = 15;
  r.tag2 = 1;
  r.label_id = userspace::LabelPool::global().intern("dns");
  EXPECT_TRUE(f.accept(r));

  FlowRecord t = r;
  t.tag = 21;
  EXPECT_FALSE(f.accept(t));
  t = r;
  t.tag2 = 5;
  EXPECT_FALSE(f.accept(t));
  t = r;
  t.label_id = userspace::LabelPool::global().intern("web");
  EXPECT_FALSE(f.accept(t));
  t = r;
  t.label_id = 0;  // "null"
  EXPECT_FALSE(f.accept(t));
  t = r;
  t.dst_port = 54;
  EXPECT_FALSE(f.accept(t));
}

TEST(PluginFilter, ErrorsNameThePluginAndKey) {
  PluginFilterConfig c;
  c.aggregate_filter = "tcp and";
  auto f = PluginFilter::create(c, "a");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message.rfind("plugin 'a': aggregate_filter 'tcp and': ", 0), 0u) << f.error().message;

  c = {};
  c.pre_tag_filter = "7-3";
  EXPECT_EQ(PluginFilter::create(c, "a").error().message,
            "plugin 'a': pre_tag_filter: invalid tag range '7-3' (LOW must be less than HIGH, as pmacct requires)");
  c = {};
  c.pre_tag2_filter = "x";
  EXPECT_EQ(PluginFilter::create(c, "b").error().message,
            "plugin 'b': pre_tag2_filter: invalid tag 'x' (expected N, LOW-HIGH, -N or -LOW-HIGH)");
  c = {};
  c.pre_tag_label_filter = "a,";
  EXPECT_EQ(PluginFilter::create(c, "b").error().message, "plugin 'b': pre_tag_label_filter: empty label in list");
}

}  // namespace
}  // namespace xacct::filter
