// NetFlow v5, NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) decoding: one
// DatagramDecoder (collector/datagram.hpp) for all three, picked per datagram
// by the version field (5, 9, 10). Anything else is a decode error.
//
// State is kept per "domain" = (exporter address, version, source id):
// NetFlow v5 engine_type/engine_id, v9 source ID, IPFIX observation domain.
// Each domain has its templates and options templates, its sequence number
// (gap counting: lost records for v5 and IPFIX, lost datagrams for v9), the
// sampling options it sent (sampler id -> interval, algorithm; or one
// default interval), interface names (IE 82) and the exporter address
// announced in options (IE 130/131), which then replaces the socket address
// as peer_src_ip (pmacct's precedence; IE 130/131 inside flow records are not
// used, as in pmacct, because the socket address always exists).
//
// Every record gets peer_src_ip, arrival_ns, export_ns (header time),
// export_proto_version/seqno/sysid (v5 engine_id, v9 source ID, IPFIX
// observation domain), flows (1, or IE 3) and sampling_rate (inline IE 34/50,
// else the sampler named by IE 48/302 in the record, else the domain's
// default from options, else the v5 header's interval; 0 = unknown).
//
// Data sets whose template is not known yet are copied and kept for
// `pending_timeout_ns` (bounded by `pending_max_bytes` per decoder); they are
// decoded when the template arrives (the records are appended to the batch
// of the datagram that carried the template) and counted in the stats
// "collector.netflow.pending_{buffered,decoded,expired,dropped}" otherwise.
//
// Templates are written to `templates_file` when they change (coalesced: at
// most once a second, and on destruction / flush_templates()) and read back
// when a decoder is made, so data arriving right after a restart decodes.
// Decoders of one process that name the same file share one writer. Format:
// JSON lines, one template per line (see collector/template_file.hpp):
//   {"exporter":"192.0.2.1","version":10,"domain":4242,"id":256,"options":0,"scope":0,
//    "fields":[[8,4,0],[12,4,0],[1,8,0],[40000,4,9]]}
// fields are [element id, length (65535 = variable), enterprise number].
//
// Malformed input (wrong lengths, zero-length sets, absurd field counts,
// templates longer than any datagram, records cut short) is counted in
// DecodeResult::decode_errors and the rest of the set or datagram is dropped;
// nothing throws. Rejected datagrams are logged with the exporter address
// (logger "collector.netflow", at most one line a second per decoder).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "collector/datagram.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/stats.hpp"

namespace xacct::collector {

// Bytes a buffered data set is charged beyond its own length (its header
// context and bookkeeping), so that many tiny sets are bounded too.
inline constexpr std::size_t kNetflowPendingSetOverhead = 128;

struct NetflowOptions {
  // nfacctd_templates_file; empty: templates are not persisted.
  std::string templates_file;
  // How long a data set whose template is unknown is kept (nanoseconds of
  // Datagram::arrival_ns), and how many bytes of such sets one decoder keeps
  // (each set costs its length plus kNetflowPendingSetOverhead).
  std::int64_t pending_timeout_ns = 5'000'000'000;
  std::size_t pending_max_bytes = 4u << 20;
  // use_ip_next_hop: the IP next hop (v5 nexthop, IE 15/62) becomes
  // peer_dst_ip when the record has no BGP next hop (IE 18/63).
  bool use_ip_next_hop = false;
  // nfacctd_time_secs: the exporter counts sysUptime and the v5 / v9
  // first/last switched times (IE 21/22) in seconds, not milliseconds.
  bool time_secs = false;
  // IE 32/139 (icmpTypeCodeIPv4/IPv6, type * 256 + code) as dst_port when
  // the record has no port: nfdump does this; pmacct 1.7.7 does not (it
  // reads ports from IE 7/11 only, which is where nfprobe puts the ICMP
  // type/code; softflowd uses IE 32), so off by default.
  bool icmp_type_in_dst_port = false;
  // Bounds against exporters that send nonsense: domains kept per decoder,
  // templates per domain (further ones are counted as decode errors).
  std::size_t max_domains = 65536;
  std::size_t max_templates_per_domain = 4096;
};

// Sampling announced by an exporter in options records.
struct NetflowSampler {
  std::uint32_t interval = 0;  // 1-out-of-N
  std::uint8_t algorithm = 0;  // IE 35 / 49 / 304 as sent
};

class NetflowDecoder : public DatagramDecoder {
 public:
  // What options records said, for lookups outside the data path (tests,
  // interface names for later use). Not synchronised with decode(): call
  // them from the decoding thread. `domain` is the source id / observation
  // domain (v5: engine_type << 8 | engine_id); version 5, 9 or 10.
  virtual std::optional<std::string> interface_name(const userspace::IpAddress& exporter,
                                                    std::uint16_t version, std::uint32_t domain,
                                                    std::uint32_t ifindex) const = 0;
  // sampler_id 0 with `default_sampler`: the interval sent without sampler id.
  virtual std::optional<NetflowSampler> sampler(const userspace::IpAddress& exporter, std::uint16_t version,
                                                std::uint32_t domain, std::uint32_t sampler_id,
                                                bool default_sampler = false) const = 0;
  // Templates (data and options) known over all domains.
  virtual std::size_t template_count() const = 0;
  // Writes the templates file now if anything changed since the last write.
  virtual void flush_templates() = 0;
};

// Registers its counters in `stats` ("collector.netflow.*", shared by every
// decoder of the process) and loads `options.templates_file` if it exists
// (a missing file is not an error; unreadable lines are counted in
// "collector.netflow.templates_file_errors" and skipped).
std::unique_ptr<NetflowDecoder> make_netflow_decoder(const NetflowOptions& options, userspace::Stats& stats);

}  // namespace xacct::collector
