// Helpers of the NetFlow/IPFIX decoder tests: hex vectors, a big-endian
// writer for building datagrams field by field, and Datagram construction.
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collector/datagram.hpp"
#include "userspace/flow_record.hpp"

namespace xacct::tests::nf {

inline std::vector<std::uint8_t> from_hex(std::string_view hex) {
  std::vector<std::uint8_t> out;
  int hi = -1;
  for (char c : hex) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0) continue;  // spaces, newlines, '|' separators
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

inline userspace::IpAddress v4(const char* s) {
  userspace::IpAddress a;
  a.bytes[10] = a.bytes[11] = 0xff;
  inet_pton(AF_INET, s, a.bytes.data() + 12);
  return a;
}

inline userspace::IpAddress v6(const char* s) {
  userspace::IpAddress a;
  inet_pton(AF_INET6, s, a.bytes.data());
  a.is_v6 = true;
  return a;
}

class Writer {
 public:
  Writer& u8(std::uint64_t v) {
    b_.push_back(static_cast<std::uint8_t>(v));
    return *this;
  }
  Writer& u16(std::uint64_t v) { return u8(v >> 8).u8(v); }
  Writer& u24(std::uint64_t v) { return u8(v >> 16).u16(v); }
  Writer& u32(std::uint64_t v) { return u16(v >> 16).u16(v); }
  Writer& u64(std::uint64_t v) { return u32(v >> 32).u32(v); }
  Writer& ip4(const char* s) {
    auto a = v4(s);
    b_.insert(b_.end(), a.bytes.begin() + 12, a.bytes.end());
    return *this;
  }
  Writer& ip6(const char* s) {
    auto a = v6(s);
    b_.insert(b_.end(), a.bytes.begin(), a.bytes.end());
    return *this;
  }
  Writer& bytes(const std::vector<std::uint8_t>& v) {
    b_.insert(b_.end(), v.begin(), v.end());
    return *this;
  }
  Writer& str(std::string_view s) {
    b_.insert(b_.end(), s.begin(), s.end());
    return *this;
  }
  // Starts a set / flowset: id and a length patched by end_set().
  std::size_t begin_set(std::uint16_t id) {
    const std::size_t at = b_.size();
    u16(id).u16(0);
    return at;
  }
  // Pads with zeros to `align` bytes and writes the set length.
  void end_set(std::size_t at, std::size_t align = 1) {
    while ((b_.size() - at) % align != 0) b_.push_back(0);
    patch16(at + 2, b_.size() - at);
  }
  void patch16(std::size_t at, std::size_t v) {
    b_[at] = static_cast<std::uint8_t>(v >> 8);
    b_[at + 1] = static_cast<std::uint8_t>(v);
  }
  std::size_t size() const { return b_.size(); }
  const std::vector<std::uint8_t>& data() const { return b_; }

 private:
  std::vector<std::uint8_t> b_;
};

// An IPFIX message: header written by the constructor, length by finish().
class IpfixWriter : public Writer {
 public:
  IpfixWriter(std::uint32_t export_secs, std::uint32_t seq, std::uint32_t domain) {
    u16(10).u16(0).u32(export_secs).u32(seq).u32(domain);
  }
  std::vector<std::uint8_t> finish() {
    patch16(2, size());
    return data();
  }
};

inline collector::Datagram datagram(const std::vector<std::uint8_t>& bytes,
                                    const char* exporter = "192.0.2.1",
                                    userspace::TimestampNs arrival_ns = 1'800'000'000'000'000'000) {
  collector::Datagram d;
  d.data = bytes;
  d.exporter = v4(exporter);
  d.exporter_port = 40000;
  d.arrival_ns = arrival_ns;
  return d;
}

}  // namespace xacct::tests::nf
