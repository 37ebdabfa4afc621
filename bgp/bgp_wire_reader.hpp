// Bounds-checked big-endian reading of BGP messages (STYLE.md: every read
// of network bytes goes through one reader). Sticky failure: a read past
// the end returns 0 and marks the reader failed, so a parser reads a fixed
// header and checks ok() once. position() is relative to the start of the
// span, and `base` shifts it so errors report offsets in the whole message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "userspace/flow_record.hpp"
#include "userspace/wire_bytes.hpp"

namespace xacct::bgp::wire {

using userspace::wire::ipv4_address;
using userspace::wire::ipv6_address;
using userspace::wire::load_be16;
using userspace::wire::load_be32;
using userspace::wire::load_be64;

class ByteReader {
 public:
  ByteReader(std::span<const std::uint8_t> bytes, std::size_t base = 0)
      : data_(bytes.data()), size_(bytes.size()), base_(base) {}

  bool ok() const { return ok_; }
  std::size_t remaining() const { return size_ - pos_; }
  // Offset in the whole message (base + position in this span).
  std::size_t offset() const { return base_ + pos_; }
  bool empty() const { return pos_ >= size_; }

  std::uint8_t u8() { return has(1) ? data_[pos_++] : fail(); }
  std::uint16_t u16() {
    if (!has(2)) return fail();
    auto v = load_be16(data_ + pos_);
    pos_ += 2;
    return v;
  }
  std::uint32_t u32() {
    if (!has(4)) return fail();
    auto v = load_be32(data_ + pos_);
    pos_ += 4;
    return v;
  }
  std::uint64_t u64() {
    if (!has(8)) return fail();
    auto v = load_be64(data_ + pos_);
    pos_ += 8;
    return v;
  }
  // The next n bytes as a span (empty and failed if fewer remain).
  std::span<const std::uint8_t> take(std::size_t n) {
    if (!has(n)) {
      fail();
      return {};
    }
    std::span<const std::uint8_t> s(data_ + pos_, n);
    pos_ += n;
    return s;
  }
  bool has(std::size_t n) const { return ok_ && n <= size_ - pos_; }

 private:
  std::uint8_t fail() {
    ok_ = false;
    pos_ = size_;
    return 0;
  }

  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t base_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace xacct::bgp::wire
