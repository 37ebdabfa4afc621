// See netflow_decoder.hpp. Layout of this file: per-domain state, the three
// header parsers (v5: RFC-less Cisco format; v9: RFC 3954 section 5; IPFIX:
// RFC 7011 section 3.1), template and options template sets (RFC 3954
// sections 5.2/6.1, RFC 7011 sections 3.4.1/3.4.2 incl. withdrawal 8.1),
// data sets, options records, and the buffer of data sets waiting for their
// template.
#include "collector/netflow_decoder.hpp"

#include <arpa/inet.h>

#include <deque>
#include <limits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "collector/nf_bytes.hpp"
#include "collector/nf_fields.hpp"
#include "collector/nf_record.hpp"
#include "collector/template_file.hpp"
#include "userspace/logging.hpp"
#include "userspace/primitive_encodings.hpp"

namespace xacct::collector {

namespace {

using nf::ByteReader;
using nf::DomainKey;
using nf::FieldSpec;
using nf::RecordScratch;
using nf::Template;
using nf::TemplateDef;
using userspace::FlowRecord;
using userspace::IpAddress;
using userspace::RecordBatch;

constexpr std::int64_t kNsPerSec = 1'000'000'000;
constexpr std::int64_t kNsPerMs = 1'000'000;
// Unix ms beyond which ns no longer fit an int64 (year 2255).
constexpr std::uint64_t kMaxMillis = 9'000'000'000'000ull;
constexpr std::size_t kV5HeaderLen = 24;
constexpr std::size_t kV5RecordLen = 48;
constexpr std::size_t kV9HeaderLen = 20;
constexpr std::size_t kIpfixHeaderLen = 16;
constexpr std::size_t kMaxSamplersPerDomain = 4096;
constexpr std::size_t kMaxIfNamesPerDomain = 65536;
constexpr std::size_t kMaxIfNameLen = 255;
constexpr std::size_t kPrefetchRecords = 3;

inline void prefetch_for_write(const FlowRecord* r) {
  const auto* p = reinterpret_cast<const char*>(r);
#pragma GCC unroll 16
  for (std::size_t off = 0; off < sizeof(FlowRecord); off += 64) __builtin_prefetch(p + off, 1, 3);
  __builtin_prefetch(p + sizeof(FlowRecord) - 1, 1, 3);
}

struct Domain {
  DomainKey key;
  std::unordered_map<std::uint16_t, Template> templates;
  bool seq_valid = false;
  std::uint32_t next_seq = 0;
  std::unordered_map<std::uint32_t, NetflowSampler> samplers;
  bool has_default_sampler = false;
  NetflowSampler default_sampler;
  std::unordered_map<std::uint32_t, std::string> ifnames;
  bool has_exporter_override = false;
  IpAddress exporter_override;
  bool has_sys_init = false;
  std::uint64_t sys_init_ms = 0;
};

// What the message header says, for every record of the message.
struct MessageContext {
  IpAddress exporter;  // socket source
  std::int64_t arrival_ns = 0;
  std::int64_t export_ns = 0;
  std::uint32_t uptime_ms = 0;  // v9 sysUptime
  std::uint32_t seqno = 0;
  std::uint32_t sysid = 0;
  std::uint16_t version = 0;
};

struct PendingSet {
  Domain* domain;
  std::uint16_t template_id;
  MessageContext ctx;
  std::vector<std::uint8_t> body;
};

// Unix ns of an uptime-relative time (ms): export time minus how long before
// the export it was. uptime - t is taken modulo 2^32 and read as signed, so
// a sysUptime that wrapped after `t` still gives a small positive age, and a
// `t` slightly after sysUptime (exporters that stamp late) a small negative
// one; never an underflowed 49-day age.
// `unit_ns`: 1 ms, or 1 s with nfacctd_time_secs.
std::int64_t uptime_to_ns(std::int64_t export_ns, std::uint32_t uptime_ms, std::uint32_t t_ms,
                          std::int64_t unit_ns = kNsPerMs) {
  const auto age_ms = static_cast<std::int32_t>(uptime_ms - t_ms);
  const std::int64_t ns = export_ns - static_cast<std::int64_t>(age_ms) * unit_ns;
  return ns > 0 ? ns : 0;
}

class NetflowDecoderImpl final : public NetflowDecoder {
 public:
  NetflowDecoderImpl(const NetflowOptions& options, userspace::Stats& stats)
      : options_(options),
        log_(userspace::get_logger("collector.netflow")),
        pending_buffered_(stats.counter("collector.netflow.pending_buffered")),
        pending_decoded_(stats.counter("collector.netflow.pending_decoded")),
        pending_expired_(stats.counter("collector.netflow.pending_expired")),
        pending_dropped_(stats.counter("collector.netflow.pending_dropped")),
        templates_learned_(stats.counter("collector.netflow.templates_learned")),
        templates_withdrawn_(stats.counter("collector.netflow.templates_withdrawn")),
        templates_loaded_(stats.counter("collector.netflow.templates_loaded")),
        templates_file_errors_(stats.counter("collector.netflow.templates_file_errors")) {
    if (!options_.templates_file.empty()) {
      file_ = nf::TemplateFile::open(options_.templates_file);
      templates_file_errors_.add(file_->load_errors());
      for (const nf::StoredTemplate& t : file_->entries()) {
        Domain* d = domain(t.key);
        if (d == nullptr) break;
        auto compiled = nf::compile_template(t.key.version, t.def);
        if (!compiled) {
          templates_file_errors_.add();
          continue;
        }
        d->templates[t.def.id] = std::move(*compiled);
        templates_loaded_.add();
      }
    }
  }

