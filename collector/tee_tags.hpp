// Tags of a datagram for the tee plugin's tag= / tag2= pool filters: as
// pmacct's tee with pre_tag_map, the datagram is tagged by its exporter
// before replication. pre_tag_map is evaluated on a FlowRecord that carries
// only peer_src_ip = the datagram's source address, so `ip=` rules (and
// rules with no key) decide; rules on flow fields (in=, filter=, ...) see
// zeros, as in pmacct's tee, where only the exporter is known. Copies
// (return=true) are ignored: one datagram, one (tag, tag2). For sFlow the
// exporter is the agent address inside the datagram (as sfacctd tags it),
// which differs from the source address when an agent sends through a
// relay or from another interface; a datagram too short to hold one is
// tagged by its source address.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

#include "collector/datagram.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/maps/pre_tag_map.hpp"

namespace xacct::collector {

struct DatagramTags {
  std::uint64_t tag = 0;
  std::uint64_t tag2 = 0;
};

// The agent address of an sFlow v2/v4/v5 datagram (version, address type
// 1 = IPv4 / 2 = IPv6, address: the first 8 + 4|16 bytes, XDR big-endian);
// false when the header is not there.
inline bool sflow_agent_address(std::span<const std::uint8_t> b, userspace::IpAddress& out) {
  if (b.size() < 12) return false;
  const auto be32 = [&b](std::size_t o) {
    return std::uint32_t{b[o]} << 24 | std::uint32_t{b[o + 1]} << 16 | std::uint32_t{b[o + 2]} << 8 |
           b[o + 3];
  };
  const std::uint32_t version = be32(0);
  if (version != 2 && version != 4 && version != 5) return false;
  const std::uint32_t type = be32(4);
  out = userspace::IpAddress{};
  if (type == 1) {
    out.bytes[10] = out.bytes[11] = 0xff;
    std::copy_n(b.begin() + 8, 4, out.bytes.begin() + 12);
    return true;
  }
  if (type == 2 && b.size() >= 24) {
    out.is_v6 = true;
    std::copy_n(b.begin() + 8, 16, out.bytes.begin());
    return true;
  }
  return false;
}

// `pre_tag` null: tags 0 (every pool without tag= takes the datagram).
// `sflow`: the datagram came to the sFlow listener (tag by agent address).
inline DatagramTags datagram_tags(const maps::PreTagMap* pre_tag, const Datagram& d, bool sflow = false) {
  if (pre_tag == nullptr) return {};
  userspace::FlowRecord r{};
  if (!sflow || !sflow_agent_address(d.data, r.peer_src_ip)) r.peer_src_ip = d.exporter;
  pre_tag->apply(r, nullptr);
  return {r.tag, r.tag2};
}

}  // namespace xacct::collector
