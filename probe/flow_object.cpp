// The only translation unit that includes the generated skeleton (it embeds
// the whole ELF). Load order: open, size the maps and set .rodata, load, then
// verify the layout contract with the object's own view of its maps.
#include "probe/flow_object.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <string>

// clang-format off
#include "bpf/flow_types.h"  // before the skeleton: it uses struct xacct_dp_config
#include "flow.skel.h"
// clang-format on
#include "probe/bpf_skeleton.hpp"
#include "probe/libbpf_log.hpp"

namespace xacct::probe {

using userspace::make_error;
using userspace::Result;

struct FlowObject::Impl {
  BpfSkeleton<flow, flow__destroy> skel;
  std::uint32_t flow_entries = 0;
};

namespace {

std::string errstr(int err) { return std::strerror(err < 0 ? -err : err); }

Result<userspace::Ok> check_map(bpf_map* map, const char* name, std::size_t key, std::size_t value) {
  if (bpf_map__key_size(map) != key || bpf_map__value_size(map) != value) {
    return make_error(std::string("flow datapath map ") + name + ": key/value size " +
                      std::to_string(bpf_map__key_size(map)) + "/" +
                      std::to_string(bpf_map__value_size(map)) + " in the BPF object, " +
                      std::to_string(key) + "/" + std::to_string(value) +
                      " in user space (bpf/flow_types.h out of sync; rebuild)");
  }
  return userspace::Ok{};
}

}  // namespace

FlowObject::FlowObject(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FlowObject::~FlowObject() = default;

Result<std::unique_ptr<FlowObject>> FlowObject::load(const FlowObjectOptions& opts) {
  route_libbpf_logs();
  auto impl = std::make_unique<Impl>();
  impl->skel = BpfSkeleton<flow, flow__destroy>(flow__open());
  if (!impl->skel) return make_error("open flow datapath object: " + errstr(errno));
  flow* s = impl->skel.get();

  if (s->rodata->abi_version != XACCT_ABI_VERSION) {
    return make_error("flow datapath ABI " + std::to_string(s->rodata->abi_version) +
                      ", user space expects " + std::to_string(XACCT_ABI_VERSION) + " (rebuild)");
  }
  if (opts.flow_entries == 0) return make_error("flow map entries must be > 0");
  s->rodata->cfg.sample_every = opts.sample_every;
  s->rodata->cfg.snaplen = opts.snaplen;

  int err = bpf_map__set_max_entries(s->maps.flows_0, opts.flow_entries);
  if (err == 0) err = bpf_map__set_max_entries(s->maps.flows_1, opts.flow_entries);
  // With sampling off the ring is never written: one page is enough.
  if (err == 0) {
    err = bpf_map__set_max_entries(s->maps.samples,
                                   opts.sample_every > 0 ? opts.ringbuf_bytes : 4096u);
  }
  if (err != 0) return make_error("size flow datapath maps: " + errstr(err));

  err = flow__load(s);
  if (err != 0) {
    return make_error("load flow datapath (verifier or map creation): " + errstr(err) +
                      "; see the probe.libbpf log above. Hint: needs root (CAP_BPF, "
                      "CAP_NET_ADMIN) and a kernel with BTF");
  }

  for (auto [map, name] : {std::pair{s->maps.flows_0, "flows_0"}, {s->maps.flows_1, "flows_1"}}) {
    auto ok = check_map(map, name, sizeof(xacct_flow_key), sizeof(xacct_flow_value));
    if (!ok) return ok.error();
  }
  if (auto ok = check_map(s->maps.obs_totals, "obs_totals", sizeof(__u32), sizeof(xacct_obs_totals)); !ok)
    return ok.error();
  if (auto ok = check_map(s->maps.obs_ids, "obs_ids", sizeof(__u32), sizeof(xacct_obs_info)); !ok)
    return ok.error();
  if (auto ok = check_map(s->maps.dp_stats, "dp_stats", sizeof(__u32), sizeof(xacct_dp_stats)); !ok)
    return ok.error();
  if (auto ok = check_map(s->maps.sampler, "sampler", sizeof(__u32), sizeof(xacct_sampler)); !ok)
    return ok.error();
  if (bpf_map__max_entries(s->maps.obs_totals) != XACCT_TOTALS_ENTRIES) {
    return make_error("flow datapath obs_totals has " +
                      std::to_string(bpf_map__max_entries(s->maps.obs_totals)) + " slots, expected " +
                      std::to_string(XACCT_TOTALS_ENTRIES));
  }
  impl->flow_entries = opts.flow_entries;
  return std::unique_ptr<FlowObject>(new FlowObject(std::move(impl)));
}

int FlowObject::flows_fd(unsigned buffer) const {
  return bpf_map__fd(buffer == 0 ? impl_->skel->maps.flows_0 : impl_->skel->maps.flows_1);
}
int FlowObject::gen_fd() const { return bpf_map__fd(impl_->skel->maps.gen); }
int FlowObject::obs_totals_fd() const { return bpf_map__fd(impl_->skel->maps.obs_totals); }
int FlowObject::obs_ids_fd() const { return bpf_map__fd(impl_->skel->maps.obs_ids); }
int FlowObject::dp_stats_fd() const { return bpf_map__fd(impl_->skel->maps.dp_stats); }
int FlowObject::samples_fd() const { return bpf_map__fd(impl_->skel->maps.samples); }
std::uint32_t FlowObject::flow_entries() const { return impl_->flow_entries; }
bpf_program* FlowObject::tc_ingress() const { return impl_->skel->progs.xacct_tc_ingress; }
bpf_program* FlowObject::tc_egress() const { return impl_->skel->progs.xacct_tc_egress; }
bpf_program* FlowObject::xdp_ingress() const { return impl_->skel->progs.xacct_xdp_ingress; }

}  // namespace xacct::probe
