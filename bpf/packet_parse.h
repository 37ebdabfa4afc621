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
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
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
	XACCT_PARSE_TRUNCATED = 2, /* ended inside a header (frame or IP length) */
	XACCT_PARSE_MALFORMED = 3, /* header fields inconsistent (bad IHL, version) */
	/* Not OK but ip_version != 0: the L3 fields are valid (see below). */
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
	__u16 ethertype;    /* of the L3 payload: after tags; after MPLS the
			     * guessed 0x0800/0x86dd; 0 for 802.3 frames */
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

/* Parse starting after an ethertype (raw IP datalinks, Linux cooked
 * captures, NFLOG payloads): IPv4/IPv6, MPLS or VLAN ethertypes; 0 guesses
 * IPv4 or IPv6 from the version nibble. Offsets are from `data`; MACs 0. */
XACCT_INLINE int xacct_parse_l3(const __u8 *data, const __u8 *end, __u16 ethertype,
				struct xacct_pkt *out);

/* ---- implementation ---- */
/*
 * Reading: one cursor `off` (bytes from `data`); before every read,
 * `p = data + off; if (p + n > end) -> TRUNCATED` with a constant n or a
 * bounded variable n (IHL, extension header length). The pointer compare
 * against `end` is what gives the verifier the packet range. Headers must
 * also fit in the IP packet (IPv4 total length, IPv6 payload length):
 * Ethernet pads short frames to 60 bytes, and padding is not a TCP header.
 *
 * Verifier cost: the verifier walks every path separately unless two paths
 * meet in states where one covers the other, and the cursor always matters
 * (it is added to a packet pointer). If each VLAN tag, MPLS label and IPv6
 * extension header moved the cursor inside an `if`, every combination of
 * them would reach the IP and L4 code with its own constant cursor, and the
 * program would not load (measured: over 1M instructions). So:
 *  - the cursor moves only by arithmetic on 0/1 values computed from the
 *    packet (xacct_is_zero), never inside a data-dependent branch; branches
 *    only read fields or leave;
 *  - an optional header is read through `data + off + xacct_hidden_zero()`
 *    so the read does not change what the verifier knows about `data`;
 *  - XACCT_OPAQUE keeps clang from turning that arithmetic back into
 *    branches.
 * Result (clang 14, kernel 6.18): about 8k verified instructions for
 * xacct_parse_ether inlined in one program. The C++ build compiles the same
 * code; the tricks cost it nothing.
 *
 * What is filled when status is not OK:
 *  - TRUNCATED/MALFORMED in L2 (Ethernet, tags, MPLS): the L2 fields read so
 *    far (MACs, VLANs, MPLS labels, ethertype); ip_version stays 0.
 *  - ip_version != 0 means the fixed IP header was complete and consistent:
 *    addresses, tos, ttl, proto, frag, l3_offset, l3_len and hdr_len (L3
 *    part) are valid even if the status is TRUNCATED (options, extension
 *    headers or the L4 header cut) or MALFORMED (TCP doff < 5, extension
 *    chain longer than XACCT_IPV6_EXT_MAX). proto is then the header the
 *    parser stopped at. The datapath counts such packets by addresses.
 *  - L4 fields (sport, dport, tcp_flags, l4_offset, L4 part of hdr_len) are
 *    set only when the L4 header is complete and valid.
 *
 * Choices worth knowing:
 *  - 802.3 frames (length < 0x600 instead of an ethertype) are NON_IP with
 *    ethertype 0; a third VLAN tag is NON_IP with the tag's TPID as ethertype.
 *  - MPLS: after bottom-of-stack the first nibble picks IPv4 (4) or IPv6 (6)
 *    and ethertype becomes 0x0800/0x86dd; anything else (pseudowire control
 *    word, Ethernet over MPLS) is NON_IP with ethertype 0x8847/0x8848. No
 *    bottom-of-stack within XACCT_MPLS_MAX labels is MALFORMED (mpls_bottom
 *    stays 0, mpls_depth = XACCT_MPLS_MAX).
 *  - TCP options are not read: a frame cut inside them is still OK (hdr_len
 *    still counts them). Options running past the IP packet are MALFORMED.
 *  - IPv6 fragment header: M or offset set -> XACCT_FRAG_ANY; offset set ->
 *    also NON_FIRST and proto = the fragment's next header (no L4). An
 *    "atomic" fragment header (offset 0, M 0) is not a fragment. An AH whose
 *    length is not a multiple of 8 bytes (RFC 4302 for IPv6) is MALFORMED.
 *  - IPv6 payload length 0 (jumbogram, or a BIG TCP GSO packet): headers are
 *    bounded by the frame only and l3_len is 40. IPv4 total length 0 (BIG
 *    TCP) is MALFORMED like any total length below IHL * 4.
 *  - ICMP (1) and ICMPv6 (58) are decoded the same way whatever the IP
 *    version (type << 8 | code in dport, sport 0, 8-byte header).
 *  - xacct_parse_l3 accepts IPv4, IPv6, MPLS and VLAN ethertypes, and 0 to
 *    guess IPv4/IPv6 from the version nibble (raw IP datalinks); a nibble
 *    that is neither is MALFORMED.
 */

