// Per-agent state of the sFlow decoder: datagram sequence numbers (lost
// datagram counting) and the agent's stats counters, keyed by (UDP source,
// agent address, sub agent id). One table per decoder, so per listener
// thread: no locks. Bounded (SflowOptions::max_agents) so that spoofed or
// fuzzed agent addresses cannot grow it without limit.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "userspace/flow_record.hpp"
#include "userspace/stats.hpp"

namespace xacct::collector::sflow {

// Sequence numbers of one agent: how many datagrams were lost before this
// one. sFlow numbers datagrams per (agent, sub agent) from 1 and restarts at
// the agent's restart, which also resets its uptime.
class SequenceTracker {
 public:
  std::uint32_t update(std::uint32_t seq, std::uint32_t uptime_ms, std::uint32_t max_gap);

 private:
  bool seen_ = false;
  std::uint32_t last_ = 0;
  std::uint32_t uptime_ = 0;
};

struct AgentKey {
  userspace::IpAddress source;
  userspace::IpAddress agent;
  std::uint32_t sub_id = 0;
  bool operator==(const AgentKey&) const = default;
};

struct AgentKeyHash {
  std::size_t operator()(const AgentKey& k) const;
};

struct AgentState {
  SequenceTracker seq;
  userspace::Counter* datagrams = nullptr;
  userspace::Counter* flow_samples = nullptr;
  userspace::Counter* counter_samples = nullptr;
  userspace::Counter* sequence_gaps = nullptr;
  userspace::Counter* decode_errors = nullptr;
};

class AgentTable {
 public:
  AgentTable(userspace::Stats& stats, std::uint32_t max_agents) : stats_(stats), max_(max_agents) {}
  // The agent's state, created (with its counters) on first sight; nullptr
  // once the table holds max_agents other agents.
  AgentState* find(const AgentKey& key);

 private:
  userspace::Stats& stats_;
  std::uint32_t max_;
  std::unordered_map<AgentKey, AgentState, AgentKeyHash> agents_;
};


}  // namespace xacct::collector::sflow
