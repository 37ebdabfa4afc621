// See tcp_endpoint.hpp.
#include "collector/tcp_endpoint.hpp"

#include <utility>

#include "userspace/logging.hpp"

namespace xacct::collector {

void TcpEndpoint::start() {
  listener->start();
  userspace::get_logger("collector")->info("listening: {}", listener->describe());
}

void TcpEndpoint::stop() { listener->stop(); }

void TcpEndpoint::reload() {
  if (allow->path().empty()) return;
  auto st = allow->reload();
  if (!st) {
    userspace::get_logger("collector")
        ->error("SIGUSR2: IPFIX/TCP allow file not reloaded, the previous rules stay: {}",
                st.error().message);
  }
}

userspace::Result<std::unique_ptr<TcpEndpoint>> make_tcp_endpoint(
    const CollectorConfig& cc, NetflowOptions nfo, std::function<void(userspace::RecordBatch&&)> push,
    userspace::Stats& stats) {
  if (cc.tcp_port == 0) return std::unique_ptr<TcpEndpoint>();
  auto e = std::make_unique<TcpEndpoint>();
  auto allow = AllowList::create(cc.netflow.allow_file);
  if (!allow) return allow.error();
  e->allow = std::move(allow.value());
  nfo.templates_file.clear();
  TcpListenerOptions o;
  o.ip = cc.netflow.ip;
  o.port = cc.tcp_port;
  o.ipv6_only = cc.netflow.ipv6_only;
  o.max_connections = cc.tcp_max_connections;
  o.time_new = cc.time_new;
  ListenerOutput out;
  out.push = std::move(push);
  auto decoders = [nfo, &stats]() -> std::unique_ptr<DatagramDecoder> {
    return make_netflow_decoder(nfo, stats);
  };
  auto l = TcpListener::create(o, decoders, cc.netflow.allow_file.empty() ? nullptr : e->allow.get(),
                               std::move(out), stats);
  if (!l) return l.error();
  e->listener = std::move(l.value());
  return e;
}

}  // namespace xacct::collector
