// See config_keys.hpp. The rows are the contract with pmacct users
// (spec/config.md §3); xacct-only rows say so, and their help is what the
// generated key reference prints.
#include "userspace/config_keys.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include "userspace/config_plugins.hpp"
#include "userspace/primitive.hpp"

namespace xacct::userspace {
namespace {

using T = KeyType;
using S = KeyScope;

// Designated initializers: a row names what it sets, the rest keeps the
// KeyDef defaults (any plugin type, every role, no range).
// clang-format off
constexpr KeyDef kKeys[] = {
  // --- core -----------------------------------------------------------------
  {.name = "plugins", .type = T::kPluginList, .scope = S::kGlobal, .default_value = "",
   .help = "plugins to run: type[name], ... (unnamed: default_<type>). Only print is implemented; "
           "without this key one print plugin runs (pmacct would start a memory plugin)"},
  {.name = "daemonize", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "fork to the background; only false is accepted for now (run xacctd under a service manager)"},
  {.name = "debug", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "debug logging (global: core and plugins; scoped: one plugin)"},
  {.name = "pcap_interface", .type = T::kStringList, .scope = S::kGlobal, .default_value = "",
   .help = "interfaces to account, comma list (xacct accepts several; pmacct one); unset = the "
           "interface of the default route. Old name: interface",
   .roles = kRoleProbe},
  // --- eBPF datapath (xacct) --------------------------------------------------
  {.name = "ebpf_hooks", .type = T::kEnumList, .scope = S::kGlobal, .default_value = "tc",
   .help = "hooks that count: tc (ingress and egress, TCX or clsact), xdp (ingress), or "
           "xdp, tc (XDP counts ingress, TC egress; nothing is counted twice)",
   .xacct_only = true, .choices = "tc|xdp", .roles = kRoleProbe},
  {.name = "ebpf_direction", .type = T::kEnumList, .scope = S::kGlobal, .default_value = "in, out",
   .help = "directions to count: in, out or both",
   .xacct_only = true, .choices = "in|out", .roles = kRoleProbe},
  {.name = "ebpf_flow_entries", .type = T::kUint, .scope = S::kGlobal, .default_value = "262144",
   .help = "flow map entries per buffer (two buffers); traffic beyond it is counted as overflow",
   .xacct_only = true, .min = 1024, .max = 1u << 24, .roles = kRoleProbe},
  {.name = "ebpf_drain_interval", .type = T::kUint, .scope = S::kGlobal, .default_value = "1",
   .help = "seconds between flow map drains",
   .xacct_only = true, .min = 1, .max = 3600, .roles = kRoleProbe},
  {.name = "ebpf_attach", .type = T::kEnum, .scope = S::kGlobal, .default_value = "tcx",
   .help = "TC attach mode: tcx (falls back to clsact when the kernel lacks TCX) or clsact (forced)",
   .xacct_only = true, .choices = "tcx|clsact", .roles = kRoleProbe},
  // --- every plugin ----------------------------------------------------------
  {.name = "aggregate", .type = T::kPrimitiveList, .scope = S::kPlugin, .default_value = "src_host",
   .help = "primitives to aggregate on, comma list (see the primitives reference)"},
  {.name = "plugin_pipe_size", .type = T::kUint, .scope = S::kPlugin, .default_value = "134217728",
   .help = "bytes of records a plugin's input queue may hold before batches are dropped (and "
           "counted). xacct default 128 MiB (pmacct: 4 MB): one record is a whole flow and one "
           "datapath drain can carry a full flow map",
   .min = 4096, .max = std::numeric_limits<std::uint64_t>::max()},
  {.name = "plugin_buffer_size", .type = T::kUint, .scope = S::kPlugin, .default_value = "0",
   .help = "accepted for pmacct compatibility; no effect (xacct queues whole input batches)",
   .max = std::numeric_limits<std::uint64_t>::max()},
  {.name = "timestamps_secs", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "timestamps at second resolution (the fraction still prints as .000000)"},
  {.name = "timestamps_rfc3339", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "timestamps as RFC 3339: 2023-11-14T22:13:20.100000Z or +hh:mm"},
  {.name = "timestamps_utc", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "timestamps in UTC instead of the local time zone"},
  {.name = "timestamps_since_epoch", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "timestamps as seconds since the epoch: \"1700000000.100000\""},
  // --- print plugin ----------------------------------------------------------
  {.name = "print_output", .type = T::kEnum, .scope = S::kPlugin, .default_value = "formatted",
   .help = "output format: formatted (padded columns), csv, json (one object per line)",
   .choices = "formatted|csv|json", .unsupported_choices = "avro|avro_json|event_formatted|event_csv|custom",
   .plugin_type = "print"},
  {.name = "print_output_file", .type = T::kString, .scope = S::kPlugin, .default_value = "",
   .help = "file written at every purge (to a temporary name, then renamed); unset or - = stdout",
   .plugin_type = "print"},
  {.name = "print_output_file_append", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "append to print_output_file at every purge instead of replacing it",
   .plugin_type = "print"},
  {.name = "print_output_separator", .type = T::kString, .scope = S::kPlugin, .default_value = ",",
   .help = "CSV separator: one character, \\t (tab) or \\s (space)",
   .plugin_type = "print"},
  {.name = "print_refresh_time", .type = T::kUint, .scope = S::kPlugin, .default_value = "60",
   .help = "seconds between purges; purges fall on multiples of it from the start of the minute",
   .min = 1, .max = 86400, .plugin_type = "print"},
  {.name = "print_markers", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "mark each purge: JSON purge_init/purge_close, CSV and formatted --START (pid)--/--END (pid)--",
   .plugin_type = "print"},
  {.name = "print_num_protos", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "print ip_proto as a number (\"6\") instead of a name (\"tcp\")",
   .plugin_type = "print"},
  {.name = "print_top", .type = T::kUint, .scope = S::kPlugin, .default_value = "0",
   .help = "print only the N entries with most bytes per purge, biggest first (0 = all); "
           "formatted output then ends with a TOTAL line over the whole table",
   .xacct_only = true, .plugin_type = "print"},
};
// clang-format on

constexpr KeyAlias kAliases[] = {
    {"interface", "pcap_interface"},
};

// pmacct keys (or families, with a trailing '*') not implemented yet. Checked
// after the table, so "pcap_interface" stays supported while "pcap_*" is not.
constexpr std::string_view kUnsupported[] = {
    // core, capture, logging
    "pidfile", "logfile", "syslog", "core_proc_name", "plugin_exit_any", "pcap_*", "snaplen",
    "promisc", "pmacctd_*", "uacctd_*", "nfacctd_*", "sfacctd_*", "savefile_wait",
    "interface_wait", "dry_run", "writer_id_string", "propagate_signals", "tmp_*",
    "files_umask", "files_uid", "files_gid", "maps_*", "refresh_maps", "pre_tag_map_entries",
    "classifier_*", "geoip*", "dtls_path", "redis_*",
    // aggregation, tagging, networks
    "aggregate_filter", "aggregate_primitives", "aggregate_unknown_etype", "pre_tag_*",
    "pre_tag2_filter", "post_tag", "post_tag2", "networks_*", "ports_file", "sampling_rate",
    "sampling_map", "use_ip_next_hop", "tcpflags_encode_as_array", "fwd_status_encode_as_string",
    "mpls_label_stack_encode_as_array", "bgp_comms_encode_as_array", "as_path_encode_as_array",
    "tos_encode_as_dscp", "timestamps_rfc9557",
    // plugin queue
    "plugin_pipe_zmq*", "plugin_pipe_amqp*", "plugin_pipe_kafka*", "plugin_pipe_check_core_pid",
    // print plugin extras
    "print_history*", "print_latest_file", "print_trigger_exec", "print_preprocess*",
    "print_cache_entries", "print_output_lock_file", "print_output_custom_*",
    "print_startup_delay", "print_max_writers", "avro_*",
    // other plugins and daemons
    "imt_*", "sql_*", "kafka_*", "amqp_*", "nfprobe_*", "sfprobe_*", "tee_*", "bgp_*",
    "bmp_*", "telemetry_*", "isis_*", "igp_*", "rpki_*", "zmq_*",
};

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  std::size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  std::size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool in_choices(std::string_view choices, std::string_view v) {
  while (!choices.empty()) {
    std::size_t bar = choices.find('|');
    if (choices.substr(0, bar) == v) return true;
    if (bar == std::string_view::npos) break;
    choices.remove_prefix(bar + 1);
  }
  return false;
}

std::string choices_text(std::string_view choices) {
  std::string s(choices);
  std::replace(s.begin(), s.end(), '|', ',');
  return s;
}

std::vector<std::string_view> split_list(std::string_view v) {
  std::vector<std::string_view> items;
  while (true) {
    std::size_t comma = v.find(',');
    items.push_back(trim(v.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return items;
}

}  // namespace

std::span<const KeyDef> key_table() { return kKeys; }
std::span<const KeyAlias> key_aliases() { return kAliases; }

const KeyDef* find_key(std::string_view name, bool* alias_used) {
  if (alias_used != nullptr) *alias_used = false;
  for (const KeyAlias& a : kAliases) {
    if (a.name == name) {
      if (alias_used != nullptr) *alias_used = true;
      name = a.canonical;
      break;
    }
  }
  for (const KeyDef& k : kKeys) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

bool is_unsupported_pmacct_key(std::string_view name) {
  for (std::string_view pattern : kUnsupported) {
    if (!pattern.empty() && pattern.back() == '*') {
      if (name.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1)) return true;
    } else if (pattern == name) {
      return true;
    }
  }
  return false;
}

bool key_applies_to_role(const KeyDef& key, Role role) {
  const std::uint8_t bit = role == Role::kProbe ? kRoleProbe : kRoleCollect;
  return (key.roles & bit) != 0;
}

Result<std::string> canonicalize_value(const KeyDef& key, std::string_view raw) {
  std::string_view v = trim(raw);
  switch (key.type) {
    case KeyType::kBool: {
      std::string b = lower(v);
      if (b == "true" || b == "false") return b;
      return make_error("invalid value '" + std::string(v) + "' for " + std::string(key.name) +
                        " (expected true or false)");
    }
    case KeyType::kUint: {
      std::uint64_t n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (v.empty() || ec != std::errc{} || end != v.data() + v.size()) {
        return make_error("invalid value '" + std::string(v) + "' for " + std::string(key.name) +
                          " (expected a non-negative integer)");
      }
      if (n < key.min || n > key.max) {
        return make_error("value " + std::string(v) + " for " + std::string(key.name) +
                          " is out of range [" + std::to_string(key.min) + ", " +
                          std::to_string(key.max) + "]");
      }
      return std::to_string(n);
    }
    case KeyType::kString:
      return std::string(v);
    case KeyType::kEnum: {
      std::string e = lower(v);
      if (in_choices(key.choices, e)) return e;
      if (in_choices(key.unsupported_choices, e)) {
        return make_error(std::string(key.name) + ": '" + e + "' is not supported yet (supported: " +
                          choices_text(key.choices) + ")");
      }
      return make_error("invalid value '" + std::string(v) + "' for " + std::string(key.name) +
                        " (expected one of: " + choices_text(key.choices) + ")");
    }
    case KeyType::kEnumList: {
      std::vector<std::string> seen;
      for (std::string_view item : split_list(v)) {
        std::string e = lower(item);
        if (!in_choices(key.choices, e)) {
          return make_error("invalid item '" + std::string(item) + "' for " +
                            std::string(key.name) + " (expected: " + choices_text(key.choices) + ")");
        }
        if (std::find(seen.begin(), seen.end(), e) == seen.end()) seen.push_back(e);
      }
      // Canonical order: the order of `choices`.
      std::string out;
      std::string_view choices = key.choices;
      while (!choices.empty()) {
        std::size_t bar = choices.find('|');
        std::string c(choices.substr(0, bar));
        if (std::find(seen.begin(), seen.end(), c) != seen.end()) out += (out.empty() ? "" : ", ") + c;
        if (bar == std::string_view::npos) break;
        choices.remove_prefix(bar + 1);
      }
      return out;
    }
    case KeyType::kStringList: {
      std::string out;
      for (std::string_view item : split_list(v)) {
        if (item.empty()) return make_error("empty item in " + std::string(key.name) + " list");
        out += (out.empty() ? "" : ", ") + std::string(item);
      }
      return out;
    }
    case KeyType::kPrimitiveList: {
      auto prims = parse_aggregate(v);
      if (!prims) return make_error(std::string(key.name) + ": " + prims.error().message);
      return aggregate_to_string(prims.value());
    }
    case KeyType::kPluginList: {
      auto decls = parse_plugin_list(v);
      if (!decls) return make_error(std::string(key.name) + ": " + decls.error().message);
      std::string out;
      for (const PluginDecl& d : decls.value()) {
        out += (out.empty() ? "" : ", ") + d.type + "[" + d.name + "]";
      }
      return out;
    }
  }
  return make_error("internal: unhandled key type");
}

std::string_view to_string(KeyType type) {
  switch (type) {
    case KeyType::kBool: return "bool";
    case KeyType::kUint: return "integer";
    case KeyType::kString: return "string";
    case KeyType::kEnum: return "enum";
    case KeyType::kEnumList: return "enum list";
    case KeyType::kStringList: return "list";
    case KeyType::kPrimitiveList: return "primitives";
    case KeyType::kPluginList: return "plugins";
  }
  return "?";
}

std::string_view to_string(KeyScope scope) {
  switch (scope) {
    case KeyScope::kGlobal: return "G";
    case KeyScope::kPlugin: return "P";
    case KeyScope::kPluginOnly: return "N";
  }
  return "?";
}

}  // namespace xacct::userspace
