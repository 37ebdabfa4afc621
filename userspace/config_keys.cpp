// See config_keys.hpp. The rows are the contract with pmacct users
// (spec/config.md §3); xacct-only rows say so, and their help is what the
// generated key reference prints.
#include "userspace/config_keys.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include "userspace/config_plugins.hpp"
#include "userspace/dynamic_name.hpp"
#include "userspace/filter/tag_list.hpp"
#include "userspace/primitive.hpp"
#include "userspace/text.hpp"
#include "userspace/time_bins.hpp"
#include "userspace/writer_id.hpp"

namespace xacct::userspace {
namespace {

using T = KeyType;
using S = KeyScope;

// Value checks of the rows below (KeyDef::check).
Result<std::string> check_time_bin(std::string_view v) {
  auto spec = parse_time_bin(v);
  if (!spec) return spec.error();
  return time_bin_to_string(spec.value());
}
Result<std::string> check_roundoff(std::string_view v) { return parse_roundoff(v); }
Result<std::string> check_file_name(std::string_view v) {
  auto name = DynamicName::parse(v);
  if (!name) return name.error();
  return std::string(v);
}
Result<std::string> check_latest_file(std::string_view v) {
  auto name = DynamicName::parse(v, /*allow_time=*/false);
  if (!name) return name.error();
  return std::string(v);
}
Result<std::string> check_writer_id_string(std::string_view v) {
  if (auto st = check_writer_id(v); !st) return st.error();
  return std::string(v);
}
Result<std::string> check_pcap_ifindex(std::string_view v) {
  if (v == "sys" || v == "hash" || v == "none" || v == "map") return std::string(v);
  std::uint32_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (!v.empty() && ec == std::errc{} && end == v.data() + v.size()) return std::to_string(n);
  return make_error("invalid value '" + std::string(v) + "' (expected sys, hash, none or an ifindex)");
}

Result<std::string> check_tag_list(std::string_view v) {
  if (auto list = filter::parse_tag_list(v); !list) return list.error();
  return std::string(v);
}
Result<std::string> check_label_list(std::string_view v) {
  if (auto list = filter::parse_label_list(v); !list) return list.error();
  return std::string(v);
}

constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();

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
  {.name = "sampling_rate", .type = T::kUint, .scope = S::kGlobal, .default_value = "",
   .help = "1:N header samples on the eBPF path (random, mean N): the eBPF counters still count "
           "every packet; the samples feed the plugins whose aggregate has MACs, cos or MPLS labels "
           "(docs/datapath.md). Records carry sampling_rate N. Global in xacct (pmacct: per plugin)",
   .min = 1, .max = 1u << 30, .roles = kRoleProbe},
  {.name = "pmacctd_renormalize", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "sampled records count packets and bytes times their sampling rate, which then reads 1",
   .roles = kRoleProbe},
  // --- libpcap input (probe/capture/) ------------------------------------------
  {.name = "capture_method", .type = T::kEnum, .scope = S::kGlobal, .default_value = "ebpf",
   .help = "how the interfaces of pcap_interface are counted: ebpf (XDP/TC, see ebpf_*) or pcap "
           "(libpcap, as pmacctd); ignored when pcap_savefile is set",
   .xacct_only = true, .choices = "ebpf|pcap", .roles = kRoleProbe},
  {.name = "pcap_savefile", .type = T::kStringList, .scope = S::kGlobal, .default_value = "",
   .help = "read packets from these pcap/pcapng files, comma list, in order, instead of capturing; "
           "excludes pcap_interface. The daemon exits after the last file unless pcap_savefile_wait",
   .roles = kRoleProbe},
  {.name = "pcap_savefile_wait", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "keep running after the last savefile (until SIGINT/SIGTERM). Old name: savefile_wait",
   .roles = kRoleProbe},
  {.name = "pcap_savefile_delay", .type = T::kUint, .scope = S::kGlobal, .default_value = "0",
   .help = "seconds to sleep before reading the savefiles, and before each replay (e.g. to let "
           "BGP sessions come up); 0 = none (pmacct sleeps 2 s even then)",
   .max = 86400, .roles = kRoleProbe},
  {.name = "pcap_savefile_replay", .type = T::kUint, .scope = S::kGlobal, .default_value = "1",
   .help = "read the savefiles this many times", .min = 1, .max = 1000000, .roles = kRoleProbe},
  {.name = "pcap_filter", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "libpcap filter expression (tcpdump syntax) applied to live capture and savefiles; "
           "savefile packets it rejects are counted as filtered",
   .roles = kRoleProbe},
  {.name = "snaplen", .type = T::kUint, .scope = S::kGlobal, .default_value = "128",
   .help = "bytes captured per packet (live libpcap capture); counters use the IP length, not this",
   .min = 64, .max = 262144, .roles = kRoleProbe},
  {.name = "promisc", .type = T::kBool, .scope = S::kGlobal, .default_value = "true",
   .help = "put live libpcap interfaces in promiscuous mode", .roles = kRoleProbe},
  {.name = "pcap_direction", .type = T::kEnum, .scope = S::kGlobal, .default_value = "",
   .help = "libpcap capture direction: in or out (unset: both); records carry it, and the "
           "pcap_ifindex value goes to in_iface (in) or out_iface (out)",
   .choices = "in|out", .roles = kRoleProbe},
  {.name = "pcap_ifindex", .type = T::kString, .scope = S::kGlobal, .default_value = "none",
   .help = "ifindex of libpcap records: sys (the interface's; on a Linux cooked v2 capture each "
           "packet's), hash (pmacct's hash of the name), none, or a fixed number (xacct only); used "
           "only with pcap_direction, as in pmacct; map: the ifindex of each pcap_interfaces_map line",
   .roles = kRoleProbe, .check = check_pcap_ifindex},
  {.name = "pcap_interfaces_map", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "map of the interfaces to count, one per line: ifname=NAME [ifindex=N] [direction=in|out] "
           "[method=xdp|tc|pcap]. method (xacct only) picks how each interface is counted; unset: pcap "
           "with capture_method: pcap, else xdp when ebpf_hooks has xdp, else tc. ifindex goes to "
           "records with pcap_ifindex: map. SIGUSR2 starts added lines, stops removed ones and restarts "
           "changed ones; the others keep running. Excludes pcap_interface and pcap_savefile",
   .roles = kRoleProbe},
  // --- NFLOG input (probe/nflog_input.hpp) -----------------------------------
  {.name = "uacctd_group", .type = T::kUint, .scope = S::kGlobal, .default_value = "",
   .help = "NFLOG group to read (nft: log group N); setting it starts the NFLOG input, alone or "
           "next to the eBPF interfaces of pcap_interface. Every logged packet is counted once",
   .max = 65535, .roles = kRoleProbe},
  {.name = "uacctd_nl_size", .type = T::kUint, .scope = S::kGlobal, .default_value = "131072",
   .help = "NFLOG buffer, bytes: caps the kernel's batch buffer (xacct sizes it for uacctd_threshold "
           "packets of snaplen bytes, at most 131072, the kernel's limit); the netlink socket's receive "
           "buffer is 64 times it (at most 64 MiB). Overruns are counted (nflog.enobufs, "
           "nflog.lost_packets)",
   .min = 4096, .max = 1u << 26, .roles = kRoleProbe},
  {.name = "uacctd_threshold", .type = T::kUint, .scope = S::kGlobal, .default_value = "1",
   .help = "packets the kernel queues before sending them to xacct in one message (more: less CPU "
           "per packet, more delay, at most 1 s)",
   .min = 1, .max = 65535, .roles = kRoleProbe},
  {.name = "uacctd_direction", .type = T::kEnum, .scope = S::kGlobal, .default_value = "",
   .help = "direction of NFLOG records: in or out (unset: unknown). in_iface/out_iface come from "
           "the packet's input/output interface either way. Old name: direction",
   .choices = "in|out", .roles = kRoleProbe},
  // --- maps (userspace/maps/): applied once per record, before the plugins ---
  {.name = "pre_tag_map", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "file of tagging rules setting tag, tag2 and label (pmacct's format: set_tag, set_tag2, "
           "set_label, match keys, filter, label/jeq/stack); reloaded on SIGUSR2. One map for all "
           "plugins (pmacct: per plugin)"},
  {.name = "maps_entries", .type = T::kUint, .scope = S::kGlobal, .default_value = "384",
   .help = "most pre_tag_map rules loaded; later lines are ignored (and reported)",
   .min = 1, .max = 1u << 24},
  {.name = "maps_row_len", .type = T::kUint, .scope = S::kGlobal, .default_value = "256",
   .help = "pre_tag_map lines must be shorter than this; longer ones are skipped (and reported)",
   .min = 16, .max = 1u << 20},
  {.name = "maps_refresh", .type = T::kBool, .scope = S::kGlobal, .default_value = "true",
   .help = "reload pre_tag_map, networks_file and ports_file on SIGUSR2; a file that cannot be read "
           "keeps its previous version"},
  {.name = "maps_index", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "accepted for pmacct compatibility; no effect (rules are compiled and tried in order)"},
  {.name = "networks_file", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "prefixes, one per line: [next-hop,][[peer_AS_]AS,]prefix/len; by longest-prefix match "
           "fills src_net/dst_net, src_mask/dst_mask and peer_dst_ip, and src_as/dst_as/"
           "peer_src_as/peer_dst_as with pmacctd_as (nfacctd_as): file; reloaded on SIGUSR2. One "
           "file for all plugins (pmacct: per plugin)"},
  {.name = "networks_file_filter", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "zero the addresses (and nets) that are in no networks_file prefix"},
  {.name = "networks_file_no_lpm", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "with *_net / *_as: longest, a matching networks_file prefix wins even when shorter than "
           "the exporter's mask"},
  {.name = "networks_no_mask_if_zero", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "src_net/dst_net keep the whole address when the mask is 0"},
  {.name = "networks_mask", .type = T::kUint, .scope = S::kGlobal, .default_value = "0",
   .help = "mask length for src_net/dst_net and src_mask/dst_mask (0 = unset); networks_file "
           "prefixes take precedence", .max = 128},
  {.name = "ports_file", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "ports, one per line: src_port/dst_port values not listed become 0; reloaded on SIGUSR2. "
           "One file for all plugins (pmacct: per plugin)"},
  {.name = "pre_tag_label_encode_as_map", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "pre_tag_map set_label values are key%value items (\"k1%v1,k2%v2\", checked at load) and JSON "
           "prints label as the object {\"k1\": \"v1\", \"k2\": \"v2\"} (pmacct after 1.7.7)"},
  {.name = "sampling_map", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "collector: file of id=<rate> ip=<exporter> [in=] [out=] rows setting sampling_rate (a record "
           "no row matches keeps the exporter's rate); reloaded on SIGUSR2", .roles = kRoleCollect},
  {.name = "flow_to_rd_map", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "collector: file of id=<RD> ip=<exporter> [in=] [out=] [bgp_nexthop=] [mpls_label_bottom=] rows "
           "setting mpls_vpn_rd (\"0:65512:1\"; overrides the exporter's); reloaded on SIGUSR2",
   .roles = kRoleCollect},
  {.name = "bgp_peer_src_as_type", .type = T::kEnum, .scope = S::kGlobal, .default_value = "",
   .help = "where peer_src_as comes from: netflow/sflow (the exporter, default), map "
           "(bgp_peer_src_as_map) or bgp (first ASN of the BGP/BMP route to src_host; with "
           "nfacctd_as: bgp|bmp|longest)", .choices = "netflow|sflow|map|bgp",
   .roles = kRoleCollect},
  {.name = "bgp_peer_src_as_map", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "collector: file of id=<ASN> ip=<exporter> [in=] [out=] [src_mac=] [bgp_nexthop=] [vlan=] "
           "[filter=] rows setting peer_src_as, with bgp_peer_src_as_type: map; reloaded on SIGUSR2",
   .roles = kRoleCollect},
  {.name = "pmacctd_net", .type = T::kEnum, .scope = S::kGlobal, .default_value = "",
   .help = "source of src_net/dst_net and masks: file (networks_file), mask (networks_mask), longest; "
           "unset = networks_file and/or networks_mask as configured",
   .choices = "file|mask|longest|fallback", .unsupported_choices = "bgp|bmp|igp", .roles = kRoleProbe},
  {.name = "pmacctd_as", .type = T::kEnum, .scope = S::kGlobal, .default_value = "",
   .help = "source of src_as/dst_as/peer_src_as/peer_dst_as: file (networks_file) or longest; unset = "
           "none, the ASNs stay 0 (as pmacct)",
   .choices = "file|longest|fallback", .unsupported_choices = "bgp|bmp", .roles = kRoleProbe},
  {.name = "nfacctd_net", .type = T::kEnum, .scope = S::kGlobal, .default_value = "",
   .help = "source of src_net/dst_net, masks and peer_dst_ip: netflow/sflow (the exporter's), file "
           "(networks_file), mask (networks_mask), bgp/bmp (the RIB of the exporter's BGP session or "
           "BMP router: needs bgp_daemon or bmp_daemon; no route = 0), longest (the longest of them); "
           "unset = file and/or mask as configured, else the exporter's (docs/bgp.md)",
   .choices = "netflow|sflow|file|mask|bgp|bmp|longest|fallback", .unsupported_choices = "igp",
   .roles = kRoleCollect},
  {.name = "nfacctd_as", .type = T::kEnum, .scope = S::kGlobal, .default_value = "",
   .help = "source of src_as/dst_as/peer_src_as/peer_dst_as: netflow/sflow (the exporter's), file "
           "(networks_file), bgp/bmp (the RIB of the exporter's BGP session or BMP router: needs "
           "bgp_daemon or bmp_daemon; no route = 0), longest; unset = the exporter's (docs/bgp.md)",
   .choices = "netflow|sflow|file|bgp|bmp|longest|fallback",
   .roles = kRoleCollect},
  // --- BGP/BMP enrichment (bgp/bgp_enrich.hpp, docs/bgp.md) ---
  {.name = "bgp_agent_map", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "file of bgp_ip=<peer address or BGP ID> [bgp_port=] ip=<exporter prefix> [in=] [out=] "
           "[filter=] rows: the BGP session whose RIB enriches the exporter's flows (else the session "
           "whose address or BGP ID is the exporter's); reloaded on SIGUSR2", .roles = kRoleCollect},
  {.name = "bmp_agent_map", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "as bgp_agent_map for the BMP RIB: bmp_ip=<BMP router address> (bgp_ip also accepted) "
           "ip=<exporter prefix> ...; reloaded on SIGUSR2", .roles = kRoleCollect},
  // --- BGP daemon (bgp/bgp_server.hpp, docs/bgp.md "BGP sessions") ---
  {.name = "bgp_daemon", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "run the BGP daemon: a passive BGP speaker (never sends UPDATEs; MP-BGP IPv4/IPv6 unicast, "
           "4-byte AS, ADD-PATH) whose routes nfacctd_as/nfacctd_net: bgp look up", .roles = kRoleCollect},
  {.name = "bgp_daemon_ip", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "address the BGP daemon listens on (SO_REUSEPORT); unset = every IPv4 and IPv6 address",
   .roles = kRoleCollect},
  {.name = "bgp_daemon_port", .type = T::kUint, .scope = S::kGlobal, .default_value = "179",
   .help = "TCP port of the BGP daemon", .min = 1, .max = 65535, .roles = kRoleCollect},
  {.name = "bgp_daemon_as", .type = T::kUint, .scope = S::kGlobal, .default_value = "",
   .help = "our AS number (4-byte ASNs allowed); unset = each peer's own AS (iBGP), as pmacct",
   .min = 1, .max = 4294967295u, .roles = kRoleCollect},
  {.name = "bgp_daemon_id", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "our BGP Identifier (an IPv4 address); unset = bgp_daemon_ip when that is an IPv4 address, "
           "else 1.2.3.4", .roles = kRoleCollect},
  {.name = "bgp_daemon_max_peers", .type = T::kUint, .scope = S::kGlobal, .default_value = "4",
   .help = "BGP sessions at once (pmacct's code default; its docs say 10); further connections get a "
           "Cease/Connection Rejected NOTIFICATION, are closed and counted (bgp.sessions.refused)",
   .min = 1, .max = 65535, .roles = kRoleCollect},
  {.name = "bgp_daemon_allow_file", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "file of IPv4/IPv6 addresses or prefixes of the peers allowed to connect, one per line (as "
           "nfacctd_allow_file); unset = every peer; others are refused and counted", .roles = kRoleCollect},
  // --- BMP station (bgp/bmp_station.hpp, docs/bgp.md "BMP station") ---
  {.name = "bmp_daemon", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "run the BMP station (RFC 7854; Loc-RIB RFC 9069): routers connect over TCP and their "
           "monitored peers' routes fill the RIB that nfacctd_as/nfacctd_net: bmp look up (pmacct refuses "
           "it together with bgp_daemon; xacct runs both)", .roles = kRoleCollect},
  {.name = "bmp_daemon_ip", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "address the BMP station listens on; unset = every IPv4 and IPv6 address", .roles = kRoleCollect},
  {.name = "bmp_daemon_port", .type = T::kUint, .scope = S::kGlobal, .default_value = "1790",
   .help = "TCP port of the BMP station (SO_REUSEPORT)", .min = 1, .max = 65535, .roles = kRoleCollect},
  {.name = "bmp_daemon_max_peers", .type = T::kUint, .scope = S::kGlobal, .default_value = "4",
   .help = "routers connected at once (pmacct's code default; its docs say 10); further connections are "
           "closed at once and counted (bmp.sessions.refused)", .min = 1, .max = 65535,
   .roles = kRoleCollect},
  {.name = "bmp_daemon_allow_file", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "file of IPv4/IPv6 addresses or prefixes of the routers allowed to connect, one per line; "
           "unset = every router; reloaded on SIGUSR2", .roles = kRoleCollect},
  // --- collector listeners (collector/listener.hpp, docs/collector.md) ---
  {.name = "nfacctd_ip", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "address the NetFlow/IPFIX listener binds; unset = every IPv4 and IPv6 address",
   .roles = kRoleCollect},
  {.name = "nfacctd_port", .type = T::kUint, .scope = S::kGlobal, .default_value = "2100",
   .help = "UDP port of the NetFlow/IPFIX listener (SO_REUSEADDR + SO_REUSEPORT). The NetFlow listener "
           "starts when nfacctd_ip/nfacctd_port is set or no sfacctd_ip/sfacctd_port is",
   .min = 1, .max = 65535, .roles = kRoleCollect},
  {.name = "nfacctd_ipv6_only", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "IPV6_V6ONLY on the NetFlow listener's IPv6 socket (no IPv4-mapped exporters)",
   .roles = kRoleCollect},
  {.name = "nfacctd_pipe_size", .type = T::kUint, .scope = S::kGlobal, .default_value = "0",
   .help = "receive buffer of each NetFlow socket in bytes (SO_RCVBUFFORCE, above rmem_max); 0 = the "
           "OS default. Overruns are counted (collector.listener.<ip:port>.socket_drops)",
   .max = 1u << 30, .roles = kRoleCollect},
  {.name = "nfacctd_allow_file", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "exporters allowed to send NetFlow/IPFIX: IPv4/IPv6 addresses or prefixes, one per line; "
           "empty file = deny all; unset = allow all; reloaded on SIGUSR2. Denied datagrams are counted",
   .roles = kRoleCollect},
  {.name = "nfacctd_renormalize", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "sampled records count packets and bytes times their sampling rate (from the export or "
           "sampling options), which then reads 1",
   .roles = kRoleCollect},
  {.name = "nfacctd_time_new", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "ignore the exporter's flow times: timestamp_start/_end (and time bins) are the arrival time",
   .roles = kRoleCollect},
  {.name = "nfacctd_time_secs", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "NetFlow v5 header times are in seconds rather than milliseconds",
   .roles = kRoleCollect},
  {.name = "nfacctd_templates_file", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "file where NetFlow v9/IPFIX templates are written (JSON lines, on change, at most once a "
           "second and at exit) and read back at start, so data after a restart decodes without waiting "
           "for the exporter's next template; one writer per file for all collector threads",
   .roles = kRoleCollect},
  {.name = "use_ip_next_hop", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "peer_dst_ip is the exporter's IP next hop (NetFlow v5 nexthop, IE 15/62, sFlow extended "
           "router) when the record has no BGP next hop",
   .roles = kRoleCollect},
  {.name = "sfacctd_ip", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "address the sFlow listener binds; unset = every IPv4 and IPv6 address",
   .roles = kRoleCollect},
  {.name = "sfacctd_port", .type = T::kUint, .scope = S::kGlobal, .default_value = "6343",
   .help = "UDP port of the sFlow listener; the sFlow listener starts when sfacctd_ip or sfacctd_port is set",
   .min = 1, .max = 65535, .roles = kRoleCollect},
  {.name = "sfacctd_ipv6_only", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "IPV6_V6ONLY on the sFlow listener's IPv6 socket", .roles = kRoleCollect},
  {.name = "sfacctd_pipe_size", .type = T::kUint, .scope = S::kGlobal, .default_value = "0",
   .help = "receive buffer of each sFlow socket in bytes (SO_RCVBUFFORCE); 0 = the OS default",
   .max = 1u << 30, .roles = kRoleCollect},
  {.name = "sfacctd_allow_file", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "as nfacctd_allow_file, for the sFlow listener", .roles = kRoleCollect},
  {.name = "sfacctd_renormalize", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "as nfacctd_renormalize (either key renormalizes every record)", .roles = kRoleCollect},
  {.name = "sfacctd_time_new", .type = T::kBool, .scope = S::kGlobal, .default_value = "false",
   .help = "as nfacctd_time_new (either key applies to every record)", .roles = kRoleCollect},
  {.name = "collector_threads", .type = T::kUint, .scope = S::kGlobal, .default_value = "1",
   .help = "sockets (SO_REUSEPORT) and decode threads per listener; datagrams are steered by exporter "
           "address, so one exporter always reaches the same thread; 0 = one per online CPU",
   .xacct_only = true, .max = 256, .roles = kRoleCollect},
  // --- sFlow counter log and IPFIX over TCP (collector/counter_file.hpp, tcp_listener.hpp) ---
  {.name = "sfacctd_counter_file", .type = T::kString, .scope = S::kGlobal, .default_value = "",
   .help = "sFlow counter samples are logged to this file as JSON lines, one per counter record (sfacctd's "
           "format: generic, ethernet, vlan fields; a log_init line per agent); $peer_src_ip = the agent "
           "address ('.'/':' as '_'); appended, reopened on SIGHUP/SIGUSR2; a named pipe must exist beforehand",
   .roles = kRoleCollect},
  {.name = "sfacctd_counter_output", .type = T::kEnum, .scope = S::kGlobal, .default_value = "json",
   .help = "format of sfacctd_counter_file: json only (as pmacct)", .choices = "json",
   .roles = kRoleCollect},
  {.name = "nfacctd_tcp_port", .type = T::kUint, .scope = S::kGlobal, .default_value = "0",
   .help = "TCP port for IPFIX over TCP (RFC 7011 10.4), bound on nfacctd_ip; 0 = off. One decoder per "
           "connection: its templates never expire and go when it closes; a stream that loses its framing "
           "closes that connection only",
   .xacct_only = true, .max = 65535, .roles = kRoleCollect},
  {.name = "nfacctd_tcp_max_connections", .type = T::kUint, .scope = S::kGlobal, .default_value = "256",
   .help = "IPFIX over TCP connections open at once; further ones are closed at once and counted "
           "(collector.tcp_listener.<ip:port>.rejected)",
   .xacct_only = true, .min = 1, .max = 65535, .roles = kRoleCollect},
  // --- every plugin ----------------------------------------------------------
  {.name = "aggregate", .type = T::kPrimitiveList, .scope = S::kPlugin, .default_value = "src_host",
   .help = "primitives to aggregate on, comma list (see the primitives reference)"},
  {.name = "plugin_pipe_size", .type = T::kUint, .scope = S::kPlugin, .default_value = "134217728",
   .help = "bytes of records a plugin's input queue may hold before batches are dropped (and "
           "counted). xacct default 128 MiB (pmacct: 4 MB): one record is a whole flow and one "
           "datapath drain can carry a full flow map",
   .min = 4096, .max = std::numeric_limits<std::uint64_t>::max()},
  {.name = "plugin_buffer_size", .type = T::kUint, .scope = S::kPlugin, .default_value = "0",
   .help = "accepted for pmacct compatibility; no effect: pmacct's buffer batches packets into the "
           "core-to-plugin pipe, while xacct's inputs already hand each plugin queue whole batches "
           "(a datapath drain, a savefile chunk, a datagram's records); plugin_pipe_size bounds the queue",
   .max = std::numeric_limits<std::uint64_t>::max()},
  {.name = "aggregate_filter", .type = T::kString, .scope = S::kPluginOnly, .default_value = "",
   .help = "libpcap filter (tcpdump syntax) on the plugin's records, run on a packet rebuilt from each "
           "record (MACs, VLAN, MPLS, addresses, tos, proto, ports, TCP flags; lengths are the "
           "record's average packet); VLAN/MPLS records need 'vlan and ...'/'mpls and ...' as in pmacct"},
  {.name = "pre_tag_filter", .type = T::kString, .scope = S::kPluginOnly, .default_value = "",
   .help = "tags the plugin takes: comma list of N, LOW-HIGH, -N (not N), 0 = untagged; the first "
           "item that decides wins (pmacct)", .check = check_tag_list},
  {.name = "pre_tag2_filter", .type = T::kString, .scope = S::kPluginOnly, .default_value = "",
   .help = "as pre_tag_filter, on tag2", .check = check_tag_list},
  {.name = "pre_tag_label_filter", .type = T::kString, .scope = S::kPluginOnly, .default_value = "",
   .help = "labels the plugin takes: comma list, null = unlabelled, -label = not; an item matches "
           "labels that start with it (pmacct)", .check = check_label_list},
  {.name = "timestamps_secs", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "timestamps at second resolution (the fraction still prints as .000000)"},
  {.name = "timestamps_rfc3339", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "timestamps as RFC 3339: 2023-11-14T22:13:20.100000Z or +hh:mm"},
  {.name = "timestamps_utc", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "timestamps in UTC instead of the local time zone"},
  {.name = "timestamps_rfc9557", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "timestamps as RFC 9557 (pmacct after 1.7.7): like timestamps_rfc3339, but UTC as +00:00"},
  {.name = "timestamps_since_epoch", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "timestamps as seconds since the epoch: \"1700000000.100000\"; stamps \"1699999800\""},
  {.name = "tcpflags_encode_as_array", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "JSON tcp_flags (and tunnel_tcp_flags) as an array of names: [\"ACK\", \"SYN\"]"},
  {.name = "fwd_status_encode_as_string", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "JSON fwd_status as its RFC 7270 name: \"DROPPED ACL deny\""},
  {.name = "mpls_label_stack_encode_as_array", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "JSON mpls_label_stack as an array: [\"0-16001\", \"1-24002\"] (default \"16001_24002\")"},
  {.name = "post_tag", .type = T::kUint, .scope = S::kPlugin, .default_value = "",
   .help = "tag every record of the plugin with this value (overrides pre_tag_map)",
   .min = 1, .max = kU64Max},
  {.name = "post_tag2", .type = T::kUint, .scope = S::kPlugin, .default_value = "",
   .help = "tag2 every record of the plugin with this value", .min = 1, .max = kU64Max},
  {.name = "writer_id_string", .type = T::kString, .scope = S::kPlugin, .default_value = "$proc_name/$writer_pid",
   .help = "writer_id of markers: $proc_name (plugin name), $writer_pid, $pmacct_build and text "
           "(pmacct uses it for Kafka/AMQP only)",
   .check = check_writer_id_string},
  // --- tee plugin (xacctd collect: collector/tee_replicator.hpp) -------------
  {.name = "tee_receivers", .type = T::kString, .scope = S::kPlugin, .default_value = "",
   .help = "receivers map: id=N ip=addr:port[,addr:port...] [balance-alg=rr|hash-agent|hash-crc32|hash-tag] "
           "[tag=list] [src_port=N] (or kafka_broker=host:port kafka_topic=T, or zmq_address=host:port, with "
           "tee_transparent), one pool per line; reloaded on SIGUSR2. Mandatory for tee plugins",
   .plugin_type = "tee", .roles = kRoleCollect},
  {.name = "tee_transparent", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "send replicated datagrams with the exporter's source address and port (raw sockets, needs "
           "CAP_NET_RAW)", .plugin_type = "tee", .roles = kRoleCollect},
  {.name = "tee_source_ip", .type = T::kString, .scope = S::kPlugin, .default_value = "",
   .help = "source address of non-transparent replication; unset = chosen by the OS",
   .plugin_type = "tee", .roles = kRoleCollect},
  {.name = "tee_ipprec", .type = T::kUint, .scope = S::kPlugin, .default_value = "0",
   .help = "IP precedence (0-7) of replicated datagrams", .max = 7, .plugin_type = "tee",
   .roles = kRoleCollect},
  {.name = "tee_pipe_size", .type = T::kUint, .scope = S::kPlugin, .default_value = "0",
   .help = "send buffer of the replication sockets in bytes; 0 = the OS default", .max = 1u << 30,
   .plugin_type = "tee", .roles = kRoleCollect},
  {.name = "tee_max_receivers", .type = T::kUint, .scope = S::kPlugin, .default_value = "32",
   .help = "most receivers per pool", .min = 1, .max = 4096, .plugin_type = "tee", .roles = kRoleCollect},
  {.name = "tee_max_receiver_pools", .type = T::kUint, .scope = S::kPlugin, .default_value = "128",
   .help = "most pools in tee_receivers", .min = 1, .max = 65536, .plugin_type = "tee",
   .roles = kRoleCollect},
  {.name = "tee_kafka_config_file", .type = T::kString, .scope = S::kPlugin, .default_value = "",
   .help = "librdkafka properties (lines 'global|topic, key, value') of the pools with kafka_broker=",
   .plugin_type = "tee", .roles = kRoleCollect},
  // --- print plugin ----------------------------------------------------------
  {.name = "print_output", .type = T::kEnum, .scope = S::kPlugin, .default_value = "formatted",
   .help = "output format: formatted (padded columns), csv, json (one object per line)",
   .choices = "formatted|csv|json", .unsupported_choices = "avro|avro_json|event_formatted|event_csv|custom",
   .plugin_type = "print"},
  {.name = "print_output_file", .type = T::kString, .scope = S::kPlugin, .default_value = "",
   .help = "file written at every purge (to a temporary name, then renamed); unset or - = stdout. "
           "Dynamic names: strftime of the time bin (%Y%m%d-%H%M, ...), $peer_src_ip, $tag, $tag2, "
           "$post_tag, $post_tag2, $ref, $hst, $tzone; each record goes to the file its values name",
   .plugin_type = "print", .check = check_file_name},
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
  {.name = "print_history", .type = T::kString, .scope = S::kPlugin, .default_value = "",
   .help = "time bins: N[s|m|h|d|w|M]; entries are also keyed by bin, JSON adds stamp_inserted "
           "(bin start) and stamp_updated (purge time). Bins are anchored on the plugin start "
           "minute unless rounded off",
   .plugin_type = "print", .check = check_time_bin},
  {.name = "print_history_roundoff", .type = T::kString, .scope = S::kPlugin, .default_value = "",
   .help = "align time bins and purges: m (minutes to 0), h (also hours), d (also day of month to 1), "
           "w (back to Sunday), M (also month to January); d and w exclude each other",
   .plugin_type = "print", .check = check_roundoff},
  {.name = "print_history_offset", .type = T::kUint, .scope = S::kPlugin, .default_value = "0",
   .help = "seconds the time bins start before their aligned boundaries (pmacct: 1h with 600 gives "
           "bins at :50); must be less than the bin",
   .max = 10u * 366 * 86400, .plugin_type = "print"},
  {.name = "print_latest_file", .type = T::kString, .scope = S::kPlugin, .default_value = "",
   .help = "symlink updated after each purge to the newest output file; may use $peer_src_ip, $tag, "
           "$tag2, $post_tag, $post_tag2, $ref, $hst but no time conversions",
   .plugin_type = "print", .check = check_latest_file},
  {.name = "print_trigger_exec", .type = T::kString, .scope = S::kPlugin, .default_value = "",
   .help = "program run after each purge that wrote output: \"/path/prog arg ...\" split on blanks, "
           "no shell, no PATH search; not waited for (reaped in the background, failures logged)",
   .plugin_type = "print"},
  {.name = "print_trigger_exec_async", .type = T::kBool, .scope = S::kPlugin, .default_value = "false",
   .help = "accepted for pmacct compatibility; xacct never waits for the trigger either way",
   .plugin_type = "print"},
  {.name = "print_top", .type = T::kUint, .scope = S::kPlugin, .default_value = "0",
   .help = "print only the N entries with most bytes per purge, biggest first (0 = all); "
           "formatted output then ends with a TOTAL line over the whole table",
   .xacct_only = true, .plugin_type = "print"},
};
// clang-format on

constexpr KeyAlias kAliases[] = {
    {"interface", "pcap_interface"},
    {"savefile_wait", "pcap_savefile_wait"},
    {"direction", "uacctd_direction"},
};

// pmacct keys (or families, with a trailing '*') not implemented yet. Checked
// after the table, so "pcap_interface" stays supported while "pcap_*" is not.
constexpr std::string_view kUnsupported[] = {
    // core, capture, logging
    "pidfile",
    "logfile",
    "syslog",
    "core_proc_name",
    "plugin_exit_any",
    "pcap_*",
    "snaplen",
    "promisc",
    "pmacctd_*",
    "uacctd_*",
    "nfacctd_*",
    "sfacctd_*",
    "savefile_wait",
    "interface_wait",
    "dry_run",
    "propagate_signals",
    "tmp_*",
    "files_umask",
    "files_uid",
    "files_gid",
    "maps_*",
    "refresh_maps",
    "pre_tag_map_entries",
    "classifier_*",
    "geoip*",
    "dtls_path",
    "redis_*",
    // aggregation, tagging, networks
    "aggregate_filter",
    "aggregate_primitives",
    "aggregate_unknown_etype",
    "pre_tag_*",
    "pre_tag2_filter",
    "networks_*",
    "ports_file",
    "bgp_comms_encode_as_array",
    "as_path_encode_as_array",
    "tos_encode_as_dscp",
    // plugin queue
    "plugin_pipe_zmq*",
    "plugin_pipe_amqp*",
    "plugin_pipe_kafka*",
    "plugin_pipe_check_core_pid",
    // print plugin extras
    "print_preprocess*",
    "print_cache_entries",
    "print_output_lock_file",
    "print_output_custom_*",
    "print_startup_delay",
    "print_max_writers",
    "avro_*",
    // other plugins and daemons
    "imt_*",
    "sql_*",
    "kafka_*",
    "amqp_*",
    "nfprobe_*",
    "sfprobe_*",
    "tee_*",
    "bgp_*",
    "bmp_*",
    "telemetry_*",
    "isis_*",
    "igp_*",
    "rpki_*",
    "zmq_*",
};

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

namespace {
Result<std::string> canonicalize_typed(const KeyDef& key, std::string_view raw);
}  // namespace

Result<std::string> canonicalize_value(const KeyDef& key, std::string_view raw) {
  auto value = canonicalize_typed(key, raw);
  if (!value || key.check == nullptr || value.value().empty()) return value;
  auto checked = key.check(value.value());
  if (!checked) return make_error(std::string(key.name) + ": " + checked.error().message);
  return checked;
}

namespace {
Result<std::string> canonicalize_typed(const KeyDef& key, std::string_view raw) {
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
        return make_error("value " + std::string(v) + " for " + std::string(key.name) + " is out of range [" +
                          std::to_string(key.min) + ", " + std::to_string(key.max) + "]");
      }
      return std::to_string(n);
    }
    case KeyType::kString:
      return std::string(v);
    case KeyType::kEnum: {
      std::string e = lower(v);
      if (in_choices(key.choices, e)) return e;
      if (in_choices(key.unsupported_choices, e)) {
        return make_error(std::string(key.name) + ": '" + e +
                          "' is not supported yet (supported: " + choices_text(key.choices) + ")");
      }
      return make_error("invalid value '" + std::string(v) + "' for " + std::string(key.name) +
                        " (expected one of: " + choices_text(key.choices) + ")");
    }
    case KeyType::kEnumList: {
      std::vector<std::string> seen;
      for (std::string_view item : split_list(v)) {
        std::string e = lower(item);
        if (!in_choices(key.choices, e)) {
          return make_error("invalid item '" + std::string(item) + "' for " + std::string(key.name) +
                            " (expected: " + choices_text(key.choices) + ")");
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
}  // namespace

std::string_view to_string(KeyType type) {
  switch (type) {
    case KeyType::kBool:
      return "bool";
    case KeyType::kUint:
      return "integer";
    case KeyType::kString:
      return "string";
    case KeyType::kEnum:
      return "enum";
    case KeyType::kEnumList:
      return "enum list";
    case KeyType::kStringList:
      return "list";
    case KeyType::kPrimitiveList:
      return "primitives";
    case KeyType::kPluginList:
      return "plugins";
  }
  return "?";
}

std::string_view to_string(KeyScope scope) {
  switch (scope) {
    case KeyScope::kGlobal:
      return "G";
    case KeyScope::kPlugin:
      return "P";
    case KeyScope::kPluginOnly:
      return "N";
  }
  return "?";
}

}  // namespace xacct::userspace
