// See sflow_agents.hpp.
#include "collector/sflow_agents.hpp"
#include "userspace/primitive_encodings.hpp"

#include <arpa/inet.h>

namespace xacct::collector::sflow {

std::uint32_t SequenceTracker::update(std::uint32_t seq, std::uint32_t uptime_ms, std::uint32_t max_gap) {
  if (!seen_) {
    seen_ = true;
    last_ = seq;
    uptime_ = uptime_ms;
    return 0;
  }
  const std::uint32_t ahead = seq - last_;  // modulo 2^32: wraps count as ahead
  std::uint32_t lost = 0;
  if (uptime_ms < uptime_ && seq < last_) {
    // The agent restarted (uptime and numbering went back): a new series.
  } else if (ahead == 0 || ahead > 0x80000000u) {
    return 0;  // duplicate or late datagram: it was not lost, nothing moves
  } else if (ahead <= max_gap) {
    lost = ahead - 1;
  }
  // else: a jump too large to be loss (renumbered agent): resynchronise.
  last_ = seq;
  uptime_ = uptime_ms;
  return lost;
}

std::size_t AgentKeyHash::operator()(const AgentKey& k) const {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  auto mix = [&h](std::uint8_t b) {
    h ^= b;
    h *= 1099511628211ull;
  };
  for (std::uint8_t b : k.source.bytes) mix(b);
  for (std::uint8_t b : k.agent.bytes) mix(b);
  for (int i = 0; i < 4; ++i) mix(static_cast<std::uint8_t>(k.sub_id >> (8 * i)));
  return static_cast<std::size_t>(h);
}

AgentState* AgentTable::find(const AgentKey& key) {
  auto it = agents_.find(key);
  if (it != agents_.end()) return &it->second;
  if (agents_.size() >= max_) return nullptr;
  AgentState st;
  const std::string prefix =
      "collector.sflow.agent." + userspace::ip_text(key.agent) + ":" + std::to_string(key.sub_id) + ".";
  st.datagrams = &stats_.counter(prefix + "datagrams");
  st.flow_samples = &stats_.counter(prefix + "flow_samples");
  st.counter_samples = &stats_.counter(prefix + "counter_samples");
  st.sequence_gaps = &stats_.counter(prefix + "sequence_gaps");
  st.decode_errors = &stats_.counter(prefix + "decode_errors");
  return &agents_.emplace(key, st).first->second;
}

}  // namespace xacct::collector::sflow
