// MapSet (userspace/maps/map_set.hpp): loading from files, the order of
// the enrichment steps, reload keeping old maps on error, maps_refresh,
// and batches staying whole and uniformly tagged while reloads race.
#include "userspace/maps/map_set.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "tests/userspace/record_builder.hpp"
#include "userspace/label_pool.hpp"
#include "userspace/primitive_encodings.hpp"

namespace xacct::maps {
namespace {

using userspace::FlowRecord;
using userspace::RecordBatch;
using userspace::testing::flow;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/xacct-maps-XXXXXX";
    const char* p = mkdtemp(tmpl);
    if (p == nullptr) throw std::runtime_error("mkdtemp");
    path_ = p;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::string& content) const {
    const std::string file = path_ + "/" + name;
    std::ofstream(file) << content;
    return file;
  }
  std::string path(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string text(const userspace::IpAddress& a) {
  std::string s;
  userspace::append_ip(a, s);
  return s;
}

std::uint64_t counter(const userspace::Stats& stats, const std::string& name) {
  for (const auto& [n, v] : stats.snapshot()) {
    if (n == name) return v;
  }
  return ~0ull;
}

TEST(MapSet, NothingConfiguredIsANoOp) {
  auto set = MapSet::create(MapsConfig{});
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_FALSE(set.value()->active());
  RecordBatch batch{flow("192.0.2.1", "192.0.2.2", 1, 2, 17, 1, 60)};
  batch[0].tag = 9;
  set.value()->apply(batch);
  EXPECT_EQ(batch[0].tag, 9u);
  EXPECT_EQ(batch[0].src_port, 1);
}

TEST(MapSet, PreTagMapSeesAddressesAndPortsBeforeFilterAndPortsFile) {
  TempDir dir;
  MapsConfig c;
  c.pre_tag_map = dir.write("tags.map",
                            "set_tag=1 filter='udp src port 40001' src_net=203.0.113.0/24\n"
                            "set_label=dns filter='port 53'\n");
  c.networks_file = dir.write("nets", "65001,192.0.2.0/24\n");
  c.networks_file_filter = true;
  c.ports_file = dir.write("ports", "53\n");
  c.as_source = "file";
  userspace::Stats stats;
  auto set = MapSet::create(c, &stats);
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_TRUE(set.value()->active());

  RecordBatch batch{flow("203.0.113.7", "192.0.2.9", 40001, 53, 17, 1, 60)};
  set.value()->apply(batch);
  ASSERT_EQ(batch.size(), 1u);
  const FlowRecord& r = batch[0];
  EXPECT_EQ(r.tag, 1u);                        // saw src port 40001 and 203.0.113.7
  EXPECT_EQ(r.src_port, 0);                    // then ports_file
  EXPECT_EQ(r.dst_port, 53);
  EXPECT_EQ(text(r.src_host), "0.0.0.0");      // then networks_file_filter
  EXPECT_EQ(text(r.dst_host), "192.0.2.9");
  EXPECT_EQ(text(r.dst_net), "192.0.2.0");
  EXPECT_EQ(r.dst_mask, 24);
  EXPECT_EQ(r.dst_as, 65001u);

  EXPECT_EQ(counter(stats, "maps.pre_tag_map.rules"), 2u);
  EXPECT_EQ(counter(stats, "maps.networks_file.prefixes"), 1u);
  EXPECT_EQ(counter(stats, "maps.ports_file.ports"), 1u);
  EXPECT_EQ(set.value()->snapshot()->generation, 1u);
}

TEST(MapSet, ReturnTrueCopiesJoinTheBatch) {
  TempDir dir;
  MapsConfig c;
  c.pre_tag_map = dir.write("tags.map",
                            "set_tag=1 jeq=b return=true\n"
                            "set_tag=2 label=b\n");
  c.ports_file = dir.write("ports", "53\n");
  userspace::Stats stats;
  auto set = MapSet::create(c, &stats);
  ASSERT_TRUE(set.ok());
  RecordBatch batch{flow("192.0.2.1", "192.0.2.2", 7, 53, 17, 1, 60), flow("192.0.2.3", "192.0.2.4", 8, 9, 17, 1, 60)};
  set.value()->apply(batch);
  ASSERT_EQ(batch.size(), 4u);
  EXPECT_EQ(batch[0].tag, 2u);
  EXPECT_EQ(batch[1].tag, 2u);
  EXPECT_EQ(batch[2].tag, 1u);
  EXPECT_EQ(batch[2].src_port, 0);  // copies go through ports_file too
  EXPECT_EQ(batch[2].dst_port, 53);
  EXPECT_EQ(batch[3].tag, 1u);
  EXPECT_EQ(batch[3].dst_port, 0);
  EXPECT_EQ(counter(stats, "maps.pre_tag_map.copies"), 2u);
}

TEST(MapSet, CreateFailsOnUnreadableFileOrBadKeys) {
  MapsConfig c;
  c.pre_tag_map = "/nonexistent/tags.map";
  auto set = MapSet::create(c);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().message, "pre_tag_map /nonexistent/tags.map: cannot read: No such file or directory");
  c = {};
  c.as_source = "file";
  EXPECT_EQ(MapSet::create(c).error().message, "pmacctd_as: file needs networks_file");
}

TEST(MapSet, ReloadSwapsInNewMaps) {
  TempDir dir;
  MapsConfig c;
  c.pre_tag_map = dir.write("tags.map", "set_tag=1\n");
  c.networks_file = dir.write("nets", "10.0.0.0/8\n");
  userspace::Stats stats;
  auto set = MapSet::create(c, &stats);
  ASSERT_TRUE(set.ok());
  RecordBatch batch{flow("10.1.2.3", "10.3.2.1", 1, 2, 17, 1, 60)};
  set.value()->apply(batch);
  EXPECT_EQ(batch[0].tag, 1u);
  EXPECT_EQ(batch[0].src_mask, 8);

  dir.write("tags.map", "set_tag=2\nbad line here\n");
  dir.write("nets", "10.1.0.0/16\n");
  ASSERT_TRUE(set.value()->reload().ok());
  batch = {flow("10.1.2.3", "10.3.2.1", 1, 2, 17, 1, 60)};
  set.value()->apply(batch);
  EXPECT_EQ(batch[0].tag, 2u);
  EXPECT_EQ(batch[0].src_mask, 16);
  EXPECT_EQ(batch[0].dst_mask, 0);
  EXPECT_EQ(set.value()->snapshot()->generation, 2u);
  EXPECT_EQ(counter(stats, "maps.reloads"), 1u);
  EXPECT_EQ(counter(stats, "maps.reload_errors"), 0u);
  EXPECT_EQ(counter(stats, "maps.bad_lines"), 1u);
}

TEST(MapSet, FailedReloadKeepsTheOldMap) {
  TempDir dir;
  MapsConfig c;
  c.pre_tag_map = dir.write("tags.map", "set_tag=1\n");
  c.ports_file = dir.write("ports", "53\n");
  userspace::Stats stats;
  auto set = MapSet::create(c, &stats);
  ASSERT_TRUE(set.ok());
  std::filesystem::remove(dir.path("tags.map"));
  dir.write("ports", "80\n");
  auto st = set.value()->reload();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message,
            "maps reload: pre_tag_map " + dir.path("tags.map") + ": cannot read: No such file or directory");
  RecordBatch batch{flow("192.0.2.1", "192.0.2.2", 80, 53, 17, 1, 60)};
  set.value()->apply(batch);
  EXPECT_EQ(batch[0].tag, 1u);       // old pre_tag_map kept
  EXPECT_EQ(batch[0].src_port, 80);  // the readable ports_file was reloaded
  EXPECT_EQ(batch[0].dst_port, 0);
  EXPECT_EQ(counter(stats, "maps.reload_errors"), 1u);

