// See sflow_decoder.hpp. Datagram layouts: sFlow v5 (sflow.org
// sflow_version_5.txt: "sample_datagram_v5", "flow_sample",
// "flow_sample_expanded", "counters_sample[_expanded]") and sFlow v2/v4
// (RFC 3176 section 4: no sample lengths, so an unknown or bad sample ends
// the datagram).
#include "collector/sflow_decoder.hpp"

#include <chrono>
#include <string>

#include "collector/sflow_agents.hpp"
#include "collector/sflow_counter_sample.hpp"
#include "collector/sflow_flow_sample.hpp"
#include "collector/sflow_xdr.hpp"
#include "userspace/logging.hpp"
#include "userspace/primitive_encodings.hpp"

namespace xacct::collector {
namespace {

using sflow::AgentKey;
using sflow::AgentState;
using sflow::FlowSampleBuilder;
using userspace::Counter;
using userspace::FlowRecord;
using userspace::RecordBatch;

// v5 sample types (enterprise 0).
constexpr std::uint32_t kFlowSample = 1;
constexpr std::uint32_t kCounterSample = 2;
constexpr std::uint32_t kFlowSampleExpanded = 3;
constexpr std::uint32_t kCounterSampleExpanded = 4;
constexpr std::uint32_t kDropSample = 5;  // sFlow drop notifications: skipped (sfacctd too)

// Interface formats (v5: top 2 bits of the compact word, or a word of its own).
constexpr std::uint32_t kIfFormatIndex = 0;
constexpr std::uint32_t kIfFormatDiscard = 1;

// What one datagram's decoding accumulates besides the result.
struct Ctx {
  const Datagram* dgram = nullptr;
  FlowRecord base;
  AgentState* agent = nullptr;
  SflowCounters counters;
  DecodeResult res;
  RecordBatch* out = nullptr;
};

class SflowDecoder final : public DatagramDecoder {
 public:
  SflowDecoder(const SflowOptions& options, userspace::Stats& stats)
      : opt_(options),
        agents_(stats, options.max_agents),
        non_ip_(stats.counter("collector.sflow.non_ip_samples")),
        discarded_(stats.counter("collector.sflow.discarded_samples")),
        unknown_(stats.counter("collector.sflow.unknown_samples")),
        dropped_(stats.counter("collector.sflow.dropped_samples")),
        untracked_(stats.counter("collector.sflow.untracked_agents")),
        log_(userspace::get_logger("collector.sflow")) {}

  DecodeResult decode(const Datagram& dgram, RecordBatch& out) override;

 private:
  void error(Ctx& c, const char* what);
  bool v5_flow_sample(Ctx& c, XdrReader body, bool expanded);
  bool v4_flow_sample(Ctx& c, XdrReader& r, std::uint32_t version);
  void counter_sample(Ctx& c);
  void emit(Ctx& c, FlowSampleBuilder& b);

