// TCX links through bpf_link_create (libbpf 1.1 has no attach_tcx helper and
// no tcx/* sections: a plain SEC("tc") program links fine), clsact through
// libbpf's bpf_tc_* netlink helpers, and a raw netlink dump to learn whether
// a qdisc we created is empty before we remove it.
#include "probe/tc_attach.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "probe/logger.hpp"
#include "probe/unique_fd.hpp"

namespace xacct::probe {

using userspace::make_error;
using userspace::Result;

const char* to_string(TcDirection d) { return d == TcDirection::kIngress ? "ingress" : "egress"; }
const char* to_string(TcMode m) { return m == TcMode::kTcx ? "tcx" : "clsact"; }

namespace {

std::string errstr(int err) { return std::strerror(err < 0 ? -err : err); }

class TcxAttachment final : public TcAttachment {
 public:
  explicit TcxAttachment(UniqueFd link) : link_(std::move(link)) {}
  TcMode mode() const override { return TcMode::kTcx; }
  // Closing the only link fd detaches the program.

 private:
  UniqueFd link_;
};

}  // namespace

// The clsact qdisc of one interface, shared by our ingress and egress
// filters; removed when the last of them goes, if we created it and no
// other filter was added to it meanwhile.
class ClsactQdisc {
 public:
  ClsactQdisc(std::uint32_t ifindex, std::string ifname, bool created)
      : ifindex_(ifindex), ifname_(std::move(ifname)), created_(created) {}
  ClsactQdisc(const ClsactQdisc&) = delete;
  ClsactQdisc& operator=(const ClsactQdisc&) = delete;
  ~ClsactQdisc() {
    if (!created_) return;
    int in = clsact_filter_count(ifindex_, TcDirection::kIngress);
    int out = clsact_filter_count(ifindex_, TcDirection::kEgress);
    if (in != 0 || out != 0) {
      log()->info("clsact qdisc on {} kept: it holds filters of others ({} ingress, {} egress)",
                  ifname_, in, out);
      return;
    }
    bpf_tc_hook hook{};
    hook.sz = sizeof(hook);
    hook.ifindex = static_cast<int>(ifindex_);
    hook.attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS);
    int err = bpf_tc_hook_destroy(&hook);
    if (err != 0 && err != -ENOENT && err != -ENODEV) {
      log()->warn("remove clsact qdisc from {}: {}", ifname_, errstr(err));
    }
  }

 private:
  std::uint32_t ifindex_;
  std::string ifname_;
  bool created_;
};

namespace {

class ClsactAttachment final : public TcAttachment {
 public:
  ClsactAttachment(std::shared_ptr<ClsactQdisc> qdisc, const ObsPoint& point, TcDirection dir)
      : qdisc_(std::move(qdisc)), ifindex_(point.ifindex), ifname_(point.ifname), dir_(dir) {}
  ClsactAttachment(const ClsactAttachment&) = delete;
  ClsactAttachment& operator=(const ClsactAttachment&) = delete;
  ~ClsactAttachment() override {
    bpf_tc_hook hook{};
    hook.sz = sizeof(hook);
    hook.ifindex = static_cast<int>(ifindex_);
    hook.attach_point = dir_ == TcDirection::kIngress ? BPF_TC_INGRESS : BPF_TC_EGRESS;
    bpf_tc_opts opts{};
    opts.sz = sizeof(opts);
    opts.handle = kClsactHandle;
    opts.priority = kClsactPriority;
    int err = bpf_tc_detach(&hook, &opts);
    if (err != 0 && err != -ENOENT && err != -ENODEV) {
      log()->warn("detach clsact {} filter from {}: {}", to_string(dir_), ifname_, errstr(err));
    }
    // qdisc_ is released after this body: the filter is gone first.
  }
  TcMode mode() const override { return TcMode::kClsact; }

 private:
  std::shared_ptr<ClsactQdisc> qdisc_;
  std::uint32_t ifindex_;
  std::string ifname_;
  TcDirection dir_;
};

}  // namespace

bool tcx_supported(std::uint32_t ifindex) {
  __u32 attach_flags = 0;
  __u32 count = 0;
  int err = bpf_prog_query(static_cast<int>(ifindex), static_cast<bpf_attach_type>(kBpfTcxIngress),
                           0, &attach_flags, nullptr, &count);
  return err == 0;
}

