/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * flow_types.h: the structs shared by the eBPF programs (bpf/flow.bpf.c) and user
 * space (probe/). One definition for both sides: the C++ code includes this
 * file, static_asserts the sizes and offsets (tests/bpf/flow_types_test.cpp),
 * and the loader compares bpf_map__key_size/value_size with sizeof at load.
 *
 * Every struct is 8-byte aligned with explicit padding and no holes, so that
 * a zero-filled key hashes the same on both sides.
 */
#ifndef XACCT_BPF_FLOW_TYPES_H
#define XACCT_BPF_FLOW_TYPES_H

#include <linux/types.h>

/* Bumped whenever a struct below changes layout. */
#define XACCT_ABI_VERSION 3

/* Observation points: user space assigns a dense id per monitored
 * (netns, ifindex); the raw ifindex is never a key (it collides across
 * network namespaces). Totals: see XACCT_TOTALS_INDEX. */
#define XACCT_MAX_OBS 256
/* obs_id 0 is the "unknown" slot: a packet on an ifindex that is not in the
 * obs_ids map (it should not happen, but it is counted, never lost). User
 * space assigns 1 .. XACCT_MAX_OBS - 1. */
#define XACCT_OBS_UNKNOWN 0

/* Default entries per flow buffer (user space sets max_entries before load). */
#define XACCT_DEFAULT_FLOW_ENTRIES 262144

/* obs_totals is indexed by (gen, obs_id, direction): the totals of the
 * packets that went into flow buffer `gen`. After a flip and a grace period
 * the slots of the idle buffer are stable, so user space checks
 * drained flows + overflow == totals exactly for each interval. */
#define XACCT_TOTALS_ENTRIES (2 * XACCT_MAX_OBS * 2)
#define XACCT_TOTALS_INDEX(gen, obs, dir) ((((gen) & 1) * XACCT_MAX_OBS + (obs)) * 2 + (dir))

enum xacct_direction {
	XACCT_DIR_IN = 0,
	XACCT_DIR_OUT = 1,
};

/* xacct_flow_key.flags */
#define XACCT_KF_DIR_OUT (1u << 0)  /* egress */
#define XACCT_KF_HOOK_XDP (1u << 1) /* counted by XDP (else TC) */
#define XACCT_KF_FRAG (1u << 3)     /* non-first fragment: ports unknown */
#define XACCT_KF_IPV6 (1u << 4)     /* addresses are IPv6 (else IPv4-mapped) */
#define XACCT_KF_NONIP (1u << 5)    /* not IP: dst_port holds the ethertype */
#define XACCT_KF_BADHDR (1u << 6)   /* truncated or malformed: key holds what parsed */

/* 48 bytes. IPv4 addresses are stored IPv4-mapped (::ffff:a.b.c.d).
 * ICMP/ICMPv6: src_port = 0, dst_port = type << 8 | code (NetFlow usage). */
struct xacct_flow_key {
	__u8 src_addr[16];
	__u8 dst_addr[16];
	__u16 src_port; /* host byte order */
	__u16 dst_port; /* host byte order */
	__u32 obs_id;
	__u16 vlan;     /* outer VLAN id, 0 = untagged */
	__u8 proto;     /* IP protocol */
	__u8 dscp_tos;  /* full ToS / traffic class byte, as pmacct's tos */
	__u8 flags;     /* XACCT_KF_* */
	__u8 pad[3];
};

/* 48 bytes. Counters are atomically added in the shared map. */
struct xacct_flow_value {
	__u64 packets;  /* GSO segments, not skbs */
	__u64 bytes;    /* sum of L3 lengths of every segment */
	__u64 first_ns; /* CLOCK_MONOTONIC, coarse */
	__u64 last_ns;
	__u32 tcp_flags; /* OR of the TCP flags byte */
	__u32 pad0;
	__u64 pad1;
};

/* Per XACCT_TOTALS_INDEX(gen, obs_id, direction), per CPU, never reset:
 * ground truth. */
