// See config_loader.hpp.
#include "userspace/config_loader.hpp"

#include <algorithm>
#include <charconv>
#include <initializer_list>

#include "userspace/dynamic_name.hpp"
#include "userspace/logging.hpp"
#include "userspace/record_feed.hpp"
#include "userspace/time_bins.hpp"

namespace xacct::userspace {
namespace {

constexpr std::string_view kProbeDefault =
    "! xacctd probe: embedded default configuration\n"
    "plugins: print\n"
    "aggregate: src_host, dst_host, src_port, dst_port, proto\n"
    "print_output: formatted\n"
    "print_top: 20\n"
    "print_refresh_time: 5\n";

constexpr std::string_view kCollectDefault =
    "! xacctd collect: embedded default configuration\n"
    "plugins: print\n"
    "aggregate: src_host, dst_host, src_port, dst_port, proto\n"
    "print_output: formatted\n"
    "print_top: 20\n"
    "print_refresh_time: 5\n";

std::vector<std::string> split_canonical_list(const std::string& v) {
  std::vector<std::string> items;
  if (v.empty()) return items;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = v.find(", ", start);
    items.push_back(v.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 2;
  }
  return items;
}

std::string join_names(const std::vector<PluginDecl>& plugins) {
  std::string s;
  for (const auto& p : plugins) s += (s.empty() ? "" : ", ") + p.name;
  return s;
}

void add_error(std::string& errors, const std::string& e) {
  if (!errors.empty()) errors += '\n';
  errors += e;
}

// Typed reads of canonical values (validated by resolve_config).
class Reader {
 public:
  Reader(const ResolvedConfig& rc, std::string plugin) : rc_(rc), plugin_(std::move(plugin)) {}
  std::string str(std::string_view key) const { return rc_.value(key, plugin_); }
  bool boolean(std::string_view key) const { return str(key) == "true"; }
  std::uint64_t u64(std::string_view key) const {
    std::string v = str(key);
    std::uint64_t n = 0;
    std::from_chars(v.data(), v.data() + v.size(), n);
    return n;
  }
  std::uint32_t u32(std::string_view key) const { return static_cast<std::uint32_t>(u64(key)); }
  std::vector<std::string> list(std::string_view key) const { return split_canonical_list(str(key)); }
  bool list_has(std::string_view key, std::string_view item) const {
    auto l = list(key);
    return std::find(l.begin(), l.end(), item) != l.end();
  }
  std::string where(std::string_view key) const {
    const Assignment* a = rc_.effective(key, plugin_);
    return a != nullptr ? a->where : std::string("default");
  }

