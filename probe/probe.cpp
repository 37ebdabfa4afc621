// Probe wiring: config checks, load, observation points, attach, poller,
// and the NFLOG input. Destruction order matters and follows member order in
// Impl: attachments go first (no new program runs), then the poller, then
// the BPF object.
#include "probe/probe.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <tuple>

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
  // What one interface holds attached; destroying it detaches (XDP first:
  // while XDP runs, TC ingress is there to skip what it marked).
  struct Attached {
    std::uint32_t obs_id = 0;
    std::vector<std::unique_ptr<TcAttachment>> tc;
    std::unique_ptr<XdpAttachment> xdp;
    std::string desc;
    ~Attached() { xdp.reset(); }
  };

  ProbeConfig cfg;
  std::unique_ptr<NflogInput> nflog;  // stopped explicitly; destroyed last
  ObsRegistry registry;
  std::unique_ptr<FlowObject> object;
  std::unique_ptr<ProbeStats> stats;
  std::unique_ptr<FlowPoller> poller;
  std::unique_ptr<TcAttacher> attacher;  // remembers the clsact qdiscs it created
  std::map<std::string, std::unique_ptr<Attached>> ifaces;  // by name, for describe() in order
  std::vector<std::string> order;                              // names in the order they were added
  bool stopped = false;

  void detach() {
    for (auto& [name, a] : ifaces) a->xdp.reset();
    ifaces.clear();
    order.clear();
  }

  Result<std::string> add(const std::string& ifname, const InterfaceHooks& hooks, std::uint32_t record_ifindex);
};

namespace {

Result<userspace::Ok> check_config(const ProbeConfig& c) {
  if (c.interfaces.empty() && c.nflog.enabled && !c.dynamic_interfaces) return userspace::Ok{};  // NFLOG only
  if (c.interfaces.empty() && !c.dynamic_interfaces) return make_error("probe: no interface configured");
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

InterfaceHooks hooks_from(const ProbeConfig& c) {
  InterfaceHooks h;
  h.xdp_in = c.hook_xdp && c.dir_in;
  h.tc_in = c.hook_tc && c.dir_in;
  h.tc_out = c.hook_tc && c.dir_out;
  return h;
}

Result<std::string> Probe::Impl::add(const std::string& ifname, const InterfaceHooks& hooks,
                                     std::uint32_t record_ifindex) {
  if (object == nullptr) return make_error("interface " + ifname + ": the eBPF datapath is not loaded");
  if (!hooks.xdp_in && !hooks.tc_in && !hooks.tc_out) return make_error("interface " + ifname + ": no hook");
  if (ifaces.count(ifname) != 0) return make_error("interface " + ifname + ": already counted by eBPF");
  // The point's counters exist before the poller can see the point, and the
  // point is published before the datapath can write its id.
  auto point = registry.add(ifname, record_ifindex, /*publish=*/false);
  if (!point) return point.error();
  const ObsPoint p = point.value();
  // A point added back keeps its id, and its counters (the poller may be
  // reading them): only a new id gets them registered.
  if (p.obs_id >= registry.points().size()) stats->add_point(p);
  registry.publish();
  auto fail = [&](const userspace::Error& e) -> Result<std::string> {
    registry.deactivate(p.obs_id);
    return e;
  };
  __u32 key = p.ifindex;
  xacct_obs_info info{p.obs_id, (hooks.xdp_in && hooks.tc_in) ? XACCT_OBS_F_TC_INGRESS : 0u};
  if (bpf_map_update_elem(object->obs_ids_fd(), &key, &info, BPF_ANY) != 0) {
    return fail(make_error("probe: register " + p.ifname + " in obs_ids: " + std::strerror(errno)));
  }
  auto a = std::make_unique<Attached>();
  a->obs_id = p.obs_id;
  a->desc = p.ifname + ":";
  // TC before XDP: from the first XDP-marked packet on, TC is there to skip it.
  for (auto [on, dir, prog] : {std::tuple{hooks.tc_in, TcDirection::kIngress, object->tc_ingress()},
                               std::tuple{hooks.tc_out, TcDirection::kEgress, object->tc_egress()}}) {
    if (!on) continue;
    auto t = attacher->attach(bpf_program__fd(prog), p, dir);
    if (!t) return fail(t.error());  // `a` detaches what is attached
    a->desc += std::string(" tc ") + to_string(dir) + " (" + to_string(t.value()->mode()) + ")";
    a->tc.push_back(std::move(t.value()));
  }
  if (hooks.xdp_in) {
    auto x = XdpAttachment::attach(object->xdp_ingress(), p);
    if (!x) return fail(x.error());
    a->desc += " xdp ingress";
    a->xdp = std::move(x.value());
  }
  std::string desc = a->desc;
  ifaces.emplace(ifname, std::move(a));
  order.push_back(ifname);
  return desc;
}

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
  if (config.interfaces.empty() && !config.dynamic_interfaces) {
    return std::unique_ptr<Probe>(new Probe(std::move(impl)));
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
  impl->attacher = std::make_unique<TcAttacher>(config.force_clsact);
  const InterfaceHooks hooks = hooks_from(config);
  for (const std::string& name : config.interfaces) {
    auto added = impl->add(name, hooks, 0);
    if (!added) return added.error();  // impl's destructor detaches what is attached
  }
  return std::unique_ptr<Probe>(new Probe(std::move(impl)));
}

Result<std::string> Probe::add_interface(const std::string& ifname, const InterfaceHooks& hooks,
                                         std::uint32_t record_ifindex) {
  if (impl_->stopped) return make_error("interface " + ifname + ": the probe is stopped");
  return impl_->add(ifname, hooks, record_ifindex);
}

userspace::Status Probe::remove_interface(const std::string& ifname) {
  auto it = impl_->ifaces.find(ifname);
  if (it == impl_->ifaces.end()) return make_error("interface " + ifname + ": not counted by eBPF");
  const std::uint32_t obs_id = it->second->obs_id;
  impl_->ifaces.erase(it);  // detaches: no new program run on it from here on
  impl_->order.erase(std::find(impl_->order.begin(), impl_->order.end(), ifname));
  // Its obs_ids entry stays (unused without programs; a later add rewrites
  // it): a run still in flight must not find it gone and count "unknown".
  impl_->registry.deactivate(obs_id);
  return userspace::Ok{};
}

bool Probe::loaded() const { return impl_->object != nullptr; }

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
  for (const std::string& name : impl_->order) {
    if (!out.empty()) out += "; ";
    out += impl_->ifaces.at(name)->desc;
  }
  if (impl_->nflog) out += (out.empty() ? "" : "; ") + impl_->nflog->describe();
  return out;
}

}  // namespace xacct::probe
