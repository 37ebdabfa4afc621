// DynamicName (userspace/dynamic_name.hpp): parsing, every variable, the
// strftime base time and zone, and the pmacct bugs it must not copy
// (spec/primitives.md §5).
#include "userspace/dynamic_name.hpp"

#include <gtest/gtest.h>

#include "tests/userspace/record_builder.hpp"
#include "tests/userspace/tz_guard.hpp"

namespace xacct::userspace {
namespace {

using testing::ip;
using testing::TzGuard;
using testing::utc;

DynamicName parse(const char* text, bool allow_time = true) {
  auto n = DynamicName::parse(text, allow_time);
  if (!n) throw std::runtime_error(n.error().message);
  return n.value();
}

NameContext context() {
  NameContext c;
  c.time_s = utc("2024-02-29T23:05:00Z");
  c.utc = true;
  c.refresh_s = 60;
  c.history_s = 300;
  c.post_tag = 7;
  c.post_tag2 = 0;
  c.has_peer_src_ip = true;
  return c;
}

FlowRecord record() {
  FlowRecord r;
  r.peer_src_ip = ip("192.0.2.1");
  r.tag = 20;
  r.tag2 = 3;
  return r;
}

TEST(DynamicName, StaticNames) {
  const DynamicName n = parse("/var/lib/xacct/out.json");
  EXPECT_FALSE(n.is_dynamic());
  EXPECT_FALSE(n.uses_time());
  EXPECT_FALSE(n.uses_record());
  EXPECT_EQ(n.expand(nullptr, context()), "/var/lib/xacct/out.json");
  // '$' without a name and "%%" are text.
  const DynamicName money = parse("/x/cost$-100%%.txt");
  EXPECT_FALSE(money.is_dynamic());
  EXPECT_EQ(money.expand(nullptr, context()), "/x/cost$-100%.txt");
}

TEST(DynamicName, EveryVariable) {
  const DynamicName n = parse("$peer_src_ip/$tag-$tag2-$post_tag-$post_tag2-$ref-$hst$tzone");
  EXPECT_TRUE(n.uses_record());
  EXPECT_TRUE(n.uses_time());
  const FlowRecord r = record();
  EXPECT_EQ(n.expand(&r, context()), "192_0_2_1/20-3-7-0-60-300Z");
  FlowRecord v6 = r;
  v6.peer_src_ip = ip("2001:db8::1");
  EXPECT_EQ(parse("$peer_src_ip").expand(&v6, context()), "2001_db8__1");
  EXPECT_TRUE(n.uses(NameVar::kHst));
  EXPECT_FALSE(parse("$tag").uses(NameVar::kTag2));
}

TEST(DynamicName, StrftimeOfTheBaseTime) {
  const DynamicName n = parse("/spool/%Y/%Y-%m/%Y-%m-%d/acct-%Y%m%d-%H%M%S-%s-%w-%W-%z.csv");
  EXPECT_TRUE(n.uses_time());
  EXPECT_FALSE(n.uses_record());
  EXPECT_EQ(n.expand(nullptr, context()),
            "/spool/2024/2024-02/2024-02-29/acct-20240229-230500-1709247900-4-09-+0000.csv");
}

TEST(DynamicName, LocalZone) {
  TzGuard tz("Europe/Berlin");
  NameContext c = context();
  c.utc = false;
  // 2024-02-29 23:05 UTC is March 1st 00:05 CET; %s stays the epoch time.
  EXPECT_EQ(parse("%Y%m%d-%H%M-%s$tzone-%z").expand(nullptr, c), "20240301-0005-1709247900+01:00-+0100");
  c.time_s = utc("2024-07-01T10:00:00Z");
  EXPECT_EQ(parse("%H$tzone").expand(nullptr, c), "12+02:00");
}

TEST(DynamicName, AbsentOrUnknownValuesAreNullNotGarbage) {
  const DynamicName n = parse("dyn-a-$peer_src_ip-$tag-$post_tag.json");
  NameContext c = context();
  const FlowRecord r = record();
  // pmacct 1.7.7 wrote "dyn-a--$tag-$post_tag.json" here (spec §5).
  c.has_peer_src_ip = false;
  EXPECT_EQ(n.expand(&r, c), "dyn-a-null-20-7.json");
  c.has_peer_src_ip = true;
  FlowRecord unknown = r;
  unknown.peer_src_ip = IpAddress{};
  EXPECT_EQ(n.expand(&unknown, c), "dyn-a-null-20-7.json");
  EXPECT_EQ(n.expand(nullptr, c), "dyn-a-null-null-7.json");
}

TEST(DynamicName, VariableBoundaries) {
  const FlowRecord r = record();
  EXPECT_EQ(parse("$tag_.json").expand(&r, context()), "20_.json");
  EXPECT_EQ(parse("$tag2$tag").expand(&r, context()), "320");
  EXPECT_EQ(parse("x$tag.$tag2").expand(&r, context()), "x20.3");
  EXPECT_EQ(parse("$tag__$tag2").expand(&r, context()), "20__3");
}

TEST(DynamicName, Errors) {
  EXPECT_EQ(DynamicName::parse("/x/$tag_x.json").error().message,
            "unknown variable '$tag_x' (known: $peer_src_ip, $tag, $tag2, $post_tag, $post_tag2, $ref, $hst, $tzone)");
  EXPECT_FALSE(DynamicName::parse("$TAG").ok());  // names are case-sensitive, as in pmacct
  EXPECT_FALSE(DynamicName::parse("$src_host").ok());
  EXPECT_EQ(DynamicName::parse("/x/latest-%H", false).error().message,
            "time conversions (%...) and $tzone are not allowed here");
  EXPECT_TRUE(DynamicName::parse("/x/latest-$peer_src_ip-100%%", false).ok());
}

}  // namespace
}  // namespace xacct::userspace
