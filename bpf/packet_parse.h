/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * packet_parse.h: the one packet parser of xacct. Plain C, header only, so
 * the same code runs in the eBPF programs (bpf/flow.bpf.c) and in user space
 * (libpcap, NFLOG, eBPF header samples, sFlow raw headers, IPFIX IE 315),
 * and is unit tested without privileges (tests/bpf/packet_parse_test.cpp).
 *
 * Every read is checked against `end` before it happens (the verifier needs
 * it, and user space gets the same guarantee). Loops are bounded. A frame
 * that ends inside a header is XACCT_PARSE_TRUNCATED; one whose headers
 * contradict themselves is XACCT_PARSE_MALFORMED; neither is ever read past.
 *
 * Parsed: Ethernet, 802.1Q/802.1ad (up to 2 tags), MPLS (up to
 * XACCT_MPLS_MAX labels), IPv4 (options, fragments), IPv6 (hop-by-hop,
 * routing, fragment, destination options, AH), TCP, UDP, ICMP, ICMPv6, SCTP.
 */
#ifndef XACCT_BPF_PACKET_PARSE_H
#define XACCT_BPF_PACKET_PARSE_H

#include <linux/types.h>

#ifndef XACCT_INLINE
#ifdef __bpf__
#define XACCT_INLINE static __always_inline
#else
#define XACCT_INLINE static inline
#endif
#endif

#define XACCT_VLAN_MAX 2
#define XACCT_MPLS_MAX 8
#define XACCT_IPV6_EXT_MAX 8

enum xacct_parse_status {
	XACCT_PARSE_OK = 0,        /* IP packet, L4 parsed where applicable */
	XACCT_PARSE_NON_IP = 1,    /* valid L2, ethertype is not IPv4/IPv6 */
	XACCT_PARSE_TRUNCATED = 2, /* ended inside a header */
	XACCT_PARSE_MALFORMED = 3, /* header fields inconsistent (bad IHL, version) */
};

/* xacct_pkt.frag */
#define XACCT_FRAG_ANY (1u << 0)       /* the packet is a fragment */
#define XACCT_FRAG_NON_FIRST (1u << 1) /* offset != 0: no L4 header */

struct xacct_pkt {
	__u8 status;        /* enum xacct_parse_status */
	__u8 ip_version;    /* 4, 6 or 0 */
	__u8 proto;         /* L4 protocol after extension headers */
	__u8 tos;           /* IPv4 ToS / IPv6 traffic class */
	__u8 ttl;           /* TTL / hop limit */
	__u8 tcp_flags;
	__u8 frag;          /* XACCT_FRAG_* */
	__u8 vlan_count;
	__u16 vlan[XACCT_VLAN_MAX]; /* VIDs, outer first */
	__u8 pcp;           /* 802.1p priority of the outer tag */
	__u8 mpls_depth;
	__u16 ethertype;    /* ethertype of the L3 payload (after tags) */
	__u32 mpls_top;     /* label values (20 bits), 0 if none */
	__u32 mpls_bottom;
	__u8 src_mac[6];
	__u8 dst_mac[6];
	__u8 src_addr[16];  /* IPv4 stored IPv4-mapped (::ffff:a.b.c.d) */
	__u8 dst_addr[16];
	__u16 sport;        /* host order; ICMP: 0 */
	__u16 dport;        /* host order; ICMP: type << 8 | code */
	__u16 l3_offset;    /* from the start of the frame */
	__u16 l4_offset;    /* 0 if no L4 header */
	__u32 l3_len;       /* IPv4 total length / 40 + IPv6 payload length */
	__u16 hdr_len;      /* L3 (incl. options, ext headers) + L4 header */
	__u16 pad;
};

/*
 * Parse an Ethernet frame in [data, end). Returns out->status. `out` is fully
 * written (zeroed first). A VLAN tag that the NIC stripped (skb->vlan_tci)
 * is not seen here: the caller sets it afterwards.
 */
XACCT_INLINE int xacct_parse_ether(const __u8 *data, const __u8 *end, struct xacct_pkt *out);

/* Parse starting at an L3 header whose ethertype is known (raw IP
 * datalinks, Linux cooked captures, NFLOG payloads). */
XACCT_INLINE int xacct_parse_l3(const __u8 *data, const __u8 *end, __u16 ethertype,
				struct xacct_pkt *out);

/* ---- implementation ---- */
/* (implementation goes here) */

#endif
