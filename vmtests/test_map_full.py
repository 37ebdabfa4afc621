#!/usr/bin/python3
"""vmtest: a full flow map loses no traffic: flows + overflow == exact totals.

Both probes run with the smallest flow map xacctd accepts (ebpf_flow_entries:
1024 per buffer) while A sends
5000 distinct UDP flows (one source port each) to one receiver in B. IPv6 is
off and neighbours are static, so every packet on the veth is one of ours,
and the overflow records (which carry no flow key) can be checked too.
Per probe and direction: sum(flow records) + sum(overflow records) == what
was sent (the reverse direction: nothing); overflow actually happened; each
flow record is one of the sent flows and never exceeds it; SIGUSR1 stats
report the overflow (and equal the overflow records when the counter is
named *overflow*packets*); any *mismatch* counter is 0.
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab as nl  # noqa: E402


def main():
    p = nl.test_args(__doc__.splitlines()[1])
    p.add_argument("--flows", type=int, default=5000)
    p.add_argument("--per-flow", type=int, default=2)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--entries", type=int, default=1024)
    a = p.parse_args()
    nl.require_root()
    nl.require_tools("ip", "ethtool")
    nl.set_deadline(a.deadline)

    chk = nl.Checker("vm_probe_map_full (%s)" % a.impl)
    extra = {"ebpf_flow_entries": a.entries}
    with nl.Lab("mapfull") as lab:
        pair = lab.pair("f", ipv6=False)
        idx = {"a": pair.a.ifindex(pair.if_a), "b": pair.b.ifindex(pair.if_b)}
        probe = {"a": nl.start_probe(a, lab, pair.a, "probe1", pair.if_a, "tc", extra),
                 "b": nl.start_probe(a, lab, pair.b, "probe2", pair.if_b, "xdp,tc", extra)}
        pair.b.offloads(pair.if_b, gro="off")
        flows = nl.udp_many_flows(lab, pair.a, pair.b, pair.ip4["a"], pair.ip4["b"], 20000,
                                  a.flows, a.per_flow, a.size, 5010)
        total_pkts = sum(f.packets for f in flows)
        total_bytes = sum(f.bytes for f in flows)
        sent = {(f.src, f.dst, f.sport, f.dport, f.proto): (f.packets, f.bytes) for f in flows}

        stats = {}
        if a.impl == "xacctd":
            for side in ("a", "b"):
                stats[side] = nl.stats_until(probe[side], lambda s: nl.stats_sum(s, "overflow") > 0)
        for side in ("a", "b"):
            probe[side].stop()

        for side, label in (("a", "probe1 A tc"), ("b", "probe2 B xdp+tc")):
            recs = probe[side].records()
            own = idx[side]
            fwd_in = side == "b"  # the flows enter B and leave A
            tot = {"fwd": [0, 0], "rev": [0, 0]}
            over = [0, 0]
            nflows, too_big, foreign = set(), [], []
            for r in recs:
                k = nl.record_key(r)
                is_in = k.iface_in == own
                is_out = k.iface_out == own
                direction = "fwd" if (is_in if fwd_in else is_out) else "rev"
                tot[direction][0] += int(r["packets"])
                tot[direction][1] += int(r["bytes"])
                if nl.is_overflow(r):
                    if direction == "fwd":
                        over[0] += int(r["packets"])
                        over[1] += int(r["bytes"])
                    continue
                five = (k.src, k.dst, k.sport, k.dport, k.proto)
                if five not in sent:
                    foreign.append(nl.key_str(k))
                else:
                    nflows.add(five)
            per_flow = nl.sum_records([r for r in recs if not nl.is_overflow(r)])
            for k, c in per_flow.items():
                five = (k.src, k.dst, k.sport, k.dport, k.proto)
                if five in sent and (c[0] > sent[five][0] or c[1] > sent[five][1]):
                    too_big.append("%s: %s > %s" % (nl.key_str(k), c, sent[five]))
            print("%s: %d flow keys seen of %d sent, overflow %d pkts / %d B, %d records"
                  % (label, len(nflows), len(flows), over[0], over[1], len(recs)))
            chk.equal("%s sent direction: flows + overflow (pkts, bytes)" % label,
                      tuple(tot["fwd"]), (total_pkts, total_bytes))
            chk.equal("%s reverse direction (pkts, bytes)" % label, tuple(tot["rev"]), (0, 0))
            chk.equal("%s records that are no sent flow" % label, foreign, [])
            chk.equal("%s flows counted above what was sent" % label, too_big, [])
            if a.impl == "xacctd":
                chk.true("%s overflow happened: %d packets in overflow records" % (label, over[0]), over[0] > 0)
                chk.true("%s some flows were keyed: %d" % (label, len(nflows)), len(nflows) > 0)
                st = stats[side]
                ov_stats = {k: v for k, v in st.items() if "overflow" in k and v}
                chk.true("%s SIGUSR1 reports overflow: %s" % (label, ov_stats),
                         sum(ov_stats.values()) > 0)
                ov_pk = nl.stats_sum(st, "overflow", "packets")
                if any("overflow" in k and "packets" in k for k in st):
                    chk.equal("%s SIGUSR1 overflow packets == overflow records" % label, ov_pk, over[0])
                for name, v in sorted(st.items()):
                    if "mismatch" in name:
                        chk.equal("%s stat %s" % (label, name), v, 0)
    return 0 if chk.report() else 1


if __name__ == "__main__":
    nl.run_test(main)
