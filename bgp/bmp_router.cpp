// See bmp_router.hpp.
#include "bgp/bmp_router.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "userspace/logging.hpp"
#include "userspace/primitive_encodings.hpp"

namespace xacct::bgp {

namespace {
constexpr std::size_t kMaxRouterCounterSets = 4096;
}  // namespace

BmpRouter::BmpRouter(const IpAddress& router, RouteSink& sink, userspace::Stats& stats)
    : router_(router),
      name_(userspace::ip_text(router)),
      // Bounded: routers from ever-new addresses share "bmp.router.other.*".
      prefix_("bmp.router." + stats.bounded_label("bmp.router", name_, kMaxRouterCounterSets) + "."),
      sink_(sink),
      stats_(stats),
      log_(userspace::get_logger("bmp")),
      messages_(stats.counter(prefix_ + "messages")),
      route_monitoring_(stats.counter(prefix_ + "route_monitoring")),
      peer_up_(stats.counter(prefix_ + "peer_up")),
      peer_down_(stats.counter(prefix_ + "peer_down")),
      stats_reports_(stats.counter(prefix_ + "stats_reports")),
      malformed_(stats.counter(prefix_ + "malformed")),
      initiation_(stats.counter(prefix_ + "initiation")),
      termination_(stats.counter(prefix_ + "termination")),
      route_mirroring_(stats.counter(prefix_ + "route_mirroring")),
      adj_rib_out_(stats.counter(prefix_ + "adj_rib_out")),
      rm_without_peer_up_(stats.counter(prefix_ + "rm_without_peer_up")),
      announced_(stats.counter(prefix_ + "announced")),
      withdrawn_(stats.counter(prefix_ + "withdrawn")),
      stats_dropped_(stats.counter(prefix_ + "stats_dropped")) {}

BmpRouter::PeerId BmpRouter::peer_id(const bmp::PerPeerHeader& h) {
  return {h.address.bytes, h.address.is_v6, h.distinguisher, h.loc_rib()};
}

PeerKey BmpRouter::key_of(const bmp::PerPeerHeader& h, const Peer& p) const {
  PeerKey k;
  k.source = PeerKey::Source::kBmp;
  k.router = router_;
  k.peer_addr = h.address;
  k.peer_port = p.remote_port;
  k.bgp_id = h.bgp_id;
  k.peer_as = h.as;
  k.peer_distinguisher = h.distinguisher;
  k.post_policy = h.post_policy();
  k.loc_rib = h.loc_rib();
  k.add_path = p.caps.add_path;
  k.router_bgp_id = router_bgp_id_;
  return k;
}

void BmpRouter::malformed(const bmp::DecodeError& err) {
  malformed_.add();
  const auto now = std::chrono::steady_clock::now();
  if (last_log_.time_since_epoch().count() != 0 && now - last_log_ < std::chrono::seconds(1)) {
    ++suppressed_;
    return;
  }
  last_log_ = now;
  log_->warn("router {}: malformed BMP message: {} ({} more suppressed)", name_, err.text(), suppressed_);
  suppressed_ = 0;
}

void BmpRouter::on_message(Bytes msg) {
  messages_.add();
  bmp::CommonHeader h;
  bmp::DecodeError err;
  if (!bmp::decode_common_header(msg, h, err)) return malformed(err);
  switch (static_cast<bmp::MsgType>(h.type)) {
    case bmp::MsgType::kRouteMonitoring:
      return route_monitoring(msg);
    case bmp::MsgType::kStatisticsReport:
      return stats_report(msg);
    case bmp::MsgType::kPeerDown:
      return peer_down_msg(msg);
    case bmp::MsgType::kPeerUp:
      return peer_up(msg);
    case bmp::MsgType::kInitiation: {
      bmp::Initiation init;
      if (!bmp::decode_initiation(msg, init, err)) return malformed(err);
      initiation_.add();
      log_->info("router {}: initiation sysName '{}' sysDescr '{}'", name_, init.sys_name, init.sys_descr);
      return;
    }
    case bmp::MsgType::kTermination: {
      bmp::Termination term;
      if (!bmp::decode_termination(msg, term, err)) return malformed(err);
      termination_.add();
      log_->info("router {}: termination (reason {})", name_, term.has_reason ? term.reason : 0);
      return;
    }
    case bmp::MsgType::kRouteMirroring: {
      bmp::PerPeerHeader peer;
      if (!bmp::decode_route_mirroring(msg, peer, err)) return malformed(err);
      route_mirroring_.add();  // not used for routes: counted and skipped
      return;
    }
  }
  err.offset = 5;
  err.what = "unknown message type " + std::to_string(h.type);
  malformed(err);
}

void BmpRouter::route_monitoring(Bytes msg) {
  bmp::PerPeerHeader h;
  bmp::DecodeError err;
  if (!bmp::decode_per_peer_header(msg, h, err)) return malformed(err);
  if (h.adj_rib_out()) {
    adj_rib_out_.add();
    return;
  }
  // RFC 9069 4.1: a Loc-RIB per-peer header carries the router's own BGP ID.
  if (h.loc_rib() && router_bgp_id_ == 0) router_bgp_id_ = h.bgp_id;
  const PeerId id = peer_id(h);
  auto it = peers_.find(id);
  static const SessionCaps kNoCaps{};
  if (it == peers_.end() || !it->second.up) rm_without_peer_up_.add();
  bmp::RouteMonitoring rm;
  if (!bmp::decode_route_monitoring(msg, it != peers_.end() ? it->second.caps : kNoCaps, rm, err)) {
    return malformed(err);
  }
  route_monitoring_.add();
  if (it == peers_.end()) it = peers_.emplace(id, Peer{}).first;
  Peer& p = it->second;
  PeerKey key = key_of(h, p);
  if (std::find(p.keys.begin(), p.keys.end(), key) == p.keys.end()) p.keys.push_back(key);
  announced_.add(rm.update.announced.size());
  withdrawn_.add(rm.update.withdrawn.size());
  sink_.on_update(key, rm.update);
}

void BmpRouter::peer_up(Bytes msg) {
  bmp::PeerUp up;
  bmp::DecodeError err;
  if (!bmp::decode_peer_up(msg, up, err)) return malformed(err);
  peer_up_.add();
  const PeerId id = peer_id(up.peer);
  auto it = peers_.find(id);
  // A second Peer Up without a Peer Down: the old session is gone.
  if (it != peers_.end() && it->second.up) peer_down(id);
  Peer& p = peers_[id];
  p.up = true;
  p.caps = up.caps;
  p.remote_port = up.remote_port;
  // The router's own identifier, as pmacct keeps it for the flow lookup.
  router_bgp_id_ = up.peer.loc_rib() ? up.peer.bgp_id : up.sent_open.bgp_id;
  log_->info("router {}: peer up {} AS {} (ADD-PATH v4 {} v6 {}, 4-byte AS {})", name_,
             userspace::ip_text(up.peer.address), up.peer.as, p.caps.add_path[0], p.caps.add_path[1],
             p.caps.as4);
}

void BmpRouter::peer_down_msg(Bytes msg) {
  bmp::PeerDown down;
  bmp::DecodeError err;
  if (!bmp::decode_peer_down(msg, down, err)) {
    // Counted as malformed, but a bad reason or NOTIFICATION still says
    // which peer went down.
    malformed(err);
    if (!bmp::decode_per_peer_header(msg, down.peer, err)) return;
  } else {
    peer_down_.add();
  }
  log_->info("router {}: peer down {} (reason {})", name_, userspace::ip_text(down.peer.address),
             down.reason);
  peer_down(peer_id(down.peer));
}

void BmpRouter::peer_down(PeerId id) {
  auto it = peers_.find(id);
  if (it == peers_.end()) return;
  std::vector<PeerKey> keys = std::move(it->second.keys);
  peers_.erase(it);
  for (const PeerKey& k : keys) sink_.on_peer_down(k);
}

void BmpRouter::stats_report(Bytes msg) {
  bmp::StatsReport report;
  bmp::DecodeError err;
  if (!bmp::decode_stats_report(msg, report, err)) return malformed(err);
  stats_reports_.add();
  // Counters live as long as the registry: only for peers the router
  // announced, and a bounded number per router, so a router cannot grow it
  // without end.
  const auto it = peers_.find(peer_id(report.peer));
  if (it == peers_.end()) return;
  const std::string base = prefix_ + "peer." + userspace::ip_text(report.peer.address) + ".stat.";
  for (const bmp::StatCounter& c : report.counters) {
    std::string name = base + std::to_string(c.type);
    if (c.afi != 0) name += "." + std::to_string(c.afi) + "." + std::to_string(c.safi);
    auto found = stat_counters_.find(name);
    if (found == stat_counters_.end()) {
      if (stat_counters_.size() >= kMaxStatCounters) {
        stats_dropped_.add();
        continue;
      }
      found = stat_counters_.emplace(name, &stats_.counter(name)).first;
    }
    found->second->set(c.value);
  }
}

void BmpRouter::close() {
  if (closed_) return;
  closed_ = true;
  std::vector<PeerId> ids;
  for (const auto& [id, p] : peers_) ids.push_back(id);
  for (const PeerId& id : ids) peer_down(id);
}

}  // namespace xacct::bgp