  ~NetflowDecoderImpl() override { flush_templates(); }

  DecodeResult decode(const Datagram& dgram, RecordBatch& out) override {
    DecodeResult res;
    expire_pending(dgram.arrival_ns);
    const std::size_t n = dgram.data.size();
    if (n < 2) {
      bad(res, dgram, "datagram shorter than a version field");
      return res;
    }
    const std::uint16_t version = nf::load_be16(dgram.data.data());
    switch (version) {
      case 5:
        decode_v5(dgram, res, out);
        break;
      case 9:
        decode_v9(dgram, res, out);
        break;
      case 10:
        decode_ipfix(dgram, res, out);
        break;
      default:
        bad(res, dgram, "unknown version");
        break;
    }
    if (file_) {
      auto st = file_->maybe_write(dgram.arrival_ns);
      if (!st) file_error(st.error().message);
    }
    return res;
  }

  std::optional<std::string> interface_name(const IpAddress& exporter, std::uint16_t version,
                                            std::uint32_t dom, std::uint32_t ifindex) const override {
    auto it = domains_.find(DomainKey{exporter, version, dom});
    if (it == domains_.end()) return std::nullopt;
    auto n = it->second.ifnames.find(ifindex);
    if (n == it->second.ifnames.end()) return std::nullopt;
    return n->second;
  }

  std::optional<NetflowSampler> sampler(const IpAddress& exporter, std::uint16_t version, std::uint32_t dom,
                                        std::uint32_t sampler_id, bool default_sampler) const override {
    auto it = domains_.find(DomainKey{exporter, version, dom});
    if (it == domains_.end()) return std::nullopt;
    const Domain& d = it->second;
    if (default_sampler) {
      if (!d.has_default_sampler) return std::nullopt;
      return d.default_sampler;
    }
    auto s = d.samplers.find(sampler_id);
    if (s == d.samplers.end()) return std::nullopt;
    return s->second;
  }

  std::size_t template_count() const override {
    std::size_t n = 0;
    for (const auto& [k, d] : domains_) n += d.templates.size();
    return n;
  }

  void flush_templates() override {
    if (!file_) return;
    auto st = file_->write();
    if (!st) file_error(st.error().message);
  }

 private:
  // ---- state ----
  Domain* domain(const DomainKey& key) {
    if (last_domain_ != nullptr && last_domain_->key == key) return last_domain_;
    auto it = domains_.find(key);
    if (it == domains_.end()) {
      if (domains_.size() >= options_.max_domains) return nullptr;
      it = domains_.emplace(key, Domain{}).first;
      it->second.key = key;
    }
    last_domain_ = &it->second;
    return last_domain_;
  }

  void bad(DecodeResult& res, const Datagram& dgram, const char* what) {
    ++res.decode_errors;
    log_limited(dgram, what);
  }

