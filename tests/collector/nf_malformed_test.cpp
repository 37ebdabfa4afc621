// Malformed NetFlow/IPFIX input: every truncation of every vector, random
// corruptions, and hand-made broken sets are counted and dropped; nothing
// crashes (the ASan+UBSan build runs these too) and nothing reads past the
// datagram (each input is copied into a buffer of exactly its size).
#include <gtest/gtest.h>

#include <random>

#include "collector/netflow_decoder.hpp"
#include "tests/collector/nf_test_util.hpp"
#include "tests/collector/nf_vectors.hpp"

namespace xacct::collector {
namespace {

using tests::nf::datagram;
using tests::nf::IpfixWriter;
using tests::nf::Writer;

std::vector<std::vector<std::uint8_t>> all_vectors() {
  return {tests::nf::v5_two_records(), tests::nf::v9_full(),       tests::nf::v9_data_seq5(),
          tests::nf::ipfix_basic(),    tests::nf::ipfix_options(), tests::nf::ipfix_frame()};
}

DecodeResult decode_fresh(const std::vector<std::uint8_t>& bytes, userspace::RecordBatch& out) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  return dec->decode(datagram(bytes), out);
}

TEST(NfMalformed, EveryTruncationOfV5AndIpfixIsOneErrorAndNoRecord) {
  for (const auto& full : {tests::nf::v5_two_records(), tests::nf::ipfix_basic(), tests::nf::ipfix_options(),
                           tests::nf::ipfix_frame()}) {
    for (std::size_t n = 0; n < full.size(); ++n) {
      std::vector<std::uint8_t> cut(full.begin(), full.begin() + static_cast<long>(n));
      userspace::RecordBatch out;
      DecodeResult res = decode_fresh(cut, out);
      EXPECT_EQ(res.records, 0u) << n;
      EXPECT_EQ(res.decode_errors, 1u) << n;
      EXPECT_TRUE(out.empty()) << n;
    }
  }
}

TEST(NfMalformed, EveryTruncationOfV9IsCountedUnlessAtASetBoundary) {
  const auto full = tests::nf::v9_full();
  // v9 has no message length: a datagram cut at a set boundary is a valid
  // shorter message. Set boundaries of v9_full: 20, 112, 140, 156, 268.
  for (std::size_t n = 0; n < full.size(); ++n) {
    std::vector<std::uint8_t> cut(full.begin(), full.begin() + static_cast<long>(n));
    userspace::RecordBatch out;
    DecodeResult res = decode_fresh(cut, out);
    // Fewer than 4 zero bytes after the last complete set read as padding.
    std::size_t last = 0;
    for (std::size_t b : {20u, 112u, 140u, 156u}) {
      if (b <= n) last = b;
    }
    bool padding = last != 0 && n - last < 4;
    for (std::size_t i = last; padding && i < n; ++i) padding = full[i] == 0;
    EXPECT_EQ(res.decode_errors, padding ? 0u : 1u) << n;
    EXPECT_EQ(res.records, 0u) << n;  // the data set is the last one
  }
}

TEST(NfMalformed, RandomCorruptionsNeverCrash) {
  std::mt19937 rng(12345);
  std::uint64_t records = 0, errors = 0;
  for (const auto& base : all_vectors()) {
    userspace::Stats stats;
    auto dec = make_netflow_decoder({}, stats);
    for (int i = 0; i < 3000; ++i) {
      std::vector<std::uint8_t> b = base;
      const int flips = 1 + static_cast<int>(rng() % 8);
      for (int f = 0; f < flips; ++f) {
        // keep the version most of the time, so the decoders get exercised
        const std::size_t at = 2 + rng() % (b.size() - 2);
        b[at] = static_cast<std::uint8_t>(rng());
      }
      if (rng() % 4 == 0) b.resize(rng() % b.size());
      userspace::RecordBatch out;
      DecodeResult res = dec->decode(datagram(b), out);
      ASSERT_EQ(res.records, out.size());
      // A record takes at least one byte of the datagram.
      ASSERT_LE(out.size(), b.size());
      records += res.records;
      errors += res.decode_errors;
    }
  }
  EXPECT_GT(records, 0u);  // corruption does not stop everything...
  EXPECT_GT(errors, 0u);   // ...and is noticed
}

std::vector<std::uint8_t> v9_with(const std::vector<std::uint8_t>& sets) {
  Writer w;
  w.u16(9).u16(1).u32(100000).u32(1700000000).u32(1).u32(1);
  w.bytes(sets);
  return w.data();
}

TEST(NfMalformed, ZeroLengthSetIsAnError) {
  userspace::RecordBatch out;
  DecodeResult res = decode_fresh(v9_with(tests::nf::from_hex("0100 0000 0102 0304")), out);
  EXPECT_EQ(res.decode_errors, 1u);
  res = decode_fresh(v9_with(tests::nf::from_hex("0000 0002 0000 0000")), out);
  EXPECT_EQ(res.decode_errors, 1u);
  IpfixWriter w(1, 0, 0);
  w.u16(2).u16(0).u32(0);
  res = decode_fresh(w.finish(), out);
  EXPECT_EQ(res.decode_errors, 1u);
}

TEST(NfMalformed, AbsurdFieldCountIsAnError) {
  userspace::RecordBatch out;
  // template 256 announcing 65535 fields in an 8-byte set
  DecodeResult res = decode_fresh(v9_with(tests::nf::from_hex("0000 000c 0100 ffff 0008 0004")), out);
  EXPECT_EQ(res.decode_errors, 1u);
  IpfixWriter w(1, 0, 0);
  auto t = w.begin_set(3);
  w.u16(256).u16(2).u16(3).u16(8).u16(4).u16(1).u16(4);  // scope count 3 > field count 2
  w.end_set(t);
  res = decode_fresh(w.finish(), out);
  EXPECT_EQ(res.decode_errors, 1u);
  IpfixWriter w2(1, 0, 0);
  auto t2 = w2.begin_set(3);
  w2.u16(256).u16(2).u16(0).u16(8).u16(4).u16(1).u16(4);  // scope count 0
  w2.end_set(t2);
  res = decode_fresh(w2.finish(), out);
  EXPECT_EQ(res.decode_errors, 1u);
}

TEST(NfMalformed, TemplateTooLongForAnyDatagramIsAnError) {
  // 2 fields of 40000 bytes: no set can hold one record.
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  userspace::RecordBatch out;
  DecodeResult res =
      dec->decode(datagram(v9_with(tests::nf::from_hex("0000 0010 0100 0002 0001 9c40 0002 9c40"))), out);
  EXPECT_EQ(res.decode_errors, 1u);
  EXPECT_EQ(dec->template_count(), 0u);
  // Zero-length fields only: a record of 0 bytes would never advance.
  res = dec->decode(datagram(v9_with(tests::nf::from_hex("0000 000c 0100 0001 0001 0000"))), out);
  EXPECT_EQ(res.decode_errors, 1u);
  EXPECT_EQ(dec->template_count(), 0u);
}

TEST(NfMalformed, TemplateLoopsAndRedefinitionsStayBounded) {
  // The same template defined 1000 times in one set, then data: one template.
  Writer sets;
  auto t = sets.begin_set(0);
  for (int i = 0; i < 1000; ++i) sets.u16(256).u16(1).u16(1).u16(4);
  sets.end_set(t);
  auto d = sets.begin_set(256);
  sets.u32(9);
  sets.end_set(d);
  userspace::Stats stats;
  NetflowOptions o;
  o.max_templates_per_domain = 8;
  auto dec = make_netflow_decoder(o, stats);
  userspace::RecordBatch out;
  DecodeResult res = dec->decode(datagram(v9_with(sets.data())), out);
  EXPECT_EQ(res.records, 1u);
  EXPECT_EQ(res.decode_errors, 0u);
  EXPECT_EQ(dec->template_count(), 1u);
  // 20 distinct ids with a limit of 8: the rest are errors.
  Writer many;
  auto m = many.begin_set(0);
  for (int i = 0; i < 20; ++i) many.u16(300 + i).u16(1).u16(1).u16(4);
  many.end_set(m);
  res = dec->decode(datagram(v9_with(many.data())), out);
  EXPECT_EQ(dec->template_count(), 8u);
  EXPECT_EQ(res.decode_errors, 13u);  // each template over the limit (256 + 7 of these fit)
}

TEST(NfMalformed, VariableLengthRunningPastTheSet) {
  IpfixWriter w(1, 0, 0);
  auto t = w.begin_set(2);
  w.u16(256).u16(2).u16(1).u16(4).u16(82).u16(65535);
  w.end_set(t);
  auto d = w.begin_set(256);
  w.u32(1).u8(3).str("abc");      // fine
  w.u32(2).u8(200).str("short");  // 200 bytes announced, 5 present
  w.end_set(d);
  userspace::RecordBatch out;
  DecodeResult res = decode_fresh(w.finish(), out);
  EXPECT_EQ(res.records, 1u);
  EXPECT_EQ(res.decode_errors, 1u);
}

TEST(NfMalformed, DataSetShorterThanARecord) {
  auto v9 = tests::nf::v9_full();
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  userspace::RecordBatch out;
  dec->decode(datagram(v9), out);
  out.clear();
  DecodeResult res =
      dec->decode(datagram(v9_with(tests::nf::from_hex("0100 000c 0102 0304 0506 0708"))), out);
  EXPECT_EQ(res.records, 0u);
  EXPECT_EQ(res.decode_errors, 0u);  // other source id: unknown template, buffered
  EXPECT_EQ(res.template_misses, 1u);
  auto same = v9_with(tests::nf::from_hex("0100 000c 0102 0304 0506 0708"));
  same[19] = 0x92;
  same[18] = 0x10;  // source id 4242
  res = dec->decode(datagram(same), out);
  EXPECT_EQ(res.records, 0u);
  EXPECT_EQ(res.decode_errors, 1u);
}

TEST(NfMalformed, UnknownVersionAndTinyDatagrams) {
  userspace::RecordBatch out;
  EXPECT_EQ(decode_fresh({}, out).decode_errors, 1u);
  EXPECT_EQ(decode_fresh({0}, out).decode_errors, 1u);
  EXPECT_EQ(decode_fresh({0, 7, 0, 0}, out).decode_errors, 1u);
  EXPECT_EQ(decode_fresh({0, 5}, out).decode_errors, 1u);
  EXPECT_EQ(decode_fresh({0, 9}, out).decode_errors, 1u);
  EXPECT_EQ(decode_fresh({0, 10}, out).decode_errors, 1u);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace xacct::collector
