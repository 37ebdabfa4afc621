// CaptureConfig: what the libpcap inputs need, built from the daemon's
// CoreConfig (the pcap_* keys, snaplen, promisc, capture_method, interfaces)
// with the checks across keys the key table cannot make. Which input runs:
//   pcap_savefile set          -> the savefile input (savefile_input.hpp)
//   else pcap_interfaces_map   -> per interface: eBPF or libpcap (probe/interface_set.hpp)
//   else capture_method: pcap  -> live libpcap on pcap_interface (live_capture.hpp)
//   else                       -> the eBPF datapath (probe/probe.hpp)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "probe/capture/packet_batcher.hpp"
#include "userspace/config.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/result.hpp"

namespace xacct::capture {

// kInterfacesMap: pcap_interfaces_map, each interface by its own method
// (eBPF and libpcap side by side, probe/interface_set.hpp).
enum class InputKind : std::uint8_t { kEbpf, kPcapLive, kSavefile, kInterfacesMap };

InputKind select_input(const userspace::CoreConfig& core);

// pcap_ifindex: where a record's ifindex comes from.
enum class IfindexMode : std::uint8_t {
  kNone,   // 0
  kSys,    // if_nametoindex() of the interface (0 for savefiles, "any")
  kHash,   // pmacct's hash of the interface name (pmacct_ifname_hash)
  kFixed,  // the configured number
  kMap,    // each pcap_interfaces_map line's ifindex (probe/interface_set.hpp)
};

struct SavefileOptions {
  std::vector<std::string> files;  // read in this order
  bool wait = false;               // keep running after the last file
  std::uint32_t delay_s = 0;       // sleep before the first read and before each replay
  std::uint32_t replay = 1;        // read the list this many times
};

struct CaptureConfig {
  // Live: the interfaces to capture on; empty = the caller picks (the
  // daemon: the interface of the default route).
  std::vector<std::string> interfaces;
  std::string interfaces_map;  // pcap_interfaces_map: the interfaces come from it instead
  SavefileOptions savefile;
  std::string filter;                // pcap_filter; "" = none
  std::uint32_t snaplen = 128;       // live capture length
  bool promisc = true;
  userspace::Direction direction = userspace::Direction::kUnknown;  // pcap_direction
  IfindexMode ifindex_mode = IfindexMode::kNone;
  std::uint32_t ifindex_fixed = 0;   // kFixed
  // Live ring (TPACKET_V3 through libpcap, immediate mode off): its size
  // and how long the kernel fills a block before handing it over, which
  // bounds the delay of a packet at low rates.
  std::uint32_t buffer_bytes = 64u << 20;
  int block_timeout_ms = 100;
  std::size_t batch_records = kDefaultBatchRecords;

  bool uses_savefile() const { return !savefile.files.empty(); }
};

// Fails on contradictions: pcap_savefile, pcap_interface and
// pcap_interfaces_map exclude each other (pmacct: one of them),
// pcap_ifindex: map without pcap_interfaces_map, pcap_savefile_wait/_delay/_replay without pcap_savefile.
userspace::Result<CaptureConfig> make_capture_config(const userspace::CoreConfig& core);

// The ifindex records of interface `ifname` carry, per ifindex_mode; for
// savefiles (no interface, "") only a fixed number gives one.
std::uint32_t interface_ifindex(const CaptureConfig& config, const std::string& ifname);

// pmacct's `pcap_ifindex: hash`: Bob Jenkins' lookup2 hash of the name
// bytes with initial value 0 (what pmacct's jhash() computes), so the
// numbers match a pmacctd configured the same way.
std::uint32_t pmacct_ifname_hash(std::string_view name);

// The record context of a source: direction, and the ifindex when a
// direction is set (pmacct uses it only then).
RecordContext record_context(const CaptureConfig& config, std::uint32_t ifindex);

}  // namespace xacct::capture