  void log_limited(const Datagram& dgram, const char* what) {
    if (dgram.arrival_ns - last_log_ns_ < kNsPerSec && last_log_ns_ != 0 &&
        dgram.arrival_ns >= last_log_ns_) {
      ++suppressed_;
      return;
    }
    last_log_ns_ = dgram.arrival_ns;
    log_->warn("exporter {}: {} ({} bytes; {} more suppressed)", userspace::ip_text(dgram.exporter), what,
               dgram.data.size(), suppressed_);
    suppressed_ = 0;
  }

  void file_error(const std::string& msg) {
    templates_file_errors_.add();
    log_->error("{}", msg);
  }

  // Sequence numbers (RFC 7011 section 3.1, RFC 3954 section 5.1): a jump
  // forward is loss; a jump backward (reordering, exporter restart) resyncs
  // without counting.
  static std::uint32_t sequence_gap(Domain& d, std::uint32_t seq) {
    std::uint32_t gap = 0;
    if (d.seq_valid) {
      const std::uint32_t diff = seq - d.next_seq;
      if (diff != 0 && diff < 0x80000000u) gap = diff;
    }
    return gap;
  }

  // ---- NetFlow v5 ----
  void decode_v5(const Datagram& dgram, DecodeResult& res, RecordBatch& out) {
    const std::uint8_t* p = dgram.data.data();
    const std::size_t n = dgram.data.size();
    if (n < kV5HeaderLen) return bad(res, dgram, "v5 header truncated");
    const std::uint16_t count = nf::load_be16(p + 2);
    if (kV5HeaderLen + std::size_t{count} * kV5RecordLen > n)
      return bad(res, dgram, "v5 count exceeds datagram");
    MessageContext ctx;
    ctx.exporter = dgram.exporter;
    ctx.arrival_ns = dgram.arrival_ns;
    ctx.uptime_ms = nf::load_be32(p + 4);
    const std::uint32_t secs = nf::load_be32(p + 8);
    const std::uint32_t nsecs = nf::load_be32(p + 12);
    ctx.export_ns = static_cast<std::int64_t>(secs) * kNsPerSec + (nsecs < kNsPerSec ? nsecs : 0);
    ctx.seqno = nf::load_be32(p + 16);
    const std::uint8_t engine_type = p[20];
    const std::uint8_t engine_id = p[21];
    ctx.sysid = engine_id;
    ctx.version = 5;
    // Top 2 bits: sampling mode; low 14 bits: the interval.
    const std::uint32_t rate = nf::load_be16(p + 22) & 0x3fffu;

    Domain* d =
        domain(DomainKey{dgram.exporter, 5, static_cast<std::uint32_t>(engine_type) << 8 | engine_id});
    if (d != nullptr) {
      res.sequence_gaps += sequence_gap(*d, ctx.seqno);
      d->seq_valid = true;
      d->next_seq = ctx.seqno + count;
    }
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint8_t* q = p + kV5HeaderLen + i * kV5RecordLen;
      FlowRecord& r = out.emplace_back();
      r.src_host = nf::ipv4_address(q);
      r.dst_host = nf::ipv4_address(q + 4);
      if (options_.use_ip_next_hop) r.peer_dst_ip = nf::ipv4_address(q + 8);
      r.in_iface = nf::load_be16(q + 12);
      r.out_iface = nf::load_be16(q + 14);
      r.packets = nf::load_be32(q + 16);
      r.bytes = nf::load_be32(q + 20);
      r.first_ns = uptime_to_ns(ctx.export_ns, ctx.uptime_ms, nf::load_be32(q + 24), uptime_unit_ns_);
      r.last_ns = uptime_to_ns(ctx.export_ns, ctx.uptime_ms, nf::load_be32(q + 28), uptime_unit_ns_);
      r.proto = q[38];
      r.tos = q[39];
      // As pmacct: ports only for TCP/UDP (dst port also for ICMP: type and
      // code), TCP flags only for TCP.
      if (r.proto == 6 || r.proto == 17) r.src_port = nf::load_be16(q + 32);
      if (r.proto == 6 || r.proto == 17 || r.proto == 1 || r.proto == 58) r.dst_port = nf::load_be16(q + 34);
      if (r.proto == 6) r.tcp_flags = q[37];
      r.src_as = nf::load_be16(q + 40);
      r.dst_as = nf::load_be16(q + 42);
      r.src_mask = q[44];
      r.dst_mask = q[45];
      r.etype = 0x0800;
      r.flows = 1;
      r.sampling_rate = rate;
      r.peer_src_ip = dgram.exporter;
      r.arrival_ns = ctx.arrival_ns;
      r.export_ns = ctx.export_ns;
      r.export_proto_version = 5;
      r.export_proto_seqno = ctx.seqno;
      r.export_proto_sysid = ctx.sysid;
    }
    res.records += count;
  }