#if defined(__clang__)
#define XACCT_UNROLL _Pragma("unroll")
#else
#define XACCT_UNROLL
#endif

#ifdef __bpf__
/* Emits nothing; clang forgets what it knew about x (see above). */
#define XACCT_OPAQUE(x) asm volatile("" : "+r"(x))
#else
#define XACCT_OPAQUE(x) ((void)0)
#endif

#define XACCT_ETH_HLEN 14
#define XACCT_ETH_P_IPV4 0x0800
#define XACCT_ETH_P_IPV6 0x86DD
#define XACCT_ETH_P_8021Q 0x8100
#define XACCT_ETH_P_8021AD 0x88A8
#define XACCT_ETH_P_QINQ 0x9100
#define XACCT_ETH_P_MPLS_UC 0x8847
#define XACCT_ETH_P_MPLS_MC 0x8848
#define XACCT_ETH_P_802_3_MIN 0x0600

#define XACCT_IPPROTO_HOPOPTS 0
#define XACCT_IPPROTO_ICMP 1
#define XACCT_IPPROTO_TCP 6
#define XACCT_IPPROTO_UDP 17
#define XACCT_IPPROTO_ROUTING 43
#define XACCT_IPPROTO_FRAGMENT 44
#define XACCT_IPPROTO_AH 51
#define XACCT_IPPROTO_ICMPV6 58
#define XACCT_IPPROTO_NONE 59
#define XACCT_IPPROTO_DSTOPTS 60
#define XACCT_IPPROTO_SCTP 132

XACCT_INLINE __u16 xacct_rd16(const __u8 *p)
{
	return (__u16)(((unsigned)p[0] << 8) | (unsigned)p[1]);
}

XACCT_INLINE __u32 xacct_rd32(const __u8 *p)
{
	return ((__u32)p[0] << 24) | ((__u32)p[1] << 16) | ((__u32)p[2] << 8) | (__u32)p[3];
}

/* 1 if x == 0 else 0, for x < 2^63, without a branch. */
XACCT_INLINE __u64 xacct_is_zero(__u64 x)
{
	XACCT_OPAQUE(x);
	x = (x - 1) >> 63;
	XACCT_OPAQUE(x);
	return x;
}

/*
 * 0, from a 0/1 value b, computed so that the verifier does not know it is 0
 * (it sees 0 or 1). `data + off + xacct_hidden_zero(b)` then is a pointer of
 * its own: checking it against `end` does not extend the range the verifier
 * knows for `data`, so a path that read an optional header (a VLAN tag) and
 * one that did not stay mergeable.
 */
XACCT_INLINE __u32 xacct_hidden_zero(__u64 b)
{
	__u64 c = b;

	XACCT_OPAQUE(c);
	return (__u32)(b & ~c);
}

XACCT_INLINE __u64 xacct_is_vlan_tpid(__u64 et)
{
	return xacct_is_zero(et ^ XACCT_ETH_P_8021Q) | xacct_is_zero(et ^ XACCT_ETH_P_8021AD) |
	       xacct_is_zero(et ^ XACCT_ETH_P_QINQ);
}

XACCT_INLINE __u64 xacct_is_ipv6_ext(__u64 nh)
{
	return xacct_is_zero(nh ^ XACCT_IPPROTO_HOPOPTS) | xacct_is_zero(nh ^ XACCT_IPPROTO_ROUTING) |
	       xacct_is_zero(nh ^ XACCT_IPPROTO_FRAGMENT) | xacct_is_zero(nh ^ XACCT_IPPROTO_DSTOPTS) |
	       xacct_is_zero(nh ^ XACCT_IPPROTO_AH);
}

XACCT_INLINE int xacct_parse_done(struct xacct_pkt *out, int status)
{
	out->status = (__u8)status;
	return status;
}

/* The L4 header at `off`; `ip_end` is the offset just past the IP packet. */
XACCT_INLINE int xacct_parse_l4(const __u8 *data, const __u8 *end, __u32 off, __u32 ip_end,
				struct xacct_pkt *out)
{
	const __u8 *p = data + off;
	__u32 l4_hlen;

