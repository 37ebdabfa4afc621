// Cross-check of the BMP test vectors with an independent decoder: the
// vectors of bmp_vectors.hpp are written into a pcap as one TCP session to
// port 11791 (handshake, then one segment per message) and decoded by tshark
// (Wireshark's BMP and BGP dissectors, -d tcp.port==11791,bmp); per message
// the fields it reports must equal what xacct's decoder produced from the
// same bytes. Skipped when tshark is not installed.
//
// tshark 4.0 marks two frames [Malformed] for its own reasons (it takes the
// Peer Up's information TLV for a third BGP message, and stops at the
// Statistics Report's unknown counter type); the fields before that point
// are still compared.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bgp/bmp_decoder.hpp"
#include "tests/bgp/bmp_vectors.hpp"

namespace xacct::bgp::bmp {
namespace {

namespace v = xacct::tests::bmp;

const v::Bytes* const kAll[] = {&v::kInitiation,
                                &v::kPeerUp,
                                &v::kRouteMonitoringV4,
                                &v::kRouteMonitoringV6Post,
                                &v::kRouteMonitoringWithdraw,
                                &v::kStatsReport,
                                &v::kPeerDownNotification,
                                &v::kPeerDownFsm,
                                &v::kTermination,
                                &v::kRouteMirroring,
                                &v::kRouteMonitoringLocRib,
                                &v::kRouteMonitoringAdjRibOut};

const char* const kFields[] = {"bmp.type",
                               "bmp.peer.type",
                               "bmp.peer.flags",
                               "bmp.peer.distinguisher",
                               "bmp.peer.ip.addr",
                               "bmp.peer.ipv6.addr",
                               "bmp.peer.asn",
                               "bmp.peer.id",
                               "bmp.peer.up.ip.addr",
                               "bmp.peer.up.port.local",
                               "bmp.peer.up.port.remote",
                               "bmp.peer.down.reason",
                               "bmp.init.info",
                               "bgp.nlri_prefix",
                               "bgp.withdrawn_prefix",
                               "bgp.mp_reach_nlri_ipv6_prefix",
                               "bgp.nlri_path_id",
                               "bgp.notify.major_error",
                               "bmp.stats.data.prefix_rej",
                               "bmp.stats.data.routes_adj_rib_in",
                               "bmp.stats.data.routes_per_adj_rib_in"};

using Row = std::map<std::string, std::string>;

void put32le(std::string& s, std::uint32_t x) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(x >> (8 * i)));
}
void put16(std::string& s, unsigned x) {
  s.push_back(static_cast<char>(x >> 8));
  s.push_back(static_cast<char>(x));
}
void put32(std::string& s, std::uint32_t x) {
  put16(s, x >> 16);
  put16(s, x & 0xffff);
}

// IPv4 + TCP 127.0.0.1:40000 -> 127.0.0.1:11791 (or back), raw IP link type.
std::string segment(std::uint32_t seq, std::uint32_t ack, unsigned flags, const v::Bytes& payload,
                    bool back) {
  std::string tcp;
  put16(tcp, back ? 11791 : 40000);
  put16(tcp, back ? 40000 : 11791);
  put32(tcp, seq);
  put32(tcp, ack);
  tcp.push_back(0x50);
  tcp.push_back(static_cast<char>(flags));
  put16(tcp, 65535);
  put16(tcp, 0);  // checksum (tshark does not verify it by default)
  put16(tcp, 0);
  tcp.append(payload.begin(), payload.end());
  std::string ip;
  ip.push_back(0x45);
  ip.push_back(0);
  put16(ip, static_cast<unsigned>(20 + tcp.size()));
  put32(ip, 0x00004000);
  ip.push_back(64);
  ip.push_back(6);
  put16(ip, 0);
  put32(ip, 0x7f000001);
  put32(ip, 0x7f000001);
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < 20; i += 2) {
    sum += static_cast<std::uint32_t>(static_cast<std::uint8_t>(ip[i]) << 8 |
                                      static_cast<std::uint8_t>(ip[i + 1]));
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  ip[10] = static_cast<char>(~sum >> 8);
  ip[11] = static_cast<char>(~sum);
  return ip + tcp;
}

