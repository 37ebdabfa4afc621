// collect_sender: sends IPFIX or sFlow v5 datagrams to a collector over
// loopback at a fixed rate of flow records per second, for the collector
// benchmark (tools/bench/collect_vs_nfacctd.sh). Standard library + POSIX only.
//
//   collect_sender --port P [--host 127.0.0.1] [--proto ipfix|sflow]
//                  [--rate RECORDS_PER_S] [--seconds S] [--sources N] [--flows F]
//
// The datagrams are those of a busy router, built once up front and replayed
// (the "recording"): IPFIX with one template of 13 fields (IPv4 5-tuple, tos,
// TCP flags, interfaces, 8-byte packet/octet counters, start/end ms), 25
// records (1395 bytes) per datagram, the template again every 256 datagrams;
// sFlow v5 with 10 flow samples per datagram, each a 64-byte raw header of
// an IPv4 UDP/TCP packet (sampling rate 1). Every record counts 1 packet and
// 100 bytes (IPFIX) or 1 sample (sFlow), so a collector's output totals are
// the number of records it took. `--flows` distinct 5-tuples are cycled
// through; each of `--sources` exporters sends from its own loopback address
// (127.0.0.10, .11, ...) with its own sequence numbers, round robin.
//
// Pacing: every millisecond, the datagrams due by then are sent with
// sendmmsg. Prints one JSON line at exit: records, datagrams, seconds,
// achieved rate, send errors.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <string>
#include <vector>

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string proto = "ipfix";
  double rate = 100000;
  double seconds = 5;
  int sources = 4;
  int flows = 100000;
};

double now_s() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

class Buf {
 public:
  void u8(std::uint32_t v) { b_.push_back(static_cast<std::uint8_t>(v)); }
  void u16(std::uint32_t v) {
    u8(v >> 8);
    u8(v);
  }
  void u32(std::uint32_t v) {
    u16(v >> 16);
    u16(v & 0xffff);
  }
  void u64(std::uint64_t v) {
    u32(static_cast<std::uint32_t>(v >> 32));
    u32(static_cast<std::uint32_t>(v));
  }
  void put16(std::size_t at, std::uint32_t v) {
    b_[at] = static_cast<std::uint8_t>(v >> 8);
    b_[at + 1] = static_cast<std::uint8_t>(v);
  }
  void put32(std::size_t at, std::uint32_t v) {
    put16(at, v >> 16);
    put16(at + 2, v & 0xffff);
  }
  std::size_t size() const { return b_.size(); }
  std::vector<std::uint8_t>& bytes() { return b_; }

 private:
  std::vector<std::uint8_t> b_;
};

struct Flow {
  std::uint32_t src, dst;
  std::uint16_t sport, dport;
  std::uint8_t proto;
};

Flow flow_of(int i) {
  // 198.18.0.0/15 addresses, deterministic spread.
  const std::uint32_t h = static_cast<std::uint32_t>(i) * 2654435761u;
  Flow f{};
  f.src = 0xC6120000u | (h & 0xffffu);
  f.dst = 0xC6130000u | ((h >> 16) & 0xffffu);
  f.sport = static_cast<std::uint16_t>(1024 + (i % 60000));
  f.dport = static_cast<std::uint16_t>((i % 7 == 0) ? 443 : (i % 5 == 0 ? 53 : 80));
  f.proto = (i % 5 == 0) ? 17 : 6;
  return f;
}

constexpr int kIpfixRecords = 25;
constexpr int kSflowSamples = 10;

// IPFIX: template set (id 256) optional, then one data set of 25 records.
std::vector<std::uint8_t> ipfix_datagram(int first_flow, int flows, bool with_template, std::uint32_t seq,
                                         std::uint32_t domain) {
  Buf b;
  b.u16(10);
  b.u16(0);  // length, set below
  b.u32(static_cast<std::uint32_t>(time(nullptr)));
  b.u32(seq);
  b.u32(domain);
  static const std::uint16_t kFields[][2] = {{8, 4},  {12, 4}, {7, 2},  {11, 2},  {4, 1},   {5, 1},  {6, 1},
                                             {10, 4}, {14, 4}, {1, 8}, {2, 8}, {152, 8}, {153, 8}};
  constexpr int kN = sizeof(kFields) / sizeof(kFields[0]);
  if (with_template) {
    b.u16(2);
    b.u16(4 + 4 + kN * 4);
    b.u16(256);
    b.u16(kN);
    for (const auto& f : kFields) {
      b.u16(f[0]);
      b.u16(f[1]);
    }
  }
  const std::size_t set_at = b.size();
  b.u16(256);
  b.u16(0);
  const std::uint64_t ms = static_cast<std::uint64_t>(time(nullptr)) * 1000;
  for (int r = 0; r < kIpfixRecords; ++r) {
    const Flow f = flow_of((first_flow + r) % flows);
    b.u32(f.src);
    b.u32(f.dst);
    b.u16(f.sport);
    b.u16(f.dport);
    b.u8(f.proto);
    b.u8(0);
    b.u8(f.proto == 6 ? 0x18 : 0);
    b.u32(1);
    b.u32(2);
    b.u64(100);  // octets
    b.u64(1);    // packets
    b.u64(ms);
    b.u64(ms);
  }
  b.put16(set_at + 2, static_cast<std::uint32_t>(b.size() - set_at));
  b.put16(2, static_cast<std::uint32_t>(b.size()));
  return std::move(b.bytes());
}

