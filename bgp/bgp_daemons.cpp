// See bgp_daemons.hpp.
#include "bgp/bgp_daemons.hpp"

#include <tuple>

#include "bgp/bgp_server.hpp"
#include "bgp/bmp_station.hpp"
#include "userspace/logging.hpp"

namespace xacct::bgp {

struct BgpDaemons::Servers {
  std::unique_ptr<BgpServer> bgp;
  std::unique_ptr<BmpStation> bmp;
};

EnrichOptions enrich_options(const BgpDaemonsConfig& c, const maps::MapsConfig& m) {
  EnrichOptions o;
  o.use_bgp = c.bgp.enabled;
  o.use_bmp = c.bmp.enabled;
  const auto bgp = [](const std::string& v) { return v == "bgp" || v == "bmp"; };
  const auto longest = [](const std::string& v) { return v == "longest" || v == "fallback"; };
  o.as_bgp = bgp(m.as_source);
  o.as_longest = longest(m.as_source);
  o.net_bgp = bgp(m.net_source);
  o.net_longest = longest(m.net_source);
  o.peer_src_as_bgp = c.peer_src_as_bgp;
  return o;
}

userspace::Result<std::unique_ptr<BgpDaemons>> BgpDaemons::create(const BgpDaemonsConfig& config,
                                                                  const maps::MapsConfig& maps,
                                                                  userspace::Stats& stats) {
  if (!config.bgp.enabled && !config.bmp.enabled) return std::unique_ptr<BgpDaemons>();
  std::unique_ptr<BgpDaemons> d(new BgpDaemons());
  d->config_ = config;
  d->rib_ = std::make_unique<Rib>(RibOptions{}, &stats);
  d->servers_ = std::make_unique<Servers>();
  for (auto [path, what, slot] : {std::tuple{&config.bgp_agent_map, "bgp_agent_map", &d->bgp_agents_},
                                  std::tuple{&config.bmp_agent_map, "bmp_agent_map", &d->bmp_agents_}}) {
    if (path->empty()) continue;
    AgentMapFile::Options o;
    o.path = *path;
    o.what = what;
    o.max_entries = maps.maps_entries;
    o.max_row_len = maps.maps_row_len;
    auto f = AgentMapFile::create(o);
    if (!f) return f.error();
    *slot = std::move(f.value());
  }
  d->enricher_ = std::make_unique<Enricher>(*d->rib_, enrich_options(config, maps), d->bgp_agents_.get(),
                                            d->bmp_agents_.get(), stats);
  if (config.bgp.enabled) {
    auto o = bgp_server_options(config.bgp);
    if (!o) return o.error();
    d->servers_->bgp = std::make_unique<BgpServer>(o.value(), *d->rib_, stats);
  }
  if (config.bmp.enabled) {
    auto o = make_bmp_station_options(config.bmp);
    if (!o) return o.error();
    d->servers_->bmp = std::make_unique<BmpStation>(o.value(), *d->rib_, stats);
  }
  return d;
}

BgpDaemons::~BgpDaemons() { stop(); }

userspace::Status BgpDaemons::start() {
  auto log = userspace::get_logger("bgp");
  rib_->start();
  if (servers_->bgp) {
    auto st = servers_->bgp->start();
    if (!st) return st;
    log->info("BGP daemon listening on port {}", servers_->bgp->port());
  }
  if (servers_->bmp) {
    auto st = servers_->bmp->start();
    if (!st) return st;
    log->info("BMP station listening on port {}", servers_->bmp->port());
  }
  return userspace::Ok{};
}

void BgpDaemons::stop() {
  if (servers_ && servers_->bgp) servers_->bgp->stop();
  if (servers_ && servers_->bmp) servers_->bmp->stop();
  if (rib_) rib_->stop();
}

void BgpDaemons::reload() {
  auto log = userspace::get_logger("bgp");
  for (AgentMapFile* f : {bgp_agents_.get(), bmp_agents_.get()}) {
    if (f == nullptr) continue;
    auto st = f->reload();
    if (!st)
      log->error("SIGUSR2: {} not reloaded, the previous rules stay: {}", f->path(), st.error().message);
  }
  if (servers_->bmp) {
    auto st = servers_->bmp->reload_allow_file();
    if (!st) log->error("SIGUSR2: bmp_daemon_allow_file not reloaded: {}", st.error().message);
  }
}

}  // namespace xacct::bgp