  // ---- NetFlow v9 ----
  void decode_v9(const Datagram& dgram, DecodeResult& res, RecordBatch& out) {
    ByteReader rd(dgram.data.data(), dgram.data.size());
    if (rd.remaining() < kV9HeaderLen) return bad(res, dgram, "v9 header truncated");
    MessageContext ctx;
    rd.u16();
    rd.u16();  // count: not trusted (softflowd counts data records only), sets are walked instead
    ctx.exporter = dgram.exporter;
    ctx.arrival_ns = dgram.arrival_ns;
    ctx.uptime_ms = rd.u32();
    ctx.export_ns = static_cast<std::int64_t>(rd.u32()) * kNsPerSec;
    ctx.seqno = rd.u32();
    ctx.sysid = rd.u32();
    ctx.version = 9;
    Domain* d = domain(DomainKey{dgram.exporter, 9, ctx.sysid});
    if (d == nullptr) return bad(res, dgram, "too many exporters/source ids");
    // v9 numbers export packets, not records.
    res.sequence_gaps += sequence_gap(*d, ctx.seqno);
    d->seq_valid = true;
    d->next_seq = ctx.seqno + 1;
    walk_sets(dgram, rd, *d, ctx, res, out);
  }

  // ---- IPFIX ----
  void decode_ipfix(const Datagram& dgram, DecodeResult& res, RecordBatch& out) {
    const std::size_t n = dgram.data.size();
    if (n < kIpfixHeaderLen) return bad(res, dgram, "IPFIX header truncated");
    const std::uint8_t* p = dgram.data.data();
    const std::uint16_t length = nf::load_be16(p + 2);
    if (length < kIpfixHeaderLen || length > n) return bad(res, dgram, "IPFIX message length does not match");
    MessageContext ctx;
    ctx.exporter = dgram.exporter;
    ctx.arrival_ns = dgram.arrival_ns;
    ctx.export_ns = static_cast<std::int64_t>(nf::load_be32(p + 4)) * kNsPerSec;
    ctx.seqno = nf::load_be32(p + 8);
    ctx.sysid = nf::load_be32(p + 12);
    ctx.version = 10;
    Domain* d = domain(DomainKey{dgram.exporter, 10, ctx.sysid});
    if (d == nullptr) return bad(res, dgram, "too many exporters/observation domains");
    ByteReader rd(p + kIpfixHeaderLen, length - kIpfixHeaderLen);
    res.sequence_gaps += sequence_gap(*d, ctx.seqno);
    const std::uint32_t seq = ctx.seqno;
    // IPFIX numbers data records (options records included): the next
    // expected number is known only if every data set of this message was
    // decoded.
    unknown_record_count_ = false;
    const std::uint32_t records = walk_sets(dgram, rd, *d, ctx, res, out);
    d->seq_valid = !unknown_record_count_;
    d->next_seq = seq + records;
  }