  dir.write("tags.map", "set_tag=3\n");  // back: the next reload works
  ASSERT_TRUE(set.value()->reload().ok());
  batch = {flow("192.0.2.1", "192.0.2.2", 80, 53, 17, 1, 60)};
  set.value()->apply(batch);
  EXPECT_EQ(batch[0].tag, 3u);
}

TEST(MapSet, MapsRefreshFalseIgnoresReload) {
  TempDir dir;
  MapsConfig c;
  c.pre_tag_map = dir.write("tags.map", "set_tag=1\n");
  c.maps_refresh = false;
  auto set = MapSet::create(c);
  ASSERT_TRUE(set.ok());
  dir.write("tags.map", "set_tag=2\n");
  EXPECT_TRUE(set.value()->reload().ok());
  RecordBatch batch{flow("192.0.2.1", "192.0.2.2", 1, 2, 17, 1, 60)};
  set.value()->apply(batch);
  EXPECT_EQ(batch[0].tag, 1u);
  EXPECT_EQ(set.value()->snapshot()->generation, 1u);
}

// Readers hold one snapshot per batch: with reloads flipping the map between
// "tag 1" and "tag 2" while batches are applied, every batch comes out whole
// and tagged by one version only.
TEST(MapSet, BatchesAreNeverHalfTaggedDuringReloads) {
  TempDir dir;
  MapsConfig c;
  c.pre_tag_map = dir.write("tags.map", "set_tag=1\n");
  auto set = MapSet::create(c);
  ASSERT_TRUE(set.ok());
  MapSet& maps = *set.value();

  std::atomic<bool> stop{false};
  std::thread reloader([&] {
    for (int i = 0; i < 200; ++i) {
      // Write the other version to a new file and rename it over the map,
      // so a reload never reads a half-written file.
      std::ofstream(dir.path("tags.tmp")) << "set_tag=" << (i % 2 == 0 ? 2 : 1) << "\n";
      std::filesystem::rename(dir.path("tags.tmp"), dir.path("tags.map"));
      EXPECT_TRUE(maps.reload().ok());
    }
    stop = true;
  });
  std::size_t batches = 0;
  std::size_t mixed = 0;
  std::size_t lost = 0;
  std::set<std::uint64_t> seen;
  while (!stop || batches < 10) {
    RecordBatch batch(500, flow("192.0.2.1", "192.0.2.2", 1, 2, 17, 1, 60));
    maps.apply(batch);
    ++batches;
    if (batch.size() != 500) ++lost;
    for (const FlowRecord& r : batch) {
      if (r.tag != batch.front().tag) {
        ++mixed;
        break;
      }
    }
    seen.insert(batch.front().tag);
  }
  reloader.join();
  EXPECT_EQ(mixed, 0u);
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(maps.snapshot()->generation, 201u);
  EXPECT_TRUE(seen.count(1) == 1 || seen.count(2) == 1);
  for (std::uint64_t t : seen) EXPECT_TRUE(t == 1 || t == 2) << t;
}

}  // namespace
}  // namespace xacct::maps
