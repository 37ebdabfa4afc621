#!/usr/bin/python3
"""vmtest: eBPF header samples give MPLS labels and MACs, and never change the exact counts.

Topology: namespaces A and B joined by one veth (IPv4 only, offloads off,
static neighbours). Raw MPLS-labelled UDP frames go from A to B through an
AF_PACKET socket (no MPLS configuration needed: B's stack drops them after
the hooks).
  probe 1 in A: TC egress                  (ebpf_hooks: tc)
  probe 2 in B: XDP ingress + TC           (ebpf_hooks: xdp,tc)
Each probe runs two print plugins: `flows` (5-tuple, interfaces: the exact
eBPF flows) and `mpls` (MACs, MPLS labels, sampling_rate, 5-tuple: the
header samples, docs/datapath.md "Exact flows and header samples").
Cases:
  1to1  sampling_rate 1: every frame is sampled; the `mpls` plugin must show
        each stream with its exact labels, depth, source MAC, packets and
        bytes, sampling_rate 1, and no reserve failure.
  1toN  sampling_rate N (default 10): the `flows` plugin stays exact; the
        samples are plausible (within 6 standard deviations of count/N),
        carry sampling_rate N, match the kernel's own sample count exactly
        (probe.ringbuf.weight), and probe 2 (pmacctd_renormalize) prints
        them multiplied by N with sampling_rate 1. A TCP transfer with GSO
        on A's veth (one skb, many packets, one sample of weight > 1) is
        estimated from the samples within 8 % of its exact flow (about 5
        standard deviations; a floor in the weight would be 10 % low).
In both cases neither plugin may show a packet twice: the `flows` totals
equal what was sent, so no sample leaked into it.
"""
import math
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab as nl  # noqa: E402

MPLS_AGGREGATE = ("src_mac, dst_mac, mpls_label_top, mpls_label_bottom, mpls_stack_depth, "
                  "src_host, dst_host, src_port, dst_port, proto, in_iface, out_iface, sampling_rate")

# Two streams, two label stacks (top first).
STREAMS = ((40011, [16001, 24002], 100), (40012, [100, 200, 300], 50))
SRC, DST, DPORT = "198.18.50.1", "198.18.50.2", 5010
TCP_SPORT, TCP_DPORT = 40100, 5100


def start(a, lab, ns, name, ifname, hooks, rate, renormalize):
    extra = {
        "plugins": "print[flows], print[mpls]",
        "aggregate[mpls]": MPLS_AGGREGATE,
        "print_output_file[mpls]": lab.path(name + "-mpls.json"),
        "sampling_rate": rate,
    }
    if renormalize:
        extra["pmacctd_renormalize"] = True
    p = nl.start_probe(a, lab, ns, name, ifname, hooks, extra=extra)
    p.mpls_output = extra["print_output_file[mpls]"]
    return p


def sample_sums(records):
    """(mac_src, top, bottom, depth, sport, iface_in, iface_out, rate) -> [packets, bytes]."""
    out = {}
    for r in records:
        k = (r.get("mac_src", ""), int(r.get("mpls_label_top", 0)), int(r.get("mpls_label_bottom", 0)),
             int(r.get("mpls_stack_depth", 0)), int(r.get("port_src", 0)), int(r.get("iface_in", 0)),
             int(r.get("iface_out", 0)), int(r.get("sampling_rate", 0)))
        c = out.setdefault(k, [0, 0])
        c[0] += int(r["packets"])
        c[1] += int(r["bytes"])
    return out


