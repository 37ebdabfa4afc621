// The structs of bpf/flow_types.h are shared byte for byte between the eBPF
// programs and user space: sizes and offsets are pinned here at compile time
// (a layout change must bump XACCT_ABI_VERSION and this file together), and
// the loader checks the same sizes against the loaded object.
#include "bpf/flow_types.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <type_traits>

namespace {

static_assert(XACCT_ABI_VERSION == 3, "layout changed: update this test and the ABI version");

static_assert(sizeof(xacct_flow_key) == 48);
static_assert(alignof(xacct_flow_key) <= 8);
static_assert(offsetof(xacct_flow_key, src_addr) == 0);
static_assert(offsetof(xacct_flow_key, dst_addr) == 16);
static_assert(offsetof(xacct_flow_key, src_port) == 32);
static_assert(offsetof(xacct_flow_key, dst_port) == 34);
static_assert(offsetof(xacct_flow_key, obs_id) == 36);
static_assert(offsetof(xacct_flow_key, vlan) == 40);
static_assert(offsetof(xacct_flow_key, proto) == 42);
static_assert(offsetof(xacct_flow_key, dscp_tos) == 43);
static_assert(offsetof(xacct_flow_key, flags) == 44);
static_assert(offsetof(xacct_flow_key, pad) == 45);
// No holes: the kernel hashes every byte of the key.
static_assert(std::has_unique_object_representations_v<xacct_flow_key>);

static_assert(sizeof(xacct_flow_value) == 48);
static_assert(offsetof(xacct_flow_value, packets) == 0);
static_assert(offsetof(xacct_flow_value, bytes) == 8);
static_assert(offsetof(xacct_flow_value, first_ns) == 16);
static_assert(offsetof(xacct_flow_value, last_ns) == 24);
static_assert(offsetof(xacct_flow_value, tcp_flags) == 32);
static_assert(std::has_unique_object_representations_v<xacct_flow_value>);

static_assert(sizeof(xacct_obs_totals) == 64);
static_assert(offsetof(xacct_obs_totals, packets) == 0);
static_assert(offsetof(xacct_obs_totals, bytes) == 8);
static_assert(offsetof(xacct_obs_totals, overflow_packets) == 16);
static_assert(offsetof(xacct_obs_totals, overflow_bytes) == 24);
static_assert(offsetof(xacct_obs_totals, insert_fail) == 32);
static_assert(offsetof(xacct_obs_totals, not_parsed) == 40);
static_assert(offsetof(xacct_obs_totals, non_ip) == 48);
static_assert(offsetof(xacct_obs_totals, skipped_marked) == 56);
// Per-CPU map values are laid out at 8-byte strides.
static_assert(sizeof(xacct_obs_totals) % 8 == 0);
static_assert(sizeof(xacct_dp_stats) % 8 == 0);

static_assert(sizeof(xacct_obs_info) == 8);
static_assert(offsetof(xacct_obs_info, obs_id) == 0);
static_assert(offsetof(xacct_obs_info, flags) == 4);

static_assert(sizeof(xacct_dp_config) == 8);
static_assert(sizeof(xacct_dp_stats) == 32);

static_assert(offsetof(xacct_sample, ts_ns) == 0);
static_assert(offsetof(xacct_sample, obs_id) == 8);
static_assert(offsetof(xacct_sample, direction) == 12);
static_assert(offsetof(xacct_sample, hook) == 13);
static_assert(offsetof(xacct_sample, cap_len) == 14);
static_assert(offsetof(xacct_sample, wire_len) == 16);
static_assert(offsetof(xacct_sample, gso_segs) == 20);
static_assert(offsetof(xacct_sample, sampling_n) == 24);
static_assert(offsetof(xacct_sample, vlan_tci) == 28);
static_assert(offsetof(xacct_sample, sample_pool) == 32);
static_assert(offsetof(xacct_sample, weight) == 40);
static_assert(offsetof(xacct_sample, data) == 48);
static_assert(sizeof(xacct_sample) == 48 + XACCT_SAMPLE_MAX);
static_assert(std::has_unique_object_representations_v<xacct_sample>);

// Per-CPU sampler state: 8-byte stride, one slot per (obs, dir).
static_assert(sizeof(xacct_sampler) == 16);
static_assert(XACCT_SAMPLER_INDEX(XACCT_MAX_OBS - 1, 1) == XACCT_SAMPLER_ENTRIES - 1);
static_assert(XACCT_SAMPLER_INDEX(3, 0) == 6 && XACCT_SAMPLER_INDEX(3, 1) == 7);

// XDP metadata must be a multiple of 4 bytes and at most 32.
static_assert(sizeof(xacct_xdp_meta) % 4 == 0 && sizeof(xacct_xdp_meta) <= 32);

TEST(FlowTypes, TotalsIndexCoversEveryGenObsAndDirection) {
  EXPECT_EQ(XACCT_TOTALS_INDEX(0, 0, 0), 0);
  EXPECT_EQ(XACCT_TOTALS_INDEX(0, 1, 1), 3);
  EXPECT_EQ(XACCT_TOTALS_INDEX(1, 0, 0), XACCT_MAX_OBS * 2);
  EXPECT_EQ(XACCT_TOTALS_INDEX(1, XACCT_MAX_OBS - 1, 1), XACCT_TOTALS_ENTRIES - 1);
  // gen is taken modulo 2, as the datapath does.
  EXPECT_EQ(XACCT_TOTALS_INDEX(2, 5, 1), XACCT_TOTALS_INDEX(0, 5, 1));
}

TEST(FlowTypes, KeyFlagsAreDistinctBits) {
  const unsigned flags[] = {XACCT_KF_DIR_OUT, XACCT_KF_HOOK_XDP, XACCT_KF_FRAG,
                            XACCT_KF_IPV6,    XACCT_KF_NONIP,    XACCT_KF_BADHDR};
  unsigned seen = 0;
  for (unsigned f : flags) {
    EXPECT_EQ(f & (f - 1), 0u) << f;  // one bit
    EXPECT_EQ(seen & f, 0u) << f;     // not reused
    seen |= f;
  }
  EXPECT_LT(seen, 256u);  // fits the __u8 flags field
}

}  // namespace
