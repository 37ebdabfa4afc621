// parse_bpf_check.cpp: the eBPF build of the packet parser against its C++
// build. Loads tests/bpf/parse_compile_check.bpf.c (so the verifier must accept
// both entry points, inlined as the datapath inlines them) and runs every
// corpus frame, every truncation of it and random corruptions through
// BPF_PROG_TEST_RUN; each result must equal, byte for byte, what the C++
// build of bpf/packet_parse.h returns for the same bytes.
//
// Needs root (CAP_BPF, CAP_NET_ADMIN): skipped otherwise. It creates no
// interface and sends nothing.
#include "bpf/packet_parse.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>

#include "parse_compile_check.skel.h"
#include "tests/bpf/frame_corpus.hpp"

namespace xacct::tests {
namespace {

using namespace frames;

static_assert(sizeof(xacct_pkt) == 84, "xacct_pkt layout changed: the .bss copy below assumes no holes");

struct Parsed {
  int ret = -1;
  xacct_pkt pkt{};
};

struct SkelDeleter {
  void operator()(parse_compile_check* s) const { parse_compile_check__destroy(s); }
};

// One loaded program for the whole test binary.
class BpfParser {
 public:
  static BpfParser& get() {
    static BpfParser p;
    return p;
  }
  const std::string& skip_reason() const { return skip_; }
  const std::string& error() const { return error_; }
  bool loaded() const { return skel_ != nullptr; }
  int prog_fd() const { return bpf_program__fd(skel_->progs.parse_check); }
  int noop_fd() const { return bpf_program__fd(skel_->progs.noop); }

  // Runs the program once on `frame`; returns false on a test-run error.
  bool run(const Bytes& frame, std::uint16_t l3_ethertype, Parsed& ether, Parsed& l3, int repeat = 1,
           std::uint32_t* duration_ns = nullptr) {
    skel_->bss->l3_ethertype = l3_ethertype;
    std::memset(&skel_->bss->ether_pkt, 0xa5, sizeof(xacct_pkt));
    std::memset(&skel_->bss->l3_pkt, 0xa5, sizeof(xacct_pkt));
    skel_->bss->ether_ret = -1;
    skel_->bss->l3_ret = -1;
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(),
                .data_size_in = static_cast<__u32>(frame.size()), .repeat = repeat);
    if (bpf_prog_test_run_opts(prog_fd(), &opts) != 0 || opts.retval != XDP_PASS) return false;
    ether.ret = skel_->bss->ether_ret;
    std::memcpy(&ether.pkt, &skel_->bss->ether_pkt, sizeof(xacct_pkt));
    l3.ret = skel_->bss->l3_ret;
    std::memcpy(&l3.pkt, &skel_->bss->l3_pkt, sizeof(xacct_pkt));
    if (duration_ns) *duration_ns = opts.duration;
    return true;
  }

 private:
  BpfParser() {
    if (geteuid() != 0) {
      skip_ = "needs root to load BPF programs";
      return;
    }
    std::unique_ptr<parse_compile_check, SkelDeleter> s(parse_compile_check__open_and_load());
    if (!s) {
      int err = errno;
      if (err == EPERM) {
        skip_ = "BPF load not permitted (EPERM)";
      } else {
        error_ = std::string("load parse_compile_check: ") + std::strerror(err) + " (verifier log above)";
      }
      return;
    }
    skel_ = s.release();
  }
  ~BpfParser() {
    if (skel_) parse_compile_check__destroy(skel_);
  }

