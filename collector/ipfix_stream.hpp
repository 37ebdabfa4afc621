// IPFIX over TCP (RFC 7011 section 10.4): the transport carries messages
// back to back, each starting with the 16-byte header whose length field
// delimits it. IpfixStreamSplitter turns the bytes of one connection, as
// they arrive in arbitrary pieces, into whole messages that can be handed to
// the NetFlow/IPFIX decoder (collector/netflow_decoder.hpp) as Datagrams.
// A message with another version or a length below the header size means the
// stream lost its framing: feed() returns false and the connection should be
// closed (there is no way to resynchronise a TCP stream).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace xacct::collector {

class IpfixStreamSplitter {
 public:
  // Calls on_message(std::span<const std::uint8_t>) for every complete
  // message in the bytes received so far. Returns false on a framing error.
  template <typename OnMessage>
  bool feed(std::span<const std::uint8_t> bytes, OnMessage&& on_message) {
    if (broken_) return false;
    buf_.insert(buf_.end(), bytes.begin(), bytes.end());
    std::size_t pos = 0;
    while (buf_.size() - pos >= kHeaderLen) {
      const std::uint8_t* p = buf_.data() + pos;
      const unsigned version = static_cast<unsigned>(p[0] << 8 | p[1]);
      const std::size_t length = static_cast<std::size_t>(p[2] << 8 | p[3]);
      if (version != 10 || length < kHeaderLen) {
        broken_ = true;
        buf_.clear();
        return false;
      }
      if (buf_.size() - pos < length) break;
      on_message(std::span<const std::uint8_t>(p, length));
      pos += length;
    }
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos));
    return true;
  }

  // Bytes of an incomplete message held (at most 65535).
  std::size_t buffered() const { return buf_.size(); }

 private:
  static constexpr std::size_t kHeaderLen = 16;
  std::vector<std::uint8_t> buf_;
  bool broken_ = false;
};

}  // namespace xacct::collector
