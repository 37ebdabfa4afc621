// Cross-check of the NetFlow/IPFIX test vectors with an independent decoder:
// each vector group is written into a pcap (raw IP, UDP to port 2055) and
// decoded by tshark (Wireshark's cflow dissector); the per-record fields it
// reports must equal what xacct's decoder produced from the same datagrams.
// Skipped when tshark is not installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "collector/netflow_decoder.hpp"
#include "tests/collector/nf_test_util.hpp"
#include "tests/collector/nf_vectors.hpp"

namespace xacct::collector {
namespace {

using Bytes = std::vector<std::uint8_t>;

void put32le(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
}

std::string write_pcap(const std::vector<Bytes>& payloads, const char* name) {
  std::string f;
  put32le(f, 0xa1b2c3d4);
  put32le(f, 0x00040002);  // version 2.4
  put32le(f, 0);
  put32le(f, 0);
  put32le(f, 65535);
  put32le(f, 101);  // LINKTYPE_RAW
  std::uint32_t ts = 1700000000;
  for (const Bytes& p : payloads) {
    tests::nf::Writer ip;
    ip.u8(0x45).u8(0).u16(28 + p.size()).u32(0).u8(64).u8(17).u16(0).ip4("192.0.2.1").ip4("127.0.0.1");
    ip.u16(40000).u16(2055).u16(8 + p.size()).u16(0).bytes(p);
    put32le(f, ts++);
    put32le(f, 0);
    put32le(f, static_cast<std::uint32_t>(ip.size()));
    put32le(f, static_cast<std::uint32_t>(ip.size()));
    f.append(reinterpret_cast<const char*>(ip.data().data()), ip.size());
  }
  auto path =
      std::filesystem::temp_directory_path() / (std::string("xacct_nf_") + std::to_string(getpid()) + name);
  std::ofstream(path, std::ios::binary) << f;
  return path.string();
}

const char* kFields[] = {"cflow.srcaddr",  "cflow.srcaddrv6", "cflow.dstport",
                         "cflow.protocol", "cflow.octets",    "cflow.packets"};

// field -> values of every record of every packet, comma-joined.
std::map<std::string, std::string> tshark_fields(const std::string& pcap) {
  std::string cmd =
      "tshark -r " + pcap + " -d udp.port==2055,cflow -T fields -E occurrence=a -E aggregator=,";
  for (const char* f : kFields) cmd += std::string(" -e ") + f;
  cmd += " 2>/dev/null";
  std::map<std::string, std::string> out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[65536];
  while (std::fgets(buf, sizeof buf, p)) {
    std::string line(buf);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    std::stringstream ss(line);
    std::string col;
    for (const char* f : kFields) {
      if (!std::getline(ss, col, '\t')) col.clear();
      if (col.empty()) continue;
      auto& v = out[f];
      v += (v.empty() ? "" : ",") + col;
    }
  }
  pclose(p);
  return out;
}

std::string addr(const userspace::IpAddress& a) {
  char buf[64];
  if (a.is_v6) return inet_ntop(AF_INET6, a.bytes.data(), buf, sizeof buf);
  return inet_ntop(AF_INET, a.bytes.data() + 12, buf, sizeof buf);
}

std::map<std::string, std::string> xacct_fields(const std::vector<Bytes>& payloads) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  userspace::RecordBatch out;
  for (const Bytes& p : payloads) dec->decode(tests::nf::datagram(p), out);
  std::map<std::string, std::string> m;
  auto add = [&](const char* f, const std::string& v) {
    auto& s = m[f];
    s += (s.empty() ? "" : ",") + v;
  };
  for (const auto& r : out) {
    add(r.src_host.is_v6 ? "cflow.srcaddrv6" : "cflow.srcaddr", addr(r.src_host));
    // tshark lists only the fields a template carries; xacct leaves absent
    // ones 0 (the vectors send no explicit port or protocol 0).
    if (r.dst_port != 0) add("cflow.dstport", std::to_string(r.dst_port));
    if (r.proto != 0) add("cflow.protocol", std::to_string(r.proto));
    add("cflow.octets", std::to_string(r.bytes));
    add("cflow.packets", std::to_string(r.packets));
  }
  return m;
}

bool have_tshark() { return std::system("tshark -v >/dev/null 2>&1") == 0; }

void cross_check(const std::vector<Bytes>& payloads, const char* name) {
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed";
  const std::string pcap = write_pcap(payloads, name);
  auto theirs = tshark_fields(pcap);
  std::filesystem::remove(pcap);
  auto ours = xacct_fields(payloads);
  EXPECT_FALSE(ours.empty());
  EXPECT_EQ(ours, theirs);
}

TEST(NfTshark, V5) { cross_check({tests::nf::v5_two_records()}, "v5.pcap"); }
TEST(NfTshark, V9) { cross_check({tests::nf::v9_full(), tests::nf::v9_data_seq5()}, "v9.pcap"); }
TEST(NfTshark, Ipfix) { cross_check({tests::nf::ipfix_basic(), tests::nf::ipfix_options()}, "ipfix.pcap"); }

}  // namespace
}  // namespace xacct::collector
