// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * flow.bpf.c: the xacct flow datapath. Three programs count every packet of
 * a monitored interface into per-flow counters:
 *
 *   xacct_tc_ingress  TCX/clsact ingress; skips packets XDP already counted
 *   xacct_tc_egress   TCX/clsact egress
 *   xacct_xdp_ingress XDP ingress (optional); marks what it counted
 *
 * They never modify a packet and always let it continue (TCX_NEXT /
 * TC_ACT_UNSPEC, XDP_PASS).
 *
 * Counting rules (docs/datapath.md):
 * - packets: TC adds max(1, gso_segs) (a TSO/GRO skb is many wire packets),
 *   XDP adds 1 per frame.
 * - bytes: L3 length of every segment, as pmacct counts: the IP total length
 *   (no L2 header, no padding); for a GSO skb, the skb's L3 length plus
 *   (segs - 1) * (L3 + L4 header length), since every segment carries its
 *   own headers. A non-IP frame counts its frame length (L2 header
 *   included, as seen by the hook: an offloaded VLAN tag is not in it); an
 *   IP packet whose headers cannot be parsed counts the bytes from its L3
 *   header on (the whole frame when even L2 was cut).
 * - Every counted packet lands in a flow or, when the flow map is full, in
 *   the overflow counters of its observation point. Per (gen, obs, dir) the
 *   totals are the sum of both, so user space can prove
 *   drained flows + overflow == totals for every drain interval.
 *   Non-IP frames are flows keyed by XACCT_KF_NONIP and their ethertype;
 *   truncated/malformed ones are flows keyed by XACCT_KF_BADHDR and whatever
 *   parsed, also counted in not_parsed.
 *
 * Flow buffers: `flows` holds two preallocated hash maps; `gen` selects the
 * live one. User space flips `gen`, waits an RCU grace period (every
 * program run that read the old value has then finished) and drains the
 * idle map. Deleting from a live map loses packets; this does not.
 *
 * Header samples (sampling_rate, cfg.sample_every = N): after accounting,
 * 1 packet in N (on average, per CPU and per obs/dir) has its first bytes
 * copied to the `samples` ring buffer, submitted without a wakeup (user
 * space drains every 10 ms). They feed the primitives the flow key cannot
 * hold (MACs, MPLS labels); the counters above never depend on them.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "bpf/flow_types.h"
#include "bpf/packet_parse.h"

/* enum tcx_action_base (uapi 6.6): the installed uapi headers are 6.1.
 * TCX_NEXT == TC_ACT_UNSPEC, so one value serves TCX and clsact. */
#define XACCT_TCX_NEXT (-1)

#define XACCT_EEXIST 17

/* How much of a non-linear skb to pull when its headers are not linear. */
#define XACCT_PULL_LEN 256

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space before load. */
const volatile __u32 abi_version = XACCT_ABI_VERSION;
const volatile struct xacct_dp_config cfg = {};

struct flow_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XACCT_DEFAULT_FLOW_ENTRIES);
	__type(key, struct xacct_flow_key);
	__type(value, struct xacct_flow_value);
};

struct flow_map flows_0 SEC(".maps");
struct flow_map flows_1 SEC(".maps");

/* The inner-map template libbpf creates (and closes) while creating `flows`.
 * The kernel compares inner maps on type, key/value size and flags only, so
 * the template has one entry instead of preallocating a third full map. */
struct flow_map_template {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct xacct_flow_key);
	__type(value, struct xacct_flow_value);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct flow_map_template);
} flows SEC(".maps") = {
	.values = { (void *)&flows_0, (void *)&flows_1 },
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} gen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XACCT_TOTALS_ENTRIES);
	__type(key, __u32);
	__type(value, struct xacct_obs_totals);
} obs_totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XACCT_MAX_OBS);
	__type(key, __u32); /* ifindex */
	__type(value, struct xacct_obs_info);
} obs_ids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xacct_dp_stats);
} dp_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20); /* shrunk by user space when sampling is off */
} samples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XACCT_SAMPLER_ENTRIES);
	__type(key, __u32);
	__type(value, struct xacct_sampler);
} sampler SEC(".maps");

