// TC attachment of the flow programs. Preferred: a TCX link (kernel >= 6.6
// or a backport; probed, not version-checked), first in the chain
// (BPF_F_BEFORE) so programs that redirect or drop cannot hide packets from
// us. A link belongs to this process: a crash detaches it, a restart never
// stacks a second copy. Fallback: a clsact cls_bpf filter with our fixed
// handle and priority, attached with replace semantics (a crashed run's
// filter is replaced, not duplicated). The qdisc is created only when
// missing, and destroyed on detach only if we created it and it is empty.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>

#include "probe/obs_registry.hpp"
#include "userspace/result.hpp"

namespace xacct::probe {

// Kernel constants missing from the installed 6.1 uapi headers.
inline constexpr int kBpfTcxIngress = 46;           // BPF_TCX_INGRESS
inline constexpr int kBpfTcxEgress = 47;            // BPF_TCX_EGRESS
inline constexpr std::uint32_t kBpfFBefore = 1u << 3;  // BPF_F_BEFORE
// Our clsact filter identity (fallback path).
inline constexpr std::uint32_t kClsactHandle = 0x7861;  // "xa"
inline constexpr std::uint32_t kClsactPriority = 1;

enum class TcDirection { kIngress, kEgress };
enum class TcMode { kTcx, kClsact };

const char* to_string(TcDirection d);
const char* to_string(TcMode m);

// One attached program; detaches on destruction.
class TcAttachment {
 public:
  virtual ~TcAttachment() = default;
  virtual TcMode mode() const = 0;
};

class ClsactQdisc;

// Attaches TC programs; remembers per interface whether it created a clsact
// qdisc, so that ingress and egress share it.
class TcAttacher {
 public:
  explicit TcAttacher(bool force_clsact) : force_clsact_(force_clsact) {}
  userspace::Result<std::unique_ptr<TcAttachment>> attach(int prog_fd, const ObsPoint& point,
                                                          TcDirection dir);

 private:
  userspace::Result<std::unique_ptr<TcAttachment>> attach_clsact(int prog_fd, const ObsPoint& point,
                                                                 TcDirection dir);
  bool force_clsact_;
  std::optional<bool> tcx_;  // probed on first attach
  std::map<std::uint32_t, std::weak_ptr<ClsactQdisc>> qdiscs_;
};

// True when the kernel knows the TCX attach types (asks for the TCX program
// list of ifindex).
bool tcx_supported(std::uint32_t ifindex);

// Number of TC filters under a clsact parent (ingress or egress) of an
// interface, from a netlink dump; negative errno on failure.
int clsact_filter_count(std::uint32_t ifindex, TcDirection dir);

}  // namespace xacct::probe