  // Walks the sets of a v9 or IPFIX message; returns the number of data and
  // options records decoded from this message's own data sets.
  std::uint32_t walk_sets(const Datagram& dgram, ByteReader& rd, Domain& d, const MessageContext& ctx,
                          DecodeResult& res, RecordBatch& out) {
    const bool v9 = ctx.version == 9;
    const std::uint16_t template_set = v9 ? 0 : 2;
    const std::uint16_t options_set = v9 ? 1 : 3;
    std::uint32_t records = 0;
    bool stopped = false;
    while (rd.remaining() >= 4) {
      const std::uint8_t* set_start = rd.cursor();
      const std::uint16_t set_id = nf::load_be16(set_start);
      const std::uint16_t set_len = nf::load_be16(set_start + 2);
      if (set_len < 4 || set_len > rd.remaining()) {
        // v9 exporters pad the message end with zeros: a zero set header
        // there is padding, not a set.
        if (v9 && set_id == 0 && set_len == 0 && all_zero(set_start, rd.remaining())) break;
        bad(res, dgram, set_len < 4 ? "set length below 4" : "set longer than the message");
        unknown_record_count_ = true;
        stopped = true;
        break;
      }
      rd.take(set_len);
      const std::uint8_t* body = set_start + 4;
      const std::size_t body_len = set_len - 4u;
      if (set_id == template_set || set_id == options_set) {
        parse_template_set(dgram, d, set_id == options_set, body, body_len, ctx, res);
      } else if (set_id >= 256) {
        auto it = d.templates.find(set_id);
        if (it == d.templates.end()) {
          ++res.template_misses;
          unknown_record_count_ = true;
          buffer_pending(d, set_id, ctx, body, body_len);
        } else {
          records += decode_data_set(dgram, d, it->second, body, body_len, ctx, res, out);
        }
      }  // 2..255 in v9, 0/1/4..255 in IPFIX: reserved, skipped by length
    }
    if (!stopped && rd.remaining() != 0 && !all_zero(rd.cursor(), rd.remaining())) {
      bad(res, dgram, "trailing bytes after the last set");
    }
    // Buffered data sets of templates this message defined are decoded after
    // the whole message, so that its options (sampling, exporter address)
    // apply to them as to the message's own data.
    for (std::uint16_t id : learned_) {
      if (d.templates.count(id)) replay_pending(dgram, d, id, res, out);
    }
    learned_.clear();
    return records;
  }

  static bool all_zero(const std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      if (p[i] != 0) return false;
    }
    return true;
  }

  // ---- templates ----
  void parse_template_set(const Datagram& dgram, Domain& d, bool options, const std::uint8_t* body,
                          std::size_t len, const MessageContext& ctx, DecodeResult& res) {
    ByteReader rd(body, len);
    const bool v9 = ctx.version == 9;
    while (rd.remaining() >= 4) {
      const std::uint16_t id = nf::load_be16(rd.cursor());
      if (id == 0 && all_zero(rd.cursor(), rd.remaining())) return;  // padding
      TemplateDef def;
      def.id = rd.u16();
      def.options = options;
      std::size_t field_count = 0;
      if (v9 && options) {
        // RFC 3954 section 6.1: scope and option lengths in bytes.
        if (rd.remaining() < 4) return bad(res, dgram, "v9 options template truncated");
        const std::uint16_t scope_len = rd.u16();
        const std::uint16_t option_len = rd.u16();
        if (scope_len % 4 != 0 || option_len % 4 != 0 || scope_len == 0 ||
            std::size_t{scope_len} + option_len > rd.remaining()) {
          return bad(res, dgram, "v9 options template lengths invalid");
        }
        def.scope_count = static_cast<std::uint16_t>(scope_len / 4);
        field_count = (std::size_t{scope_len} + option_len) / 4u;
      } else {
        field_count = rd.u16();
        if (!v9 && field_count == 0) {
          withdraw(dgram, d, def.id, options, res);
          continue;
        }
        if (!v9 && options) {
          if (rd.remaining() < 2) return bad(res, dgram, "IPFIX options template truncated");
          def.scope_count = rd.u16();
          if (def.scope_count == 0 || def.scope_count > field_count) {
            return bad(res, dgram, "IPFIX options template scope count invalid");
          }
        }
      }
      if (def.id < 256) return bad(res, dgram, "template id below 256");
      // Each field takes at least 4 bytes: a count beyond that is absurd.
      if (field_count == 0 || field_count > rd.remaining() / 4) {
        return bad(res, dgram, "template field count exceeds the set");
      }
      def.fields.reserve(field_count);
      for (std::size_t i = 0; i < field_count; ++i) {
        FieldSpec f;
        const std::uint16_t raw = rd.u16();
        f.length = rd.u16();
        if (!v9 && (raw & 0x8000u)) f.pen = rd.u32();  // RFC 7011 section 3.2: enterprise bit
        f.id = v9 ? raw : static_cast<std::uint16_t>(raw & 0x7fffu);
        def.fields.push_back(f);
      }
      if (!rd.ok()) return bad(res, dgram, "template truncated");
      learn(dgram, d, std::move(def), ctx, res);
    }
  }

