// ObsRegistry: the observation points of this probe. Each monitored
// interface gets a dense obs_id (1 .. XACCT_MAX_OBS-1); obs_id 0 is the
// "unknown" point that collects packets on an ifindex the datapath does not
// know. The id, not the ifindex, keys flows and totals: ifindexes collide
// across network namespaces.
//
// Points are added at run time (pcap_interfaces_map reloads) by one control
// thread while the poller and the sample consumer read them: the points live
// in a fixed array that never moves, and a point becomes visible to readers
// (points(), by_id()) only once it is complete (publish with a release
// store, read with acquire). A removed interface keeps its point, marked
// inactive, so flows it left in the kernel's buffers are still named when
// they are drained; adding the interface again reuses its id.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <string>

#include "bpf/flow_types.h"
#include "userspace/result.hpp"

namespace xacct::probe {

struct ObsPoint {
  std::uint32_t obs_id = 0;
  std::uint32_t ifindex = 0;  // 0 for the unknown point
  std::string ifname;         // "unknown" for obs_id 0
  // The ifindex records carry in in_iface/out_iface when not the
  // interface's own: the one a pcap_interfaces_map line gives
  // (pcap_ifindex: map). 0 = the interface's own.
  std::uint32_t record_ifindex = 0;

  std::uint32_t iface() const { return record_ifindex != 0 ? record_ifindex : ifindex; }
};

class ObsRegistry {
 public:
  ObsRegistry();

  // Resolves ifname in the current network namespace and assigns the next
  // id (or the id this interface had before it was removed). Adding an
  // interface that is active is an error (one owner per point). A point is
  // never changed once published: an interface back with another
  // record_ifindex gets a new id. With
  // publish = false the point is prepared but not yet visible to readers:
  // call publish() once whatever the readers need for it is in place.
  // record_ifindex: what its records carry (0 = the interface's own).
  userspace::Result<ObsPoint> add(const std::string& ifname, std::uint32_t record_ifindex = 0,
                                  bool publish = true);
  void publish();
  // Marks the point inactive (its id stays reserved for it).
  void deactivate(std::uint32_t obs_id);
  bool active(std::uint32_t obs_id) const;

  // nullptr when no such id.
  const ObsPoint* by_id(std::uint32_t obs_id) const;
  // Every published point, the unknown one first (index == obs_id).
  std::span<const ObsPoint> points() const {
    return {points_.data(), published_.load(std::memory_order_acquire)};
  }

 private:
  std::array<ObsPoint, XACCT_MAX_OBS> points_;
  std::array<std::atomic<bool>, XACCT_MAX_OBS> active_{};
  std::size_t prepared_ = 1;                 // control thread only
  std::atomic<std::size_t> published_{1};
};

}  // namespace xacct::probe
