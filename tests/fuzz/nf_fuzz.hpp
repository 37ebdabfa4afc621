// nf_fuzz.hpp: the body shared by the NetFlow v5 / v9 / IPFIX fuzz targets
// (input layout: nf_fuzz_input.hpp). Each datagram is copied into a heap
// block of exactly its size (ASan catches any read outside it) and decoded;
// the result must agree with what was appended, and no datagram can yield
// more records than it has bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "collector/netflow_decoder.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "userspace/logging.hpp"

namespace xacct::tests::fuzz {

inline int run_nf_fuzz(const std::uint8_t* data, std::size_t size, std::uint16_t version) {
  // Bad input is logged (rate limited per decoder, and there is one decoder
  // per input here): silence it, the fuzzer's output is what matters.
  static const bool quiet = [] {
    userspace::get_logger("collector.netflow")->set_level(spdlog::level::off);
    return true;
  }();
  (void)quiet;
  userspace::Stats stats;
  collector::NetflowOptions options;
  options.pending_timeout_ns = 2'000'000'000;
  options.pending_max_bytes = 4096;
  options.max_templates_per_domain = 64;
  auto dec = collector::make_netflow_decoder(options, stats);
  userspace::RecordBatch out;
  std::size_t pos = 0;
  std::int64_t now = 1'800'000'000'000'000'000;
  std::size_t total_bytes = 0;
  while (size - pos >= 2) {
    std::size_t n = static_cast<std::size_t>(data[pos] << 8 | data[pos + 1]);
    pos += 2;
    if (n > size - pos) n = size - pos;
    std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[n == 0 ? 1 : n]);
    if (n > 0) std::memcpy(copy.get(), data + pos, n);
    if (n >= 2) {
      copy[0] = static_cast<std::uint8_t>(version >> 8);
      copy[1] = static_cast<std::uint8_t>(version);
    }
    pos += n;
    total_bytes += n;
    collector::Datagram d;
    d.data = std::span<const std::uint8_t>(copy.get(), n);
    d.exporter.bytes[15] = 1;
    d.arrival_ns = now;
    now += 1'000'000'000;
    const std::size_t before = out.size();
    collector::DecodeResult res = dec->decode(d, out);
    XACCT_FUZZ_CHECK(out.size() - before == res.records);
    // Buffered sets decoded later count against the bytes seen so far.
    XACCT_FUZZ_CHECK(out.size() <= total_bytes);
    for (std::size_t i = before; i < out.size(); ++i) {
      XACCT_FUZZ_CHECK(out[i].export_proto_version == version);
      XACCT_FUZZ_CHECK(out[i].mpls_label_stack_len <= out[i].mpls_label_stack.size());
    }
    if (out.size() > 100000) out.clear();
  }
  return 0;
}

}  // namespace xacct::tests::fuzz
