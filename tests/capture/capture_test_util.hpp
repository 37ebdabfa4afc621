// Helpers of the capture tests: bytes from hex text, a PacketBatcher whose
// batches land in a vector, and a classic pcap file writer.
#pragma once

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "probe/capture/capture_stats.hpp"
#include "probe/capture/packet_batcher.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/stats.hpp"

namespace xacct::capture::testing {

using Bytes = std::vector<std::uint8_t>;

// "45 00 00 26 ..." (blanks and newlines ignored).
inline Bytes hex(std::string_view text) {
  Bytes out;
  int hi = -1;
  for (char c : text) {
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      continue;
    }
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  if (hi >= 0) throw std::invalid_argument("odd number of hex digits");
  return out;
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Frames through a PacketBatcher; every delivered batch kept.
class Collector {
 public:
  explicit Collector(Datalink dl, RecordContext ctx = {}, std::size_t batch = kDefaultBatchRecords)
      : counters_(stats_, "test"),
        batcher_(dl, ctx, counters_, [this](userspace::RecordBatch&& b) { batches_.push_back(std::move(b)); },
                 batch) {}

  Collector& feed(const Bytes& frame, userspace::TimestampNs ts = 1'700'000'000'123'456'789) {
    batcher_.packet(frame.data(), frame.size(), ts);
    return *this;
  }
  // Flushes, then every record delivered so far.
  std::vector<userspace::FlowRecord> records() {
    batcher_.flush();
    std::vector<userspace::FlowRecord> out;
    for (const auto& b : batches_) out.insert(out.end(), b.begin(), b.end());
    return out;
  }
  std::uint64_t counter(const std::string& name) { return stats_.counter("capture.test." + name).value(); }
  PacketBatcher& batcher() { return batcher_; }
  const std::vector<userspace::RecordBatch>& batches() const { return batches_; }

 private:
  userspace::Stats stats_;
  SourceCounters counters_;
  std::vector<userspace::RecordBatch> batches_;
  PacketBatcher batcher_;
};

// A classic pcap file (little-endian, microsecond or nanosecond magic).
class PcapFile {
 public:
  PcapFile(const std::string& path, std::uint32_t linktype, bool nanosecond = false,
           std::uint32_t snaplen = 262144)
      : f_(std::fopen(path.c_str(), "wb")), nano_(nanosecond) {
    if (f_ == nullptr) throw std::runtime_error("cannot write " + path);
    u32(nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
    u16(2);
    u16(4);
    u32(0);
    u32(0);
    u32(snaplen);
    u32(linktype);
  }
  ~PcapFile() { close(); }
  PcapFile(const PcapFile&) = delete;
  PcapFile& operator=(const PcapFile&) = delete;

  void packet(std::uint64_t ts_ns, const Bytes& frame, std::uint32_t orig_len = 0) {
    u32(static_cast<std::uint32_t>(ts_ns / 1'000'000'000));
    const std::uint64_t frac = ts_ns % 1'000'000'000;
    u32(static_cast<std::uint32_t>(nano_ ? frac : frac / 1000));
    u32(static_cast<std::uint32_t>(frame.size()));
    u32(orig_len != 0 ? orig_len : static_cast<std::uint32_t>(frame.size()));
    std::fwrite(frame.data(), 1, frame.size(), f_);
  }
  // Raw bytes (to cut a file in the middle of a record).
  void raw(const Bytes& b) { std::fwrite(b.data(), 1, b.size(), f_); }
  void close() {
    if (f_ != nullptr) std::fclose(f_);
    f_ = nullptr;
  }

 private:
  void u16(std::uint16_t v) {
    std::uint8_t b[2] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)};
    std::fwrite(b, 1, 2, f_);
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v));
    u16(static_cast<std::uint16_t>(v >> 16));
  }
  std::FILE* f_;
  bool nano_;
};

}  // namespace xacct::capture::testing