  SflowOptions opt_;
  sflow::AgentTable agents_;
  Counter& non_ip_;
  Counter& discarded_;
  Counter& unknown_;
  Counter& dropped_;
  Counter& untracked_;
  std::shared_ptr<spdlog::logger> log_;
  std::chrono::steady_clock::time_point last_log_{};
  std::uint64_t suppressed_ = 0;
};

void SflowDecoder::error(Ctx& c, const char* what) {
  ++c.res.decode_errors;
  if (c.agent != nullptr) c.agent->decode_errors->add();
  // At most one line per second per decoder thread: a broken exporter
  // sending thousands of datagrams must not flood the log.
  const auto now = std::chrono::steady_clock::now();
  if (now - last_log_ < std::chrono::seconds(1)) {
    ++suppressed_;
    return;
  }
  last_log_ = now;
  log_->warn("sFlow datagram from {}:{}: {} ({} bytes; {} similar messages suppressed)",
             userspace::ip_text(c.dgram->exporter), c.dgram->exporter_port, what, c.dgram->data.size(),
             suppressed_);
  suppressed_ = 0;
}

void SflowDecoder::emit(Ctx& c, FlowSampleBuilder& b) {
  if (!b.finish(opt_.use_ip_next_hop)) {
    c.out->pop_back();
    non_ip_.add();
    return;
  }
  ++c.res.records;
}

// The record a flow sample is built in: appended now, dropped again when
// the sample is malformed or not accountable.
FlowRecord& start_record(Ctx& c, std::uint32_t rate, std::uint32_t in_iface, std::uint32_t out_iface) {
  FlowRecord& r = c.out->emplace_back(c.base);
  r.sampling_rate = rate;
  r.in_iface = in_iface;
  r.out_iface = out_iface;
  return r;
}

// Format 0 is an ifIndex; 1 (discarded) and 2 (multiple) are not.
std::uint32_t if_value(std::uint32_t format, std::uint32_t value) {
  return format == kIfFormatIndex ? value : 0;
}

bool SflowDecoder::v5_flow_sample(Ctx& c, XdrReader body, bool expanded) {
  std::uint32_t seq = 0, rate = 0, pool = 0, drops = 0, n = 0;
  std::uint32_t in_fmt = 0, in_val = 0, out_fmt = 0, out_val = 0, skip = 0;
  if (!body.u32(seq)) return false;
  if (expanded) {
    if (!body.u32(skip) || !body.u32(skip)) return false;  // source id type, index
  } else if (!body.u32(skip)) {
    return false;
  }
  if (!body.u32(rate) || !body.u32(pool) || !body.u32(drops)) return false;
  if (expanded) {
    if (!body.u32(in_fmt) || !body.u32(in_val) || !body.u32(out_fmt) || !body.u32(out_val)) return false;
  } else {
    std::uint32_t in = 0, out = 0;
    if (!body.u32(in) || !body.u32(out)) return false;
    in_fmt = in >> 30;
    in_val = in & 0x3fffffff;
    out_fmt = out >> 30;
    out_val = out & 0x3fffffff;
  }
  if (!body.u32(n)) return false;
  if (out_fmt == kIfFormatDiscard) discarded_.add();
  FlowSampleBuilder b(start_record(c, rate, if_value(in_fmt, in_val), if_value(out_fmt, out_val)));
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint32_t format = 0, len = 0;
    XdrReader rec;
    if (!body.u32(format) || !body.u32(len) || !body.sub(len, rec) ||
        ((format >> 12) == 0 && !b.v5_record(format & 0xfff, rec))) {  // enterprise records: not ours
      c.out->pop_back();
      return false;
    }
  }
  emit(c, b);
  return true;
}

bool SflowDecoder::v4_flow_sample(Ctx& c, XdrReader& r, std::uint32_t version) {
  std::uint32_t seq = 0, source = 0, rate = 0, pool = 0, drops = 0, in = 0, out = 0, tag = 0, n = 0;
  if (!r.u32(seq) || !r.u32(source) || !r.u32(rate) || !r.u32(pool) || !r.u32(drops) || !r.u32(in) ||
      !r.u32(out) || !r.u32(tag)) {
    return false;
  }
  // RFC 3176: the top bit of output marks "sent to several interfaces".
  FlowSampleBuilder b(start_record(c, rate, in, (out & 0x80000000u) != 0 ? 0 : out));
  bool ok = b.v4_packet(tag, r) && r.u32(n);
  for (std::uint32_t i = 0; ok && i < n; ++i) {
    std::uint32_t ext = 0;
    ok = r.u32(ext) && b.v4_extended(ext, r, version);
  }
  if (!ok) {
    c.out->pop_back();
    return false;
  }
  emit(c, b);
  return true;
}

void SflowDecoder::counter_sample(Ctx& c) {
  ++c.res.options_records;
  if (c.agent != nullptr) c.agent->counter_samples->add();
}

DecodeResult SflowDecoder::decode(const Datagram& dgram, RecordBatch& out) {
  Ctx c;
  c.dgram = &dgram;
  c.out = &out;
  XdrReader r(dgram.data.data(), dgram.data.size());

  std::uint32_t version = 0, sub_id = 0, seq = 0, uptime = 0, n = 0;
  userspace::IpAddress agent;
  bool known = false;
  if (!r.u32(version)) {
    error(c, "shorter than a header");
    return c.res;
  }
  if (version != 2 && version != 4 && version != 5) {
    error(c, "not sFlow v2, v4 or v5");
    return c.res;
  }
  if (!sflow::read_address(r, agent, known) || (version == 5 && !r.u32(sub_id)) || !r.u32(seq) ||
      !r.u32(uptime) || !r.u32(n)) {
    error(c, "bad datagram header");
    return c.res;
  }
  if (!known) agent = dgram.exporter;

  c.base.peer_src_ip = agent;
  c.base.export_proto_version = static_cast<std::uint16_t>(version);
  c.base.export_proto_seqno = seq;
  c.base.export_proto_sysid = sub_id;
  c.base.arrival_ns = dgram.arrival_ns;
  c.counters.agent = agent;
  c.counters.sub_agent_id = sub_id;
  c.counters.datagram_seqno = seq;
  c.counters.arrival_ns = dgram.arrival_ns;

  c.agent = agents_.find(AgentKey{dgram.exporter, agent, sub_id});
  if (c.agent != nullptr) {
    c.agent->datagrams->add();
    const std::uint32_t lost = c.agent->seq.update(seq, uptime, kMaxSequenceGap);
    c.res.sequence_gaps += lost;
    c.agent->sequence_gaps->add(lost);
  } else {
    untracked_.add();
  }

  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint32_t type = 0;
    if (!r.u32(type)) {
      error(c, "fewer samples than its header says");
      break;
    }
    if (version == 5) {
      std::uint32_t len = 0;
      XdrReader body;
      if (!r.u32(len) || !r.sub(len, body)) {
        error(c, "sample length past the end of the datagram");
        break;
      }
      const bool ours = (type >> 12) == 0;
      const std::uint32_t format = type & 0xfff;
      if (ours && (format == kFlowSample || format == kFlowSampleExpanded)) {
        if (c.agent != nullptr) c.agent->flow_samples->add();
        if (!v5_flow_sample(c, body, format == kFlowSampleExpanded)) error(c, "malformed flow sample");
      } else if (ours && (format == kCounterSample || format == kCounterSampleExpanded)) {
        SflowCounters cs = c.counters;
        bool generic = false;
        if (!sflow::read_v5_counter_sample(body, format == kCounterSampleExpanded, cs, generic)) {
          error(c, "malformed counter sample");
          continue;
        }
        counter_sample(c);
        if (generic && opt_.on_counters) opt_.on_counters(cs);
        if (opt_.on_counter_sample)
          sflow::report_v5_counter_sample(body, format == kCounterSampleExpanded, c.counters,
                                          opt_.on_counter_sample);
      } else if (ours && format == kDropSample) {
        dropped_.add();
      } else {
        unknown_.add();
      }
      continue;
    }
    // v2/v4: the sample's size is only known by reading it.
    if (type == kFlowSample) {
      if (c.agent != nullptr) c.agent->flow_samples->add();
      if (!v4_flow_sample(c, r, version)) {
        error(c, "malformed v2/v4 flow sample");
        break;
      }
    } else if (type == kCounterSample) {
      SflowCounters cs = c.counters;
      bool generic = false;
      const XdrReader sample_start = r;
      if (!sflow::read_v4_counter_sample(r, cs, generic)) {
        error(c, "malformed v2/v4 counter sample");
        break;
      }
      counter_sample(c);
      if (generic && opt_.on_counters) opt_.on_counters(cs);
      if (opt_.on_counter_sample)
        sflow::report_v4_counter_sample(sample_start, version, c.counters, opt_.on_counter_sample);
    } else {
      unknown_.add();
      error(c, "unknown v2/v4 sample type");
      break;
    }
  }
  return c.res;
}

}  // namespace

std::unique_ptr<DatagramDecoder> make_sflow_decoder(const SflowOptions& options, userspace::Stats& stats) {
  return std::make_unique<SflowDecoder>(options, stats);
}

}  // namespace xacct::collector