	if (out->proto == XACCT_IPPROTO_TCP) {
		if (off + 20 > ip_end || p + 20 > end)
			return xacct_parse_done(out, XACCT_PARSE_TRUNCATED);
		l4_hlen = (__u32)(p[12] >> 4) * 4;
		if (l4_hlen < 20 || off + l4_hlen > ip_end)
			return xacct_parse_done(out, XACCT_PARSE_MALFORMED);
		out->sport = xacct_rd16(p);
		out->dport = xacct_rd16(p + 2);
		out->tcp_flags = p[13];
	} else if (out->proto == XACCT_IPPROTO_UDP) {
		if (off + 8 > ip_end || p + 8 > end)
			return xacct_parse_done(out, XACCT_PARSE_TRUNCATED);
		l4_hlen = 8;
		out->sport = xacct_rd16(p);
		out->dport = xacct_rd16(p + 2);
	} else if (out->proto == XACCT_IPPROTO_SCTP) {
		if (off + 12 > ip_end || p + 12 > end)
			return xacct_parse_done(out, XACCT_PARSE_TRUNCATED);
		l4_hlen = 12;
		out->sport = xacct_rd16(p);
		out->dport = xacct_rd16(p + 2);
	} else if (out->proto == XACCT_IPPROTO_ICMP || out->proto == XACCT_IPPROTO_ICMPV6) {
		if (off + 8 > ip_end || p + 8 > end)
			return xacct_parse_done(out, XACCT_PARSE_TRUNCATED);
		l4_hlen = 8;
		out->dport = xacct_rd16(p); /* type << 8 | code */
	} else {
		return xacct_parse_done(out, XACCT_PARSE_OK); /* no ports */
	}
	out->l4_offset = (__u16)off;
	out->hdr_len = (__u16)(off - out->l3_offset + l4_hlen);
	return xacct_parse_done(out, XACCT_PARSE_OK);
}

XACCT_INLINE int xacct_parse_ipv4(const __u8 *data, const __u8 *end, __u32 off,
				  struct xacct_pkt *out)
{
	const __u8 *p = data + off;
	__u32 ihl, tot;
	__u16 frag_off;

	if (p + 20 > end)
		return xacct_parse_done(out, XACCT_PARSE_TRUNCATED);
	ihl = (__u32)(p[0] & 0x0f) * 4;
	tot = xacct_rd16(p + 2);
	if ((p[0] >> 4) != 4 || ihl < 20 || tot < ihl)
		return xacct_parse_done(out, XACCT_PARSE_MALFORMED);

	out->ip_version = 4;
	out->tos = p[1];
	out->ttl = p[8];
	out->proto = p[9];
	out->l3_len = tot;
	out->hdr_len = (__u16)ihl;
	out->src_addr[10] = 0xff;
	out->src_addr[11] = 0xff;
	__builtin_memcpy(&out->src_addr[12], p + 12, 4);
	out->dst_addr[10] = 0xff;
	out->dst_addr[11] = 0xff;
	__builtin_memcpy(&out->dst_addr[12], p + 16, 4);
	frag_off = xacct_rd16(p + 6);
	if (frag_off & 0x3fff) /* MF or offset */
		out->frag |= XACCT_FRAG_ANY;
	if (frag_off & 0x1fff)
		out->frag |= XACCT_FRAG_NON_FIRST;

	if (p + ihl > end) /* options cut */
		return xacct_parse_done(out, XACCT_PARSE_TRUNCATED);
	if (out->frag & XACCT_FRAG_NON_FIRST)
		return xacct_parse_done(out, XACCT_PARSE_OK);
	return xacct_parse_l4(data, end, off + ihl, off + tot, out);
}

/* The IPv6 fields known when the parser stops at `nh`, `cur` bytes in. */
XACCT_INLINE int xacct_parse_ipv6_stop(struct xacct_pkt *out, __u32 off, __u32 cur, __u64 nh,
				       __u64 frag, int status)
{
	out->proto = (__u8)nh;
	out->frag = (__u8)frag;
	out->hdr_len = (__u16)(cur - off);
	return xacct_parse_done(out, status);
}

XACCT_INLINE int xacct_parse_ipv6(const __u8 *data, const __u8 *end, __u32 off,
				  struct xacct_pkt *out)
{
	const __u8 *p = data + off;
	__u32 plen, ip_end, cur;
	__u64 nh, frag = 0;

	if (p + 40 > end)
		return xacct_parse_done(out, XACCT_PARSE_TRUNCATED);
	if ((p[0] >> 4) != 6)
		return xacct_parse_done(out, XACCT_PARSE_MALFORMED);

