// The one bounds-checked big-endian reader of the BMP decoder (STYLE.md:
// every read of network bytes goes through one reader). Sticky: a read past
// the end returns 0 and marks it failed, so a parser reads a whole header and
// checks ok() once. Offsets are kept relative to the start of the BMP
// message (`base`), so errors can name where they happened.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "userspace/flow_record.hpp"
#include "userspace/wire_bytes.hpp"

namespace xacct::bgp::bmp {

class Reader {
 public:
  Reader(std::span<const std::uint8_t> data, std::size_t base = 0) : data_(data), base_(base) {}

  bool ok() const { return ok_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  std::size_t offset() const { return base_ + pos_; }  // in the BMP message
  const std::uint8_t* cursor() const { return data_.data() + pos_; }

  std::uint8_t u8() { return has(1) ? data_[pos_++] : fail(); }
  std::uint16_t u16() {
    if (!has(2)) return fail();
    const std::uint8_t* p = data_.data() + pos_;
    pos_ += 2;
    return userspace::wire::load_be16(p);
  }
  std::uint32_t u32() {
    if (!has(4)) return fail();
    const std::uint8_t* p = data_.data() + pos_;
    pos_ += 4;
    return userspace::wire::load_be32(p);
  }
  std::uint64_t u64() {
    const std::uint64_t hi = u32();
    return hi << 32 | u32();
  }
  // `n` bytes as a span (empty and failed when fewer remain).
  std::span<const std::uint8_t> bytes(std::size_t n) {
    if (!has(n)) {
      fail();
      return {};
    }
    auto s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  bool skip(std::size_t n) {
    if (!has(n)) return fail() != 0;
    pos_ += n;
    return true;
  }
  // A sub-reader over the next `n` bytes (offsets stay message-relative).
  Reader sub(std::size_t n) {
    const std::size_t start = offset();
    auto s = bytes(n);
    Reader r(s, start);
    if (!ok_) r.ok_ = false;
    return r;
  }
  // 16 address bytes: IPv6, or IPv4 in the last 4 (stored IPv4-mapped).
  userspace::IpAddress address16(bool v6) {
    auto s = bytes(16);
    if (s.empty()) return ipv4_zero();
    return v6 ? userspace::wire::ipv6_address(s.data()) : userspace::wire::ipv4_address(s.data() + 12);
  }

  static userspace::IpAddress ipv4_zero() {
    userspace::IpAddress a;
    a.bytes[10] = 0xff;
    a.bytes[11] = 0xff;
    return a;
  }

 private:
  bool has(std::size_t n) const { return ok_ && data_.size() - pos_ >= n; }
  std::uint8_t fail() {
    ok_ = false;
    return 0;
  }

  std::span<const std::uint8_t> data_;
  std::size_t base_ = 0;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace xacct::bgp::bmp
