// Interface names are resolved when added: a renamed or re-created
// interface is picked up by the next pcap_interfaces_map reload that lists
// it (with a new ifindex, a new point).
#include "probe/obs_registry.hpp"

#include <net/if.h>

#include <cerrno>
#include <cstring>

namespace xacct::probe {

using userspace::make_error;

ObsRegistry::ObsRegistry() {
  points_[0] = ObsPoint{XACCT_OBS_UNKNOWN, 0, "unknown", 0};
  active_[0] = true;
}

userspace::Result<ObsPoint> ObsRegistry::add(const std::string& ifname, std::uint32_t record_ifindex,
                                             bool publish_now) {
  if (ifname.empty()) return make_error("interface: empty name");
  if (ifname.size() >= IF_NAMESIZE) return make_error("interface " + ifname + ": name too long");
  unsigned idx = if_nametoindex(ifname.c_str());
  if (idx == 0) {
    return make_error("interface " + ifname + ": " + std::strerror(errno) +
                      " (hint: `ip link` lists the interfaces of this network namespace)");
  }
  const std::uint32_t rec = record_ifindex != 0 ? record_ifindex : idx;
  for (std::size_t i = 1; i < prepared_; ++i) {
    if (points_[i].ifindex == idx && active_[i].load(std::memory_order_relaxed)) {
      return make_error("interface " + ifname + ": configured twice (same ifindex as " + points_[i].ifname + ")");
    }
  }
  for (std::size_t i = 1; i < prepared_; ++i) {
    const ObsPoint& p = points_[i];
    if (p.ifindex == idx && p.ifname == ifname && p.record_ifindex == rec) {
      // Removed earlier, back again: same id, same counters.
      active_[i].store(true, std::memory_order_release);
      if (publish_now) publish();
      return p;
    }
  }
  if (prepared_ >= XACCT_MAX_OBS) {
    return make_error("interface " + ifname + ": more than " + std::to_string(XACCT_MAX_OBS - 1) +
                      " interfaces (removed ones included)");
  }
  auto id = static_cast<std::uint32_t>(prepared_);
  points_[id] = ObsPoint{id, idx, ifname, rec};
  active_[id].store(true, std::memory_order_release);
  ++prepared_;
  if (publish_now) publish();
  return points_[id];
}

void ObsRegistry::publish() { published_.store(prepared_, std::memory_order_release); }

void ObsRegistry::deactivate(std::uint32_t obs_id) {
  if (obs_id != XACCT_OBS_UNKNOWN && obs_id < prepared_) active_[obs_id].store(false, std::memory_order_release);
}

bool ObsRegistry::active(std::uint32_t obs_id) const {
  return obs_id < XACCT_MAX_OBS && active_[obs_id].load(std::memory_order_acquire);
}

const ObsPoint* ObsRegistry::by_id(std::uint32_t obs_id) const {
  return obs_id < published_.load(std::memory_order_acquire) ? &points_[obs_id] : nullptr;
}

}  // namespace xacct::probe
