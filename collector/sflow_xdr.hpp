// XdrReader: the one bounds-checked cursor the sFlow decoder reads through.
// sFlow datagrams are XDR (RFC 4506): big-endian 32-bit words, opaque data
// padded to a multiple of 4 bytes. Every read checks the remaining length
// first and fails without moving when it does not fit, so a decoder can
// chain reads with && and stop at the first failure; nothing is ever read
// past the end. sub() hands out a reader over the next n bytes (a sample or
// a record with its own length), so a nested structure can never read into
// its neighbour.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "userspace/wire_bytes.hpp"

namespace xacct::collector {

class XdrReader {
 public:
  XdrReader() = default;
  XdrReader(const std::uint8_t* data, std::size_t size) : p_(data), n_(size) {}

  std::size_t remaining() const { return n_; }
  const std::uint8_t* data() const { return p_; }

  bool u32(std::uint32_t& v) {
    if (n_ < 4) return false;
    v = userspace::wire::load_be32(p_);
    advance(4);
    return true;
  }

  bool u64(std::uint64_t& v) {
    std::uint32_t hi = 0, lo = 0;
    if (n_ < 8) return false;
    (void)u32(hi);
    (void)u32(lo);
    v = (static_cast<std::uint64_t>(hi) << 32) | lo;
    return true;
  }

  // `n` bytes in place (no padding).
  bool bytes(std::size_t n, const std::uint8_t*& out) {
    if (n_ < n) return false;
    out = p_;
    advance(n);
    return true;
  }

  // XDR opaque<n>: n bytes plus padding to a multiple of 4.
  bool opaque(std::size_t n, const std::uint8_t*& out) {
    const std::size_t padded = pad4(n);
    if (padded < n || n_ < padded) return false;
    out = p_;
    advance(padded);
    return true;
  }

  bool skip(std::size_t n) {
    if (n_ < n) return false;
    advance(n);
    return true;
  }

  // A reader over the next n bytes; this one moves past them.
  bool sub(std::size_t n, XdrReader& out) {
    if (n_ < n) return false;
    out = XdrReader(p_, n);
    advance(n);
    return true;
  }

  static std::size_t pad4(std::size_t n) { return (n + 3) & ~static_cast<std::size_t>(3); }

 private:
  void advance(std::size_t n) {
    p_ += n;
    n_ -= n;
  }

  const std::uint8_t* p_ = nullptr;
  std::size_t n_ = 0;
};

}  // namespace xacct::collector