struct xacct_obs_totals {
	__u64 packets;          /* every packet the owner hook counted */
	__u64 bytes;            /* their L3 bytes (non-IP: frame length; unparsed:
				 * from the L3 header on) */
	__u64 overflow_packets; /* counted here but not in a flow (map full) */
	__u64 overflow_bytes;
	__u64 insert_fail;      /* failed flow inserts (map full) */
	__u64 not_parsed;       /* truncated or malformed headers */
	__u64 non_ip;           /* counted as non-IP ethertype flows */
	__u64 skipped_marked;   /* TC ingress packets already counted by XDP */
};

/* Value of the obs_ids map (key: __u32 ifindex), written by user space
 * before attach. */
struct xacct_obs_info {
	__u32 obs_id;
	__u32 flags; /* XACCT_OBS_F_* */
};
/* TC ingress is attached too: when XDP cannot write its metadata marker it
 * leaves the packet to TC (one owner per direction) instead of counting. */
#define XACCT_OBS_F_TC_INGRESS (1u << 0)

/* Datapath configuration: .rodata of the object, set before load. */
struct xacct_dp_config {
	__u32 sample_every; /* 0 = no header samples, else mean 1:N */
	__u32 snaplen;      /* bytes copied per header sample */
};

/* Global per-CPU datapath counters (one element). */
struct xacct_dp_stats {
	__u64 samples;       /* header samples submitted */
	__u64 sample_drops;  /* ring buffer reserve failures */
	__u64 xdp_no_meta;   /* XDP could not mark, left the packet to TC */
	__u64 sample_weight; /* packets the submitted samples stand for (sum of weight) */
};

/* Header sampler state, per CPU and per (obs_id, direction), indexed by
 * XACCT_SAMPLER_INDEX: sampling is 1:N per observation point and direction,
 * as sFlow samples per data source. */
#define XACCT_SAMPLER_ENTRIES (XACCT_MAX_OBS * 2)
#define XACCT_SAMPLER_INDEX(obs, dir) ((obs) * 2 + ((dir) & 1))
struct xacct_sampler {
	__u64 countdown; /* packets until the next sample (signed in the
			  * datapath); 0 = not started */
	__u64 pending;   /* packets seen here since this CPU's last sample */
};

/* Header sample sent to the ring buffer (sampling is after accounting, so
 * counters stay exact); the frame bytes follow the header. */
#define XACCT_SAMPLE_MAX 128
#define XACCT_SAMPLE_VLAN_PRESENT (1u << 16)
struct xacct_sample {
	__u64 ts_ns;      /* CLOCK_MONOTONIC */
	__u32 obs_id;
	__u8 direction;   /* XACCT_DIR_* */
	__u8 hook;        /* 1 = XDP, 0 = TC */
	__u16 cap_len;    /* bytes in data[] */
	__u32 wire_len;   /* frame (skb) length as the hook saw it */
	__u32 gso_segs;   /* wire packets in this skb (1 for XDP) */
	__u32 sampling_n; /* the configured N of 1:N */
	__u32 vlan_tci;   /* offloaded tag (TC): skb->vlan_tci |
			   * XACCT_SAMPLE_VLAN_PRESENT; 0 if none */
	__u64 sample_pool; /* packets seen on this (obs, dir) up to this sample,
			    * all CPUs (sFlow sample_pool; approximate by at most
			    * N per other CPU) */
	__u32 weight;     /* sampling events this sample stands for: 1, or more
			   * when a GSO skb spans several 1:N intervals */
	__u32 pad;
	__u8 data[XACCT_SAMPLE_MAX];
};

/* Metadata XDP writes in front of the frame so that TC ingress on the same
 * interface knows the packet is already counted (one owner per direction). */
#define XACCT_XDP_MARK 0x78616374u /* "xact" */
struct xacct_xdp_meta {
	__u32 mark;
	__u32 ifindex; /* only a marker from this interface's XDP counts */
};

#endif