/* Packets seen per (obs, dir), all CPUs: written with one atomic add per
 * sample (not per packet), so it lags by the packets other CPUs have seen
 * since their own last sample. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XACCT_SAMPLER_ENTRIES);
	__type(key, __u32);
	__type(value, __u64);
} sample_pool SEC(".maps");

/* What one hook invocation contributes, gathered before the map update. */
struct xacct_acct {
	__u64 packets;
	__u64 bytes;
	__u32 obs_id;
	__u32 gen;
	__u16 vlan;
	__u8 kflags; /* direction and hook bits of the key */
	__u8 dir;
	__u32 pad; /* explicit: the struct is passed whole to xacct_account() */
};

struct xacct_obs_lookup {
	__u32 obs_id;
	__u32 flags;
};

static __always_inline struct xacct_obs_lookup lookup_obs(__u32 ifindex)
{
	struct xacct_obs_lookup r = { XACCT_OBS_UNKNOWN, 0 };
	struct xacct_obs_info *oi = bpf_map_lookup_elem(&obs_ids, &ifindex);

	if (oi) {
		r.obs_id = oi->obs_id;
		r.flags = oi->flags;
	}
	if (r.obs_id >= XACCT_MAX_OBS)
		r.obs_id = XACCT_OBS_UNKNOWN;
	return r;
}

static __always_inline __u32 current_gen(void)
{
	__u32 zero = 0;
	__u32 *g = bpf_map_lookup_elem(&gen, &zero);

	return g ? (*g & 1) : 0;
}

static __always_inline struct xacct_obs_totals *totals_slot(__u32 g, __u32 obs_id, __u32 dir)
{
	__u32 idx = XACCT_TOTALS_INDEX(g, obs_id, dir);

	return bpf_map_lookup_elem(&obs_totals, &idx);
}

static __always_inline void build_key(struct xacct_flow_key *key, const struct xacct_pkt *pkt,
				      const struct xacct_acct *a)
{
	__builtin_memset(key, 0, sizeof(*key));
	key->obs_id = a->obs_id;
	key->vlan = a->vlan;
	key->flags = a->kflags;
	if (pkt->status == XACCT_PARSE_NON_IP) {
		key->flags |= XACCT_KF_NONIP;
		key->dst_port = pkt->ethertype;
		return;
	}
	if (pkt->status != XACCT_PARSE_OK)
		key->flags |= XACCT_KF_BADHDR;
	__builtin_memcpy(key->src_addr, pkt->src_addr, 16);
	__builtin_memcpy(key->dst_addr, pkt->dst_addr, 16);
	key->src_port = pkt->sport;
	key->dst_port = pkt->dport;
	key->proto = pkt->proto;
	key->dscp_tos = pkt->tos;
	if (pkt->ip_version == 6)
		key->flags |= XACCT_KF_IPV6;
	if (pkt->frag & XACCT_FRAG_NON_FIRST)
		key->flags |= XACCT_KF_FRAG;
}

/* Adds one hook invocation to its flow (or to overflow) and to the totals of
 * its (gen, obs, dir). A global function: the verifier checks it once, on
 * its own, instead of once for every path through the parser that reaches
 * it (the parser has many). */
