// PcapFilter: a libpcap filter expression (tcpdump syntax) compiled once
// for Ethernet frames (DLT_EN10MB, as pmacct compiles pre_tag_map filters
// and aggregate_filter for non-live inputs) and run on records through the
// packet rebuilt from them (record_packet.hpp, which lists what a filter
// can see). Immutable after compile(); matches() is reentrant (libpcap's
// BPF interpreter, no shared state), so one filter serves every thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "userspace/filter/record_packet.hpp"
#include "userspace/flow_record.hpp"
#include "userspace/result.hpp"

struct bpf_insn;  // <pcap/bpf.h>, kept out of this header

namespace xacct::filter {

class PcapFilter {
 public:
  // The error is libpcap's message ("syntax error", "unknown host 'x'").
  static userspace::Result<std::shared_ptr<const PcapFilter>> compile(std::string_view expression);
  ~PcapFilter();
  PcapFilter(const PcapFilter&) = delete;
  PcapFilter& operator=(const PcapFilter&) = delete;

  bool matches(const RecordPacket& packet) const;
  // Rebuilds the packet; to run several filters on one record, build the
  // RecordPacket once and use the overload above.
  bool matches(const userspace::FlowRecord& record) const;

  const std::string& expression() const { return expression_; }

 private:
  PcapFilter() = default;

  std::string expression_;
  unsigned length_ = 0;
  std::unique_ptr<bpf_insn[]> insns_;
};

}  // namespace xacct::filter