std::string write_pcap() {
  std::string f;
  put32le(f, 0xa1b2c3d4);
  put32le(f, 0x00040002);
  put32le(f, 0);
  put32le(f, 0);
  put32le(f, 65535);
  put32le(f, 101);  // LINKTYPE_RAW
  std::uint32_t ts = 1700000000;
  auto frame = [&](const std::string& p) {
    put32le(f, ts++);
    put32le(f, 0);
    put32le(f, static_cast<std::uint32_t>(p.size()));
    put32le(f, static_cast<std::uint32_t>(p.size()));
    f += p;
  };
  frame(segment(1000, 0, 0x02, {}, false));
  frame(segment(5000, 1001, 0x12, {}, true));
  frame(segment(1001, 5001, 0x10, {}, false));
  std::uint32_t seq = 1001;
  for (const v::Bytes* m : kAll) {
    frame(segment(seq, 5001, 0x18, *m, false));
    seq += static_cast<std::uint32_t>(m->size());
  }
  auto path = std::filesystem::temp_directory_path() / ("xacct_bmp_" + std::to_string(getpid()) + ".pcap");
  std::ofstream(path, std::ios::binary) << f;
  return path.string();
}

// One row per frame that carries a message.
std::vector<Row> tshark_rows(const std::string& pcap) {
  std::string cmd = "tshark -r " + pcap +
                    " -d tcp.port==11791,bmp -Y \"tcp.len > 0\" -T fields -E occurrence=a -E aggregator=,";
  for (const char* f : kFields) cmd += std::string(" -e ") + f;
  cmd += " 2>/dev/null";
  std::vector<Row> rows;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return rows;
  char buf[65536];
  while (std::fgets(buf, sizeof buf, p)) {
    std::string line(buf);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    std::stringstream ss(line);
    std::string col;
    Row row;
    for (const char* f : kFields) {
      if (!std::getline(ss, col, '\t')) col.clear();
      if (!col.empty()) row[f] = col;
    }
    rows.push_back(row);
  }
  pclose(p);
  return rows;
}

std::string addr(const IpAddress& a) {
  char buf[64];
  if (a.is_v6) return inet_ntop(AF_INET6, a.bytes.data(), buf, sizeof buf);
  return inet_ntop(AF_INET, a.bytes.data() + 12, buf, sizeof buf);
}

std::string id_text(std::uint32_t id) {
  return std::to_string(id >> 24) + "." + std::to_string(id >> 16 & 0xff) + "." +
         std::to_string(id >> 8 & 0xff) + "." + std::to_string(id & 0xff);
}

void add(Row& r, const char* f, const std::string& v) {
  auto& s = r[f];
  s += (s.empty() ? "" : ",") + v;
}

void peer_fields(Row& r, const PerPeerHeader& p) {
  add(r, "bmp.peer.type", std::to_string(p.type));
  char flags[8];
  std::snprintf(flags, sizeof flags, "0x%02x", p.flags);
  add(r, "bmp.peer.flags", flags);
  char rd[24];
  std::snprintf(rd, sizeof rd, "%016llx", static_cast<unsigned long long>(p.distinguisher));
  add(r, "bmp.peer.distinguisher", rd);
  add(r, p.v6() ? "bmp.peer.ipv6.addr" : "bmp.peer.ip.addr", addr(p.address));
  add(r, "bmp.peer.asn", std::to_string(p.as));
  add(r, "bmp.peer.id", id_text(p.bgp_id));
}

