// Cross-check of the sFlow test vectors (tests/collector/sflow_test_util.hpp)
// with an independent decoder: every vector goes into one pcap (raw IP, UDP
// to port 6343) and tshark's sFlow dissector decodes it; per datagram, what
// tshark reports must agree with xacct's records from the same bytes:
// sequence number, sampling rate of each flow sample (in order), the frame
// length of every raw header, the inner IPv4 sources and VLAN ids of the
// sampled headers, and the MPLS label stacks (exactly). Skipped when tshark is
// not installed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "collector/sflow_decoder.hpp"
#include "tests/collector/sflow_test_util.hpp"

namespace xacct::collector {
namespace {

using Bytes = std::vector<std::uint8_t>;

void put32le(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
}

std::string write_pcap(const std::vector<Bytes>& payloads) {
  std::string f;
  put32le(f, 0xa1b2c3d4);
  put32le(f, 0x00040002);
  put32le(f, 0);
  put32le(f, 0);
  put32le(f, 65535);
  put32le(f, 101);  // LINKTYPE_RAW
  std::uint32_t ts = 1700000000;
  for (const Bytes& p : payloads) {
    tests::sflow::Xdr x;  // big-endian words; the IP and UDP headers are word-aligned
    const auto total = static_cast<std::uint32_t>(28 + p.size());
    x.u32(0x45000000u | total).u32(0).u32(0x40110000u).u32(0xc0000201u).u32(0x7f000001u);  // 192.0.2.1 -> 127.0.0.1
    x.u32((40000u << 16) | 6343u).u32((8u + static_cast<std::uint32_t>(p.size())) << 16).raw(p);
    const Bytes& b = x.bytes();
    put32le(f, ts++);
    put32le(f, 0);
    put32le(f, static_cast<std::uint32_t>(b.size()));
    put32le(f, static_cast<std::uint32_t>(b.size()));
    f.append(reinterpret_cast<const char*>(b.data()), b.size());
  }
  auto path = std::filesystem::temp_directory_path() / ("xacct_sflow_" + std::to_string(getpid()) + ".pcap");
  std::ofstream(path, std::ios::binary) << f;
  return path.string();
}

const char* kFields[] = {"sflow_245.sequence_number", "sflow.flow_sample.sampling_rate",
                         "sflow_245.header.frame_length", "ip.src", "vlan.id", "mpls.label"};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

// One row per packet: field -> its values in order.
std::vector<std::vector<std::vector<std::string>>> tshark_rows(const std::string& pcap) {
  std::string cmd = "tshark -r " + pcap + " -d udp.port==6343,sflow -T fields -E occurrence=a -E aggregator=,";
  for (const char* f : kFields) cmd += std::string(" -e ") + f;
  cmd += " 2>/dev/null";
  std::vector<std::vector<std::vector<std::string>>> rows;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return rows;
  char buf[65536];
  while (std::fgets(buf, sizeof buf, p)) {
    std::string line(buf);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    std::stringstream ss(line);
    std::string col;
    std::vector<std::vector<std::string>> row;
    for (std::size_t i = 0; i < std::size(kFields); ++i) {
      if (!std::getline(ss, col, '\t')) col.clear();
      row.push_back(split(col));
    }
    rows.push_back(row);
  }
  pclose(p);
  return rows;
}

std::string v4_text(const userspace::IpAddress& a) {
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, a.bytes.data() + 12, buf, sizeof buf);
  return buf;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(SflowTshark, VectorsAgreeWithWireshark) {
  if (std::system("tshark -v >/dev/null 2>&1") != 0) GTEST_SKIP() << "tshark not installed";
  const std::vector<Bytes> vectors = tests::sflow::all_vectors();
  const std::string pcap = write_pcap(vectors);
  const auto rows = tshark_rows(pcap);
  std::filesystem::remove(pcap);
  ASSERT_EQ(rows.size(), vectors.size());

  userspace::Stats stats;
  auto dec = make_sflow_decoder({}, stats);
  std::size_t compared_labels = 0, compared_frames = 0, compared_hosts = 0;
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    SCOPED_TRACE("vector " + std::to_string(i));
    Datagram d;
    d.data = vectors[i];
    userspace::RecordBatch recs;
    const DecodeResult res = dec->decode(d, recs);
    ASSERT_EQ(res.decode_errors, 0u);
    ASSERT_FALSE(recs.empty());
    const auto& row = rows[i];
    ASSERT_EQ(row[0].size(), 1u);
    std::vector<std::string> rates, bytes, hosts, vlans, labels;
    for (const auto& r : recs) {
      EXPECT_EQ(std::to_string(r.export_proto_seqno), row[0][0]);
      rates.push_back(std::to_string(r.sampling_rate));
      bytes.push_back(std::to_string(r.bytes));
      if (!r.src_host.is_v6) hosts.push_back(v4_text(r.src_host));
      vlans.push_back(std::to_string(r.vlan));
      for (std::size_t k = 0; k < r.mpls_label_stack_len; ++k) labels.push_back(std::to_string(r.mpls_label_stack[k]));
    }
    EXPECT_EQ(rates, row[1]);
    // Raw headers: each frame length is a record's byte count (sampled
    // IPv4/IPv6 records have no frame length in tshark's fields).
    EXPECT_LE(row[2].size(), recs.size());
    for (const std::string& f : row[2]) {
      EXPECT_TRUE(contains(bytes, f)) << "frame_length " << f;
      ++compared_frames;
    }
    // ip.src: the outer header first, then the sampled headers' sources.
    ASSERT_FALSE(row[3].empty());
    EXPECT_EQ(row[3][0], "192.0.2.1");
    for (std::size_t k = 1; k < row[3].size(); ++k) {
      EXPECT_TRUE(contains(hosts, row[3][k])) << "inner ip.src " << row[3][k];
      ++compared_hosts;
    }
    for (const std::string& v : row[4]) EXPECT_TRUE(contains(vlans, v)) << "vlan.id " << v;
    EXPECT_EQ(labels, row[5]);
    compared_labels += labels.size();
  }
  // The comparison covered something of each kind.
  EXPECT_EQ(compared_labels, 4u);  // two MPLS vectors, two labels each
  EXPECT_GE(compared_frames, 7u);
  EXPECT_GE(compared_hosts, 5u);
}

}  // namespace
}  // namespace xacct::collector
