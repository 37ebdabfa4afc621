// See capture_stats.hpp.
#include "probe/capture/capture_stats.hpp"

namespace xacct::capture {

SourceCounters::SourceCounters(userspace::Stats& stats, const std::string& source)
    : prefix_("capture." + source + "."),
      received_(stats.counter(prefix_ + "received")),
      ip_packets_(stats.counter(prefix_ + "ip_packets")),
      ip_bytes_(stats.counter(prefix_ + "ip_bytes")),
      partial_(stats.counter(prefix_ + "partial")),
      not_parsed_(stats.counter(prefix_ + "not_parsed")),
      non_ip_(stats.counter(prefix_ + "not_parsed_non_ip")),
      truncated_(stats.counter(prefix_ + "not_parsed_truncated")),
      malformed_(stats.counter(prefix_ + "not_parsed_malformed")),
      frag_first_(stats.counter(prefix_ + "frag_first")),
      frag_ports_(stats.counter(prefix_ + "frag_ports")),
      frag_no_first_(stats.counter(prefix_ + "frag_no_first")),
      frag_evictions_(stats.counter(prefix_ + "frag_evictions")) {}

void SourceCounters::publish(PacketTally& t) {
  // Counts first, `received` last: a concurrent reader sees received <=
  // ip_packets + not_parsed, never a packet in neither.
  if (t.ip_packets != 0) ip_packets_.add(t.ip_packets);
  if (t.ip_bytes != 0) ip_bytes_.add(t.ip_bytes);
  if (t.partial != 0) partial_.add(t.partial);
  if (t.non_ip != 0) non_ip_.add(t.non_ip);
  if (t.truncated != 0) truncated_.add(t.truncated);
  if (t.malformed != 0) malformed_.add(t.malformed);
  if (t.frag_first != 0) frag_first_.add(t.frag_first);
  if (t.frag_ports != 0) frag_ports_.add(t.frag_ports);
  if (t.frag_no_first != 0) frag_no_first_.add(t.frag_no_first);
  if (t.frag_evictions != 0) frag_evictions_.add(t.frag_evictions);
  const std::uint64_t not_parsed = t.non_ip + t.truncated + t.malformed;
  if (not_parsed != 0) not_parsed_.add(not_parsed);
  if (t.received != 0) received_.add(t.received);
  t = PacketTally{};
}

}  // namespace xacct::capture