  parse_compile_check* skel_ = nullptr;
  std::string skip_;
  std::string error_;
};

#define XACCT_REQUIRE_BPF()                                           \
  do {                                                                \
    BpfParser& bp = BpfParser::get();                                 \
    if (!bp.skip_reason().empty()) GTEST_SKIP() << bp.skip_reason();  \
    ASSERT_TRUE(bp.loaded()) << bp.error();                           \
  } while (0)

Parsed cpp_ether(const Bytes& b) {
  Parsed r;
  r.ret = xacct_parse_ether(b.data(), b.data() + b.size(), &r.pkt);
  return r;
}
Parsed cpp_l3(const Bytes& b, std::size_t from, std::uint16_t ethertype) {
  Parsed r;
  r.ret = xacct_parse_l3(b.data() + from, b.data() + b.size(), ethertype, &r.pkt);
  return r;
}

std::string hex(const xacct_pkt& p) {
  const auto* b = reinterpret_cast<const unsigned char*>(&p);
  std::string s;
  char buf[4];
  for (std::size_t i = 0; i < sizeof p; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", b[i]);
    s += buf;
    if (i % 4 == 3) s += ' ';
  }
  return s;
}

// The program parses `frame` as Ethernet, and frame[14..] as L3 with
// `l3_ethertype`; both results must match the C++ build.
void expect_same(const Bytes& frame, std::uint16_t l3_ethertype, const std::string& what) {
  Parsed be, bl;
  ASSERT_TRUE(BpfParser::get().run(frame, l3_ethertype, be, bl)) << what << ": test run failed";
  Parsed ce = cpp_ether(frame);
  Parsed cl = cpp_l3(frame, 14, l3_ethertype);
  ASSERT_EQ(be.ret, ce.ret) << what << " (ether)";
  ASSERT_EQ(0, std::memcmp(&be.pkt, &ce.pkt, sizeof(xacct_pkt)))
      << what << " (ether)\n  bpf " << hex(be.pkt) << "\n  c++ " << hex(ce.pkt);
  ASSERT_EQ(bl.ret, cl.ret) << what << " (l3)";
  ASSERT_EQ(0, std::memcmp(&bl.pkt, &cl.pkt, sizeof(xacct_pkt)))
      << what << " (l3)\n  bpf " << hex(bl.pkt) << "\n  c++ " << hex(cl.pkt);
}

// An L3 corpus frame runs behind 14 bytes of zeros (the test run needs an
// Ethernet header's worth of data).
Bytes as_run_frame(const CorpusFrame& c, std::size_t cut) {
  Bytes b;
  if (c.entry == Entry::kL3) b.assign(14, 0);
  b.insert(b.end(), c.frame.bytes.begin(), c.frame.bytes.begin() + static_cast<std::ptrdiff_t>(cut));
  return b;
}
std::uint16_t l3_ethertype_of(const CorpusFrame& c, const Bytes& run) {
  if (c.entry == Entry::kL3) return c.ethertype;
  return static_cast<std::uint16_t>(run[12] << 8 | run[13]);
}

TEST(PacketParseBpf, VerifierAcceptsBothEntryPoints) {
  XACCT_REQUIRE_BPF();
  bpf_prog_info info{};
  __u32 len = sizeof info;
  ASSERT_EQ(0, bpf_obj_get_info_by_fd(BpfParser::get().prog_fd(), &info, &len));
  // Not an assertion on the exact number: printed so a change that makes the
  // verifier work much harder shows up in the test log.
  std::printf("parse_check: %u verified instructions, %u xlated bytes\n", info.verified_insns,
              info.xlated_prog_len);
  EXPECT_GT(info.xlated_prog_len, 0u);
}

TEST(PacketParseBpf, CorpusAndEveryTruncationMatchTheCppBuild) {
  XACCT_REQUIRE_BPF();
  std::size_t runs = 0;
  for (const CorpusFrame& c : corpus()) {
    SCOPED_TRACE(c.name);
    std::size_t first = c.entry == Entry::kEther ? 14 : 0;
    for (std::size_t cut = first; cut <= c.frame.bytes.size(); ++cut, ++runs) {
      Bytes run = as_run_frame(c, cut);
      expect_same(run, l3_ethertype_of(c, run), c.name + " cut " + std::to_string(cut));
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(runs, 8000u);
}

TEST(PacketParseBpf, RandomCorruptionsMatchTheCppBuild) {
  XACCT_REQUIRE_BPF();
  std::mt19937 rng(977);
  std::size_t runs = 0;
  for (const CorpusFrame& c : corpus()) {
    SCOPED_TRACE(c.name);
    for (int i = 0; i < 200; ++i, ++runs) {
      Bytes run = as_run_frame(c, c.frame.bytes.size());
      std::size_t base = c.entry == Entry::kL3 ? 14 : 0;
      std::size_t span = std::min(run.size(), base + c.frame.needed + 8);
      int flips = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < flips; ++k) run[rng() % span] = static_cast<std::uint8_t>(rng());
      if (rng() % 4 == 0) run.resize(14 + rng() % (run.size() - 13));
      std::uint16_t et = c.entry == Entry::kL3 ? c.ethertype : static_cast<std::uint16_t>(rng() % 3 == 0 ? 0 : run[12] << 8 | run[13]);
      expect_same(run, et, c.name + " corruption " + std::to_string(i));
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_EQ(runs, corpus().size() * 200);
}

// Nanoseconds per frame (both entry points, minus an empty program's test
// run) on a few frames, for the log.
TEST(PacketParseBpf, CostPerFrame) {
  XACCT_REQUIRE_BPF();
  Bytes frame = v4_tcp().bytes;
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(), .data_size_in = static_cast<__u32>(frame.size()),
              .repeat = 1000000);
  ASSERT_EQ(0, bpf_prog_test_run_opts(BpfParser::get().noop_fd(), &opts));
  std::uint32_t base = opts.duration;
  std::printf("empty program: %u ns per run\n", base);
  const std::pair<const char*, Frame> frames[] = {
      {"v4_tcp", v4_tcp()}, {"vlan2_ad_v6_tcp", vlan2_ad_v6_tcp()}, {"mpls3_v4_tcp", mpls3_v4_tcp()},
      {"v6_ext_chain", v6_ext_chain()}};
  for (const auto& [name, f] : frames) {
    Parsed e, l;
    std::uint32_t ns = 0;
    ASSERT_TRUE(BpfParser::get().run(f.bytes, static_cast<std::uint16_t>(f.bytes[12] << 8 | f.bytes[13]), e, l,
                                     1000000, &ns));
    EXPECT_EQ(e.ret, XACCT_PARSE_OK) << name;
    std::printf("%-16s %d ns per frame (ether + l3 parse)\n", name, static_cast<int>(ns) - static_cast<int>(base));
  }
}

}  // namespace
}  // namespace xacct::tests
