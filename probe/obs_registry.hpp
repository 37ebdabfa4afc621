// ObsRegistry: the observation points of this probe. Each monitored
// interface gets a dense obs_id (1 .. XACCT_MAX_OBS-1); obs_id 0 is the
// "unknown" point that collects packets on an ifindex the datapath does not
// know. The id, not the ifindex, keys flows and totals: ifindexes collide
// across network namespaces.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "userspace/result.hpp"

namespace xacct::probe {

struct ObsPoint {
  std::uint32_t obs_id = 0;
  std::uint32_t ifindex = 0;  // 0 for the unknown point
  std::string ifname;         // "unknown" for obs_id 0
};

class ObsRegistry {
 public:
  ObsRegistry();

  // Resolves ifname in the current network namespace and assigns the next
  // id. Adding the same interface twice is an error (one owner per point).
  userspace::Result<ObsPoint> add(const std::string& ifname);

  // nullptr when no such id.
  const ObsPoint* by_id(std::uint32_t obs_id) const;
  // Every point, the unknown one first.
  const std::vector<ObsPoint>& points() const { return points_; }

 private:
  std::vector<ObsPoint> points_;  // index == obs_id
};

}  // namespace xacct::probe