  void learn(const Datagram& dgram, Domain& d, TemplateDef def, const MessageContext& ctx,
             DecodeResult& res) {
    auto it = d.templates.find(def.id);
    if (it != d.templates.end() && it->second.def == def) return;  // refresh
    if (it == d.templates.end() && d.templates.size() >= options_.max_templates_per_domain) {
      return bad(res, dgram, "too many templates for one domain");
    }
    const std::uint16_t id = def.id;
    auto compiled = nf::compile_template(ctx.version, def);
    if (!compiled) {
      // A template that can never describe a record (zero length, longer
      // than any set): forget any older template of that id as well.
      if (it != d.templates.end()) d.templates.erase(it);
      return bad(res, dgram, "template with no usable record length");
    }
    templates_learned_.add();
    if (file_) file_->put(d.key, compiled->def);
    d.templates[id] = std::move(*compiled);
    if (!pending_.empty()) learned_.push_back(id);
  }

  void withdraw(const Datagram& dgram, Domain& d, std::uint16_t id, bool options, DecodeResult& res) {
    // RFC 7011 section 8.1: id 2 (template set) / 3 (options template set)
    // with no fields withdraws all templates of that kind.
    const std::uint16_t all_id = options ? 3 : 2;
    if (id == all_id) {
      for (auto it = d.templates.begin(); it != d.templates.end();) {
        if (it->second.def.options == options) {
          if (file_) file_->remove(d.key, it->first);
          templates_withdrawn_.add();
          it = d.templates.erase(it);
        } else {
          ++it;
        }
      }
      return;
    }
    if (id < 256) return bad(res, dgram, "withdrawal of a template id below 256");
    if (d.templates.erase(id) != 0) {
      templates_withdrawn_.add();
      if (file_) file_->remove(d.key, id);
    }
  }

  // ---- data ----
  std::uint32_t decode_data_set(const Datagram& dgram, Domain& d, const Template& t, const std::uint8_t* body,
                                std::size_t len, const MessageContext& ctx, DecodeResult& res,
                                RecordBatch& out) {
    std::size_t off = 0;
    std::uint32_t n = 0;
    // Whatever is left that cannot hold a record is padding (RFC 7011
    // section 3.3.1, RFC 3954 section 5.3).
    while (len - off >= t.min_length) {
      RecordScratch s;
      std::size_t used = 0;
      if (t.def.options) {
        FlowRecord r;
        used = nf::decode_record(t, body + off, len - off, s, r);
        if (used == 0) break;
        apply_options(d, s, r);
        ++res.options_records;
      } else {
        // The batch buffer was last read by a plugin thread on the other
        // core: ask for its lines for writing a few records ahead, so the
        // record's initialisation does not stall on each of them in turn.
        if (out.size() + kPrefetchRecords < out.capacity()) {
          prefetch_for_write(out.data() + out.size() + kPrefetchRecords);
        }
        FlowRecord& r = out.emplace_back();
        used = nf::decode_record(t, body + off, len - off, s, r);
        if (used == 0) {
          out.pop_back();
          break;
        }
        finish_record(d, ctx, s, r);
        ++res.records;
      }
      off += used;
      ++n;
    }
    if (off < len && n == 0 && !all_zero(body + off, len - off)) {
      bad(res, dgram, "data set shorter than one record of its template");
    } else if (off < len && len - off >= t.min_length) {
      bad(res, dgram, "record runs past the end of its set");
    }
    return n;
  }