def main():
    p = nl.test_args(__doc__.splitlines()[1])
    p.add_argument("--case", choices=("1to1", "1toN"), default="1to1")
    p.add_argument("--count", type=int, default=0, help="frames per stream (default 1000 for 1to1, 20000 for 1toN)")
    p.add_argument("--rate", type=int, default=10, help="N of the 1toN case")
    p.add_argument("--tcp-bytes", type=int, default=20000000, help="TCP transfer of the 1toN case (GSO on)")
    a = p.parse_args()
    if a.impl != "xacctd":
        raise nl.LabError("header samples are an xacctd feature (--impl xacctd)")
    nl.require_root()
    nl.require_tools("ip", "ethtool", "tc")
    nl.set_deadline(a.deadline)
    rate = 1 if a.case == "1to1" else a.rate
    count = a.count or (1000 if a.case == "1to1" else 20000)

    chk = nl.Checker("vm_samples %s (sampling_rate %d)" % (a.case, rate))
    with nl.Lab("samples-" + a.case) as lab:
        pair = lab.pair("m", ipv6=False)
        idx = {"a": pair.a.ifindex(pair.if_a), "b": pair.b.ifindex(pair.if_b)}
        mac = {"a": pair.a.mac(pair.if_a), "b": pair.b.mac(pair.if_b)}
        probe = {"a": start(a, lab, pair.a, "probe1", pair.if_a, "tc", rate, False),
                 "b": start(a, lab, pair.b, "probe2", pair.if_b, "xdp,tc", rate, a.case == "1toN")}
        pair.b.offloads(pair.if_b, gro="off")  # veth turns GRO on with XDP

        flows = []
        for sport, labels, size in STREAMS:
            flows.append(nl.udp_raw_stream(lab, pair.a, pair.if_a, mac["a"], mac["b"], [], SRC, DST, sport,
                                           DPORT, count, size, mpls=labels))
        if rate > 1:
            # GSO skbs on A's TC egress: one sample may stand for several
            # packets (its weight); the estimate must stay unbiased.
            pair.a.offloads(pair.if_a, tso="on", gso="on")
            nl.tcp_transfer(lab, pair.a, pair.b, pair.ip4["a"], pair.ip4["b"], TCP_SPORT, TCP_DPORT, a.tcp_bytes)
        weight = {}
        for side in ("a", "b"):
            # Wait until the consumer has read every sample the kernel took
            # (the kernel counters refresh at each 1 s drain).
            st = nl.stats_until(probe[side], lambda s: 0 < nl.stats_sum(s, "probe.ringbuf.samples")
                                == nl.stats_sum(s, "probe.ringbuf.read"), timeout=10)
            weight[side] = nl.stats_sum(st, "probe.ringbuf.weight")
            chk.equal("probe %s: ring buffer reserve failures (probe.ringbuf.drops)" % side,
                      nl.stats_sum(st, "probe.ringbuf.drops"), 0)
            chk.equal("probe %s: samples the consumer could not decode" % side,
                      nl.stats_sum(st, "probe.samples.bad") + nl.stats_sum(st, "probe.samples.not_ip"), 0)
            chk.equal("probe %s: samples read = samples the kernel took" % side,
                      nl.stats_sum(st, "probe.ringbuf.read"), nl.stats_sum(st, "probe.ringbuf.samples"))
        for side in ("a", "b"):
            probe[side].stop()

        for side, label in (("a", "probe1 A tc"), ("b", "probe2 B xdp+tc")):
            recs = probe[side].records()
            nl.dump_records(label + " [flows]", recs)
            # Exact eBPF flows: the sent counts, nothing from the samples.
            nl.check_probe_flows(chk, label + " [flows]", recs, flows, side, idx[side])
            total = sum(int(r["packets"]) for r in recs if int(r.get("port_dst", 0)) == DPORT)
            chk.equal("%s [flows]: total packets of the MPLS streams (no sample counted here)" % label, total,
                      sum(f.packets for f in flows))

            samples = sample_sums(nl.read_print_json(probe[side].mpls_output))
            print("-- %s [mpls] --" % label)
            for k, c in sorted(samples.items()):
                print("   %s: %d pkts %d B" % (k, c[0], c[1]))
            egress = side == "a"
            in_if, out_if = (0, idx[side]) if egress else (idx[side], 0)
            renorm = side == "b" and a.case == "1toN"
            shown_rate = 1 if renorm else rate
            for f, (sport, labels, size) in zip(flows, STREAMS):
                k = (mac["a"], labels[0], labels[-1], len(labels), sport, in_if, out_if, shown_rate)
                c = samples.get(k, [0, 0])
                l3 = size + 28
                if rate == 1:
                    chk.equal("%s [mpls] labels %s: packets, bytes" % (label, labels), tuple(c), (f.packets, f.bytes))
                    continue
                n = c[0] // rate if renorm else c[0]
                expect = f.packets / float(rate)
                sd = math.sqrt(f.packets * (1.0 / rate) * (1 - 1.0 / rate))
                chk.true("%s [mpls] labels %s: %d samples of %d packets at 1:%d (expected %.0f +- %.0f)"
                         % (label, labels, n, f.packets, rate, expect, 6 * sd),
                         abs(n - expect) <= 6 * sd and n > 0)
                chk.equal("%s [mpls] labels %s: bytes = packets x %d" % (label, labels, l3), c[1], c[0] * l3)
                if renorm:
                    chk.equal("%s [mpls] labels %s: renormalized packets are a multiple of %d"
                              % (label, labels, rate), c[0] % rate, 0)
            expected_keys = set((mac["a"], labels[0], labels[-1], len(labels), sport, in_if, out_if, shown_rate)
                                for sport, labels, _ in STREAMS)
            tcp_ports = (TCP_SPORT, TCP_DPORT)
            others = ["%s: %d pkts" % (k, c[0]) for k, c in samples.items()
                      if k not in expected_keys and not (rate > 1 and k[4] in tcp_ports and k[7] == shown_rate)]
            chk.equal("%s [mpls]: records other than the sampled streams (an exact flow here "
                      "would count twice)" % label, others, [])
            if rate > 1:
                # The TCP transfer: the samples' estimate (x N) against the exact flow.
                exact = [0, 0]
                for r in recs:
                    if int(r.get("port_src", 0)) == TCP_SPORT and int(r.get("port_dst", 0)) == TCP_DPORT:
                        exact[0] += int(r["packets"])
                        exact[1] += int(r["bytes"])
                est = [0, 0]
                for k, c in samples.items():
                    if k[4] == TCP_SPORT:
                        est[0] += c[0] * (1 if renorm else rate)
                        est[1] += c[1] * (1 if renorm else rate)
                for i, what in ((0, "packets"), (1, "bytes")):
                    chk.true("%s [mpls] TCP data (GSO on A): sampled %s x %d = %d, exact %d (within 8 %%: "
                             "about 5 standard deviations)" % (label, what, rate, est[i], exact[i]),
                             exact[i] > 0 and abs(est[i] - exact[i]) <= 0.08 * exact[i])
            # Every sample the kernel took reached the plugin, once.
            all_pkts = sum(c[0] // (rate if renorm else 1) for c in samples.values())
            chk.equal("%s [mpls]: sampled packets = the kernel's probe.ringbuf.weight" % label,
                      all_pkts, weight[side])
    return 0 if chk.report() else 1


if __name__ == "__main__":
    nl.run_test(main)
