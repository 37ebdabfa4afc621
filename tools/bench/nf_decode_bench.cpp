// nf_decode_bench: single-threaded decode speed of the NetFlow v5 / v9 /
// IPFIX decoder (collector/netflow_decoder.hpp), in records per second and
// ns per record, on datagrams shaped like real exports: 30 IPv4 records of
// 48 bytes (v5), 30 records of a 16-field template (v9, IPFIX: 5-tuple, tos,
// flags, interfaces, 8-byte counters, times, masks, AS, next hop), and IPFIX
// with a variable-length field and a 64-byte IE 315 frame section (packet
// parser per record). Records go into a batch that is cleared every 64
// datagrams, as a listener hands batches on. Rates are given per second of
// this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so that other processes
// on a shared machine do not skew them; the wall-clock rate is shown too.
//
// Usage: nf_decode_bench [seconds per case, default 2]
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "collector/netflow_decoder.hpp"
#include "tests/collector/nf_test_util.hpp"
#include "tests/collector/nf_vectors.hpp"
#include "userspace/logging.hpp"

namespace {

using xacct::tests::nf::IpfixWriter;
using xacct::tests::nf::Writer;

constexpr int kRecords = 30;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::vector<std::uint8_t> v5_datagram() {
  Writer w;
  w.u16(5).u16(kRecords).u32(100000).u32(1700000000).u32(0).u32(1).u8(0).u8(1).u16(0);
  for (int i = 0; i < kRecords; ++i) {
    w.u32(0xc6120000u + static_cast<unsigned>(i)).u32(0xc6130001u).u32(0).u16(3).u16(7).u32(10).u32(1500);
    w.u32(90000).u32(99000).u16(40000 + i).u16(443).u8(0).u8(0x1a).u8(6).u8(0).u16(65001).u16(65002);
    w.u8(24).u8(24).u16(0);
  }
  return w.data();
}

void template_fields(Writer& w) {
  // 16 fields, 61 bytes per record
  w.u16(8).u16(4).u16(12).u16(4).u16(7).u16(2).u16(11).u16(2).u16(4).u16(1).u16(5).u16(1).u16(6).u16(1);
  w.u16(10).u16(4).u16(14).u16(4).u16(1).u16(8).u16(2).u16(8).u16(22).u16(4).u16(21).u16(4);
  w.u16(16).u16(4).u16(17).u16(4).u16(15).u16(4);
}

void record(Writer& w, int i) {
  w.u32(0xc6120000u + static_cast<unsigned>(i)).u32(0xc6130001u).u16(40000 + i).u16(443).u8(6).u8(0).u8(0x1a);
  w.u32(3).u32(7).u64(1500).u64(10).u32(90000).u32(99000).u32(65001).u32(65002).u32(0x0a000001);
}

std::vector<std::uint8_t> v9_datagram(bool with_template) {
  Writer w;
  w.u16(9).u16(kRecords).u32(100000).u32(1700000000).u32(0).u32(1);
  if (with_template) {
    auto t = w.begin_set(0);
    w.u16(256).u16(16);
    template_fields(w);
    w.end_set(t);
  }
  auto d = w.begin_set(256);
  for (int i = 0; i < kRecords; ++i) record(w, i);
  w.end_set(d, 4);
  return w.data();
}

std::vector<std::uint8_t> ipfix_datagram(bool with_template) {
  IpfixWriter w(1700000000, 0, 1);
  if (with_template) {
    auto t = w.begin_set(2);
    w.u16(256).u16(16);
    template_fields(w);
    w.end_set(t);
  }
  auto d = w.begin_set(256);
  for (int i = 0; i < kRecords; ++i) record(w, i);
  w.end_set(d);
  return w.finish();
}

std::vector<std::uint8_t> ipfix_frame_datagram(bool with_template) {
  IpfixWriter w(1700000000, 0, 2);
  if (with_template) {
    auto t = w.begin_set(2);
    w.u16(257).u16(3).u16(10).u16(4).u16(82).u16(65535).u16(315).u16(65535);
    w.end_set(t);
  }
  auto frame = xacct::tests::nf::vlan_udp_frame();
  auto d = w.begin_set(257);
  for (int i = 0; i < 20; ++i) w.u32(7).u8(4).str("eth0").u8(frame.size()).bytes(frame);
  w.end_set(d);
  return w.finish();
}

void run(const char* name, const std::vector<std::uint8_t>& first, const std::vector<std::uint8_t>& steady,
         double seconds) {
  xacct::userspace::Stats stats;
  auto dec = xacct::collector::make_netflow_decoder({}, stats);
  xacct::userspace::RecordBatch batch;
  batch.reserve(64 * kRecords);
  xacct::collector::Datagram d;
  d.exporter.bytes[10] = d.exporter.bytes[11] = 0xff;
  d.exporter.bytes[15] = 1;
  d.arrival_ns = 1;
  d.data = first;
  dec->decode(d, batch);
  batch.clear();
  d.data = steady;
  std::uint64_t records = 0, datagrams = 0, errors = 0;
  const double cpu_start = thread_cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  auto now = start;
  while (now < until) {
    for (int i = 0; i < 64; ++i) {
      auto r = dec->decode(d, batch);
      records += r.records;
      errors += r.decode_errors;
    }
    datagrams += 64;
    batch.clear();
    now = std::chrono::steady_clock::now();
  }
  const double wall = std::chrono::duration<double>(now - start).count();
  const double secs = thread_cpu_seconds() - cpu_start;
  const auto n = static_cast<double>(records);
  std::printf(
      "%-20s %10.0f records/s %6.1f ns/record %8.0f datagrams/s (CPU time; wall: %10.0f records/s) "
      "%zu B/datagram, %llu errors\n",
      name, n / secs, secs * 1e9 / n, static_cast<double>(datagrams) / secs, n / wall, steady.size(),
      static_cast<unsigned long long>(errors));
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  xacct::userspace::get_logger("collector.netflow")->set_level(spdlog::level::off);
  auto v5 = v5_datagram();
  run("netflow v5", v5, v5, seconds);
  run("netflow v9", v9_datagram(true), v9_datagram(false), seconds);
  run("ipfix", ipfix_datagram(true), ipfix_datagram(false), seconds);
  run("ipfix varlen+IE 315", ipfix_frame_datagram(true), ipfix_frame_datagram(false), seconds);
  return 0;
}