  void finish_record(const Domain& d, const MessageContext& ctx, const RecordScratch& s, FlowRecord& r) {
    nf::finish_frame_and_labels(s, r);
    if (r.first_ns == 0) {
      if (s.have & nf::kHaveStartUptime)
        r.first_ns = uptime_time(d, ctx, s, s.start_uptime);
      else if (s.have & nf::kHaveStartDelta)
        r.first_ns = delta_time(ctx, s.start_delta_us);
    }
    if (r.last_ns == 0) {
      if (s.have & nf::kHaveEndUptime)
        r.last_ns = uptime_time(d, ctx, s, s.end_uptime);
      else if (s.have & nf::kHaveEndDelta)
        r.last_ns = delta_time(ctx, s.end_delta_us);
    }
    if (!(s.have & nf::kHaveBgpNextHop) && options_.use_ip_next_hop && (s.have & nf::kHaveIpNextHop)) {
      r.peer_dst_ip = s.ip_next_hop;
    }
    if (options_.icmp_type_in_dst_port && (s.have & nf::kHaveIcmp) && r.dst_port == 0) r.dst_port = s.icmp;
    if (r.etype == 0 && (s.have & nf::kHaveSrcHost)) r.etype = r.src_host.is_v6 ? 0x86dd : 0x0800;
    if (!(s.have & nf::kHaveFlows)) r.flows = 1;
    r.sampling_rate = sampling_rate(d, s);
    r.peer_src_ip = d.has_exporter_override ? d.exporter_override : ctx.exporter;
    r.arrival_ns = ctx.arrival_ns;
    r.export_ns = ctx.export_ns;
    r.export_proto_version = ctx.version;
    r.export_proto_seqno = ctx.seqno;
    r.export_proto_sysid = ctx.sysid;
  }

  std::int64_t uptime_time(const Domain& d, const MessageContext& ctx, const RecordScratch& s,
                           std::uint32_t t_ms) const {
    if (ctx.version == 9) return uptime_to_ns(ctx.export_ns, ctx.uptime_ms, t_ms, uptime_unit_ns_);
    // IPFIX has no sysUptime in its header: flowStart/EndSysUpTime count
    // from systemInitTimeMilliseconds (IE 160), in the record or in options.
    const bool have = (s.have & nf::kHaveSysInit) || d.has_sys_init;
    if (!have) return 0;
    const std::uint64_t init = (s.have & nf::kHaveSysInit) ? s.sys_init_ms : d.sys_init_ms;
    if (init > kMaxMillis) return 0;
    const std::uint64_t ms = init + t_ms;
    return ms < kMaxMillis ? static_cast<std::int64_t>(ms) * kNsPerMs : 0;
  }

  static std::int64_t delta_time(const MessageContext& ctx, std::uint64_t delta_us) {
    if (delta_us > static_cast<std::uint64_t>(ctx.export_ns / 1000)) return 0;
    return ctx.export_ns - static_cast<std::int64_t>(delta_us) * 1000;
  }

  static std::uint64_t rate_of(const RecordScratch& s) {
    if ((s.have & nf::kHaveRate) && s.rate != 0) return s.rate;
    // RFC 5477: systematic count-based sampling selects `interval` packets
    // out of every interval + space.
    if ((s.have & nf::kHavePacketInterval) && (s.have & nf::kHavePacketSpace) && s.packet_interval != 0) {
      return (s.packet_interval + s.packet_space) / s.packet_interval;
    }
    return 0;
  }

  static std::uint32_t clamp32(std::uint64_t v) {
    return v > std::numeric_limits<std::uint32_t>::max() ? std::numeric_limits<std::uint32_t>::max()
                                                         : static_cast<std::uint32_t>(v);
  }

  static std::uint32_t sampling_rate(const Domain& d, const RecordScratch& s) {
    if (std::uint64_t inline_rate = rate_of(s); inline_rate != 0) return clamp32(inline_rate);
    if (s.have & nf::kHaveSamplerId) {
      auto it = d.samplers.find(s.sampler_id);
      if (it != d.samplers.end()) return it->second.interval;
    }
    return d.has_default_sampler ? d.default_sampler.interval : 0;
  }