__attribute__((noinline)) int xacct_account(const struct xacct_pkt *pkt,
					    const struct xacct_acct *a)
{
	struct xacct_obs_totals *tot;
	struct xacct_flow_key key;
	struct xacct_flow_value *v;
	__u64 now = bpf_ktime_get_coarse_ns();
	__u32 tcp_flags, g, obs_id;
	void *fm;

	if (!pkt || !a)
		return 0;
	g = a->gen & 1;
	obs_id = a->obs_id < XACCT_MAX_OBS ? a->obs_id : XACCT_OBS_UNKNOWN;
	tot = totals_slot(g, obs_id, a->dir & 1);
	if (!tot)
		return 0;
	tcp_flags = pkt->tcp_flags;

	tot->packets += a->packets;
	tot->bytes += a->bytes;
	if (pkt->status == XACCT_PARSE_NON_IP)
		tot->non_ip += a->packets;
	else if (pkt->status != XACCT_PARSE_OK)
		tot->not_parsed += a->packets;

	build_key(&key, pkt, a);
	key.obs_id = obs_id;
	fm = bpf_map_lookup_elem(&flows, &g);
	if (!fm)
		goto overflow;
	v = bpf_map_lookup_elem(fm, &key);
	if (!v) {
		struct xacct_flow_value nv = {
			.packets = a->packets,
			.bytes = a->bytes,
			.first_ns = now,
			.last_ns = now,
			.tcp_flags = tcp_flags,
		};
		long err = bpf_map_update_elem(fm, &key, &nv, BPF_NOEXIST);

		if (err == 0)
			return 0;
		if (err != -XACCT_EEXIST)
			goto overflow;
		/* Another CPU inserted the same key first: add to its entry. */
		v = bpf_map_lookup_elem(fm, &key);
		if (!v)
			goto overflow;
	}
	__sync_fetch_and_add(&v->packets, a->packets);
	__sync_fetch_and_add(&v->bytes, a->bytes);
	v->last_ns = now;
	if ((v->tcp_flags & tcp_flags) != tcp_flags)
		__sync_fetch_and_or(&v->tcp_flags, tcp_flags);
	return 0;

overflow:
	tot->insert_fail += 1;
	tot->overflow_packets += a->packets;
	tot->overflow_bytes += a->bytes;
	return 0;
}

/* 1:N header sampling, after accounting so the counters stay unsampled.
 * Per CPU and per (obs, dir), a countdown to the next sampled packet,
 * reloaded with a random skip of mean N (uniform in 1 .. 2N-1): one prandom
 * call per sample, not per packet. A GSO skb of `segs` packets moves the
 * countdown by `segs`; when it spans several intervals, the one sample taken
 * stands for all of them (`weight`): the intervals inside the skb are taken
 * as N long (their mean) and the packets left after the last one are carried
 * into the next countdown, so the sampled packet count stays an unbiased
 * estimate of the real one. Returns the reserved sample or NULL. */
static __always_inline __u32 sample_skip(__u32 n)
{
	return 1 + bpf_get_prandom_u32() % (2 * n - 1);
}

static __always_inline struct xacct_sample *sample_begin(const struct xacct_acct *a,
							  __u32 wire_len, __u32 segs,
							  __u32 vlan_tci)
{
	__u32 n = cfg.sample_every;
	__u32 zero = 0;
	__u32 slot;
	__s64 cd, deficit, extra;
	__u64 weight, pool, pending;
	struct xacct_sampler *sm;
	struct xacct_dp_stats *st;
	struct xacct_sample *s;
	__u64 *gpool;
	int i;

	if (n == 0)
		return NULL;
	slot = XACCT_SAMPLER_INDEX(a->obs_id < XACCT_MAX_OBS ? a->obs_id : XACCT_OBS_UNKNOWN, a->dir);
	sm = bpf_map_lookup_elem(&sampler, &slot);
	if (!sm)
		return NULL;
	sm->pending += segs;
	cd = (__s64)sm->countdown;
	if (cd <= 0) /* first packet here on this CPU: start the countdown */
		cd = sample_skip(n);
	cd -= segs;
	if (cd > 0) {
		sm->countdown = (__u64)cd;
		return NULL;
	}
	/* The sampled packet is segs + cd into the skb; `deficit` packets of
	 * the skb follow it. */
	deficit = -cd;
	extra = deficit / n;
	weight = 1 + (__u64)extra;
	cd = (__s64)sample_skip(n) - (deficit - extra * n);
	/* The carried packets may reach past the new skip: count those
	 * intervals too (a few at most: each skip is at least 1). */
	for (i = 0; i < 3; i++) {
		if (cd > 0)
			break;
		weight++;
		cd += sample_skip(n);
	}
	if (cd <= 0)
		cd = 1;
	sm->countdown = (__u64)cd;
	pending = sm->pending;
	sm->pending = 0;
	pool = pending;
	gpool = bpf_map_lookup_elem(&sample_pool, &slot);
	if (gpool)
		pool += __sync_fetch_and_add(gpool, pending);

	st = bpf_map_lookup_elem(&dp_stats, &zero);
	if (!st)
		return NULL;
	s = bpf_ringbuf_reserve(&samples, sizeof(*s), 0);
	if (!s) {
		st->sample_drops++;
		return NULL;
	}
	st->samples++;
	st->sample_weight += weight;
	s->ts_ns = bpf_ktime_get_ns();
	s->obs_id = a->obs_id;
	s->direction = a->dir;
	s->hook = (a->kflags & XACCT_KF_HOOK_XDP) ? 1 : 0;
	s->cap_len = 0;
	s->wire_len = wire_len;
	s->gso_segs = segs;
	s->sampling_n = n;
	s->vlan_tci = vlan_tci;
	s->sample_pool = pool;
	s->weight = (__u32)weight;
	s->pad = 0;
	return s;
}