// What xacct decodes, in tshark's terms.
Row xacct_row(const v::Bytes& m, SessionCaps& caps) {
  Row r;
  const Bytes msg(m.data(), m.size());
  CommonHeader h;
  DecodeError err;
  EXPECT_TRUE(decode_common_header(msg, h, err));
  add(r, "bmp.type", std::to_string(h.type));
  switch (static_cast<MsgType>(h.type)) {
    case MsgType::kInitiation: {
      Initiation i;
      EXPECT_TRUE(decode_initiation(msg, i, err));
      for (const InfoTlv& t : i.tlvs) add(r, "bmp.init.info", t.value);
      break;
    }
    case MsgType::kPeerUp: {
      PeerUp u;
      EXPECT_TRUE(decode_peer_up(msg, u, err));
      peer_fields(r, u.peer);
      caps = u.caps;
      add(r, "bmp.peer.up.ip.addr", addr(u.local_address));
      add(r, "bmp.peer.up.port.local", std::to_string(u.local_port));
      add(r, "bmp.peer.up.port.remote", std::to_string(u.remote_port));
      break;
    }
    case MsgType::kRouteMonitoring: {
      PerPeerHeader p;
      EXPECT_TRUE(decode_per_peer_header(msg, p, err));
      RouteMonitoring rm;
      EXPECT_TRUE(
          decode_route_monitoring(msg, p.loc_rib() || p.adj_rib_out() ? SessionCaps{} : caps, rm, err))
          << err.text();
      peer_fields(r, rm.peer);
      for (const Prefix& x : rm.update.announced) {
        add(r, x.addr.is_v6 ? "bgp.mp_reach_nlri_ipv6_prefix" : "bgp.nlri_prefix", addr(x.addr));
        if (x.path_id != 0) add(r, "bgp.nlri_path_id", std::to_string(x.path_id));
      }
      for (const Prefix& x : rm.update.withdrawn) {
        add(r, "bgp.withdrawn_prefix", addr(x.addr));
        if (x.path_id != 0) add(r, "bgp.nlri_path_id", std::to_string(x.path_id));
      }
      break;
    }
    case MsgType::kStatisticsReport: {
      StatsReport s;
      EXPECT_TRUE(decode_stats_report(msg, s, err));
      peer_fields(r, s.peer);
      for (const StatCounter& c : s.counters) {
        if (c.type == 0) add(r, "bmp.stats.data.prefix_rej", std::to_string(c.value));
        if (c.type == 7) add(r, "bmp.stats.data.routes_adj_rib_in", std::to_string(c.value));
        if (c.type == 9) add(r, "bmp.stats.data.routes_per_adj_rib_in", std::to_string(c.value));
      }
      break;
    }
    case MsgType::kPeerDown: {
      PeerDown d;
      EXPECT_TRUE(decode_peer_down(msg, d, err));
      peer_fields(r, d.peer);
      add(r, "bmp.peer.down.reason", std::to_string(d.reason));
      if (d.reason == 1 || d.reason == 3)
        add(r, "bgp.notify.major_error", std::to_string(d.notification.code));
      break;
    }
    case MsgType::kRouteMirroring: {
      PerPeerHeader p;
      EXPECT_TRUE(decode_route_mirroring(msg, p, err));
      peer_fields(r, p);
      break;
    }
    case MsgType::kTermination:
      break;
  }
  return r;
}

bool have_tshark() { return std::system("tshark -v >/dev/null 2>&1") == 0; }

TEST(BmpTshark, EveryVectorDecodesAsWiresharkDoes) {
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed";
  const std::string pcap = write_pcap();
  const std::vector<Row> theirs = tshark_rows(pcap);
  std::filesystem::remove(pcap);
  ASSERT_EQ(theirs.size(), std::size(kAll));
  SessionCaps caps;
  std::size_t fields = 0;
  for (std::size_t i = 0; i < std::size(kAll); ++i) {
    const Row ours = xacct_row(*kAll[i], caps);
    EXPECT_EQ(ours, theirs[i]) << "message " << i;
    fields += ours.size();
  }
  EXPECT_EQ(fields, 89u);  // fields compared over the 12 messages
}

}  // namespace
}  // namespace xacct::bgp::bmp