  void apply_options(Domain& d, const RecordScratch& s, const FlowRecord& r) {
    if (const std::uint64_t rate = rate_of(s); rate != 0) {
      NetflowSampler sm{clamp32(rate), s.algorithm};
      if (s.have & nf::kHaveSamplerId) {
        if (d.samplers.size() < kMaxSamplersPerDomain || d.samplers.count(s.sampler_id)) {
          d.samplers[s.sampler_id] = sm;
        }
      } else {
        d.default_sampler = sm;
        d.has_default_sampler = true;
      }
    }
    if (s.have & nf::kHaveExporter) {
      d.exporter_override = s.exporter;
      d.has_exporter_override = true;
    }
    if (s.have & nf::kHaveSysInit) {
      d.sys_init_ms = s.sys_init_ms;
      d.has_sys_init = true;
    }
    if (s.have & nf::kHaveIfName) {
      std::uint32_t ifindex = 0;
      bool have_index = true;
      if (s.have & nf::kHaveIfIndex)
        ifindex = s.ifindex;
      else if (s.have & nf::kHaveInIface)
        ifindex = r.in_iface;
      else if (s.have & nf::kHaveOutIface)
        ifindex = r.out_iface;
      else
        have_index = false;
      if (have_index && (d.ifnames.size() < kMaxIfNamesPerDomain || d.ifnames.count(ifindex))) {
        // A string IE may be NUL-padded (fixed length) or not terminated at
        // all (variable length): stop at the first NUL or the field's end.
        std::size_t n = 0;
        const std::size_t max = std::min(s.ifname_len, kMaxIfNameLen);
        while (n < max && s.ifname[n] != 0) ++n;
        d.ifnames[ifindex].assign(reinterpret_cast<const char*>(s.ifname), n);
      }
    }
  }

  // ---- data before template ----
  // Memory a buffered set takes: its bytes plus the bookkeeping, so that a
  // flood of tiny sets is bounded as well.
  static std::size_t pending_cost(std::size_t len) { return len + kNetflowPendingSetOverhead; }

  void buffer_pending(Domain& d, std::uint16_t id, const MessageContext& ctx, const std::uint8_t* body,
                      std::size_t len) {
    if (len == 0) return;
    const std::size_t cost = pending_cost(len);
    if (cost > options_.pending_max_bytes) {
      pending_dropped_.add();
      return;
    }
    while (!pending_.empty() && pending_bytes_ + cost > options_.pending_max_bytes) {
      pending_bytes_ -= pending_cost(pending_.front().body.size());
      pending_.pop_front();
      pending_dropped_.add();
    }
    pending_.push_back(PendingSet{&d, id, ctx, std::vector<std::uint8_t>(body, body + len)});
    pending_bytes_ += cost;
    pending_buffered_.add();
  }

  void expire_pending(std::int64_t now_ns) {
    while (!pending_.empty() && now_ns - pending_.front().ctx.arrival_ns > options_.pending_timeout_ns) {
      pending_bytes_ -= pending_cost(pending_.front().body.size());
      pending_.pop_front();
      pending_expired_.add();
    }
  }

  void replay_pending(const Datagram& dgram, Domain& d, std::uint16_t id, DecodeResult& res,
                      RecordBatch& out) {
    if (pending_.empty()) return;
    const Template& t = d.templates.at(id);
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->domain == &d && it->template_id == id) {
        decode_data_set(dgram, d, t, it->body.data(), it->body.size(), it->ctx, res, out);
        pending_decoded_.add();
        pending_bytes_ -= pending_cost(it->body.size());
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
  }

  NetflowOptions options_;
  const std::int64_t uptime_unit_ns_ = options_.time_secs ? kNsPerSec : kNsPerMs;
  std::shared_ptr<spdlog::logger> log_;
  userspace::Counter& pending_buffered_;
  userspace::Counter& pending_decoded_;
  userspace::Counter& pending_expired_;
  userspace::Counter& pending_dropped_;
  userspace::Counter& templates_learned_;
  userspace::Counter& templates_withdrawn_;
  userspace::Counter& templates_loaded_;
  userspace::Counter& templates_file_errors_;
  std::shared_ptr<nf::TemplateFile> file_;
  std::unordered_map<DomainKey, Domain, nf::DomainKeyHash> domains_;
  Domain* last_domain_ = nullptr;
  std::deque<PendingSet> pending_;
  std::size_t pending_bytes_ = 0;
  bool unknown_record_count_ = false;
  std::vector<std::uint16_t> learned_;  // templates learned in the current message
  std::int64_t last_log_ns_ = 0;
  std::uint64_t suppressed_ = 0;
};

}  // namespace

std::unique_ptr<NetflowDecoder> make_netflow_decoder(const NetflowOptions& options, userspace::Stats& stats) {
  return std::make_unique<NetflowDecoderImpl>(options, stats);
}

}  // namespace xacct::collector
