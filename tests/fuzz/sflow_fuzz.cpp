// sflow_fuzz.cpp: libFuzzer target of the sFlow decoder
// (collector/sflow_decoder.hpp). The input is one datagram (v2/v4/v5 picked
// by its version word), copied into a heap block of exactly its size so ASan
// reports any read past it. One decoder lives across inputs, as on a
// listener thread, so per-agent state (sequence numbers, the bounded agent
// table) is exercised too. Checked: the result matches what was appended,
// every record is one sampled packet of the datagram's version, counter
// blocks are only reported for counter samples.
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "collector/sflow_decoder.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using namespace xacct;

struct Target {
  userspace::Stats stats;
  std::uint64_t counters = 0;
  std::unique_ptr<collector::DatagramDecoder> dec;
  Target() {
    collector::SflowOptions opt;
    opt.max_agents = 64;
    opt.use_ip_next_hop = true;
    opt.on_counters = [this](const collector::SflowCounters&) { ++counters; };
    dec = collector::make_sflow_decoder(opt, stats);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Target t;
  std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[size == 0 ? 1 : size]);
  if (size != 0) std::memcpy(copy.get(), data, size);

  collector::Datagram d;
  d.data = std::span<const std::uint8_t>(copy.get(), size);
  d.exporter.bytes[10] = d.exporter.bytes[11] = 0xff;
  d.exporter.bytes[15] = static_cast<std::uint8_t>(size);  // a few UDP sources
  d.exporter_port = 6343;
  d.arrival_ns = 1700000000000000000;
  userspace::RecordBatch out;
  const std::uint64_t counters_before = t.counters;
  const collector::DecodeResult res = t.dec->decode(d, out);

  XACCT_FUZZ_CHECK(res.records == out.size());
  XACCT_FUZZ_CHECK(t.counters - counters_before <= res.options_records);
  // Each record needs at least a sample header in the datagram.
  XACCT_FUZZ_CHECK(out.size() <= size / 32 + 1);
  if (size < 4) XACCT_FUZZ_CHECK(res.decode_errors == 1 && out.empty());
  for (const userspace::FlowRecord& r : out) {
    XACCT_FUZZ_CHECK(r.packets == 1);
    XACCT_FUZZ_CHECK(r.export_proto_version == 2 || r.export_proto_version == 4 || r.export_proto_version == 5);
    XACCT_FUZZ_CHECK(r.bytes <= 0xffffffffu);
    XACCT_FUZZ_CHECK(r.arrival_ns == d.arrival_ns);
    XACCT_FUZZ_CHECK(r.first_ns == 0 && r.last_ns == 0);
    XACCT_FUZZ_CHECK(r.mpls_label_stack_len <= r.mpls_label_stack.size());
    XACCT_FUZZ_CHECK(r.src_mask <= 128 && r.dst_mask <= 128);
    XACCT_FUZZ_CHECK(r.vlan <= 0x0fff && r.out_vlan <= 0x0fff && r.cos <= 7);
    if (r.export_proto_version != 5) XACCT_FUZZ_CHECK(r.export_proto_sysid == 0);
  }
  return 0;
}
