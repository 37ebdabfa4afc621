// bgp_agent_map / bmp_agent_map (spec/maps.md section 6): which BGP session
// (or BMP router) holds the RIB for the flows of an exporter, when the
// exporter's address is not the session's address or BGP Identifier.
//
//   bgp_ip=<v4|v6> (alias bmp_ip)  SET    the session's peer address or BGP ID
//   bgp_port=<0..65535>            SET    also the session's TCP port (NAT,
//                                         x-connect; pmacct
//                                         tmp_bgp_lookup_compare_ports)
//   ip=<prefix>                    MATCH  the exporter (peer_src_ip); mandatory
//   in=, out=                      MATCH  in_iface / out_iface ('-' negates)
//   filter='...'                   MATCH  libpcap on the record (usually
//                                         'ip' / 'ip6' to pick a v4 or v6 session)
//
// Rows are tried top-down, the first match wins (pmacct's id maps). Rows use
// the shared map syntax and MATCH keys of userspace/maps (map_text.hpp,
// match_key.hpp). Bad lines are reported (file:line) and skipped; rows
// beyond maps_entries are dropped. Immutable once built; lookups are
// thread-safe. AgentMapFile holds the current map and swaps it on SIGUSR2.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "userspace/flow_record.hpp"
#include "userspace/maps/map_text.hpp"
#include "userspace/result.hpp"

namespace xacct::bgp {

struct AgentTarget {
  userspace::IpAddress bgp_ip;
  std::optional<std::uint16_t> bgp_port;
};

class AgentMap {
 public:
  // `what`: "bgp_agent_map" or "bmp_agent_map" (messages).
  static userspace::Result<std::shared_ptr<const AgentMap>> load(const std::string& path,
                                                                 std::string_view what,
                                                                 std::uint32_t max_entries,
                                                                 std::uint32_t max_row_len,
                                                                 maps::LoadReport& report);
  static std::shared_ptr<const AgentMap> parse(std::string_view text, std::string_view file,
                                               std::string_view what, std::uint32_t max_entries,
                                               std::uint32_t max_row_len, maps::LoadReport& report);

  ~AgentMap();
  AgentMap(const AgentMap&) = delete;
  AgentMap& operator=(const AgentMap&) = delete;

  // The first matching row's target, null when none matches.
  const AgentTarget* lookup(const userspace::FlowRecord& r) const;
  // Every row matches on ip= only: the answer depends on the exporter alone
  // (the enrichment then looks it up once per exporter and batch).
  bool exporter_only() const { return exporter_only_; }
  std::size_t size() const;

 private:
  struct Rule;
  AgentMap();
  std::vector<Rule> rules_;
  bool exporter_only_ = true;
};

// The configured file and its current version (SIGUSR2 swaps it).
class AgentMapFile {
 public:
  struct Options {
    std::string path;
    std::string what = "bgp_agent_map";
    std::uint32_t max_entries = 384;
    std::uint32_t max_row_len = 256;
  };
  // Fails when the file cannot be read; warnings go to the "bgp" logger.
  static userspace::Result<std::unique_ptr<AgentMapFile>> create(Options options);

  // Re-reads the file; on failure the previous map stays (and the error says why).
  userspace::Status reload();
  std::shared_ptr<const AgentMap> current() const { return current_.load(std::memory_order_acquire); }
  const std::string& path() const { return options_.path; }

 private:
  explicit AgentMapFile(Options options) : options_(std::move(options)) {}
  userspace::Status load();

  Options options_;
  std::mutex reload_mu_;
  std::atomic<std::shared_ptr<const AgentMap>> current_;
};

}  // namespace xacct::bgp
