// BgpDaemons: what `xacctd collect` runs for bgp_daemon / bmp_daemon: the
// Rib (and its publisher thread), the BGP daemon and the BMP station that
// feed it, the agent maps, and the Enricher the input threads call.
//
//   auto d = bgp::BgpDaemons::create(config.core.bgp, config.core.maps, stats);
//   feed:     d->enrich(batch) before MapSet::apply (bgp_enrich.hpp)
//   start():  publisher, then BGP daemon / BMP station (bind errors fail it)
//   SIGUSR2:  d->reload()  (agent maps; the previous version stays on error)
//   exit:     d->stop()    (sessions close, their routes go, threads join)
//
// pmacct 1.7.7 refuses bgp_daemon together with bmp_daemon; xacct runs both
// into one Rib: a record is enriched from the BGP session of its exporter
// and, when there is none, from its BMP router (docs/bgp.md).
#pragma once

#include <memory>

#include "bgp/bgp_agent_map.hpp"
#include "bgp/bgp_daemons_config.hpp"
#include "bgp/bgp_enrich.hpp"
#include "bgp/bgp_rib.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/maps/maps_config.hpp"
#include "userspace/result.hpp"
#include "userspace/stats.hpp"

namespace xacct::bgp {

class BgpDaemons {
 public:
  // Null when neither daemon is enabled. Fails on unreadable agent maps or
  // bad daemon options.
  static userspace::Result<std::unique_ptr<BgpDaemons>> create(const BgpDaemonsConfig& config,
                                                               const maps::MapsConfig& maps,
                                                               userspace::Stats& stats);
  ~BgpDaemons();
  BgpDaemons(const BgpDaemons&) = delete;
  BgpDaemons& operator=(const BgpDaemons&) = delete;

  userspace::Status start();
  void stop();
  void reload();

  // True when records need enrichment (nfacctd_as/_net: bgp|bmp|longest).
  bool enriching() const { return enricher_ != nullptr && enricher_->active(); }
  void enrich(userspace::RecordBatch& batch) const {
    if (enricher_) enricher_->apply(batch);
  }
  Rib& rib() { return *rib_; }

 private:
  struct Servers;
  BgpDaemons() = default;

  BgpDaemonsConfig config_;
  std::unique_ptr<Rib> rib_;
  std::unique_ptr<AgentMapFile> bgp_agents_;
  std::unique_ptr<AgentMapFile> bmp_agents_;
  std::unique_ptr<Enricher> enricher_;
  std::unique_ptr<Servers> servers_;
};

// The enrichment a configuration asks for (exposed for tests).
EnrichOptions enrich_options(const BgpDaemonsConfig& config, const maps::MapsConfig& maps);

}  // namespace xacct::bgp