 private:
  const ResolvedConfig& rc_;
  std::string plugin_;
};

// The collect role's keys (collector/collector_config.hpp says which
// listeners start).
void read_collector_config(const Reader& core, xacct::collector::CollectorConfig& c) {
  const bool nf_set = core.where("nfacctd_ip") != "default" || core.where("nfacctd_port") != "default";
  const bool sf_set = core.where("sfacctd_ip") != "default" || core.where("sfacctd_port") != "default";
  auto endpoint = [&core](const std::string& p, xacct::collector::EndpointConfig& e) {
    e.ip = core.str(p + "_ip");
    e.port = static_cast<std::uint16_t>(core.u32(p + "_port"));
    e.ipv6_only = core.boolean(p + "_ipv6_only");
    e.pipe_size = core.u32(p + "_pipe_size");
    e.allow_file = core.str(p + "_allow_file");
  };
  endpoint("nfacctd", c.netflow);
  endpoint("sfacctd", c.sflow);
  c.netflow.enabled = nf_set || !sf_set;
  c.sflow.enabled = sf_set;
  c.threads = core.u32("collector_threads");
  c.time_new = core.boolean("nfacctd_time_new") || core.boolean("sfacctd_time_new");
  c.time_secs = core.boolean("nfacctd_time_secs");
  c.renormalize = core.boolean("nfacctd_renormalize") || core.boolean("sfacctd_renormalize");
  c.templates_file = core.str("nfacctd_templates_file");
  c.use_ip_next_hop = core.boolean("use_ip_next_hop");
  c.counter_file = core.str("sfacctd_counter_file");
  (void)core.str("sfacctd_counter_output");  // json, the only choice (checked by the key table)
  c.counter_ts_utc = core.boolean("timestamps_utc");
  c.counter_ts_rfc9557 = core.boolean("timestamps_rfc9557");
  c.counter_ts_rfc3339 = core.boolean("timestamps_rfc3339") || c.counter_ts_rfc9557;
  c.counter_ts_since_epoch = core.boolean("timestamps_since_epoch");
  c.tcp_port = static_cast<std::uint16_t>(core.u32("nfacctd_tcp_port"));
  c.tcp_max_connections = core.u32("nfacctd_tcp_max_connections");
}

// The collect role's BGP/BMP keys (bgp/bgp_daemons_config.hpp) and their
// checks across keys. Keys of the BGP daemon and the BMP station are read
// only once their rows exist in the key table (each daemon adds its own).
void read_bgp_config(const Reader& core, const xacct::maps::MapsConfig& maps, xacct::bgp::BgpDaemonsConfig& b,
                     std::string& errors) {
  const auto has = [](std::string_view key) { return find_key(key) != nullptr; };
  if (has("bgp_daemon")) b.bgp.enabled = core.boolean("bgp_daemon");
  if (has("bgp_daemon_ip")) b.bgp.ip = core.str("bgp_daemon_ip");
  if (has("bgp_daemon_port")) b.bgp.port = static_cast<std::uint16_t>(core.u32("bgp_daemon_port"));
  if (has("bgp_daemon_id")) b.bgp.id = core.str("bgp_daemon_id");
  if (has("bgp_daemon_as")) b.bgp.as = core.u32("bgp_daemon_as");
  if (has("bgp_daemon_max_peers")) b.bgp.max_peers = core.u32("bgp_daemon_max_peers");
  if (has("bgp_daemon_allow_file")) b.bgp.allow_file = core.str("bgp_daemon_allow_file");
  if (has("bmp_daemon")) b.bmp.enabled = core.boolean("bmp_daemon");
  if (has("bmp_daemon_ip")) b.bmp.ip = core.str("bmp_daemon_ip");
  if (has("bmp_daemon_port")) b.bmp.port = static_cast<std::uint16_t>(core.u32("bmp_daemon_port"));
  if (has("bmp_daemon_max_peers")) b.bmp.max_peers = core.u32("bmp_daemon_max_peers");
  if (has("bmp_daemon_allow_file")) b.bmp.allow_file = core.str("bmp_daemon_allow_file");
  b.bgp_agent_map = core.str("bgp_agent_map");
  b.bmp_agent_map = core.str("bmp_agent_map");
  b.peer_src_as_bgp = core.str("bgp_peer_src_as_type") == "bgp";
  if (!maps.collector) return;
  const bool daemon = b.bgp.enabled || b.bmp.enabled;
  // pmacct: "AS aggregation selected but 'bgp_daemon' or 'bmp_daemon' is
  // not enabled. Exiting." (and the same for network aggregation).
  for (const char* key : {"nfacctd_as", "nfacctd_net"}) {
    const std::string v = core.str(key);
    if ((v == "bgp" || v == "bmp") && !daemon) {
      add_error(errors,
                core.where(key) + ": " + key + ": " + v + " needs bgp_daemon: true or bmp_daemon: true");
    }
  }
  if (b.peer_src_as_bgp && !daemon) {
    add_error(errors, core.where("bgp_peer_src_as_type") +
                          ": bgp_peer_src_as_type: bgp needs bgp_daemon: true or bmp_daemon: true");
  }
  if (!b.bgp_agent_map.empty() && !b.bgp.enabled) {
    add_error(errors, core.where("bgp_agent_map") + ": bgp_agent_map needs bgp_daemon: true");
  }
  if (!b.bmp_agent_map.empty() && !b.bmp.enabled) {
    add_error(errors, core.where("bmp_agent_map") + ": bmp_agent_map needs bmp_daemon: true");
  }
}

// *_history, *_history_roundoff, *_history_offset (validated by the key
// checks; here the checks across keys).
void read_history(const Reader& r, const std::string& key, PluginConfig& pc, std::string& errors) {
  const std::string roundoff_key = key + "_roundoff";
  const std::string offset_key = key + "_offset";
  const std::string text = r.str(key);
  if (!text.empty()) {
    auto spec = parse_time_bin(text);
    if (spec) pc.history = spec.value();
  }
  pc.history.roundoff = r.str(roundoff_key);
  pc.history.offset_s = r.u32(offset_key);
  if (pc.history.offset_s == 0) return;
  if (!pc.history.enabled()) {
    add_error(errors, r.where(offset_key) + ": " + offset_key + " needs " + key);
    return;
  }
  // Shortest possible bin: months have at least 28 days.
  const std::int64_t shortest =
      pc.history.unit == BinUnit::kMonth ? 28LL * 86400 * pc.history.count : nominal_bin_seconds(pc.history);
  if (pc.history.offset_s >= shortest) {
    add_error(errors, r.where(offset_key) + ": " + offset_key + " (" + std::to_string(pc.history.offset_s) +
                          " s) must be less than " + key + " (" + text + ")");
  }
}

// Checks across the print plugin's keys.
void check_print_plugin(const Reader& r, const PluginConfig& pc, std::string& errors) {
  const PrintConfig& p = pc.print;
  if (p.output == PrintOutput::kFormatted) {
    for (Primitive prim : pc.aggregate) {
      if (!primitive_info(prim).variable_length) continue;
      add_error(errors, r.where("aggregate") + ": primitive '" + std::string(primitive_info(prim).name) +
                            "' needs print_output csv or json (pmacct refuses it in formatted output too)");
    }
  }
  if (!p.latest_file.empty()) {
    if (p.output_file.empty()) {
      add_error(errors, r.where("print_latest_file") + ": print_latest_file needs print_output_file");
    } else {
      auto out = DynamicName::parse(p.output_file);
      auto latest = DynamicName::parse(p.latest_file, false);
      if (out && latest && latest.value().is_dynamic() && !out.value().is_dynamic()) {
        add_error(errors, r.where("print_latest_file") +
                              ": a dynamic print_latest_file needs a dynamic print_output_file");
      }
    }
  }
}

// pmacctd (and uacctd) refuse network and AS primitives that nothing can
// fill (pmacct 1.7.7, checked by vmtests/test_pmacct_diff.py's notes in
// docs/pmacct-differences.md): nets and masks need pmacctd_net,
// networks_file or networks_mask; src_as/dst_as need networks_file or
// pmacctd_as. The collector takes them from the exporter (nfacctd_net /
// nfacctd_as default to the export protocol), so it has no such check.
void check_network_sources(const Reader& r, const PluginConfig& pc, const xacct::maps::MapsConfig& maps,
                           std::string& errors) {
  if (maps.collector) return;
  const auto has = [&pc](std::initializer_list<Primitive> set) -> std::string {
    for (Primitive p : pc.aggregate) {
      if (std::find(set.begin(), set.end(), p) != set.end()) return std::string(primitive_info(p).name);
    }
    return {};
  };
  const std::string net = has({Primitive::kSrcNet, Primitive::kDstNet, Primitive::kSrcMask,
                               Primitive::kDstMask, Primitive::kPeerDstIp});
  if (!net.empty() && maps.net_source.empty() && maps.networks_file.empty() && maps.networks_mask == 0) {
    add_error(errors,
              r.where("aggregate") + ": primitive '" + net +
                  "' needs one of pmacctd_net, networks_file, networks_mask (pmacctd refuses it too)");
  }
  const std::string as = has({Primitive::kSrcAs, Primitive::kDstAs});
  if (!as.empty() && maps.networks_file.empty() && maps.as_source.empty()) {
    add_error(errors, r.where("aggregate") + ": primitive '" + as +
                          "' needs networks_file or pmacctd_as (pmacctd refuses it too)");
  }
}

std::string parse_separator(const std::string& raw) {
  if (raw == "\\t") return "\t";
  if (raw == "\\s") return " ";
  return raw;
}

}  // namespace

const Assignment* ResolvedConfig::effective(std::string_view key, std::string_view plugin) const {
  for (auto it = assignments.rbegin(); it != assignments.rend(); ++it) {
    if (it->key->name != key) continue;
    if (it->plugin.empty() || (!plugin.empty() && it->plugin == plugin)) return &*it;
  }
  return nullptr;
}

std::string ResolvedConfig::value(std::string_view key, std::string_view plugin) const {
  if (std::find(keys_read_.begin(), keys_read_.end(), key) == keys_read_.end()) {
    keys_read_.emplace_back(key);
  }
  if (const Assignment* a = effective(key, plugin)) return a->value;
  const KeyDef* def = find_key(key);
  return def != nullptr ? std::string(def->default_value) : std::string();
}

Result<ResolvedConfig> resolve_config(std::span<const ConfigLine> lines, Role role) {
  ResolvedConfig rc;
  rc.role = role;
  // (line index, message): checks made after the first pass still report
  // in file order.
  std::vector<std::pair<std::size_t, std::string>> problems;
  std::size_t index = 0;
  auto error = [&](std::size_t at, std::string message) { problems.emplace_back(at, std::move(message)); };

  for (const ConfigLine& line : lines) {
    const std::size_t at = index++;
    const std::string where = line.where();
    bool alias = false;
    const KeyDef* key = find_key(line.key, &alias);
    if (key == nullptr) {
      if (is_unsupported_pmacct_key(line.key)) {
        error(at, where + ": key '" + line.key + "' is not supported yet");
      } else {
        error(at, where + ": unknown key '" + line.key + "'");
      }
      continue;
    }
    if (alias) {
      rc.warnings.push_back(where + ": '" + line.key + "' is the old name of '" + std::string(key->name) +
                            "'");
    }
    if (!key_applies_to_role(*key, role)) {
      error(at, where + ": key '" + std::string(key->name) + "' does not apply to xacctd " +
                    std::string(to_string(role)));
      continue;
    }
    if (key->scope == KeyScope::kGlobal && !line.plugin.empty()) {
      error(at, where + ": key '" + std::string(key->name) + "' is global and cannot be scoped to plugin '" +
                    line.plugin + "'");
      continue;
    }
    if (key->scope == KeyScope::kPluginOnly && line.plugin.empty()) {
      error(at, where + ": key '" + std::string(key->name) + "' must be scoped to a plugin (" +
                    std::string(key->name) + "[name]: ...)");
      continue;
    }
    auto value = canonicalize_value(*key, line.value);
    if (!value) {
      error(at, where + ": " + value.error().message);
      continue;
    }
    rc.assignments.push_back({key, line.plugin, std::move(value.value()), where, at});
  }

  // The plugins line in effect (validated above), else one print plugin.
  if (const Assignment* p = rc.effective("plugins", "")) {
    auto decls = parse_plugin_list(p->value);
    if (decls) rc.plugins = std::move(decls.value());
  } else if (problems.empty()) {
    rc.plugins.push_back({"print", "default_print"});
    rc.warnings.push_back(
        "no plugins line: running one print plugin 'default_print' "
        "(pmacct would start a memory plugin)");
  }

  for (const Assignment& a : rc.assignments) {
    if (a.plugin.empty()) continue;
    auto decl = std::find_if(rc.plugins.begin(), rc.plugins.end(),
                             [&](const PluginDecl& d) { return d.name == a.plugin; });
    if (decl == rc.plugins.end()) {
      error(a.order,
            a.where + ": no plugin named '" + a.plugin + "' (plugins: " + join_names(rc.plugins) + ")");
    } else if (!a.key->plugin_type.empty() && decl->type != a.key->plugin_type) {
      error(a.order, a.where + ": key '" + std::string(a.key->name) + "' does not apply to plugin '" +
                         a.plugin + "' of type " + decl->type);
    }
  }

  if (!problems.empty()) {
    std::stable_sort(problems.begin(), problems.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string errors;
    for (const auto& p : problems) add_error(errors, p.second);
    return make_error(errors);
  }
  return rc;
}

Result<DaemonConfig> build_daemon_config(const ResolvedConfig& rc) {
  DaemonConfig dc;
  dc.role = rc.role;
  std::string errors;

  const Reader core(rc, "");
  dc.core.interfaces = core.list("pcap_interface");
  dc.core.daemonize = core.boolean("daemonize");
  if (dc.core.daemonize) {
    add_error(errors, core.where("daemonize") +
                          ": daemonize: true is not supported yet (run xacctd under a service manager)");
  }
  dc.core.debug = core.boolean("debug");
  (void)core.str("plugins");  // parsed into rc.plugins by resolve_config
  EbpfConfig& e = dc.core.ebpf;
  e.hook_tc = core.list_has("ebpf_hooks", "tc");
  e.hook_xdp = core.list_has("ebpf_hooks", "xdp");
  e.dir_in = core.list_has("ebpf_direction", "in");
  e.dir_out = core.list_has("ebpf_direction", "out");
  e.flow_entries = core.u32("ebpf_flow_entries");
  e.drain_interval_s = core.u32("ebpf_drain_interval");
  e.attach = core.str("ebpf_attach") == "clsact" ? EbpfAttach::kClsact : EbpfAttach::kTcx;
  PcapConfig& pcap = dc.core.pcap;  // checked across keys by probe/capture/capture_config.cpp
  pcap.savefiles = core.list("pcap_savefile");
  pcap.savefile_wait = core.boolean("pcap_savefile_wait");
  pcap.savefile_delay_s = core.u32("pcap_savefile_delay");
  pcap.savefile_replay = core.u32("pcap_savefile_replay");
  pcap.filter = core.str("pcap_filter");
  pcap.snaplen = core.u32("snaplen");
  pcap.promisc = core.boolean("promisc");
  pcap.direction = core.str("pcap_direction");
  pcap.ifindex = core.str("pcap_ifindex");
  pcap.method = core.str("capture_method");
  pcap.interfaces_map = core.str("pcap_interfaces_map");
  e.sampling_rate = core.u32("sampling_rate");
  NflogConfig& nflog = dc.core.nflog;
  nflog.enabled = !core.str("uacctd_group").empty();
  nflog.group = core.u32("uacctd_group");
  nflog.nl_size = core.u32("uacctd_nl_size");
  nflog.threshold = core.u32("uacctd_threshold");
  nflog.direction = core.str("uacctd_direction");
  nflog.snaplen = core.u32("snaplen");
  const bool renormalize = dc.role == Role::kCollect
                               ? core.boolean("nfacctd_renormalize") || core.boolean("sfacctd_renormalize")
                               : core.boolean("pmacctd_renormalize");
  xacct::maps::MapsConfig& maps = dc.core.maps;  // loaded by maps::MapSet (userspace/maps/)
  maps.pre_tag_map = core.str("pre_tag_map");
  maps.maps_entries = core.u32("maps_entries");
  maps.maps_row_len = core.u32("maps_row_len");
  maps.maps_refresh = core.boolean("maps_refresh");
  maps.maps_index = core.boolean("maps_index");
  maps.networks_file = core.str("networks_file");
  maps.networks_file_filter = core.boolean("networks_file_filter");
  maps.networks_file_no_lpm = core.boolean("networks_file_no_lpm");
  maps.networks_no_mask_if_zero = core.boolean("networks_no_mask_if_zero");
  maps.networks_mask = core.u32("networks_mask");
  maps.ports_file = core.str("ports_file");
  maps.pre_tag_label_encode_as_map = core.boolean("pre_tag_label_encode_as_map");
  maps.sampling_map = core.str("sampling_map");
  maps.flow_to_rd_map = core.str("flow_to_rd_map");
  maps.bgp_peer_src_as_map = core.str("bgp_peer_src_as_map");
  const std::string peer_src_as_type = core.str("bgp_peer_src_as_type");
  if (!maps.bgp_peer_src_as_map.empty() && peer_src_as_type != "map") {
    add_error(errors, core.where("bgp_peer_src_as_map") +
                          ": bgp_peer_src_as_map needs bgp_peer_src_as_type: map (as in pmacct)");
  }
  if (peer_src_as_type == "map" && maps.bgp_peer_src_as_map.empty()) {
    add_error(errors,
              core.where("bgp_peer_src_as_type") + ": bgp_peer_src_as_type: map needs bgp_peer_src_as_map");
  }
  maps.collector = dc.role == Role::kCollect;
  const std::string pm_net = core.str("pmacctd_net");
  const std::string pm_as = core.str("pmacctd_as");
  const std::string nf_net = core.str("nfacctd_net");
  const std::string nf_as = core.str("nfacctd_as");
  maps.net_source = maps.collector ? nf_net : pm_net;
  maps.as_source = maps.collector ? nf_as : pm_as;
  read_collector_config(core, dc.core.collector);
  read_bgp_config(core, maps, dc.core.bgp, errors);

  for (const PluginDecl& decl : rc.plugins) {
    const Reader r(rc, decl.name);
    PluginConfig pc;
    pc.name = decl.name;
    pc.type = plugin_type_from_string(decl.type).value_or(PluginType::kPrint);
    auto prims = parse_aggregate(r.str("aggregate"));
    if (prims) pc.aggregate = std::move(prims.value());
    pc.debug = r.boolean("debug");
    pc.format.timestamps.secs = r.boolean("timestamps_secs");
    pc.format.timestamps.rfc9557 = r.boolean("timestamps_rfc9557");
    pc.format.timestamps.rfc3339 = r.boolean("timestamps_rfc3339") || pc.format.timestamps.rfc9557;
    pc.format.timestamps.utc = r.boolean("timestamps_utc");
    pc.format.timestamps.since_epoch = r.boolean("timestamps_since_epoch");
    pc.format.tcpflags_as_array = r.boolean("tcpflags_encode_as_array");
    pc.format.fwd_status_as_string = r.boolean("fwd_status_encode_as_string");
    pc.format.mpls_label_stack_as_array = r.boolean("mpls_label_stack_encode_as_array");
    pc.format.label_as_map = maps.pre_tag_label_encode_as_map;
    pc.post_tag = r.u64("post_tag");
    pc.post_tag2 = r.u64("post_tag2");
    pc.writer_id = r.str("writer_id_string");
    pc.queue_records = std::max<std::size_t>(1, r.u64("plugin_pipe_size") / sizeof(FlowRecord));
    (void)r.u64("plugin_buffer_size");  // accepted, no effect (see its help)
    pc.renormalize = renormalize;
    pc.ebpf_header_samples = takes_ebpf_header_samples(pc.aggregate, e.sampling_rate);
    pc.filter.aggregate_filter = r.str("aggregate_filter");  // built by filter::PluginFilter
    pc.filter.pre_tag_filter = r.str("pre_tag_filter");
    pc.filter.pre_tag2_filter = r.str("pre_tag2_filter");
    pc.filter.pre_tag_label_filter = r.str("pre_tag_label_filter");
    check_network_sources(r, pc, maps, errors);
    // tee_* (read for every plugin, so that each key is read once; they
    // apply to tee plugins only, which the key table enforces).
    pc.tee.receivers = r.str("tee_receivers");
    pc.tee.transparent = r.boolean("tee_transparent");
    pc.tee.source_ip = r.str("tee_source_ip");
    pc.tee.ipprec = r.u32("tee_ipprec");
    pc.tee.pipe_size = r.u32("tee_pipe_size");
    pc.tee.max_receivers = r.u32("tee_max_receivers");
    pc.tee.max_pools = r.u32("tee_max_receiver_pools");
    pc.tee.kafka_config_file = r.str("tee_kafka_config_file");
    if (pc.type == PluginType::kTee) {
      if (dc.role != Role::kCollect) {
        add_error(errors,
                  "plugin '" + pc.name + "': tee plugins replicate collected datagrams: xacctd collect only");
      } else if (pc.tee.receivers.empty()) {
        add_error(errors, "plugin '" + pc.name + "': tee needs tee_receivers");
      }
    }
    if (pc.type == PluginType::kPrint) {
      PrintConfig& p = pc.print;
      std::string out = r.str("print_output");
      p.output = out == "csv"    ? PrintOutput::kCsv
                 : out == "json" ? PrintOutput::kJson
                                 : PrintOutput::kFormatted;
      p.output_file = r.str("print_output_file");
      if (p.output_file == "-") p.output_file.clear();
      p.output_file_append = r.boolean("print_output_file_append");
      p.separator = parse_separator(r.str("print_output_separator"));
      if (p.separator.size() != 1) {
        add_error(errors, r.where("print_output_separator") +
                              ": print_output_separator must be one character, \\t or \\s");
      }
      p.refresh_time_s = r.u32("print_refresh_time");
      p.markers = r.boolean("print_markers");
      pc.format.num_protos = r.boolean("print_num_protos");
      p.top = r.u32("print_top");
      p.latest_file = r.str("print_latest_file");
      p.trigger_exec = r.str("print_trigger_exec");
      (void)r.boolean("print_trigger_exec_async");  // accepted, no effect (see its help)
      read_history(r, "print_history", pc, errors);
      check_print_plugin(r, pc, errors);
    }
    dc.plugins.push_back(std::move(pc));
  }

  // Two plugins rewriting one file would each replace the other's purge.
  for (std::size_t i = 0; i < dc.plugins.size(); ++i) {
    for (std::size_t j = i + 1; j < dc.plugins.size(); ++j) {
      const auto& a = dc.plugins[i];
      const auto& b = dc.plugins[j];
      if (!a.print.output_file.empty() && a.print.output_file == b.print.output_file) {
        add_error(errors, Reader(rc, b.name).where("print_output_file") + ": plugins '" + a.name + "' and '" +
                              b.name + "' both write " + a.print.output_file +
                              " (scope print_output_file per plugin)");
      }
    }
  }

  if (!errors.empty()) return make_error(errors);
  return dc;
}

Result<std::vector<ConfigLine>> read_config_lines(const ConfigOptions& options) {
  auto lines = options.config_file.empty()
                   ? parse_config_text(embedded_default_config(options.role), "<embedded default>")
                   : read_config_file(options.config_file);
  if (!lines) return lines;
  std::string errors;
  unsigned n = 0;
  for (const std::string& o : options.overrides) {
    ++n;
    auto parsed = parse_config_text(o, "command line");
    if (!parsed) {
      // One line per override: renumber "command line:1: ..." to the n-th.
      std::string msg = parsed.error().message;
      const std::string first = "command line:1:";
      if (msg.rfind(first, 0) == 0)
        msg = "command line:" + std::to_string(n) + ":" + msg.substr(first.size());
      add_error(errors, msg);
      continue;
    }
    for (ConfigLine& l : parsed.value()) {
      l.line = n;  // the n-th override
      lines.value().push_back(std::move(l));
    }
  }
  if (!errors.empty()) return make_error(errors);
  return lines;
}

Result<DaemonConfig> load_daemon_config(const ConfigOptions& options) {
  auto lines = read_config_lines(options);
  if (!lines) return lines.error();
  auto resolved = resolve_config(lines.value(), options.role);
  if (!resolved) return resolved.error();
  auto log = get_logger("config");
  for (const std::string& w : resolved.value().warnings) log->warn("{}", w);
  auto config = build_daemon_config(resolved.value());
  if (config) {
    for (const PluginConfig& pc : config.value().plugins) {
      if (!pc.ebpf_header_samples) continue;
      log->info(
          "plugin {}: its aggregate has MAC, cos or MPLS primitives: it counts eBPF traffic from "
          "the 1:{} header samples, not from the exact eBPF flows",
          pc.name, config.value().core.ebpf.sampling_rate);
    }
  }
  return config;
}

std::string_view embedded_default_config(Role role) {
  return role == Role::kProbe ? kProbeDefault : kCollectDefault;
}

}  // namespace xacct::userspace
