/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * flow_types.h: the structs shared by the eBPF programs (bpf/*.bpf.c) and user
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
#define XACCT_ABI_VERSION 1

/* Observation points: user space assigns a dense id per monitored
 * (netns, ifindex); the raw ifindex is never a key (it collides across
 * network namespaces). Totals are indexed obs_id * 2 + direction. */
#define XACCT_MAX_OBS 256

enum xacct_direction {
	XACCT_DIR_IN = 0,
	XACCT_DIR_OUT = 1,
};

/* xacct_flow_key.flags */
#define XACCT_KF_DIR_OUT (1u << 0)  /* egress */
#define XACCT_KF_HOOK_XDP (1u << 1) /* counted by XDP (else TC) */
#define XACCT_KF_FRAG (1u << 3)     /* non-first fragment: ports unknown */
#define XACCT_KF_IPV6 (1u << 4)     /* addresses are IPv6 (else IPv4-mapped) */
#define XACCT_KF_NONIP (1u << 5)    /* not IP: key holds only ethertype */

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

/* Per (obs_id * 2 + direction), per CPU, never reset: ground truth. */
struct xacct_obs_totals {
	__u64 packets;          /* every packet the owner hook counted */
	__u64 bytes;            /* their L3 bytes (non-IP: L2 length) */
	__u64 overflow_packets; /* counted here but not in a flow (map full) */
	__u64 overflow_bytes;
	__u64 insert_fail;      /* failed flow inserts (map full) */
	__u64 not_parsed;       /* truncated or malformed headers */
	__u64 non_ip;           /* counted as non-IP ethertype flows */
	__u64 skipped_marked;   /* TC ingress packets already counted by XDP */
};

/* Datapath configuration, one element, written by user space before attach. */
struct xacct_dp_config {
	__u32 sample_every; /* 0 = no header samples, else mean 1:N */
	__u32 snaplen;      /* bytes copied per header sample */
};

/* Header sample sent to the ring buffer (sampling is after accounting, so
 * counters stay exact); the frame bytes follow the header. */
#define XACCT_SAMPLE_MAX 128
struct xacct_sample {
	__u64 ts_ns;
	__u32 obs_id;
	__u8 direction;
	__u8 hook;
	__u16 cap_len;
	__u32 wire_len;
	__u32 gso_segs;
	__u32 sampling_n;
	__u32 vlan_tci;
	__u64 sample_pool;
	__u8 data[XACCT_SAMPLE_MAX];
};

/* Metadata XDP writes in front of the frame so that TC ingress on the same
 * interface knows the packet is already counted (one owner per direction). */
#define XACCT_XDP_MARK 0x78616374u /* "xact" */
struct xacct_xdp_meta {
	__u32 mark;
};

#endif