	plen = xacct_rd16(p + 4);
	nh = p[6];
	out->ip_version = 6;
	out->tos = (__u8)(((p[0] & 0x0f) << 4) | (p[1] >> 4));
	out->ttl = p[7];
	out->l3_len = 40 + plen;
	__builtin_memcpy(out->src_addr, p + 8, 16);
	__builtin_memcpy(out->dst_addr, p + 24, 16);
	/* Payload length 0 (jumbogram): no end but the frame's. */
	ip_end = off + 40 + plen + (__u32)(xacct_is_zero(plen) << 30);
	cur = off + 40;

	XACCT_UNROLL
	for (int i = 0; i < XACCT_IPV6_EXT_MAX; i++) {
		const __u8 *q = data + cur;
		__u64 is_frag, is_ah, units, fo;
		__u32 len;

		if (!xacct_is_ipv6_ext(nh))
			break;
		if (cur + 8 > ip_end || q + 8 > end)
			return xacct_parse_ipv6_stop(out, off, cur, nh, frag, XACCT_PARSE_TRUNCATED);
		/* Length: (q[1] + 1) * 8 bytes; AH (RFC 4302): (q[1] + 2) * 4,
		 * that is (q[1] / 2 + 1) * 8 as it must be a multiple of 8 in
		 * IPv6; fragment: always 8. Selected by arithmetic, with masks
		 * so that the verifier sees units <= 255. */
		is_frag = xacct_is_zero(nh ^ XACCT_IPPROTO_FRAGMENT);
		is_ah = xacct_is_zero(nh ^ XACCT_IPPROTO_AH);
		units = q[1];
		if (is_ah & units & 1)
			return xacct_parse_ipv6_stop(out, off, cur, nh, frag, XACCT_PARSE_MALFORMED);
		units = ((units >> 1) & (0 - is_ah)) | (units & (is_ah - 1));
		units &= is_frag - 1;
		len = (__u32)((units + 1) * 8);
		if (cur + len > ip_end || q + len > end)
			return xacct_parse_ipv6_stop(out, off, cur, nh, frag, XACCT_PARSE_TRUNCATED);
		fo = xacct_rd16(q + 2); /* fragment offset (13 bits) and M */
		frag |= (is_frag & (1 - xacct_is_zero(fo & 0xfff9))) * XACCT_FRAG_ANY;
		frag |= (is_frag & (1 - xacct_is_zero(fo & 0xfff8))) * XACCT_FRAG_NON_FIRST;
		nh = q[0];
		cur += len;
		if (frag & XACCT_FRAG_NON_FIRST) /* no L4 header in this fragment */
			return xacct_parse_ipv6_stop(out, off, cur, nh, frag, XACCT_PARSE_OK);
	}
	if (xacct_is_ipv6_ext(nh)) /* longer chain than XACCT_IPV6_EXT_MAX */
		return xacct_parse_ipv6_stop(out, off, cur, nh, frag, XACCT_PARSE_MALFORMED);
	xacct_parse_ipv6_stop(out, off, cur, nh, frag, XACCT_PARSE_OK);
	if (nh == XACCT_IPPROTO_NONE)
		return XACCT_PARSE_OK;
	return xacct_parse_l4(data, end, cur, ip_end, out);
}

