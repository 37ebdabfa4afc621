// Tags of a datagram for the tee plugin's tag= / tag2= pool filters: as
// pmacct's tee with pre_tag_map, the datagram is tagged by its exporter
// before replication. pre_tag_map is evaluated on a FlowRecord that carries
// only peer_src_ip = the datagram's source address, so `ip=` rules (and
// rules with no key) decide; rules on flow fields (in=, filter=, ...) see
// zeros, as in pmacct's tee, where only the exporter is known. Copies
// (return=true) are ignored: one datagram, one (tag, tag2).
#pragma once

#include <cstdint>

#include "collector/datagram.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/maps/pre_tag_map.hpp"

namespace xacct::collector {

struct DatagramTags {
  std::uint64_t tag = 0;
  std::uint64_t tag2 = 0;
};

// `pre_tag` null: tags 0 (every pool without tag= takes the datagram).
inline DatagramTags datagram_tags(const maps::PreTagMap* pre_tag, const Datagram& d) {
  if (pre_tag == nullptr) return {};
  userspace::FlowRecord r{};
  r.peer_src_ip = d.exporter;
  pre_tag->apply(r, nullptr);
  return {r.tag, r.tag2};
}

}  // namespace xacct::collector
