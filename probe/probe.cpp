// Probe wiring: config checks, load, observation points, attach, poller,
// and the NFLOG input. Destruction order matters and follows member order in
// Impl: attachments go first (no new program runs), then the poller, then
// the BPF object.
#include "probe/probe.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>

#include "bpf/flow_types.h"
#include "probe/flow_object.hpp"
#include "probe/flow_poller.hpp"
#include "probe/logger.hpp"
#include "probe/nflog_input.hpp"
#include "probe/probe_stats.hpp"
#include "probe/tc_attach.hpp"
#include "probe/xdp_attach.hpp"

namespace xacct::probe {

using userspace::make_error;
using userspace::Result;

struct Probe::Impl {
  ProbeConfig cfg;
  std::unique_ptr<NflogInput> nflog;  // stopped explicitly; destroyed last
  ObsRegistry registry;
  std::unique_ptr<FlowObject> object;
  std::unique_ptr<ProbeStats> stats;
  std::unique_ptr<FlowPoller> poller;
  std::vector<std::unique_ptr<TcAttachment>> tc;
  std::vector<std::unique_ptr<XdpAttachment>> xdp;
  std::vector<std::string> hooks;  // for describe()
  bool stopped = false;

  void detach() {
    xdp.clear();
    tc.clear();
  }
};

namespace {

Result<userspace::Ok> check_config(const ProbeConfig& c) {
  if (c.interfaces.empty() && c.nflog.enabled) return userspace::Ok{};  // NFLOG only
  if (c.interfaces.empty()) return make_error("probe: no interface configured");
  if (!c.hook_xdp && !c.hook_tc) return make_error("probe: no hook enabled (ebpf_hooks: tc|xdp)");
  if (!c.dir_in && !c.dir_out) return make_error("probe: no direction enabled (ebpf_direction)");
  if (!c.hook_tc && !c.dir_in) {
    return make_error("probe: XDP counts ingress only and ebpf_direction is out (add tc)");
  }
  if (!(c.drain_interval_s > 0.0)) return make_error("probe: drain interval must be > 0");
  if (c.flow_entries == 0) return make_error("probe: ebpf_flow_entries must be > 0");
  if (c.sample_every > (1u << 30)) return make_error("probe: sampling rate above 2^30");
  return userspace::Ok{};
}

}  // namespace

Probe::Probe(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Probe::~Probe() {
  if (!impl_->stopped && impl_->poller) impl_->poller->stop();
  impl_->detach();
  if (impl_->nflog) impl_->nflog->stop();
}

Result<std::unique_ptr<Probe>> Probe::create(const ProbeConfig& config, userspace::Stats& stats,
                                             Callback callback) {
  if (auto ok = check_config(config); !ok) return ok.error();
  auto impl = std::make_unique<Impl>();
  impl->cfg = config;
  if (config.nflog.enabled) {
    auto in = NflogInput::create(config.nflog, stats, callback);
    if (!in) return in.error();
    impl->nflog = std::move(in.value());
  }
  if (config.interfaces.empty()) return std::unique_ptr<Probe>(new Probe(std::move(impl)));

  for (const std::string& name : config.interfaces) {
    auto p = impl->registry.add(name);
    if (!p) return p.error();
  }
  if (config.hook_xdp && !config.hook_tc && config.dir_out) {
    log()->warn("probe: egress needs the tc hook; with ebpf_hooks: xdp only ingress is counted");
  }

  FlowObjectOptions oo;
  oo.flow_entries = config.flow_entries;
  oo.sample_every = config.sample_every;
  oo.snaplen = config.sample_snaplen;
  auto obj = FlowObject::load(oo);
  if (!obj) return obj.error();
  impl->object = std::move(obj.value());

  const bool xdp_in = config.hook_xdp && config.dir_in;
  const bool tc_in = config.hook_tc && config.dir_in;
  const bool tc_out = config.hook_tc && config.dir_out;
  for (const ObsPoint& p : impl->registry.points()) {
    if (p.obs_id == XACCT_OBS_UNKNOWN) continue;
    __u32 key = p.ifindex;
    xacct_obs_info info{p.obs_id, (xdp_in && tc_in) ? XACCT_OBS_F_TC_INGRESS : 0u};
    if (bpf_map_update_elem(impl->object->obs_ids_fd(), &key, &info, BPF_ANY) != 0) {
      return make_error("probe: register " + p.ifname + " in obs_ids: " + std::strerror(errno));
    }
  }

  impl->stats = std::make_unique<ProbeStats>(stats, impl->registry);
  std::unique_ptr<SampleConsumer> samples;
  if (config.sample_every > 0) {
    auto c = SampleConsumer::create(impl->object->samples_fd(), impl->registry, *impl->stats, callback);
    if (!c) return c.error();
    samples = std::move(c.value());
  }
  impl->poller = std::make_unique<FlowPoller>(*impl->object, impl->registry, *impl->stats,
                                              std::move(callback), config.drain_interval_s,
                                              std::move(samples));

  // TC before XDP: from the first XDP-marked packet on, TC is there to skip it.
  TcAttacher attacher(config.force_clsact);
  for (const ObsPoint& p : impl->registry.points()) {
    if (p.obs_id == XACCT_OBS_UNKNOWN) continue;
    std::string desc = p.ifname + ":";
    for (auto [on, dir, prog] :
         {std::tuple{tc_in, TcDirection::kIngress, impl->object->tc_ingress()},
          std::tuple{tc_out, TcDirection::kEgress, impl->object->tc_egress()}}) {
      if (!on) continue;
      auto a = attacher.attach(bpf_program__fd(prog), p, dir);
      if (!a) return a.error();  // impl's destructor detaches what is attached
      desc += std::string(" tc ") + to_string(dir) + " (" + to_string(a.value()->mode()) + ")";
      impl->tc.push_back(std::move(a.value()));
    }
    if (xdp_in) {
      auto a = XdpAttachment::attach(impl->object->xdp_ingress(), p);
      if (!a) return a.error();
      desc += " xdp ingress";
      impl->xdp.push_back(std::move(a.value()));
    }
    impl->hooks.push_back(desc);
  }
  return std::unique_ptr<Probe>(new Probe(std::move(impl)));
}

void Probe::start() {
  if (impl_->stopped) return;
  if (impl_->poller) impl_->poller->start();
  if (impl_->nflog) impl_->nflog->start();
}

void Probe::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  if (impl_->poller) {
    impl_->poller->stop();
    impl_->detach();
    impl_->poller->final_drain();
  }
  if (impl_->nflog) impl_->nflog->stop();
}

const ObsRegistry& Probe::registry() const { return impl_->registry; }

std::string Probe::describe() const {
  std::string out;
  for (const std::string& h : impl_->hooks) {
    if (!out.empty()) out += "; ";
    out += h;
  }
  if (impl_->nflog) out += (out.empty() ? "" : "; ") + impl_->nflog->describe();
  return out;
}

}  // namespace xacct::probe
