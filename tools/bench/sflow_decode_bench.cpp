// sflow_decode_bench: single-thread decode speed of the sFlow decoder
// (collector/sflow_decoder.hpp), in flow records per second. No I/O: the
// datagrams are built in memory (tests/collector/sflow_test_util.hpp) and
// decoded in a loop into a reused batch, as a listener thread does.
//
//   xacct_sflow_decode_bench [seconds per case, default 2]
//
// Cases: a switch's typical datagram (8 flow samples, 128-byte Ethernet/IPv4/TCP
// headers + extended switch, ~1.4 kB), IPv6/UDP headers with extended
// router and gateway, MPLS headers, and sampled IPv4 records (no header).
// Sequence numbers advance per datagram like a real agent's.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "collector/sflow_decoder.hpp"
#include "tests/collector/sflow_test_util.hpp"

namespace {

using namespace xacct;
using namespace xacct::tests::sflow;  // NOLINT

tests::Bytes pad_to(tests::Bytes frame, std::size_t n) {
  frame.resize(n, 0xab);
  return frame;
}

struct Case {
  std::string name;
  std::vector<tests::Bytes> samples;
};

tests::Bytes datagram(const Case& c, std::uint32_t seq) { return v5_datagram(kAgent, 0, seq, seq * 10, c.samples); }

void run(const Case& c, double seconds) {
  userspace::Stats stats;
  auto dec = collector::make_sflow_decoder(collector::SflowOptions{}, stats);
  // Pre-built datagrams with consecutive sequence numbers (patched in place).
  tests::Bytes dg = datagram(c, 1);
  userspace::RecordBatch out;
  out.reserve(64);
  collector::Datagram d;
  d.exporter.bytes[10] = d.exporter.bytes[11] = 0xff;
  d.exporter.bytes[15] = 1;
  d.exporter_port = 6343;
  std::uint64_t records = 0, datagrams = 0, errors = 0, gaps = 0;
  std::uint32_t seq = 1;
  const auto start = std::chrono::steady_clock::now();
  auto now = start;
  while (std::chrono::duration<double>(now - start).count() < seconds) {
    for (int i = 0; i < 1000; ++i) {
      // Datagram header: version, addr type, addr, sub id, seq at offset 16.
      dg[16] = static_cast<std::uint8_t>(seq >> 24);
      dg[17] = static_cast<std::uint8_t>(seq >> 16);
      dg[18] = static_cast<std::uint8_t>(seq >> 8);
      dg[19] = static_cast<std::uint8_t>(seq);
      ++seq;
      d.data = dg;
      out.clear();
      const collector::DecodeResult r = dec->decode(d, out);
      records += r.records;
      errors += r.decode_errors;
      gaps += r.sequence_gaps;
      ++datagrams;
    }
    now = std::chrono::steady_clock::now();
  }
  const double s = std::chrono::duration<double>(now - start).count();
  std::printf("%-44s %5zu B/dgram  %8.2f M records/s  %7.3f M dgrams/s  %6.1f ns/record  errors %llu gaps %llu\n",
              c.name.c_str(), dg.size(), static_cast<double>(records) / s / 1e6,
              static_cast<double>(datagrams) / s / 1e6, s * 1e9 / static_cast<double>(records),
              static_cast<unsigned long long>(errors), static_cast<unsigned long long>(gaps));
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  FlowSampleSpec s;
  std::vector<Case> cases;
  {
    Case c{"8 x Ethernet/IPv4/TCP 128 B hdr + ext switch", {}};
    for (int i = 0; i < 8; ++i) {
      s.seq = static_cast<std::uint32_t>(i);
      c.samples.push_back(flow_sample(s, {header_record(1, 1518, 4, pad_to(frame_ipv4_tcp(), 128)),
                                          switch_record(10, 0, 20, 0)}));
    }
    cases.push_back(c);
  }
  {
    Case c{"8 x Ethernet/IPv6/UDP 128 B hdr + router/gw", {}};
    const tests::Ip6 nh{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe};
    for (int i = 0; i < 8; ++i) {
      c.samples.push_back(flow_sample(s, {header_record(1, 1300, 4, pad_to(frame_ipv6_udp(), 128)),
                                          router_record({10, 0, 0, 1}, 24, 24),
                                          gateway_record(nh, 65000, 65001, 65002, {65010, 65020}, {1}, 100)}));
    }
    cases.push_back(c);
  }
  {
    Case c{"8 x Ethernet/MPLS/IPv4/UDP 128 B hdr", {}};
    for (int i = 0; i < 8; ++i) c.samples.push_back(flow_sample(s, {header_record(1, 1000, 4, pad_to(frame_mpls_udp(), 128))}));
    cases.push_back(c);
  }
  {
    Case c{"20 x sampled IPv4 record (no header)", {}};
    for (int i = 0; i < 20; ++i) {
      c.samples.push_back(flow_sample(s, {ipv4_record(1500, 6, {10, 0, 0, 1}, {10, 0, 0, 2}, 1234, 80, 0x10, 0)}));
    }
    cases.push_back(c);
  }
  for (const Case& c : cases) run(c, seconds);
  return 0;
}