// sFlow v5: 10 flow samples (format 1), each with one raw packet header
// record (Ethernet, 64 bytes of an IPv4 packet of 100 bytes).
std::vector<std::uint8_t> sflow_datagram(int first_flow, int flows, std::uint32_t seq, std::uint32_t agent,
                                         std::uint32_t* sample_seq) {
  Buf b;
  b.u32(5);
  b.u32(1);  // agent address type IPv4
  b.u32(agent);
  b.u32(0);  // sub agent
  b.u32(seq);
  b.u32(1000);  // uptime ms
  b.u32(kSflowSamples);
  for (int s = 0; s < kSflowSamples; ++s) {
    const Flow f = flow_of((first_flow + s) % flows);
    // Raw header: Ethernet + IPv4 + L4 (+ padding) = 64 bytes
    Buf h;
    for (int i = 0; i < 6; ++i) h.u8(0x02);
    for (int i = 0; i < 6; ++i) h.u8(0x04);
    h.u16(0x0800);
    const std::size_t ip_at = h.size();
    h.u8(0x45);
    h.u8(0);
    h.u16(100);  // total length
    h.u16(0);
    h.u16(0x4000);
    h.u8(64);
    h.u8(f.proto);
    h.u16(0);
    h.u32(f.src);
    h.u32(f.dst);
    std::uint32_t sum = 0;
    for (std::size_t i = ip_at; i < ip_at + 20; i += 2) sum += (h.bytes()[i] << 8) | h.bytes()[i + 1];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    h.put16(ip_at + 10, ~sum & 0xffff);
    h.u16(f.sport);
    h.u16(f.dport);
    if (f.proto == 6) {
      h.u32(1);
      h.u32(1);
      h.u16(0x5018);
      h.u16(65535);
      h.u16(0);
      h.u16(0);
    } else {
      h.u16(80);
      h.u16(0);
    }
    while (h.size() < 64) h.u8(0);
    const std::size_t rec_len = 16 + h.size();
    b.u32(1);  // flow sample
    b.u32(static_cast<std::uint32_t>(32 + 8 + rec_len));
    b.u32((*sample_seq)++);
    b.u32(3);  // source id: ifIndex 3
    b.u32(1);  // sampling rate
    b.u32(*sample_seq);  // sample pool
    b.u32(0);  // drops
    b.u32(3);  // input
    b.u32(4);  // output
    b.u32(1);  // one record
    b.u32(1);  // raw packet header
    b.u32(static_cast<std::uint32_t>(rec_len));
    b.u32(1);    // ethernet
    b.u32(118);  // frame length: 14 + 100 + 4 FCS
    b.u32(4);    // stripped (FCS)
    b.u32(static_cast<std::uint32_t>(h.size()));
    for (std::uint8_t c : h.bytes()) b.u8(c);
  }
  return std::move(b.bytes());
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--host") o.host = next();
    else if (a == "--port") o.port = std::atoi(next().c_str());
    else if (a == "--proto") o.proto = next();
    else if (a == "--rate") o.rate = std::atof(next().c_str());
    else if (a == "--seconds") o.seconds = std::atof(next().c_str());
    else if (a == "--sources") o.sources = std::atoi(next().c_str());
    else if (a == "--flows") o.flows = std::atoi(next().c_str());
    else return false;
  }
  return o.port > 0 && (o.proto == "ipfix" || o.proto == "sflow") && o.rate > 0 && o.sources > 0 && o.flows > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: collect_sender --port P [--host 127.0.0.1] [--proto ipfix|sflow] [--rate R] "
                 "[--seconds S] [--sources N] [--flows F]\n");
    return 2;
  }
  const bool ipfix = o.proto == "ipfix";
  const int per_dgram = ipfix ? kIpfixRecords : kSflowSamples;
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<std::uint16_t>(o.port));
  inet_pton(AF_INET, o.host.c_str(), &dst.sin_addr);

  // The recording: per source, a ring of datagrams covering every flow once.
  struct Source {
    int fd = -1;
    std::vector<std::vector<std::uint8_t>> ring;  // data datagrams (IPFIX: without template)
    std::vector<std::uint8_t> with_template;      // IPFIX: template + first data set
    std::size_t next = 0;
    std::uint32_t seq = 0;
  };
  std::vector<Source> sources(static_cast<std::size_t>(o.sources));
  const int ring_len = std::max(1, o.flows / per_dgram);
  for (int s = 0; s < o.sources; ++s) {
    Source& src = sources[static_cast<std::size_t>(s)];
    src.fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in me{};
    me.sin_family = AF_INET;
    me.sin_addr.s_addr = htonl(0x7f00000au + static_cast<std::uint32_t>(s));  // 127.0.0.10 + s
    if (bind(src.fd, reinterpret_cast<sockaddr*>(&me), sizeof me) != 0) {
      std::perror("bind");
      return 1;
    }
    int sndbuf = 4 << 20;
    setsockopt(src.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    std::uint32_t sample_seq = 0;
    for (int d = 0; d < ring_len; ++d) {
      if (ipfix) {
        src.ring.push_back(ipfix_datagram(d * per_dgram, o.flows, false, 0, static_cast<std::uint32_t>(s)));
      } else {
        src.ring.push_back(sflow_datagram(d * per_dgram, o.flows, 0, 0xC6120000u + static_cast<std::uint32_t>(s),
                                          &sample_seq));
      }
    }
    if (ipfix) src.with_template = ipfix_datagram(0, o.flows, true, 0, static_cast<std::uint32_t>(s));
  }

  const double dgrams_per_s = o.rate / per_dgram;
  const double t0 = now_s();
  std::uint64_t sent = 0, errors = 0, records = 0;
  constexpr int kBurst = 64;
  std::vector<mmsghdr> msgs(kBurst);
  std::vector<iovec> iovs(kBurst);
  std::vector<std::vector<std::uint8_t>> scratch(kBurst);
  std::size_t rr = 0;  // round robin over sources
  for (;;) {
    const double t = now_s() - t0;
    if (t >= o.seconds) break;
    const std::uint64_t due = static_cast<std::uint64_t>(t * dgrams_per_s) + 1;
    if (sent >= due) {
      timespec ts{0, 200000};
      nanosleep(&ts, nullptr);
      continue;
    }
    std::uint64_t todo = due - sent;
    while (todo > 0) {
      Source& src = sources[rr % sources.size()];
      ++rr;
      const int n = static_cast<int>(std::min<std::uint64_t>(todo, kBurst));
      for (int i = 0; i < n; ++i) {
        const bool tmpl = ipfix && (src.seq / kIpfixRecords) % 256 == 0;
        std::vector<std::uint8_t>& d = scratch[static_cast<std::size_t>(i)];
        d = tmpl ? src.with_template : src.ring[src.next];
        if (!tmpl) src.next = (src.next + 1) % src.ring.size();
        // sequence number: IPFIX counts records, sFlow datagrams
        const std::uint32_t seq = ipfix ? src.seq : src.seq / kSflowSamples;
        const std::size_t at = ipfix ? 8 : 16;
        d[at] = static_cast<std::uint8_t>(seq >> 24);
        d[at + 1] = static_cast<std::uint8_t>(seq >> 16);
        d[at + 2] = static_cast<std::uint8_t>(seq >> 8);
        d[at + 3] = static_cast<std::uint8_t>(seq);
        src.seq += static_cast<std::uint32_t>(per_dgram);
        iovs[static_cast<std::size_t>(i)] = {d.data(), d.size()};
        msgs[static_cast<std::size_t>(i)] = {};
        msgs[static_cast<std::size_t>(i)].msg_hdr.msg_name = &dst;
        msgs[static_cast<std::size_t>(i)].msg_hdr.msg_namelen = sizeof dst;
        msgs[static_cast<std::size_t>(i)].msg_hdr.msg_iov = &iovs[static_cast<std::size_t>(i)];
        msgs[static_cast<std::size_t>(i)].msg_hdr.msg_iovlen = 1;
      }
      int done = 0;
      while (done < n) {
        const int r = sendmmsg(src.fd, msgs.data() + done, static_cast<unsigned>(n - done), 0);
        if (r < 0) {
          if (errno == EINTR) continue;
          ++errors;  // e.g. ECONNREFUSED after an ICMP error: the datagram is lost
          ++done;
          continue;
        }
        done += r;
      }
      sent += static_cast<std::uint64_t>(n);
      todo -= static_cast<std::uint64_t>(n);
    }
  }
  const double elapsed = now_s() - t0;
  sent -= errors;  // not sent (the records count only what left)
  records = sent * static_cast<std::uint64_t>(per_dgram);
  std::printf("{\"records\": %llu, \"datagrams\": %llu, \"seconds\": %.3f, \"rate\": %.0f, \"errors\": %llu}\n",
              static_cast<unsigned long long>(records), static_cast<unsigned long long>(sent), elapsed,
              static_cast<double>(records) / elapsed, static_cast<unsigned long long>(errors));
  for (auto& s : sources) close(s.fd);
  return 0;
}
