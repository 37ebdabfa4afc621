// The decoders' options from the collect role's keys: one place that says
// which config key reaches which decoder option, so the collect role and its
// unit test (tests/collector/collect_config_test.cpp) use the same mapping.
//
//   nfacctd_templates_file -> NetflowOptions::templates_file (all decoder
//                             threads of the process share one writer of the
//                             file: collector/template_file.hpp)
//   nfacctd_time_secs      -> NetflowOptions::time_secs
//   use_ip_next_hop        -> NetflowOptions / SflowOptions::use_ip_next_hop
//   nfacctd_time_new       -> not a decoder option: the listener overwrites
//                             first_ns/last_ns with the arrival time
//                             (ListenerOptions::time_new), for both protocols.
#pragma once

#include "collector/collector_config.hpp"
#include "collector/netflow_decoder.hpp"
#include "collector/sflow_decoder.hpp"

namespace xacct::collector {

inline NetflowOptions netflow_options(const CollectorConfig& c) {
  NetflowOptions o;
  o.templates_file = c.templates_file;
  o.time_secs = c.time_secs;
  o.use_ip_next_hop = c.use_ip_next_hop;
  return o;
}

inline SflowOptions sflow_options(const CollectorConfig& c) {
  SflowOptions o;
  o.use_ip_next_hop = c.use_ip_next_hop;
  return o;
}

}  // namespace xacct::collector
