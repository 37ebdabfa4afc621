// Stats (userspace/stats.hpp): bounded labels for counter names taken from
// the network, so that ever-new addresses cannot grow the registry.
#include "userspace/stats.hpp"

#include <gtest/gtest.h>

#include <string>

namespace xacct::userspace {
namespace {

TEST(Stats, BoundedLabelKeepsKnownLabelsAndFoldsTheRest) {
  Stats s;
  EXPECT_EQ(s.bounded_label("bgp.peer", "192.0.2.1", 2), "192.0.2.1");
  EXPECT_EQ(s.bounded_label("bgp.peer", "192.0.2.2", 2), "192.0.2.2");
  EXPECT_EQ(s.bounded_label("bgp.peer", "192.0.2.3", 2), "other");
  EXPECT_EQ(s.bounded_label("bgp.peer", "192.0.2.1", 2), "192.0.2.1");    // known stays known
  EXPECT_EQ(s.bounded_label("bmp.router", "192.0.2.3", 2), "192.0.2.3");  // families are apart
  for (int i = 0; i < 1000; ++i) s.bounded_label("bgp.peer", "198.18.0." + std::to_string(i), 2);
  EXPECT_EQ(s.bounded_label("bgp.peer", "192.0.2.2", 2), "192.0.2.2");
}

}  // namespace
}  // namespace xacct::userspace
