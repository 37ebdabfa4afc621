// The collect role's IPFIX-over-TCP endpoint (nfacctd_tcp_port): the keys
// turned into a TcpListener (collector/tcp_listener.hpp) with one NetFlow/
// IPFIX decoder per connection and its own copy of nfacctd_allow_file, so
// tools/collect_role.cpp only starts, reloads and stops it.
#pragma once

#include <functional>
#include <memory>

#include "collector/allow_list.hpp"
#include "collector/collector_config.hpp"
#include "collector/netflow_decoder.hpp"
#include "collector/tcp_listener.hpp"
#include "userspace/result.hpp"
#include "userspace/stats.hpp"

namespace xacct::collector {

struct TcpEndpoint {
  std::unique_ptr<AllowList> allow;
  std::unique_ptr<TcpListener> listener;

  void start();
  void stop();
  // SIGUSR2: the allow file again (the previous rules stay on error, logged).
  void reload();
};

// nullptr when nfacctd_tcp_port is 0. `nfo`: the UDP decoders' options; the
// templates file is not used on TCP (templates belong to the connection).
userspace::Result<std::unique_ptr<TcpEndpoint>> make_tcp_endpoint(
    const CollectorConfig& cc, NetflowOptions nfo, std::function<void(userspace::RecordBatch&&)> push,
    userspace::Stats& stats);

}  // namespace xacct::collector
