// XDP attachment of the flow program through a bpf_link: it belongs to this
// process, so a crashed run leaves nothing behind. There is no XDP chaining
// on this kernel (libxdp's dispatcher needs freplace, which is refused), so
// an interface can hold one XDP program: if it is ours (a previous xacct
// attached through netlink) it is replaced; anything else is an error.
#pragma once

#include <memory>

#include "probe/obs_registry.hpp"
#include "userspace/result.hpp"

struct bpf_program;
struct bpf_link;

namespace xacct::probe {

class XdpAttachment {
 public:
  static userspace::Result<std::unique_ptr<XdpAttachment>> attach(bpf_program* prog,
                                                                  const ObsPoint& point);
  ~XdpAttachment();
  XdpAttachment(const XdpAttachment&) = delete;
  XdpAttachment& operator=(const XdpAttachment&) = delete;

 private:
  explicit XdpAttachment(bpf_link* link) : link_(link) {}
  bpf_link* link_;
};

}  // namespace xacct::probe
