// Bounds-checked big-endian reading for the NetFlow/IPFIX decoders
// (STYLE.md: every read of network bytes goes through one reader). The
// reader is sticky: a read past the end returns 0 and marks it failed, so a
// parser reads a whole header and checks ok() once.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "userspace/flow_record.hpp"
#include "userspace/wire_bytes.hpp"

namespace xacct::collector::nf {

using userspace::wire::load_be16;
using userspace::wire::load_be32;
using userspace::wire::load_be64;
// An unsigned integer of 1..8 bytes (RFC 7011 section 6.2, reduced-size
// encoding); longer fields yield their last 8 bytes, 0 bytes yield 0.
inline std::uint64_t load_uint(const std::uint8_t* p, std::size_t len) {
  // The lengths templates use nearly always (one per record field: this is
  // the hot path of data decoding), without the byte loop.
  switch (len) {
    case 1:
      return p[0];
    case 2:
      return load_be16(p);
    case 4:
      return load_be32(p);
    case 8:
      return load_be64(p);
    default:
      break;
  }
  if (len > 8) {
    p += len - 8;
    len = 8;
  }
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < len; ++i) v = v << 8 | p[i];
  return v;
}

using userspace::wire::ipv4_address;
using userspace::wire::ipv6_address;
using userspace::wire::set_ipv4;

class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  bool ok() const { return ok_; }
  std::size_t remaining() const { return size_ - pos_; }
  std::size_t position() const { return pos_; }
  const std::uint8_t* cursor() const { return data_ + pos_; }

  std::uint8_t u8() { return has(1) ? data_[pos_++] : fail<std::uint8_t>(); }
  std::uint16_t u16() {
    if (!has(2)) return fail<std::uint16_t>();
    auto v = load_be16(data_ + pos_);
    pos_ += 2;
    return v;
  }
  std::uint32_t u32() {
    if (!has(4)) return fail<std::uint32_t>();
    auto v = load_be32(data_ + pos_);
    pos_ += 4;
    return v;
  }
  // Returns a pointer to the next n bytes and skips them, or nullptr.
  const std::uint8_t* take(std::size_t n) {
    if (!has(n)) return fail<const std::uint8_t*>();
    const std::uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  bool has(std::size_t n) const { return ok_ && n <= size_ - pos_; }

 private:
  template <typename T>
  T fail() {
    ok_ = false;
    pos_ = size_;
    return T{};
  }

  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace xacct::collector::nf
