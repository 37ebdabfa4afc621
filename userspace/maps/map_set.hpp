// MapSet: the core's maps (pre_tag_map, networks_file, ports_file) as one
// immutable snapshot, swapped atomically on reload, and the per-batch
// enrichment the pipeline runs before records fan out to the plugins.
//
//   auto maps = maps::MapSet::create(config.core.maps, stats);  // fails if a file can't be read
//   input callback:  maps.value()->apply(batch); pipeline.push(std::move(batch));
//   SIGUSR2:         maps.value()->reload();  // keeps the old maps on error
//
// apply() takes the current snapshot once per batch (an atomic
// shared_ptr load) and uses it for every record of the batch, so a reload
// never leaves a batch half-tagged and never loses a record; the old maps
// are freed when the last batch using them is done. Per record, in pmacct's
// order: the collector's id maps (sampling_map -> sampling_rate,
// flow_to_rd_map -> mpls_vpn_rd, bgp_peer_src_as_map -> peer_src_as; a
// record no row matches keeps the exporter's value), networks (nets,
// masks, ASNs, next hop), pre_tag_map (tag, tag2,
// label), then networks_file_filter and ports_file (which pmacct applies in
// the plugins, after tagging, so pre_tag_map sees the original addresses and
// ports). Records that return=true rules emit are appended to the batch.
//
// reload() re-reads every configured file; a file that cannot be read keeps
// its previous version (logged, counted, returned as the error) while the
// others are swapped in, as pmacct rolls back one map at a time. Bad lines
// are warnings (file:line) and never fail a load. With maps_refresh: false
// reload() does nothing.
//
// Logger "maps"; Stats: maps.reloads, maps.reload_errors, maps.bad_lines,
// maps.pre_tag_map.rules, maps.networks_file.prefixes, maps.ports_file.ports,
// maps.pre_tag_map.copies, maps.<sampling_map|flow_to_rd_map|
// bgp_peer_src_as_map>.rules and .matched (records the map changed).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "userspace/flow_record.hpp"
#include "userspace/maps/collector_maps.hpp"
#include "userspace/maps/maps_config.hpp"
#include "userspace/maps/network_policy.hpp"
#include "userspace/maps/networks_file.hpp"
#include "userspace/maps/ports_file.hpp"
#include "userspace/maps/pre_tag_map.hpp"
#include "userspace/result.hpp"
#include "userspace/stats.hpp"

namespace xacct::maps {

class MapSet {
 public:
  struct Snapshot {
    std::shared_ptr<const PreTagMap> pre_tag_map;      // null when not configured
    std::shared_ptr<const NetworksTable> networks;     // null when not configured
    std::shared_ptr<const PortsTable> ports;           // null when not configured
    std::shared_ptr<const IdMap> sampling;             // sampling_map; null when not configured
    std::shared_ptr<const IdMap> flow_to_rd;           // flow_to_rd_map
    std::shared_ptr<const IdMap> peer_src_as;          // bgp_peer_src_as_map
    std::uint64_t generation = 0;                      // 1 after create, +1 per reload
  };

  // Loads every configured map; fails when a file cannot be read or a key
  // combination is invalid ("pmacctd_as: file needs networks_file"). With
  // `stats` null the counters live in the MapSet.
  static userspace::Result<std::unique_ptr<MapSet>> create(const MapsConfig& config,
                                                            userspace::Stats* stats = nullptr);

  MapSet(const MapSet&) = delete;
  MapSet& operator=(const MapSet&) = delete;

  // Thread-safe; concurrent reloads are serialized.
  userspace::Status reload();

  // Thread-safe (any number of input threads).
  void apply(userspace::RecordBatch& batch) const;

  // False when nothing is configured: apply() leaves records untouched, and
  // the caller may skip it.
  bool active() const { return active_; }

  std::shared_ptr<const Snapshot> snapshot() const { return current_.load(std::memory_order_acquire); }

 private:
  MapSet(const MapsConfig& config, const NetworkPolicy& policy, userspace::Stats* stats);
  // Loads the configured files; a file that fails keeps `old`'s version
  // (or fails the load when there is none).
  userspace::Result<std::shared_ptr<const Snapshot>> load(const Snapshot* old, std::string& errors);

  const MapsConfig config_;
  const NetworkPolicy policy_;
  bool active_ = false;
  std::unique_ptr<userspace::Stats> own_stats_;
  userspace::Stats& stats_;
  userspace::Counter& reloads_;
  userspace::Counter& reload_errors_;
  userspace::Counter& bad_lines_;
  userspace::Counter& rules_;
  userspace::Counter& prefixes_;
  userspace::Counter& ports_;
  userspace::Counter& copies_;
  userspace::Counter& sampling_rules_;
  userspace::Counter& sampling_matched_;
  userspace::Counter& rd_rules_;
  userspace::Counter& rd_matched_;
  userspace::Counter& peer_as_rules_;
  userspace::Counter& peer_as_matched_;
  std::atomic<std::shared_ptr<const Snapshot>> current_;
  std::mutex reload_mu_;
};

}  // namespace xacct::maps