Result<std::unique_ptr<TcAttachment>> TcAttacher::attach(int prog_fd, const ObsPoint& point,
                                                         TcDirection dir) {
  if (!force_clsact_) {
    if (!tcx_.has_value()) {
      tcx_ = tcx_supported(point.ifindex);
      if (!*tcx_) log()->info("TCX not supported by this kernel: using clsact filters");
    }
    if (*tcx_) {
      bpf_link_create_opts opts;
      std::memset(&opts, 0, sizeof(opts));
      opts.sz = sizeof(opts);
      opts.flags = kBpfFBefore;  // no relative program: first in the chain
      int type = dir == TcDirection::kIngress ? kBpfTcxIngress : kBpfTcxEgress;
      int fd = bpf_link_create(prog_fd, static_cast<int>(point.ifindex),
                               static_cast<bpf_attach_type>(type), &opts);
      if (fd >= 0) {
        log()->debug("attached tcx {} to {} (link fd {})", to_string(dir), point.ifname, fd);
        return std::unique_ptr<TcAttachment>(new TcxAttachment(UniqueFd(fd)));
      }
      int err = errno;
      if (err != EINVAL && err != EOPNOTSUPP) {
        return make_error(std::string("attach tcx ") + to_string(dir) + " to " + point.ifname +
                          ": " + errstr(err));
      }
      log()->warn("attach tcx {} to {}: {}; falling back to clsact", to_string(dir), point.ifname,
                  errstr(err));
    }
  }
  return attach_clsact(prog_fd, point, dir);
}

Result<std::unique_ptr<TcAttachment>> TcAttacher::attach_clsact(int prog_fd, const ObsPoint& point,
                                                                TcDirection dir) {
  std::shared_ptr<ClsactQdisc> qdisc = qdiscs_[point.ifindex].lock();
  if (!qdisc) {
    bpf_tc_hook hook{};
    hook.sz = sizeof(hook);
    hook.ifindex = static_cast<int>(point.ifindex);
    hook.attach_point = BPF_TC_INGRESS;  // libbpf creates a clsact qdisc for either point
    int err = bpf_tc_hook_create(&hook);
    if (err != 0 && err != -EEXIST) {
      return make_error("create clsact qdisc on " + point.ifname + ": " + errstr(err) +
                        " (hint: another root qdisc type on ingress? `tc qdisc show dev " +
                        point.ifname + "`)");
    }
    qdisc = std::make_shared<ClsactQdisc>(point.ifindex, point.ifname, err == 0);
    qdiscs_[point.ifindex] = qdisc;
  }

  bpf_tc_hook hook{};
  hook.sz = sizeof(hook);
  hook.ifindex = static_cast<int>(point.ifindex);
  hook.attach_point = dir == TcDirection::kIngress ? BPF_TC_INGRESS : BPF_TC_EGRESS;
  bpf_tc_opts opts{};
  opts.sz = sizeof(opts);
  opts.prog_fd = prog_fd;
  opts.handle = kClsactHandle;
  opts.priority = kClsactPriority;
  opts.flags = BPF_TC_F_REPLACE;  // a crashed run's filter is replaced, not duplicated
  int err = bpf_tc_attach(&hook, &opts);
  if (err != 0) {
    return make_error(std::string("attach clsact ") + to_string(dir) + " filter to " +
                      point.ifname + ": " + errstr(err) + " (hint: a filter of another kind at " +
                      "priority " + std::to_string(kClsactPriority) + "? `tc filter show dev " +
                      point.ifname + " " + to_string(dir) + "`)");
  }
  log()->debug("attached clsact {} filter to {} (prog id {})", to_string(dir), point.ifname,
               opts.prog_id);
  return std::unique_ptr<TcAttachment>(new ClsactAttachment(std::move(qdisc), point, dir));
}

int clsact_filter_count(std::uint32_t ifindex, TcDirection dir) {
  UniqueFd sock(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!sock.valid()) return -errno;
  struct {
    nlmsghdr nh;
    tcmsg tc;
  } req{};
  req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(tcmsg));
  req.nh.nlmsg_type = RTM_GETTFILTER;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.nh.nlmsg_seq = 1;
  req.tc.tcm_family = AF_UNSPEC;
  req.tc.tcm_ifindex = static_cast<int>(ifindex);
  req.tc.tcm_parent =
      TC_H_MAKE(TC_H_CLSACT, dir == TcDirection::kIngress ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS);
  if (::send(sock.get(), &req, req.nh.nlmsg_len, 0) < 0) return -errno;

  alignas(nlmsghdr) std::array<char, 32768> buf{};
  int count = 0;
  for (;;) {
    ssize_t n = ::recv(sock.get(), buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    auto len = static_cast<unsigned>(n);
    for (auto* nh = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(nh, len);
         nh = NLMSG_NEXT(nh, len)) {
      if (nh->nlmsg_type == NLMSG_DONE) return count;
      if (nh->nlmsg_type == NLMSG_ERROR) {
        const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(nh));
        return e->error == 0 ? count : e->error;
      }
      if (nh->nlmsg_type == RTM_NEWTFILTER) {
        // A dump lists each classifier instance (handle 0) and then its
        // filters; only the filters count.
        const auto* tc = static_cast<const tcmsg*>(NLMSG_DATA(nh));
        if (tc->tcm_handle != 0) ++count;
      }
    }
  }
}

}  // namespace xacct::probe
