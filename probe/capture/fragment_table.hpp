// FragmentTable: IPv4 and IPv6 fragments get the ports of their datagram,
// as pmacctd's ip_frag.c does. Only the first fragment (offset 0) carries
// the TCP/UDP header; the table remembers its ports under (source,
// destination, IP id or IPv6 fragment id, protocol) for 60 s (pmacct's IPF_TIMEOUT, in packet time, so a
// savefile ages as it was captured), and later fragments of the same
// datagram take them. A later fragment seen before its first one keeps
// ports 0 and is counted at once: pmacct holds such fragments back and adds
// them to the first fragment's record, and loses them if the first never
// comes; xacct never holds a packet back.
//
// Bounded: at most `entries` datagrams; a new one beyond that evicts the
// oldest (counted: its later fragments then carry ports 0). One table per
// capture thread (not thread-safe), used by PacketBatcher.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>

#include "userspace/flow_record.hpp"

namespace xacct::capture {

// Addresses as 16 bytes (IPv4 mapped, as the parser stores them); the IPv4
// identification (16 bits) or the IPv6 fragment header's (32 bits).
struct FragKey {
  std::array<std::uint8_t, 16> src{};
  std::array<std::uint8_t, 16> dst{};
  std::uint32_t id = 0;
  std::uint8_t proto = 0;
  bool operator==(const FragKey&) const = default;
};

struct FragKeyHash {
  std::size_t operator()(const FragKey& k) const {
    std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a over the key's bytes
    auto mix = [&h](std::uint8_t b) { h = (h ^ b) * 0x100000001b3ull; };
    for (std::uint8_t b : k.src) mix(b);
    for (std::uint8_t b : k.dst) mix(b);
    for (int i = 0; i < 4; ++i) mix(static_cast<std::uint8_t>(k.id >> (8 * i)));
    mix(k.proto);
    return static_cast<std::size_t>(h);
  }
};

class FragmentTable {
 public:
  static constexpr std::size_t kDefaultEntries = 16384;
  static constexpr userspace::TimestampNs kTimeoutNs = 60'000'000'000;

  explicit FragmentTable(std::size_t entries = kDefaultEntries);

  // The first fragment of a datagram: remember its ports.
  void first(const FragKey& key, std::uint16_t sport, std::uint16_t dport, userspace::TimestampNs now);
  // A later fragment: true (and the ports) when its first one was seen less
  // than the timeout ago.
  bool later(const FragKey& key, userspace::TimestampNs now, std::uint16_t& sport, std::uint16_t& dport);

  std::size_t size() const { return map_.size(); }
  // Live datagrams dropped because the table was full (since the last take).
  std::uint64_t take_evictions() {
    const std::uint64_t n = evictions_;
    evictions_ = 0;
    return n;
  }

 private:
  struct Entry {
    std::uint16_t sport = 0;
    std::uint16_t dport = 0;
    userspace::TimestampNs seen = 0;
  };
  // Drops expired datagrams from the front of order_.
  void prune(userspace::TimestampNs now);
  void make_room(userspace::TimestampNs now);

  std::size_t capacity_;
  std::unordered_map<FragKey, Entry, FragKeyHash> map_;
  // One item per entry of map_, in insertion order (oldest first): entries
  // leave only from the front, aged out or evicted.
  std::deque<FragKey> order_;
  std::uint64_t evictions_ = 0;
};

}  // namespace xacct::capture