/* Submits without waking the consumer (it drains on a 10 ms timer: a
 * wakeup per sample costs more than the sample, see docs/datapath.md),
 * except once when this sample takes the ring past half full, so that a
 * burst is drained before the ring overflows. */
static __always_inline void sample_submit(struct xacct_sample *s)
{
	__u64 size = bpf_ringbuf_query(&samples, BPF_RB_RING_SIZE);
	__u64 avail = bpf_ringbuf_query(&samples, BPF_RB_AVAIL_DATA);
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (avail >= size / 2 && avail < size / 2 + sizeof(*s) + 8)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(s, flags);
}

/* Sample copy length in [1, XACCT_SAMPLE_MAX] (0: nothing to copy). The
 * mask after the empty asm is what the verifier sees: clang may not fold it
 * away, and the load helpers refuse a length that could be 0 or too big. */
static __always_inline __u32 sample_cap(__u32 wire_len)
{
	__u32 cap = cfg.snaplen;

	if (cap == 0 || cap > XACCT_SAMPLE_MAX)
		cap = XACCT_SAMPLE_MAX;
	if (cap > wire_len)
		cap = wire_len;
	if (cap == 0)
		return 0;
	cap -= 1;
	asm volatile("" : "+r"(cap));
	return (cap & (XACCT_SAMPLE_MAX - 1)) + 1;
}

/* Parses the linear part of an skb. Not inlined: it is called twice (before
 * and after a pull) and the parser is the bulk of the program. */
static __noinline int parse_skb_linear(struct __sk_buff *skb, struct xacct_pkt *pkt)
{
	const __u8 *data = (const __u8 *)(long)skb->data;
	const __u8 *end = (const __u8 *)(long)skb->data_end;

	return xacct_parse_ether(data, end, pkt);
}

/* True when XDP on this same interface already counted the packet. */
static __always_inline int xdp_marked(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	struct xacct_xdp_meta *m = (void *)(long)skb->data_meta;

	if ((void *)(m + 1) > data)
		return 0;
	return m->mark == XACCT_XDP_MARK && m->ifindex == skb->ifindex;
}

