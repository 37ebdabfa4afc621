// See collect_role.hpp.
#include "tools/collect_role.hpp"

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bgp/bgp_daemons.hpp"
#include "collector/allow_list.hpp"
#include "collector/collector_options.hpp"
#include "collector/counter_file.hpp"
#include "collector/listener.hpp"
#include "collector/netflow_decoder.hpp"
#include "collector/sflow_decoder.hpp"
#include "collector/tcp_endpoint.hpp"
#include "collector/tee_replicator.hpp"
#include "collector/tee_tags.hpp"
#include "tools/daemon_loop.hpp"
#include "tools/stats_report.hpp"
#include "userspace/logging.hpp"
#include "userspace/maps/map_set.hpp"
#include "userspace/pipeline.hpp"

namespace xacct::tools {
namespace {

struct Endpoint {
  std::string protocol;
  std::unique_ptr<collector::AllowList> allow;
  std::unique_ptr<collector::Listener> listener;
};

unsigned long long ull(std::uint64_t v) { return static_cast<unsigned long long>(v); }

// One line per listener and exporter at exit, from the Stats registry.
void print_collect_totals(const userspace::Stats& stats) {
  std::printf("\ncollector totals\n");
  for (const auto& [name, v] : stats.snapshot()) {
    if (name.rfind("collector.listener.", 0) == 0 || name.rfind("collector.exporter.", 0) == 0 ||
        name.rfind("collector.tcp_listener.", 0) == 0 || name.rfind("collector.counter_file.", 0) == 0) {
      if (v != 0) std::printf("  %s %llu\n", name.c_str(), ull(v));
    }
  }
  std::fflush(stdout);
}

using Tees = std::vector<std::unique_ptr<collector::TeeReplicator>>;

// One replicator per tee plugin (tee_* keys -> collector::TeeConfig).
userspace::Result<Tees> make_tees(const userspace::DaemonConfig& config, userspace::Stats& stats) {
  Tees tees;
  for (const auto& pc : config.plugins) {
    if (pc.type != userspace::PluginType::kTee) continue;
    collector::TeeConfig tc;
    tc.plugin_name = pc.name;
    tc.receivers_file = pc.tee.receivers;
    tc.transparent = pc.tee.transparent;
    tc.source_ip = pc.tee.source_ip;
    tc.ipprec = pc.tee.ipprec;
    tc.pipe_size = pc.tee.pipe_size;
    tc.max_receivers = pc.tee.max_receivers;
    tc.max_pools = pc.tee.max_pools;
    tc.max_row_len = config.core.maps.maps_row_len;
    tc.kafka_config_file = pc.tee.kafka_config_file;
    auto tee = collector::make_tee(tc, stats);
    if (!tee) return userspace::make_error("tee plugin '" + pc.name + "': " + tee.error().message);
    tees.push_back(std::move(tee.value()));
  }
  return tees;
}

userspace::Result<Endpoint> make_endpoint(const std::string& protocol, const collector::EndpointConfig& ec,
                                          const collector::CollectorConfig& cc,
                                          collector::DecoderFactory decoders,
                                          std::function<void(userspace::RecordBatch&&)> feed,
                                          const Tees& tees, const maps::MapSet& maps,
                                          userspace::Stats& stats) {
  Endpoint e;
  e.protocol = protocol;
  auto allow = collector::AllowList::create(ec.allow_file);
  if (!allow) return allow.error();
  e.allow = std::move(allow.value());
  collector::ListenerOptions lo;
  lo.protocol = protocol;
  lo.ip = ec.ip;
  lo.port = ec.port;
  lo.ipv6_only = ec.ipv6_only;
  lo.pipe_size = ec.pipe_size;
  lo.threads = cc.threads;
  lo.time_new = cc.time_new;
  collector::ListenerOutput out;
  out.push = std::move(feed);
  if (!tees.empty()) {
    // Byte-identical replication of every allowed datagram, tagged by its
    // exporter with pre_tag_map (as pmacct's tee) so tag= pools filter; the
    // current map snapshot is taken per datagram, so SIGUSR2 applies at once.
    const bool sflow = protocol == "sflow";
    out.tap = [&tees, &maps, sflow](const collector::Datagram& d) {
      const auto snap = maps.snapshot();
      const maps::PreTagMap* pre_tag = snap ? snap->pre_tag_map.get() : nullptr;
      const collector::DatagramTags tags = collector::datagram_tags(pre_tag, d, sflow);
      for (const auto& t : tees) t->replicate(d, tags.tag, tags.tag2);
    };
  }
  auto l = collector::Listener::create(
      lo, std::move(decoders), ec.allow_file.empty() ? nullptr : e.allow.get(), std::move(out), stats);
  if (!l) return l.error();
  e.listener = std::move(l.value());
  return e;
}

void reload_allow_files(std::vector<Endpoint>& endpoints) {
  auto log = userspace::get_logger("xacctd");
  for (auto& e : endpoints) {
    if (e.allow->path().empty()) continue;
    auto st = e.allow->reload();
    if (!st)
      log->error("SIGUSR2: {} allow file not reloaded, the previous rules stay: {}", e.protocol,
                 st.error().message);
  }
}

}  // namespace

int run_collect(const userspace::DaemonConfig& config, userspace::Stats& stats) {
  auto log = userspace::get_logger("xacctd");
  const collector::CollectorConfig& cc = config.core.collector;
  // Tee plugins replicate datagrams from the listener threads; the record
  // pipeline gets the other plugins.
  auto tees = make_tees(config, stats);
  if (!tees) {
    log->error("{}", tees.error().message);
    return 1;
  }
  userspace::DaemonConfig record_config = config;
  std::erase_if(record_config.plugins,
                [](const userspace::PluginConfig& pc) { return pc.type == userspace::PluginType::kTee; });
  auto core = make_role_core(record_config, stats);
  if (!core) {
    log->error("{}", core.error().message);
    return 1;
  }
  userspace::Pipeline& pl = *core.value().pipeline;
  maps::MapSet& ms = *core.value().maps;

  // bgp_daemon / bmp_daemon and the enrichment of records from their RIB
  // (bgp/bgp_daemons.hpp), before the maps: pmacct looks routes up before
  // pre_tag_map and the plugins run (docs/bgp.md).
  auto bgp_daemons = bgp::BgpDaemons::create(config.core.bgp, config.core.maps, stats);
  if (!bgp_daemons) {
    log->error("{}", bgp_daemons.error().message);
    return 1;
  }
  bgp::BgpDaemons* daemons = bgp_daemons.value().get();
  const auto feed = [&pl, &ms, daemons]() -> std::function<void(userspace::RecordBatch &&)> {
    if (daemons == nullptr || !daemons->enriching()) return make_input_feed(pl, ms);
    return [&pl, &ms, daemons](userspace::RecordBatch&& batch) {
      daemons->enrich(batch);
      ms.apply(batch);
      pl.push(std::move(batch));
    };
  };

  // counters: sfacctd_counter_file writer and IPFIX over TCP (null when not configured).
  auto counters = collector::make_counter_writer(cc, stats);
  auto tcp = collector::make_tcp_endpoint(cc, collector::netflow_options(cc), feed(), stats);
  if (!counters || !tcp) {
    log->error("{}", !counters ? counters.error().message : tcp.error().message);
    return 1;
  }
  std::vector<Endpoint> endpoints;
  if (cc.netflow.enabled) {
    const collector::NetflowOptions nfo = collector::netflow_options(cc);
    auto decoders = [nfo, &stats]() -> std::unique_ptr<collector::DatagramDecoder> {
      return collector::make_netflow_decoder(nfo, stats);
    };
    auto e = make_endpoint("netflow", cc.netflow, cc, decoders, feed(), tees.value(), ms, stats);
    if (!e) {
      log->error("{}", e.error().message);
      return 1;
    }
    endpoints.push_back(std::move(e.value()));
  }
  if (cc.sflow.enabled) {
    collector::SflowOptions sfo = collector::sflow_options(cc);
    if (counters.value()) sfo.on_counter_sample = counters.value()->callback();
    auto decoders = [sfo, &stats]() { return collector::make_sflow_decoder(sfo, stats); };
    auto e = make_endpoint("sflow", cc.sflow, cc, decoders, feed(), tees.value(), ms, stats);
    if (!e) {
      log->error("{}", e.error().message);
      return 1;
    }
    endpoints.push_back(std::move(e.value()));
  }

  if (daemons != nullptr) {
    auto st = daemons->start();
    if (!st) {
      log->error("{}", st.error().message);
      return 1;
    }
  }
  pl.start();
  if (counters.value()) counters.value()->start();
  if (tcp.value()) tcp.value()->start();
  for (auto& e : endpoints) {
    e.listener->start();
    log->info("listening: {}", e.listener->describe());
  }
  run_signal_loop(stats, ms, std::chrono::milliseconds(1000), {}, {},
                  [&endpoints, &tees, &log, &counters, &tcp, daemons] {
                    if (daemons != nullptr) daemons->reload();
                    reload_allow_files(endpoints);
                    if (counters.value()) counters.value()->reopen();
                    if (tcp.value()) tcp.value()->reload();
                    for (auto& t : tees.value()) {
                      auto st = t->reload();
                      if (!st)
                        log->error("SIGUSR2: tee_receivers not reloaded, the previous receivers stay: {}",
                                   st.error().message);
                    }
                  });
  log->info("stopping: last datagrams of the sockets, then the final flush");
  for (auto& e : endpoints) e.listener->stop();
  if (tcp.value()) tcp.value()->stop();
  if (counters.value()) counters.value()->stop();  // after the decoders: every sample is written
  endpoints.clear();                               // decoders go: templates files are written
  if (daemons != nullptr) daemons->stop();         // after the listeners: their last records were enriched
  tees.value().clear();
  pl.stop();
  print_collect_totals(stats);
  log_final_totals(stats);
  return 0;
}

}  // namespace xacct::tools
