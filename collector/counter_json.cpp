// See counter_json.hpp.
#include "collector/counter_json.hpp"

#include <initializer_list>
#include <string_view>

#include "collector/exporter_stats.hpp"
#include "collector/sflow_xdr.hpp"
#include "userspace/json_text.hpp"

namespace xacct::collector {
namespace {

constexpr std::size_t kGenericLen = 88;
constexpr std::size_t kEthernetLen = 52;
constexpr std::size_t kVlanLen = 28;

enum class Width : std::uint8_t { k32, k64 };
struct Field {
  std::string_view name;
  Width width;
};

// Field layouts of the counter blocks (sflow_version_5.txt, RFC 3176).
constexpr Field kGeneric[] = {
    {"ifIndex", Width::k32},
    {"ifType", Width::k32},
    {"ifSpeed", Width::k64},
    {"ifDirection", Width::k32},
    {"ifStatus", Width::k32},
    {"ifInOctets", Width::k64},
    {"ifInUcastPkts", Width::k32},
    {"ifInMulticastPkts", Width::k32},
    {"ifInBroadcastPkts", Width::k32},
    {"ifInDiscards", Width::k32},
    {"ifInErrors", Width::k32},
    {"ifInUnknownProtos", Width::k32},
    {"ifOutOctets", Width::k64},
    {"ifOutUcastPkts", Width::k32},
    {"ifOutMulticastPkts", Width::k32},
    {"ifOutBroadcastPkts", Width::k32},
    {"ifOutDiscards", Width::k32},
    {"ifOutErrors", Width::k32},
    {"ifPromiscuousMode", Width::k32},
};
constexpr Field kEthernet[] = {
    {"dot3StatsAlignmentErrors", Width::k32},
    {"dot3StatsFCSErrors", Width::k32},
    {"dot3StatsSingleCollisionFrames", Width::k32},
    {"dot3StatsMultipleCollisionFrames", Width::k32},
    {"dot3StatsSQETestErrors", Width::k32},
    {"dot3StatsDeferredTransmissions", Width::k32},
    {"dot3StatsLateCollisions", Width::k32},
    {"dot3StatsExcessiveCollisions", Width::k32},
    {"dot3StatsInternalMacTransmitErrors", Width::k32},
    {"dot3StatsCarrierSenseErrors", Width::k32},
    {"dot3StatsFrameTooLongs", Width::k32},
    {"dot3StatsInternalMacReceiveErrors", Width::k32},
    {"dot3StatsSymbolErrors", Width::k32},
};

void key(std::string_view k, std::string& out) {
  out += ", \"";
  out += k;
  out += "\": ";
}

// jansson prints json_int_t (signed 64 bits).
void number(std::string_view k, std::int64_t v, std::string& out) {
  key(k, out);
  out += std::to_string(v);
}

void text(std::string_view k, std::string_view v, std::string& out) {
  key(k, out);
  userspace::append_json_string(v, out);
}

// Reads the block's fields from `r` and appends them.
template <std::size_t N>
void block(const Field (&fields)[N], XdrReader& r, std::string& out) {
  for (const Field& f : fields) {
    std::uint64_t v = 0;
    if (f.width == Width::k64) {
      (void)r.u64(v);
    } else {
      std::uint32_t v32 = 0;
      (void)r.u32(v32);
      v = v32;
    }
    number(f.name, static_cast<std::int64_t>(v), out);
  }
}

// The VLAN block: vlan_id first in the data, last in the line.
void vlan_block(XdrReader& r, std::string& out) {
  std::uint32_t vlan = 0, ucast = 0, mcast = 0, bcast = 0, discards = 0;
  std::uint64_t octets = 0;
  (void)(r.u32(vlan) && r.u64(octets) && r.u32(ucast) && r.u32(mcast) && r.u32(bcast) && r.u32(discards));
  text("sf_cnt_type", "sflow_cnt_vlan", out);
  number("octets", static_cast<std::int64_t>(octets), out);
  number("ucastPkts", ucast, out);
  number("multicastPkts", mcast, out);
  number("broadcastPkts", bcast, out);
  number("discards", discards, out);
  number("vlan", vlan, out);
}

void head(const SflowCounterSampleView& s, const std::string& timestamp, const std::string& agent,
          std::uint64_t seq, std::string& out) {
  out += "{\"seq\": ";
  out += std::to_string(static_cast<std::int64_t>(seq));
  text("timestamp", timestamp, out);
  text("peer_ip_src", agent, out);
  text("event_type", "log", out);
  number("source_id_index", s.source_id_index, out);
  number("sflow_seq", s.datagram_seqno, out);
  number("sflow_cnt_seq", s.sample_seqno, out);
}

void v5_record(const SflowCounterRecordView& rec, std::string& out) {
  XdrReader r(rec.data.data(), rec.data.size());
  switch (rec.tag) {
    case 1:
      if (rec.data.size() < kGenericLen) return;
      text("sf_cnt_type", "sflow_cnt_generic", out);
      block(kGeneric, r, out);
      return;
    case 2:
      if (rec.data.size() < kEthernetLen) return;
      text("sf_cnt_type", "sflow_cnt_ethernet", out);
      block(kEthernet, r, out);
      return;
    case 5:
      if (rec.data.size() < kVlanLen) return;
      vlan_block(r, out);
      return;
    default:
      return;
  }
}

// v2/v4: false when the counters version gives no line.
bool v4_record(const SflowCounterRecordView& rec, std::string& out) {
  XdrReader r(rec.data.data(), rec.data.size());
  switch (rec.tag) {
    case 1:
    case 2: {
      if (rec.data.size() < kGenericLen + (rec.tag == 2 ? kEthernetLen : 0)) return false;
      text("sf_cnt_type", rec.tag == 2 ? "sflow_cnt_ethernet" : "sflow_cnt_generic", out);
      block(kGeneric, r, out);
      if (rec.tag == 2) block(kEthernet, r, out);
      return true;
    }
    case 7:
      if (rec.data.size() < kVlanLen) return false;
      vlan_block(r, out);
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string counter_agent_text(const userspace::IpAddress& agent) { return format_ip(agent); }

std::size_t append_counter_lines(const SflowCounterSampleView& sample, const std::string& timestamp,
                                 const std::string& agent, std::uint64_t seq, std::string& out) {
  std::size_t lines = 0;
  for (const SflowCounterRecordView& rec : sample.records) {
    const std::size_t mark = out.size();
    head(sample, timestamp, agent, seq + lines, out);
    const bool keep = sample.datagram_version == 5 ? (v5_record(rec, out), true) : v4_record(rec, out);
    if (!keep) {
      out.resize(mark);
      continue;
    }
    out += "}\n";
    ++lines;
  }
  return lines;
}

void append_log_init_line(const std::string& timestamp, const std::string& agent, std::uint64_t seq,
                          std::string& out) {
  out += "{\"seq\": ";
  out += std::to_string(static_cast<std::int64_t>(seq));
  text("timestamp", timestamp, out);
  text("peer_src_ip", agent, out);
  text("event_type", "log_init", out);
  out += "}\n";
}

}  // namespace xacct::collector
