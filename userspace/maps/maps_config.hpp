// MapsConfig: the core's map keys (pre_tag_map, networks_file, ports_file
// and their knobs), as validated by the config key table. Plain data,
// header-only, so userspace/config.hpp can hold it (CoreConfig::maps)
// without linking xacct_maps; maps::MapSet loads it (map_set.hpp).
#pragma once

#include <cstdint>
#include <string>

namespace xacct::maps {

struct MapsConfig {
  std::string pre_tag_map;          // "" = none
  std::uint32_t maps_entries = 384;  // pre_tag_map rules kept
  std::uint32_t maps_row_len = 256;  // longest pre_tag_map line + 1
  bool maps_refresh = true;          // SIGUSR2 reloads
  bool maps_index = false;           // accepted; rules are evaluated in order
  bool pre_tag_label_encode_as_map = false;  // set_label must be key%value items

  std::string networks_file;       // "" = none
  bool networks_file_filter = false;
  bool networks_file_no_lpm = false;
  bool networks_no_mask_if_zero = false;
  std::uint32_t networks_mask = 0;  // 0 = unset
  std::string ports_file;           // "" = none

  // The collector's id maps (collector_maps.hpp); "" = none.
  std::string sampling_map;
  std::string flow_to_rd_map;
  std::string bgp_peer_src_as_map;  // used with bgp_peer_src_as_type: map

  // pmacctd_net / nfacctd_net and pmacctd_as / nfacctd_as as written
  // ("" = pmacct's default for the role): netflow, sflow, file, mask,
  // longest (= fallback).
  std::string net_source;
  std::string as_source;
  // The collector's records carry nets, masks and ASNs from the exporter
  // (pmacct's "netflow"/"sflow" sources); the probe's do not.
  bool collector = false;

  bool operator==(const MapsConfig&) const = default;
};

}  // namespace xacct::maps