static __always_inline void tc_count(struct __sk_buff *skb, __u32 dir)
{
	struct xacct_obs_lookup obs = lookup_obs(skb->ifindex);
	struct xacct_obs_totals *tot;
	struct xacct_pkt pkt;
	struct xacct_acct a = {};
	struct xacct_sample *s;
	__u32 linear, segs, cap;
	int st;

	a.gen = current_gen();
	a.obs_id = obs.obs_id;
	a.dir = dir;
	a.kflags = dir == XACCT_DIR_OUT ? XACCT_KF_DIR_OUT : 0;
	if (dir == XACCT_DIR_IN && xdp_marked(skb)) {
		tot = totals_slot(a.gen, a.obs_id, dir);
		if (tot)
			tot->skipped_marked += 1;
		return;
	}

	st = parse_skb_linear(skb, &pkt);
	linear = (__u32)(skb->data_end - skb->data);
	if (st == XACCT_PARSE_TRUNCATED && skb->len > linear) {
		/* Headers split into paged data: make them linear (no content
		 * change) and parse again. */
		if (bpf_skb_pull_data(skb, skb->len < XACCT_PULL_LEN ? skb->len : XACCT_PULL_LEN) == 0)
			st = parse_skb_linear(skb, &pkt);
	}

	/* An offloaded tag is the outer one; in-band tags follow it. */
	if (skb->vlan_present)
		a.vlan = skb->vlan_tci & 0x0fff;
	else if (pkt.vlan_count > 0)
		a.vlan = pkt.vlan[0];

	segs = skb->gso_segs;
	if (segs == 0)
		segs = 1;
	a.packets = segs;
	if (st == XACCT_PARSE_OK) {
		if (segs > 1)
			a.bytes = (__u64)(skb->len - pkt.l3_offset) + (__u64)(segs - 1) * pkt.hdr_len;
		else
			a.bytes = pkt.l3_len;
	} else if (st == XACCT_PARSE_NON_IP) {
		a.bytes = skb->len;
	} else {
		a.bytes = skb->len > pkt.l3_offset ? skb->len - pkt.l3_offset : 0;
	}

	xacct_account(&pkt, &a);

	s = sample_begin(&a, skb->len, segs,
			 skb->vlan_present ? (skb->vlan_tci | XACCT_SAMPLE_VLAN_PRESENT) : 0);
	if (!s)
		return;
	cap = sample_cap(skb->len);
	if (cap > 0 && bpf_skb_load_bytes(skb, 0, s->data, cap) == 0)
		s->cap_len = cap;
	sample_submit(s);
}

SEC("tc")
int xacct_tc_ingress(struct __sk_buff *skb)
{
	tc_count(skb, XACCT_DIR_IN);
	return XACCT_TCX_NEXT;
}

SEC("tc")
int xacct_tc_egress(struct __sk_buff *skb)
{
	tc_count(skb, XACCT_DIR_OUT);
	return XACCT_TCX_NEXT;
}

SEC("xdp")
int xacct_xdp_ingress(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex;
	struct xacct_obs_lookup obs = lookup_obs(ifindex);
	struct xacct_pkt pkt;
	struct xacct_acct a = {};
	struct xacct_sample *s;
	const __u8 *data, *end;
	__u32 wire_len, cap;
	int marked = 0;

	/* Mark first: TC ingress on this interface skips marked packets. */
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct xacct_xdp_meta)) == 0) {
		struct xacct_xdp_meta *m = (void *)(long)ctx->data_meta;

		if ((void *)(m + 1) <= (void *)(long)ctx->data) {
			m->mark = XACCT_XDP_MARK;
			m->ifindex = ifindex;
			marked = 1;
		}
	}
	if (!marked && (obs.flags & XACCT_OBS_F_TC_INGRESS)) {
		/* No metadata on this driver: TC ingress is the owner. */
		__u32 zero = 0;
		struct xacct_dp_stats *ds = bpf_map_lookup_elem(&dp_stats, &zero);

		if (ds)
			ds->xdp_no_meta += 1;
		return XDP_PASS;
	}

	a.gen = current_gen();
	a.obs_id = obs.obs_id;
	a.dir = XACCT_DIR_IN;
	a.kflags = XACCT_KF_HOOK_XDP;

	data = (const __u8 *)(long)ctx->data;
	end = (const __u8 *)(long)ctx->data_end;
	wire_len = (__u32)(end - data);
	xacct_parse_ether(data, end, &pkt);
	if (pkt.vlan_count > 0)
		a.vlan = pkt.vlan[0];
	a.packets = 1;
	if (pkt.status == XACCT_PARSE_OK)
		a.bytes = pkt.l3_len;
	else if (pkt.status == XACCT_PARSE_NON_IP)
		a.bytes = wire_len;
	else
		a.bytes = wire_len > pkt.l3_offset ? wire_len - pkt.l3_offset : 0;

	xacct_account(&pkt, &a);

	s = sample_begin(&a, wire_len, 1, 0);
	if (!s)
		return XDP_PASS;
	cap = sample_cap(wire_len);
	if (cap > 0 && bpf_xdp_load_bytes(ctx, 0, s->data, cap) == 0)
		s->cap_len = cap;
	sample_submit(s);
	return XDP_PASS;
}
