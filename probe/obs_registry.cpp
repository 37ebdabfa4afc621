// Interface names are resolved once at start: a renamed or re-created
// interface needs a restart (a later issue handles hot-plug).
#include "probe/obs_registry.hpp"

#include <net/if.h>

#include <cerrno>
#include <cstring>

#include "bpf/flow_types.h"

namespace xacct::probe {

using userspace::make_error;

ObsRegistry::ObsRegistry() { points_.push_back(ObsPoint{XACCT_OBS_UNKNOWN, 0, "unknown"}); }

userspace::Result<ObsPoint> ObsRegistry::add(const std::string& ifname) {
  if (ifname.empty()) return make_error("interface: empty name");
  if (ifname.size() >= IF_NAMESIZE) return make_error("interface " + ifname + ": name too long");
  unsigned idx = if_nametoindex(ifname.c_str());
  if (idx == 0) {
    return make_error("interface " + ifname + ": " + std::strerror(errno) +
                      " (hint: `ip link` lists the interfaces of this network namespace)");
  }
  for (const auto& p : points_) {
    if (p.ifindex == idx) {
      return make_error("interface " + ifname + ": configured twice (same ifindex as " +
                        p.ifname + ")");
    }
  }
  if (points_.size() >= XACCT_MAX_OBS) {
    return make_error("interface " + ifname + ": more than " + std::to_string(XACCT_MAX_OBS - 1) +
                      " interfaces");
  }
  auto id = static_cast<std::uint32_t>(points_.size());
  points_.push_back(ObsPoint{id, idx, ifname});
  return points_.back();
}

const ObsPoint* ObsRegistry::by_id(std::uint32_t obs_id) const {
  return obs_id < points_.size() ? &points_[obs_id] : nullptr;
}

}  // namespace xacct::probe
