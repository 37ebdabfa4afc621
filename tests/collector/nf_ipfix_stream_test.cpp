// IPFIX over TCP framing (collector/ipfix_stream.hpp): messages split at any
// byte come out whole and decode as over UDP; a broken header stops it.
#include <gtest/gtest.h>

#include "collector/ipfix_stream.hpp"
#include "collector/netflow_decoder.hpp"
#include "tests/collector/nf_test_util.hpp"
#include "tests/collector/nf_vectors.hpp"

namespace xacct::collector {
namespace {

TEST(NfIpfixStream, EverySplitPointYieldsTheSameMessages) {
  const auto a = tests::nf::ipfix_basic();
  const auto b = tests::nf::ipfix_options();
  std::vector<std::uint8_t> stream(a);
  stream.insert(stream.end(), b.begin(), b.end());
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    IpfixStreamSplitter s;
    std::vector<std::vector<std::uint8_t>> got;
    auto collect = [&](std::span<const std::uint8_t> m) { got.emplace_back(m.begin(), m.end()); };
    ASSERT_TRUE(s.feed(std::span(stream.data(), cut), collect));
    ASSERT_TRUE(s.feed(std::span(stream.data() + cut, stream.size() - cut), collect));
    ASSERT_EQ(got.size(), 2u) << cut;
    EXPECT_EQ(got[0], a);
    EXPECT_EQ(got[1], b);
    EXPECT_EQ(s.buffered(), 0u);
  }
}

TEST(NfIpfixStream, MessagesDecodeAsOverUdp) {
  const auto a = tests::nf::ipfix_basic();
  IpfixStreamSplitter s;
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  userspace::RecordBatch out;
  std::uint32_t records = 0;
  for (std::uint8_t byte : a) {
    ASSERT_TRUE(s.feed(std::span(&byte, 1), [&](std::span<const std::uint8_t> m) {
      Datagram d;
      d.data = m;
      records += dec->decode(d, out).records;
    }));
  }
  EXPECT_EQ(records, 3u);
}

TEST(NfIpfixStream, BrokenFramingStopsTheStream) {
  IpfixStreamSplitter s;
  int n = 0;
  auto count = [&](std::span<const std::uint8_t>) { ++n; };
  auto v9 = tests::nf::v9_full();
  EXPECT_FALSE(s.feed(v9, count));
  EXPECT_FALSE(s.feed(tests::nf::ipfix_basic(), count));  // stays broken
  EXPECT_EQ(n, 0);
  IpfixStreamSplitter s2;
  auto m = tests::nf::ipfix_basic();
  m[2] = 0;
  m[3] = 8;  // length below the header
  EXPECT_FALSE(s2.feed(m, count));
}

}  // namespace
}  // namespace xacct::collector
