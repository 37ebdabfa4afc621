// The typed configuration every component receives: plain, immutable-by-
// convention structs with in-class defaults (the defaults of the key table
// in config_keys.cpp, which is what the loader fills them from). Each
// component gets only its own part: the probe CoreConfig (and its
// EbpfConfig), each plugin thread its PluginConfig. There is no global
// config. Build one with load_daemon_config() (config_loader.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bgp/bgp_daemons_config.hpp"
#include "collector/collector_config.hpp"
#include "userspace/filter/filter_config.hpp"
#include "userspace/maps/maps_config.hpp"
#include "userspace/primitive.hpp"
#include "userspace/time_bins.hpp"
#include "userspace/writer_id.hpp"

namespace xacct::userspace {

// Which daemon role loads the config: keys that do not apply to the role are
// errors (e.g. ebpf_* for a collector).
enum class Role : std::uint8_t { kProbe, kCollect };

// kTee: replication of collected datagrams (xacctd collect only); not a
// record sink, the collect role takes it out of the pipeline.
enum class PluginType : std::uint8_t { kPrint, kTee };

enum class PrintOutput : std::uint8_t { kFormatted, kCsv, kJson };

enum class EbpfAttach : std::uint8_t { kTcx, kClsact };

// xacct-only keys of the eBPF datapath (ebpf_*).
struct EbpfConfig {
  bool hook_tc = true;                   // ebpf_hooks contains "tc"
  bool hook_xdp = false;                 // ebpf_hooks contains "xdp"
  bool dir_in = true;                    // ebpf_direction contains "in"
  bool dir_out = true;                   // ebpf_direction contains "out"
  std::uint32_t flow_entries = 262144;   // ebpf_flow_entries, per map buffer
  std::uint32_t drain_interval_s = 1;    // ebpf_drain_interval
  EbpfAttach attach = EbpfAttach::kTcx;  // ebpf_attach (tcx falls back to clsact)
  std::uint32_t sampling_rate = 0;       // sampling_rate: 1:N header samples; 0 = none

  bool operator==(const EbpfConfig&) const = default;
};

// libpcap input keys (pmacctd's pcap_*, snaplen, promisc) and xacct's
// capture_method, as validated by the key table; probe/capture/
// capture_config.hpp turns them into the capture's own CaptureConfig.
struct PcapConfig {
  std::vector<std::string> savefiles;  // pcap_savefile (comma list, in order)
  bool savefile_wait = false;          // pcap_savefile_wait
  std::uint32_t savefile_delay_s = 0;  // pcap_savefile_delay
  std::uint32_t savefile_replay = 1;   // pcap_savefile_replay
  std::string filter;                  // pcap_filter; "" = none
  std::uint32_t snaplen = 128;         // snaplen
  bool promisc = true;                 // promisc
  std::string direction;               // pcap_direction: "", "in" or "out"
  std::string ifindex = "none";        // pcap_ifindex: sys, hash, none or a number
  std::string method = "ebpf";         // capture_method (xacct): ebpf or pcap
  std::string interfaces_map;          // pcap_interfaces_map; "" = none (probe/capture/interfaces_map.hpp)

  bool operator==(const PcapConfig&) const = default;
};

// NFLOG input (uacctd_*, probe/nflog_input.hpp): runs when uacctd_group is set.
struct NflogConfig {
  bool enabled = false;            // uacctd_group is set
  std::uint32_t group = 0;         // uacctd_group
  std::uint32_t nl_size = 131072;  // uacctd_nl_size, bytes
  std::uint32_t threshold = 1;     // uacctd_threshold, packets
  std::string direction;           // uacctd_direction (old name: direction): "", "in" or "out"
  std::uint32_t snaplen = 128;     // snaplen: bytes of each packet copied to xacct

  bool operator==(const NflogConfig&) const = default;
};

struct CoreConfig {
  // pcap_interface / interface; empty = the interface of the default route.
  std::vector<std::string> interfaces;
  bool daemonize = false;  // only false is accepted for now
  bool debug = false;      // global `debug`
  EbpfConfig ebpf;
  PcapConfig pcap;                              // libpcap input (probe/capture/)
  NflogConfig nflog;                            // NFLOG input (probe/nflog_input.hpp)
  xacct::maps::MapsConfig maps;                 // pre_tag_map, networks_file, ports_file (userspace/maps/)
  xacct::collector::CollectorConfig collector;  // xacctd collect: listeners (collector/collector_config.hpp)
  xacct::bgp::BgpDaemonsConfig bgp;             // xacctd collect: BGP daemon, BMP station, enrichment (bgp/)

  bool operator==(const CoreConfig&) const = default;
};

struct PrintConfig {
  PrintOutput output = PrintOutput::kFormatted;  // print_output
  std::string output_file;                       // print_output_file; "" = stdout
  bool output_file_append = false;               // print_output_file_append
  std::string separator = ",";                   // print_output_separator (CSV)
  std::uint32_t refresh_time_s = 60;             // print_refresh_time
  bool markers = false;                          // print_markers
  std::uint32_t top = 0;                         // print_top (xacct): only the N biggest by bytes; 0 = all
  std::string latest_file;                       // print_latest_file: symlink to the newest file; "" = none
  std::string trigger_exec;  // print_trigger_exec: "program arg ...", run after each purge

  bool operator==(const PrintConfig&) const = default;
};

struct PluginConfig {
  std::string name;  // unique; "default_<type>" when the plugins line gave none
  PluginType type = PluginType::kPrint;
  std::vector<Primitive> aggregate{Primitive::kSrcHost};  // output order, no duplicates
  bool debug = false;
  FormatOptions format;  // timestamps_*, print_num_protos
  // Bound of the input queue, in records: plugin_pipe_size / sizeof(FlowRecord).
  std::size_t queue_records = 134217728 / sizeof(FlowRecord);
  TimeBinSpec history;                      // print_history, _roundoff, _offset
  std::uint64_t post_tag = 0;               // post_tag: overrides every record's tag; 0 = unset
  std::uint64_t post_tag2 = 0;              // post_tag2
  std::string writer_id{kDefaultWriterId};  // writer_id_string
  PrintConfig print;                        // type == kPrint
  xacct::collector::TeeKeys tee;            // type == kTee (tee_*)
  // aggregate_filter, pre_tag_filter, pre_tag2_filter, pre_tag_label_filter
  // (userspace/filter/plugin_filter.hpp builds the filter).
  xacct::filter::PluginFilterConfig filter;
  // pmacctd_renormalize: sampled records count packets and bytes times their
  // sampling rate, which then reads 1.
  bool renormalize = false;
  // Takes the eBPF header samples instead of the exact eBPF flows
  // (userspace/record_feed.hpp); set from aggregate and sampling_rate.
  bool ebpf_header_samples = false;

  // Seconds between flushes of the plugin's table to its sink.
  std::uint32_t refresh_time_s() const { return print.refresh_time_s; }

  bool operator==(const PluginConfig&) const = default;
};

struct DaemonConfig {
  Role role = Role::kProbe;
  CoreConfig core;
  std::vector<PluginConfig> plugins;

  bool operator==(const DaemonConfig&) const = default;
};

std::string_view to_string(PluginType type);
std::string_view to_string(PrintOutput output);
std::string_view to_string(Role role);

}  // namespace xacct::userspace
