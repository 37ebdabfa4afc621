// Datagrams recorded from real exporters (tests/collector/nf_recorded_vectors.hpp)
// decode to exactly the traffic of the pcap they were made from: every
// flow with its packets and L3 bytes, no decode errors.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>

#include "collector/netflow_decoder.hpp"
#include "tests/collector/nf_recorded_vectors.hpp"
#include "tests/collector/nf_test_util.hpp"

namespace xacct::collector {
namespace {

using Flows = std::map<std::string, std::pair<std::uint64_t, std::uint64_t>>;  // key -> packets, bytes

std::string key(const userspace::FlowRecord& r) {
  char a[64], b[64];
  inet_ntop(r.src_host.is_v6 ? AF_INET6 : AF_INET,
            r.src_host.is_v6 ? r.src_host.bytes.data() : r.src_host.bytes.data() + 12, a, sizeof a);
  inet_ntop(r.dst_host.is_v6 ? AF_INET6 : AF_INET,
            r.dst_host.is_v6 ? r.dst_host.bytes.data() : r.dst_host.bytes.data() + 12, b, sizeof b);
  // ICMP type/code placement differs per exporter: key ICMP on addresses only.
  if (r.proto == 1) return std::string(a) + ">" + b + " icmp";
  return std::string(a) + ":" + std::to_string(r.src_port) + ">" + b + ":" + std::to_string(r.dst_port) +
         " " + std::to_string(r.proto);
}

struct Decoded {
  Flows flows;
  DecodeResult total;
  userspace::RecordBatch records;
};

Decoded decode_all(const std::vector<std::vector<std::uint8_t>>& datagrams) {
  userspace::Stats stats;
  auto dec = make_netflow_decoder({}, stats);
  Decoded d;
  for (const auto& g : datagrams) {
    DecodeResult r = dec->decode(tests::nf::datagram(g, "127.0.0.1"), d.records);
    d.total.records += r.records;
    d.total.decode_errors += r.decode_errors;
    d.total.template_misses += r.template_misses;
    d.total.sequence_gaps += r.sequence_gaps;
    d.total.options_records += r.options_records;
  }
  for (const auto& r : d.records) {
    auto& f = d.flows[key(r)];
    f.first += r.packets;
    f.second += r.bytes;
  }
  return d;
}

const Flows kIpv4Flows = {
    {"198.18.1.1:40001>198.18.2.1:5001 17", {10, 1280}},
    {"198.18.1.1:40002>198.18.2.1:80 6", {8, 5320}},
    {"198.18.2.1:80>198.18.1.1:40002 6", {3, 120}},
    {"198.18.1.1>198.18.2.1 icmp", {3, 252}},
};

Flows all_flows() {
  Flows f = kIpv4Flows;
  f["2001:db8:1::1:40003>2001:db8:2::1:5003 17"] = {4, 992};
  return f;
}

TEST(NfRecorded, SoftflowdV5) {
  Decoded d = decode_all(tests::nf::recorded::softflowd_v5());
  EXPECT_EQ(d.total.decode_errors, 0u);
  EXPECT_EQ(d.total.records, 4u);
  EXPECT_EQ(d.flows, kIpv4Flows);
}

TEST(NfRecorded, SoftflowdV9) {
  // softflowd's header count covers the data records only; xacct walks the
  // sets (as nfcapd does) and decodes all of them.
  Decoded d = decode_all(tests::nf::recorded::softflowd_v9());
  EXPECT_EQ(d.total.decode_errors, 0u);
  EXPECT_EQ(d.total.template_misses, 0u);
  EXPECT_EQ(d.total.records, 5u);
  EXPECT_EQ(d.flows, all_flows());
}

TEST(NfRecorded, SoftflowdIpfix) {
  Decoded d = decode_all(tests::nf::recorded::softflowd_ipfix());
  EXPECT_EQ(d.total.decode_errors, 0u);
  EXPECT_EQ(d.total.records, 5u);
  EXPECT_EQ(d.total.options_records, 1u);
  EXPECT_EQ(d.flows, all_flows());
  for (const auto& r : d.records) {
    EXPECT_EQ(r.export_proto_version, 10);
    EXPECT_NE(r.first_ns, 0);  // uptime-relative times through the options' systemInitTime
    EXPECT_LE(r.first_ns, r.last_ns);
  }
}

TEST(NfRecorded, NfprobeV9) {
  Decoded d = decode_all(tests::nf::recorded::nfprobe_v9());
  EXPECT_EQ(d.total.decode_errors, 0u);
  EXPECT_EQ(d.total.template_misses, 0u);
  EXPECT_EQ(d.total.sequence_gaps, 0u);
  EXPECT_EQ(d.total.records, 5u);
  EXPECT_EQ(d.flows, all_flows());
}

TEST(NfRecorded, NfprobeIpfix) {
  Decoded d = decode_all(tests::nf::recorded::nfprobe_ipfix());
  EXPECT_EQ(d.total.decode_errors, 0u);
  EXPECT_EQ(d.total.sequence_gaps, 0u);
  EXPECT_EQ(d.total.records, 5u);
  EXPECT_EQ(d.flows, all_flows());
}

}  // namespace
}  // namespace xacct::collector
