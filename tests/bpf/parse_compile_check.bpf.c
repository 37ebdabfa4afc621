// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * parse_compile_check.bpf.c: the packet parser (bpf/packet_parse.h) built as
 * eBPF. Building it proves the header compiles with clang -target bpf;
 * loading it (tests/bpf/parse_bpf_check.cpp, root) proves the verifier
 * accepts both entry points, and BPF_PROG_TEST_RUN lets that test compare
 * every result with the C++ build of the same header.
 *
 * Per run: xacct_parse_ether on the whole frame, and xacct_parse_l3 on the
 * frame after its first 14 bytes with the ethertype user space put in
 * l3_ethertype. Results land in .bss, read through the skeleton.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bpf/packet_parse.h"

__u16 l3_ethertype;
int ether_ret;
int l3_ret;
struct xacct_pkt ether_pkt;
struct xacct_pkt l3_pkt;

SEC("xdp")
int parse_check(struct xdp_md *ctx)
{
	const __u8 *data = (const __u8 *)(long)ctx->data;
	const __u8 *end = (const __u8 *)(long)ctx->data_end;
	struct xacct_pkt pkt;

	ether_ret = xacct_parse_ether(data, end, &pkt);
	ether_pkt = pkt;
	if (data + XACCT_ETH_HLEN > end)
		return XDP_PASS;
	l3_ret = xacct_parse_l3(data + XACCT_ETH_HLEN, end, l3_ethertype, &pkt);
	l3_pkt = pkt;
	return XDP_PASS;
}

/* Baseline for the cost test: a test run that parses nothing. */
SEC("xdp")
int noop(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
