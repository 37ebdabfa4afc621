// See pcap_filter.hpp.
#include "userspace/filter/pcap_filter.hpp"

#include <pcap/pcap.h>

#include <algorithm>
#include <mutex>

namespace xacct::filter {
namespace {

// Frames are rebuilt with headers only, far below this.
constexpr int kSnaplen = 65535;

// pcap_compile() is thread-safe since libpcap 1.8; the lock keeps it safe
// on older ones too, and compiling happens at (re)load only.
std::mutex& compile_mutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

userspace::Result<std::shared_ptr<const PcapFilter>> PcapFilter::compile(std::string_view expression) {
  const std::string text(expression);
  std::lock_guard lock(compile_mutex());
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, kSnaplen);
  if (dead == nullptr) return userspace::make_error("pcap_open_dead failed");
  bpf_program prog{};
  // Optimized when libpcap can; its optimizer refuses expressions that can
  // never match ("tcp and udp": "expression rejects all packets"), which
  // pmacct (compiling unoptimized) accepts, so those compile unoptimized.
  if (pcap_compile(dead, &prog, text.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0 &&
      pcap_compile(dead, &prog, text.c_str(), 0, PCAP_NETMASK_UNKNOWN) != 0) {
    std::string message = pcap_geterr(dead);
    pcap_close(dead);
    return userspace::make_error(message);
  }
  pcap_close(dead);

  std::shared_ptr<PcapFilter> f(new PcapFilter());
  f->expression_ = text;
  f->length_ = prog.bf_len;
  f->insns_ = std::make_unique<bpf_insn[]>(prog.bf_len);
  std::copy_n(prog.bf_insns, prog.bf_len, f->insns_.get());
  pcap_freecode(&prog);
  return std::shared_ptr<const PcapFilter>(std::move(f));
}

PcapFilter::~PcapFilter() = default;

bool PcapFilter::matches(const RecordPacket& packet) const {
  bpf_program prog{length_, insns_.get()};
  pcap_pkthdr header{};
  header.caplen = packet.caplen;
  header.len = packet.len;
  return pcap_offline_filter(&prog, &header, packet.bytes.data()) != 0;
}

bool PcapFilter::matches(const userspace::FlowRecord& record) const {
  RecordPacket packet;
  build_record_packet(record, packet);
  return matches(packet);
}

}  // namespace xacct::filter
