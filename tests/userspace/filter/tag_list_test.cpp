// pre_tag_filter / pre_tag2_filter / pre_tag_label_filter value syntax and
// pmacct's left-to-right evaluation (userspace/filter/tag_list.hpp).
#include "userspace/filter/tag_list.hpp"

#include <gtest/gtest.h>

namespace xacct::filter {
namespace {

std::vector<TagRange> tags(std::string_view text) {
  auto r = parse_tag_list(text);
  if (!r) throw std::runtime_error(r.error().message);
  return r.value();
}

std::vector<LabelItem> labels(std::string_view text) {
  auto r = parse_label_list(text);
  if (!r) throw std::runtime_error(r.error().message);
  return r.value();
}

TEST(TagList, SingleValuesAndZeroForUntagged) {
  const auto t = tags("10, 20");
  EXPECT_TRUE(tag_list_accepts(t, 10));
  EXPECT_TRUE(tag_list_accepts(t, 20));
  EXPECT_FALSE(tag_list_accepts(t, 0));
  EXPECT_FALSE(tag_list_accepts(t, 15));
  const auto untagged = tags("0");
  EXPECT_TRUE(tag_list_accepts(untagged, 0));
  EXPECT_FALSE(tag_list_accepts(untagged, 1));
}

TEST(TagList, RangesAreInclusive) {
  const auto t = tags("20-30");
  EXPECT_FALSE(tag_list_accepts(t, 19));
  EXPECT_TRUE(tag_list_accepts(t, 20));
  EXPECT_TRUE(tag_list_accepts(t, 25));
  EXPECT_TRUE(tag_list_accepts(t, 30));
  EXPECT_FALSE(tag_list_accepts(t, 31));
}

TEST(TagList, NegationAcceptsEverythingElse) {
  const auto t = tags("-6");
  EXPECT_FALSE(tag_list_accepts(t, 6));
  EXPECT_TRUE(tag_list_accepts(t, 0));
  EXPECT_TRUE(tag_list_accepts(t, 7));
  const auto r = tags("-10-20");
  EXPECT_FALSE(tag_list_accepts(r, 15));
  EXPECT_TRUE(tag_list_accepts(r, 21));
}

TEST(TagList, FirstDecidingItemWinsAsInPmacct) {
  // The spec's example: "10,20-30,-25".
  const auto t = tags("10,20-30,-25");
  EXPECT_TRUE(tag_list_accepts(t, 10));
  EXPECT_TRUE(tag_list_accepts(t, 25));  // 20-30 decides before -25
  EXPECT_TRUE(tag_list_accepts(t, 40));  // -25 does not match: accept
  EXPECT_TRUE(tag_list_accepts(t, 0));
  // Negation first: it decides for everything.
  const auto n = tags("-25,20-30");
  EXPECT_FALSE(tag_list_accepts(n, 25));
  EXPECT_TRUE(tag_list_accepts(n, 24));
  EXPECT_TRUE(tag_list_accepts(n, 99));
}

TEST(TagList, EmptyListAcceptsAll) { EXPECT_TRUE(tag_list_accepts({}, 12345)); }

TEST(TagList, BadValuesAreErrors) {
  EXPECT_EQ(parse_tag_list("x").error().message, "invalid tag 'x' (expected N, LOW-HIGH, -N or -LOW-HIGH)");
  EXPECT_EQ(parse_tag_list("30-20").error().message,
            "invalid tag range '30-20' (LOW must be less than HIGH, as pmacct requires)");
  EXPECT_EQ(parse_tag_list("5-5").error().message,
            "invalid tag range '5-5' (LOW must be less than HIGH, as pmacct requires)");
  EXPECT_EQ(parse_tag_list("1,,2").error().message, "invalid tag '' (expected N, LOW-HIGH, -N or -LOW-HIGH)");
  EXPECT_EQ(parse_tag_list("1-x").error().message, "invalid tag range '1-x' (expected LOW-HIGH)");
  EXPECT_FALSE(parse_tag_list("18446744073709551616").ok());  // 2^64
  EXPECT_TRUE(parse_tag_list("18446744073709551615").ok());
}

TEST(LabelList, NullMatchesUnlabelled) {
  const auto l = labels("null");
  EXPECT_TRUE(label_list_accepts(l, ""));
  EXPECT_FALSE(label_list_accepts(l, "dns"));
  const auto not_null = labels("-null");
  EXPECT_FALSE(label_list_accepts(not_null, ""));
  EXPECT_TRUE(label_list_accepts(not_null, "dns"));
}

TEST(LabelList, OrOfItemsAndPrefixComparison) {
  const auto l = labels("blabla, dns");
  EXPECT_TRUE(label_list_accepts(l, "dns"));
  EXPECT_TRUE(label_list_accepts(l, "blabla"));
  EXPECT_FALSE(label_list_accepts(l, "web"));
  // pmacct compares the item's length only: a concatenated label whose
  // first part is the item matches, a later part does not.
  EXPECT_TRUE(label_list_accepts(l, "dns,web"));
  EXPECT_FALSE(label_list_accepts(l, "web,dns"));
  EXPECT_FALSE(label_list_accepts(l, "dn"));
}

TEST(LabelList, NegationOrder) {
  const auto l = labels("-dns,web");
  EXPECT_FALSE(label_list_accepts(l, "dns"));
  EXPECT_TRUE(label_list_accepts(l, "other"));  // -dns decides
  const auto w = labels("web,-dns");
  EXPECT_TRUE(label_list_accepts(w, "web"));
  EXPECT_FALSE(label_list_accepts(w, "dns"));
  EXPECT_TRUE(label_list_accepts(w, "other"));
}

TEST(LabelList, EmptyItemIsAnError) {
  EXPECT_EQ(parse_label_list("a,,b").error().message, "empty label in list");
  EXPECT_EQ(parse_label_list("-").error().message, "empty label in list");
}

}  // namespace
}  // namespace xacct::filter
