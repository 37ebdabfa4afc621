// XDP mode: libbpf's link attach uses the driver's native mode when it has
// one, else generic; both pass metadata to TC (checked on veth).
#include "probe/xdp_attach.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "probe/logger.hpp"
#include "probe/unique_fd.hpp"

namespace xacct::probe {

using userspace::make_error;
using userspace::Result;

namespace {

std::string errstr(int err) { return std::strerror(err < 0 ? -err : err); }

struct AttachedXdp {
  __u32 id = 0;
  __u32 mode_flag = 0;  // XDP_FLAGS_{DRV,SKB,HW}_MODE: how to detach it
  std::string name;
};

// The XDP programs attached to ifindex, one per mode.
std::vector<AttachedXdp> attached_xdp(std::uint32_t ifindex) {
  std::vector<AttachedXdp> out;
  bpf_xdp_query_opts q;
  std::memset(&q, 0, sizeof(q));
  q.sz = sizeof(q);
  if (bpf_xdp_query(static_cast<int>(ifindex), 0, &q) != 0) return out;
  for (auto [id, flag] : {std::pair{q.drv_prog_id, XDP_FLAGS_DRV_MODE},
                          {q.skb_prog_id, XDP_FLAGS_SKB_MODE},
                          {q.hw_prog_id, XDP_FLAGS_HW_MODE}}) {
    if (id == 0) continue;
    AttachedXdp a;
    a.id = id;
    a.mode_flag = flag;
    UniqueFd fd(bpf_prog_get_fd_by_id(id));
    if (fd.valid()) {
      bpf_prog_info info{};
      __u32 len = sizeof(info);
      if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) == 0) a.name = info.name;
    }
    out.push_back(a);
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<XdpAttachment>> XdpAttachment::attach(bpf_program* prog,
                                                             const ObsPoint& point) {
  int ifindex = static_cast<int>(point.ifindex);
  // The kernel truncates program names to BPF_OBJ_NAME_LEN - 1 characters.
  std::string ours = std::string(bpf_program__name(prog)).substr(0, BPF_OBJ_NAME_LEN - 1);
  std::vector<AttachedXdp> present = attached_xdp(point.ifindex);
  int err = 0;
  bool all_ours = !present.empty();
  for (const AttachedXdp& a : present) all_ours = all_ours && a.name == ours;
  if (all_ours) {
    // Left by an earlier run that attached through netlink. A live xacct
    // holds a link instead, which netlink cannot detach (EBUSY).
    for (const AttachedXdp& a : present) {
      log()->warn("xdp on {}: replacing program id {} left by an earlier xacct run",
                  point.ifname, a.id);
      if (err == 0) err = -bpf_xdp_detach(ifindex, a.mode_flag, nullptr);
    }
  } else if (!present.empty()) {
    err = EEXIST;
  }
  if (err == 0) {
    bpf_link* link = bpf_program__attach_xdp(prog, ifindex);
    if (link != nullptr) return std::unique_ptr<XdpAttachment>(new XdpAttachment(link));
    err = errno;
    present = attached_xdp(point.ifindex);
  }
  std::string msg = "attach xdp to " + point.ifname + ": " + errstr(err);
  for (const AttachedXdp& a : present) {
    msg += "; XDP program '" + a.name + "' (id " + std::to_string(a.id) + ") is attached";
  }
  if (!present.empty()) {
    msg += " and this kernel cannot chain XDP programs (hint: remove it with `ip link set dev " +
           point.ifname + " xdp off` (or xdpgeneric off), stop the other xacct, or use "
           "`ebpf_hooks: tc`)";
  }
  return make_error(msg);
}

XdpAttachment::~XdpAttachment() {
  if (link_ != nullptr) bpf_link__destroy(link_);
}

}  // namespace xacct::probe
