// Which eBPF records a plugin takes (userspace/record_feed.hpp), and what
// the plugin does with them (userspace/plugin.cpp): exact flows or header
// samples, never both; sampled counters renormalized on request.
#include "userspace/record_feed.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <vector>

#include "userspace/plugin.hpp"

namespace xacct::userspace {
namespace {

TEST(RecordFeed, HeaderOnlyPrimitivesNeedSamplingToPickSamples) {
  const std::vector<Primitive> five_tuple{Primitive::kSrcHost, Primitive::kDstHost, Primitive::kProto};
  const std::vector<Primitive> mpls{Primitive::kSrcHost, Primitive::kMplsLabelTop};
  const std::vector<Primitive> mac{Primitive::kSrcMac};
  EXPECT_FALSE(takes_ebpf_header_samples(five_tuple, 0));
  EXPECT_FALSE(takes_ebpf_header_samples(five_tuple, 10));
  EXPECT_FALSE(takes_ebpf_header_samples(mpls, 0));  // no samples to take
  EXPECT_TRUE(takes_ebpf_header_samples(mpls, 10));
  EXPECT_TRUE(takes_ebpf_header_samples(mac, 1));
  for (Primitive p : {Primitive::kDstMac, Primitive::kCos, Primitive::kMplsLabelBottom,
                      Primitive::kMplsStackDepth, Primitive::kMplsLabelStack}) {
    EXPECT_TRUE(is_header_only_primitive(p));
  }
  for (Primitive p : {Primitive::kVlan, Primitive::kEtype, Primitive::kInIface, Primitive::kSamplingRate,
                      Primitive::kTos}) {
    EXPECT_FALSE(is_header_only_primitive(p));
  }
}

TEST(RecordFeed, EachPluginTakesOneEbpfViewAndEveryOtherRecord) {
  FlowRecord flow, sample, other;
  flow.feed = RecordFeed::kEbpfFlow;
  sample.feed = RecordFeed::kEbpfSample;
  EXPECT_TRUE(plugin_takes_record(false, flow));
  EXPECT_FALSE(plugin_takes_record(false, sample));
  EXPECT_TRUE(plugin_takes_record(false, other));
  EXPECT_FALSE(plugin_takes_record(true, flow));
  EXPECT_TRUE(plugin_takes_record(true, sample));
  EXPECT_TRUE(plugin_takes_record(true, other));
}

// Keeps what the plugin flushed.
class CaptureSink : public Sink {
 public:
  explicit CaptureSink(std::vector<FlowRecord>* out) : out_(out) {}
  Status write(std::span<const FlowRecord> entries, const PurgeInfo&) override {
    out_->insert(out_->end(), entries.begin(), entries.end());
    return Ok{};
  }

 private:
  std::vector<FlowRecord>* out_;
};

std::vector<FlowRecord> run_plugin(PluginConfig pc, const RecordBatch& batch) {
  std::vector<FlowRecord> out;
  Stats stats;
  pc.name = "p";
  pc.print.refresh_time_s = 3600;
  {
    Plugin plugin(pc, std::make_unique<CaptureSink>(&out), stats);
    plugin.start();
    plugin.push(std::make_shared<const RecordBatch>(batch));
    plugin.stop();  // final flush
  }
  return out;
}

RecordBatch mixed_batch() {
  RecordBatch b;
  FlowRecord flow;  // the exact eBPF count of the traffic
  flow.feed = RecordFeed::kEbpfFlow;
  flow.packets = 1000;
  flow.bytes = 128000;
  flow.flows = 1;
  b.push_back(flow);
  FlowRecord sample;  // one 1:100 sample of the same traffic
  sample.feed = RecordFeed::kEbpfSample;
  sample.mpls_label_top = 16001;
  sample.sampling_rate = 100;
  sample.packets = 1;
  sample.bytes = 128;
  b.push_back(sample);
  b.push_back(sample);
  FlowRecord nflog;  // another input
  nflog.packets = 7;
  nflog.bytes = 700;
  b.push_back(nflog);
  return b;
}

std::uint64_t sum_packets(const std::vector<FlowRecord>& v) {
  std::uint64_t n = 0;
  for (const auto& r : v) n += r.packets;
  return n;
}

TEST(RecordFeed, PluginCountsFlowsOrSamplesNeverBoth) {
  PluginConfig exact;
  exact.aggregate = {Primitive::kSrcHost};
  EXPECT_EQ(sum_packets(run_plugin(exact, mixed_batch())), 1000u + 7);

  PluginConfig samples;
  samples.aggregate = {Primitive::kMplsLabelTop, Primitive::kSamplingRate};
  samples.ebpf_header_samples = true;
  auto out = run_plugin(samples, mixed_batch());
  EXPECT_EQ(sum_packets(out), 2u + 7);
  for (const auto& r : out) {
    if (r.mpls_label_top == 16001) {
      EXPECT_EQ(r.sampling_rate, 100u);
    }
  }
}

TEST(RecordFeed, RenormalizeMultipliesSampledCountersAndRateReadsOne) {
  PluginConfig samples;
  samples.aggregate = {Primitive::kMplsLabelTop, Primitive::kSamplingRate};
  samples.ebpf_header_samples = true;
  samples.renormalize = true;
  auto out = run_plugin(samples, mixed_batch());
  ASSERT_EQ(out.size(), 2u);  // label 16001 (rate 1) and the NFLOG record (label 0, rate 0)
  for (const auto& r : out) {
    if (r.mpls_label_top == 16001) {
      EXPECT_EQ(r.packets, 200u);
      EXPECT_EQ(r.bytes, 25600u);
      EXPECT_EQ(r.sampling_rate, 1u);
    } else {
      EXPECT_EQ(r.packets, 7u);  // unsampled: untouched
    }
  }
}

}  // namespace
}  // namespace xacct::userspace
