#!/usr/bin/python3
"""vmtest: with TSO/GSO on, TC egress counts the real wire packets, not skbs.

A's veth has tso and gso on, so A's TCP stack hands TC egress super-packets
(one skb carrying many segments); they are cut into wire packets only after
TC egress. B's veth has XDP (wire frames, one per packet) and GRO off, and a
tcpdump on B records the wire. Probe 1 (TC on A) must count for the data
direction exactly the packets and L3 bytes that probe 2's XDP and the
capture saw. To show that the test exercises GSO at all, the run counter of
probe 1's TC egress program (BPF run statistics, held on during the test)
must be lower than the number of packets: fewer skbs than segments.
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab as nl  # noqa: E402


def egress_prog_id(probe, ns, ifname):
    """Program id of xacctd's TC egress hook on ifname: its TCX link, or
    the clsact filter when it fell back."""
    idx = ns.ifindex(ifname)
    for link in nl.bpf_links_of(probe.proc.pid):
        if link.get("link_type") == "tcx" and link.get("ifindex") == idx \
                and "egress" in str(link.get("attach_type", "")):
            return link.get("prog_id")
    cp = ns.run(["tc", "-j", "filter", "show", "dev", ifname, "egress"], check=False)
    for f in json.loads(cp.stdout or "[]"):
        prog = f.get("options", {}).get("prog")
        if prog:
            return prog.get("id")
    return None


def main():
    p = nl.test_args(__doc__.splitlines()[1])
    p.add_argument("--tcp-bytes", type=int, default=4000000)
    a = p.parse_args()
    nl.require_root()
    nl.require_tools("ip", "ethtool", "tcpdump", "bpftool")
    nl.set_deadline(a.deadline)

    chk = nl.Checker("vm_probe_tso (%s)" % a.impl)
    with nl.Lab("tso") as lab, nl.BpfRunStats():
        pair = lab.pair("s", ipv6=False)
        pair.a.offloads(pair.if_a, tso="on", gso="on")
        idx = {"a": pair.a.ifindex(pair.if_a), "b": pair.b.ifindex(pair.if_b)}
        probe = {"a": nl.start_probe(a, lab, pair.a, "probe1", pair.if_a, "tc"),
                 "b": nl.start_probe(a, lab, pair.b, "probe2", pair.if_b, "xdp,tc")}
        pair.b.offloads(pair.if_b, gro="off")  # XDP on veth turns GRO on
        st_a, st_b = pair.a.offload_state(pair.if_a), pair.b.offload_state(pair.if_b)
        print("A %s: tso %s gso %s (a peer XDP program makes veth drop TSO; GSO stays)" % (
            pair.if_a, st_a.get("tcp-segmentation-offload"), st_a.get("generic-segmentation-offload")))
        chk.equal("A's veth generic-segmentation-offload", st_a.get("generic-segmentation-offload"), "on")
        chk.equal("B's veth generic-receive-offload", st_b.get("generic-receive-offload"), "off")
        prog = egress_prog_id(probe["a"], pair.a, pair.if_a) if a.impl == "xacctd" else None
        pid = probe["a"].proc.pid if prog else None
        runs_before = nl.prog_run_count(prog, pid) if prog else None

        # Segments the veth drops between A's TC egress and B (its ring is
        # full under load) are real wire loss after the counting point: they
        # show as A's tx_dropped / B's rx_dropped and are accounted for below.
        link_before = (pair.a.link_stats(pair.if_a), pair.b.link_stats(pair.if_b))
        cap = nl.Capture(lab, pair.b, pair.if_b, "truth-b")
        skel = nl.tcp_transfer(lab, pair.a, pair.b, pair.ip4["a"], pair.ip4["b"], 40100, 5100, a.tcp_bytes)
        pkts = cap.stop()
        data, acks = nl.flows_from_capture(pkts, skel)
        link_after = (pair.a.link_stats(pair.if_a), pair.b.link_stats(pair.if_b))
        wire_drops = (link_after[0]["tx_dropped"] - link_before[0]["tx_dropped"]
                      + link_after[1]["rx_dropped"] - link_before[1]["rx_dropped"])
        runs_after = nl.prog_run_count(prog, pid) if prog else None
        runs = runs_after - runs_before if runs_after is not None and runs_before is not None else None

        for side in ("a", "b"):
            probe[side].stop()
        sums = {}
        # B (XDP) counts after the drop point: always exact against the capture.
        # A (TC egress) counts before it: exact when the veth dropped nothing.
        sides = (("a", "probe1 A tc"), ("b", "probe2 B xdp+tc")) if wire_drops == 0 else (("b", "probe2 B xdp+tc"),)
        for side, label in sides:
            recs = probe[side].records()
            nl.dump_records(label, recs)
            sums[side] = nl.check_probe_flows(chk, label + " vs capture", recs, [data, acks], side, idx[side])
        if "a" not in sums:
            sums["a"] = nl.sum_records(probe["a"].records())
        got_a = tuple(sums["a"].get(data.key_at("a", idx["a"]), [0, 0]))
        got_b = tuple(sums["b"].get(data.key_at("b", idx["b"]), [0, 0]))
        if wire_drops == 0:
            chk.equal("data direction: probe1 TC egress (GSO skbs) == probe2 XDP (wire)", got_a, got_b)
        else:
            print("the veth dropped %d packets between A's TC egress and B's XDP (load)" % wire_drops)
            chk.true("data direction: probe1 TC egress %d packets <= probe2 XDP %d + %d veth drops, and > XDP"
                     % (got_a[0], got_b[0], wire_drops), got_b[0] < got_a[0] <= got_b[0] + wire_drops)
        chk.true("capture saw the transfer: %d data packets, %d L3 bytes >= %d payload bytes"
                 % (data.packets, data.bytes, a.tcp_bytes), data.bytes > a.tcp_bytes)
        if a.impl == "xacctd":
            chk.true("probe1 TC egress program found (TCX link or clsact filter)", prog is not None)
            chk.true("GSO in effect: TC egress ran %s times for %d packets (skbs < segments)"
                     % (runs, data.packets), runs is not None and 0 < runs < data.packets)
    return 0 if chk.report() else 1


if __name__ == "__main__":
    nl.run_test(main)
