// writer_id_string expansion and the label pool.
#include "userspace/writer_id.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "userspace/label_pool.hpp"

namespace xacct::userspace {
namespace {

TEST(WriterId, Variables) {
  EXPECT_EQ(expand_writer_id(kDefaultWriterId, "mk", 25983), "mk/25983");
  EXPECT_EQ(expand_writer_id("$PROC_NAME@host-$writer_pid_", "a", 7), "a@host-7_");
  EXPECT_EQ(expand_writer_id("$pmacct_build", "a", 7), "xacct 0.1.0");
  EXPECT_EQ(expand_writer_id("100$ / $", "a", 7), "100$ / $");  // '$' without a name is text
  EXPECT_FALSE(check_writer_id("cost $5").ok());
  EXPECT_TRUE(check_writer_id("static-$Proc_Name").ok());
  EXPECT_EQ(check_writer_id("$host").error().message,
            "unknown variable '$host' (known: $proc_name, $writer_pid, $pmacct_build)");
}

TEST(LabelPool, InternsOnceAcrossThreads) {
  LabelPool pool;
  EXPECT_EQ(pool.intern(""), 0u);
  EXPECT_EQ(pool.lookup(0), "");
  EXPECT_EQ(pool.lookup(99), "");
  std::vector<std::uint32_t> ids(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    threads.emplace_back([&pool, &ids, i] {
      for (int n = 0; n < 1000; ++n) pool.intern("label-" + std::to_string(n % 10));
      ids[i] = pool.intern("dns");
    });
  }
  for (auto& t : threads) t.join();
  for (std::uint32_t id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_EQ(pool.lookup(ids[0]), "dns");
  EXPECT_EQ(pool.size(), 11u);
}

}  // namespace
}  // namespace xacct::userspace
