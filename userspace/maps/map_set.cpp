// See map_set.hpp.
#include "userspace/maps/map_set.hpp"

#include <bit>
#include <cstring>
#include <tuple>

#include "userspace/logging.hpp"

namespace xacct::maps {

using userspace::make_error;
using userspace::RecordBatch;
using userspace::Result;
using userspace::Status;

namespace {

Result<std::shared_ptr<const PreTagMap>> load_pre_tag(const std::string& path, const MapsConfig& c,
                                                      LoadReport& report) {
  PreTagOptions o;
  o.max_entries = c.maps_entries;
  o.max_row_len = c.maps_row_len;
  o.label_encode_as_map = c.pre_tag_label_encode_as_map;
  return PreTagMap::load(path, o, report);
}

// src_net/dst_net = host masked to the record's own mask: what
// apply_networks() does when the only thing configured is the collector's
// default net source (the exporter's masks), as word operations instead of
// the byte loop of mask_address() (this runs for every collected record).
inline void keep_net(bool no_mask_if_zero, const userspace::IpAddress& host, userspace::IpAddress& net,
                     std::uint8_t mask) {
  if (host.is_v6) {
    net = host;
    if ((no_mask_if_zero && mask == 0) || mask >= 128) return;
    std::uint64_t w[2];
    std::memcpy(w, net.bytes.data(), sizeof w);
    const std::uint64_t hi = mask >= 64 ? ~0ull : (mask == 0 ? 0 : ~0ull << (64 - mask));
    const std::uint64_t lo = mask <= 64 ? 0 : ~0ull << (128 - mask);
    w[0] &= __builtin_bswap64(hi);
    w[1] &= __builtin_bswap64(lo);
    std::memcpy(net.bytes.data(), w, sizeof w);
    return;
  }
  std::uint32_t v4;
  std::memcpy(&v4, host.bytes.data() + 12, sizeof v4);
  if (v4 == 0 && !(host.bytes[10] == 0xff && host.bytes[11] == 0xff)) return;  // Family::kNone
  net = host;
  if ((no_mask_if_zero && mask == 0) || mask >= 32) return;
  const std::uint32_t m = mask == 0 ? 0 : ~0u << (32 - mask);
  v4 &= __builtin_bswap32(m);
  std::memcpy(net.bytes.data() + 12, &v4, sizeof v4);
}

// Nothing but the collector's default net source to apply.
bool keep_nets_only(const NetworkPolicy& p, const MapSet::Snapshot& s) {
  return p.net_keep && !p.net_file && !p.net_mask && !p.as_file && s.pre_tag_map == nullptr &&
         s.ports == nullptr && s.sampling == nullptr && s.flow_to_rd == nullptr && s.peer_src_as == nullptr;
}

}  // namespace

MapSet::MapSet(const MapsConfig& config, const NetworkPolicy& policy, userspace::Stats* stats)
    : config_(config),
      policy_(policy),
      active_(!config.pre_tag_map.empty() || !config.networks_file.empty() || !config.ports_file.empty() ||
              !config.sampling_map.empty() || !config.flow_to_rd_map.empty() ||
              !config.bgp_peer_src_as_map.empty() || policy.active()),
      own_stats_(stats == nullptr ? std::make_unique<userspace::Stats>() : nullptr),
      stats_(stats != nullptr ? *stats : *own_stats_),
      reloads_(stats_.counter("maps.reloads")),
      reload_errors_(stats_.counter("maps.reload_errors")),
      bad_lines_(stats_.counter("maps.bad_lines")),
      rules_(stats_.counter("maps.pre_tag_map.rules")),
      prefixes_(stats_.counter("maps.networks_file.prefixes")),
      ports_(stats_.counter("maps.ports_file.ports")),
      copies_(stats_.counter("maps.pre_tag_map.copies")),
      sampling_rules_(stats_.counter("maps.sampling_map.rules")),
      sampling_matched_(stats_.counter("maps.sampling_map.matched")),
      rd_rules_(stats_.counter("maps.flow_to_rd_map.rules")),
      rd_matched_(stats_.counter("maps.flow_to_rd_map.matched")),
      peer_as_rules_(stats_.counter("maps.bgp_peer_src_as_map.rules")),
      peer_as_matched_(stats_.counter("maps.bgp_peer_src_as_map.matched")) {}

Result<std::unique_ptr<MapSet>> MapSet::create(const MapsConfig& config, userspace::Stats* stats) {
  auto policy = NetworkPolicy::resolve(config);
  if (!policy) return policy.error();
  std::unique_ptr<MapSet> set(new MapSet(config, policy.value(), stats));
  std::string errors;
  auto snap = set->load(nullptr, errors);
  if (!snap) return snap.error();
  set->current_.store(std::move(snap.value()), std::memory_order_release);
  return set;
}

Result<std::shared_ptr<const MapSet::Snapshot>> MapSet::load(const Snapshot* old, std::string& errors) {
  auto log = userspace::get_logger("maps");
  auto snap = std::make_shared<Snapshot>();
  snap->generation = old != nullptr ? old->generation + 1 : 1;

  // One map: load it, log its warnings, or keep the old one on failure.
  auto one = [&](const std::string& path, auto&& loader, auto& slot, auto old_slot, const char* what,
                 auto count) -> bool {
    if (path.empty()) return true;
    log->info("[{}] (re)loading {}", path, what);
    LoadReport report;
    auto loaded = loader(path, report);
    for (const std::string& w : report.warnings) log->warn("{}", w);
    bad_lines_.add(report.warnings.size());
    if (!loaded) {
      if (!errors.empty()) errors += "; ";
      errors += loaded.error().message;
      if (old_slot == nullptr) return false;
      log->error("{}; keeping the previously loaded {}", loaded.error().message, what);
      slot = old_slot;
      return true;
    }
    slot = loaded.value();
    log->info("[{}] {} loaded: {} ({} line(s) skipped)", path, what, count(*slot), report.warnings.size());
    return true;
  };

  bool ok = true;
  ok &= one(
      config_.pre_tag_map, [&](const std::string& p, LoadReport& r) { return load_pre_tag(p, config_, r); },
      snap->pre_tag_map, old != nullptr ? old->pre_tag_map : nullptr, "pre_tag_map",
      [](const PreTagMap& m) { return std::to_string(m.rule_count()) + " rules"; });
  ok &= one(
      config_.networks_file, [](const std::string& p, LoadReport& r) { return NetworksTable::load(p, r); },
      snap->networks, old != nullptr ? old->networks : nullptr, "networks_file",
      [](const NetworksTable& t) { return std::to_string(t.size()) + " prefixes"; });
  ok &= one(
      config_.ports_file, [](const std::string& p, LoadReport& r) { return PortsTable::load(p, r); }, snap->ports,
      old != nullptr ? old->ports : nullptr, "ports_file",
      [](const PortsTable& t) { return std::to_string(t.size()) + " ports"; });
  for (auto [kind, path, slot, old_slot] :
       {std::tuple{IdMapKind::kSampling, &config_.sampling_map, &snap->sampling, old ? old->sampling : nullptr},
        std::tuple{IdMapKind::kFlowToRd, &config_.flow_to_rd_map, &snap->flow_to_rd, old ? old->flow_to_rd : nullptr},
        std::tuple{IdMapKind::kPeerSrcAs, &config_.bgp_peer_src_as_map, &snap->peer_src_as,
                   old ? old->peer_src_as : nullptr}}) {
    const IdMapKind k = kind;
    ok &= one(
        *path,
        [&](const std::string& p, LoadReport& r) {
          return IdMap::load(k, p, config_.maps_entries, config_.maps_row_len, r);
        },
        *slot, old_slot, id_map_name(kind), [](const IdMap& m) { return std::to_string(m.size()) + " rules"; });
  }
  if (!ok) return make_error(errors);

  sampling_rules_.set(snap->sampling ? snap->sampling->size() : 0);
  rd_rules_.set(snap->flow_to_rd ? snap->flow_to_rd->size() : 0);
  peer_as_rules_.set(snap->peer_src_as ? snap->peer_src_as->size() : 0);
  rules_.set(snap->pre_tag_map ? snap->pre_tag_map->rule_count() : 0);
  prefixes_.set(snap->networks ? snap->networks->size() : 0);
  ports_.set(snap->ports ? snap->ports->size() : 0);
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

Status MapSet::reload() {
  auto log = userspace::get_logger("maps");
  if (!config_.maps_refresh) {
    log->info("reload requested but maps_refresh is false: maps unchanged");
    return userspace::Ok{};
  }
  std::lock_guard lock(reload_mu_);
  const std::shared_ptr<const Snapshot> old = current_.load(std::memory_order_acquire);
  std::string errors;
  auto snap = load(old.get(), errors);
  if (!snap) {  // cannot happen with an old snapshot; kept for safety
    reload_errors_.add();
    return snap.error();
  }
  current_.store(snap.value(), std::memory_order_release);
  reloads_.add();
  if (!errors.empty()) {
    reload_errors_.add();
    return make_error("maps reload: " + errors);
  }
  return userspace::Ok{};
}

void MapSet::apply(RecordBatch& batch) const {
  if (!active_) return;
  const std::shared_ptr<const Snapshot> snap = current_.load(std::memory_order_acquire);
  if (keep_nets_only(policy_, *snap)) {
    for (userspace::FlowRecord& r : batch) {
      keep_net(policy_.no_mask_if_zero, r.src_host, r.src_net, r.src_mask);
      keep_net(policy_.no_mask_if_zero, r.dst_host, r.dst_net, r.dst_mask);
    }
    return;
  }
  const PreTagMap* pre_tag = snap->pre_tag_map.get();
  const NetworksTable* networks = snap->networks.get();
  const PortsTable* ports = snap->ports.get();
  const IdMap* sampling = snap->sampling.get();
  const IdMap* flow_to_rd = snap->flow_to_rd.get();
  const IdMap* peer_src_as = snap->peer_src_as.get();
  RecordBatch copies;
  const std::size_t n = batch.size();
  std::uint64_t sampled = 0;
  std::uint64_t rd = 0;
  std::uint64_t peer_as = 0;
  for (std::size_t i = 0; i < n; ++i) {
    userspace::FlowRecord& r = batch[i];
    if (sampling != nullptr && sampling->apply(r)) ++sampled;
    if (flow_to_rd != nullptr && flow_to_rd->apply(r)) ++rd;
    if (peer_src_as != nullptr && peer_src_as->apply(r)) ++peer_as;
    const NetworkLookup lookup = apply_networks(policy_, networks, r);
    const std::size_t first_copy = copies.size();
    if (pre_tag != nullptr) pre_tag->apply(r, &copies);
    apply_networks_filter(policy_, lookup, r);
    if (ports != nullptr) ports->apply(r);
    for (std::size_t c = first_copy; c < copies.size(); ++c) {
      apply_networks_filter(policy_, lookup, copies[c]);
      if (ports != nullptr) ports->apply(copies[c]);
    }
  }
  if (sampled != 0) sampling_matched_.add(sampled);
  if (rd != 0) rd_matched_.add(rd);
  if (peer_as != 0) peer_as_matched_.add(peer_as);
  if (!copies.empty()) {
    copies_.add(copies.size());
    batch.insert(batch.end(), copies.begin(), copies.end());
  }
}

}  // namespace xacct::maps