/* Everything after an ethertype at `off`: VLAN tags, MPLS, IP. */
XACCT_INLINE int xacct_parse_after_ethertype(const __u8 *data, const __u8 *end, __u32 off,
					     __u16 ethertype, struct xacct_pkt *out)
{
	__u64 et = ethertype, is_mpls, stop;

	out->ethertype = ethertype;

	XACCT_UNROLL
	for (int i = 0; i < XACCT_VLAN_MAX; i++) {
		__u64 tag = xacct_is_vlan_tpid(et);
		/* Both computed before, not inside, the if (see above). */
		__u32 next = off + (__u32)(tag * 4);
		__u32 at = off + xacct_hidden_zero(tag);

		XACCT_OPAQUE(next);
		XACCT_OPAQUE(at);
		if (tag) {
			const __u8 *p = data + at;
			__u16 tci;

			if (p + 4 > end)
				return xacct_parse_done(out, XACCT_PARSE_TRUNCATED);
			tci = xacct_rd16(p);
			if (i == 0)
				out->pcp = (__u8)(tci >> 13);
			out->vlan[i] = tci & 0x0fff;
			out->vlan_count = (__u8)(i + 1);
			et = xacct_rd16(p + 2);
			out->ethertype = (__u16)et;
		}
		off = next;
	}
	if (xacct_is_vlan_tpid(et)) /* more tags than we keep */
		return xacct_parse_done(out, XACCT_PARSE_NON_IP);

	is_mpls = xacct_is_zero(et ^ XACCT_ETH_P_MPLS_UC) | xacct_is_zero(et ^ XACCT_ETH_P_MPLS_MC);
	/* 0, but the verifier sees 0 or 1: the first label may "not count",
	 * so the cursor range after the stack covers the one without MPLS
	 * and both paths merge before the IP code. */
	stop = xacct_hidden_zero(is_mpls);
	XACCT_OPAQUE(stop);
	if (is_mpls) {
		const __u8 *p;
		__u64 is4, is6;

		/* The cursor covers "no label" to "all labels" at every round,
		 * so the early exits merge with the last round's state. */
		XACCT_UNROLL
		for (int i = 0; i < XACCT_MPLS_MAX; i++) {
			__u64 live = 1 - stop, bos;
			__u32 lse, label;

			p = data + off;
			if (p + 4 > end)
				return xacct_parse_done(out, XACCT_PARSE_TRUNCATED);
			lse = xacct_rd32(p);
			label = lse >> 12;
			bos = (lse >> 8) & 1;
			if (i == 0)
				out->mpls_top = label;
			out->mpls_bottom |= label & (__u32)(0 - (live & bos));
			out->mpls_depth = (__u8)(out->mpls_depth + live);
			off += (__u32)(live * 4);
			stop |= bos;
			XACCT_OPAQUE(stop);
			if (stop & 1) /* a new value: stop itself stays unknown */
				break;
		}
		if (!(stop & 1))
			return xacct_parse_done(out, XACCT_PARSE_MALFORMED);
		/* No ethertype after the stack: guess from the version nibble
		 * (arithmetic again, so et stays unknown to the verifier). */
		p = data + off;
		if (p + 1 > end)
			return xacct_parse_done(out, XACCT_PARSE_TRUNCATED);
		is4 = xacct_is_zero((__u64)(p[0] >> 4) ^ 4);
		is6 = xacct_is_zero((__u64)(p[0] >> 4) ^ 6);
		if (!(is4 | is6))
			return xacct_parse_done(out, XACCT_PARSE_NON_IP);
		et = XACCT_ETH_P_IPV4 * is4 + XACCT_ETH_P_IPV6 * is6;
		out->ethertype = (__u16)et;
	}

	if (et == XACCT_ETH_P_IPV4) {
		out->l3_offset = (__u16)off;
		return xacct_parse_ipv4(data, end, off, out);
	}
	if (et == XACCT_ETH_P_IPV6) {
		out->l3_offset = (__u16)off;
		return xacct_parse_ipv6(data, end, off, out);
	}
	if (et < XACCT_ETH_P_802_3_MIN)
		out->ethertype = 0;
	return xacct_parse_done(out, XACCT_PARSE_NON_IP);
}

XACCT_INLINE int xacct_parse_ether(const __u8 *data, const __u8 *end, struct xacct_pkt *out)
{
	__builtin_memset(out, 0, sizeof(*out));
	if (data + XACCT_ETH_HLEN > end)
		return xacct_parse_done(out, XACCT_PARSE_TRUNCATED);
	__builtin_memcpy(out->dst_mac, data, 6);
	__builtin_memcpy(out->src_mac, data + 6, 6);
	return xacct_parse_after_ethertype(data, end, XACCT_ETH_HLEN, xacct_rd16(data + 12), out);
}

XACCT_INLINE int xacct_parse_l3(const __u8 *data, const __u8 *end, __u16 ethertype,
				struct xacct_pkt *out)
{
	__u64 guess = xacct_is_zero(ethertype), et = 0;
	__u32 at = xacct_hidden_zero(guess);

	__builtin_memset(out, 0, sizeof(*out));
	XACCT_OPAQUE(at);
	if (guess) { /* ethertype 0: IPv4 or IPv6 from the version nibble */
		const __u8 *p = data + at;
		__u64 is4, is6;

		if (p + 1 > end)
			return xacct_parse_done(out, XACCT_PARSE_TRUNCATED);
		is4 = xacct_is_zero((__u64)(p[0] >> 4) ^ 4);
		is6 = xacct_is_zero((__u64)(p[0] >> 4) ^ 6);
		if (!(is4 | is6))
			return xacct_parse_done(out, XACCT_PARSE_MALFORMED);
		et = XACCT_ETH_P_IPV4 * is4 + XACCT_ETH_P_IPV6 * is6;
	}
	/* An addition, not a branch: one path on for the verifier. */
	return xacct_parse_after_ethertype(data, end, 0, (__u16)(ethertype + et), out);
}

#endif
