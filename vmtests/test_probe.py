#!/usr/bin/python3
"""vmtest: xacctd counts known traffic exactly on a real veth, XDP and TC together.

Topology: namespaces A and B joined by one veth (2 queues, offloads off,
static neighbours, so the only packets are the ones sent here).
  probe 1 in A: TC ingress + egress on A's veth   (ebpf_hooks: tc)
  probe 2 in B: XDP + TC ingress + egress on B's veth (ebpf_hooks: xdp,tc):
                XDP owns ingress; TC ingress must skip what XDP counted.
Traffic (one --case, or all of them in one run):
  udp   N datagrams of S bytes, IPv4 and IPv6
  tcp   a transfer of K bytes, IPv4 and IPv6 (counts from a tcpdump on B)
  icmp  ping -c C, IPv4 and IPv6 (requests and replies)
  vlan  an 802.1Q (vid 100, IPv4) and a QinQ (200/100, IPv6) UDP stream as raw frames
Checks: every flow in each probe's JSON output has exactly the packets and
L3 bytes sent, in the right direction (iface_in / iface_out); both probes
agree; no other record between the test hosts (a packet counted twice under
another key shows up there); no overflow; probe 2's SIGUSR1 counters show
TC ingress skipping the packets XDP marked.
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab as nl  # noqa: E402

CASES = ("udp", "tcp", "icmp", "vlan")


def send_traffic(lab, pair, case, a):
    """Returns (exact flows, tcp flow skeletons whose counts come from the capture)."""
    A, B, ip4, ip6 = pair.a, pair.b, pair.ip4, pair.ip6
    exact, tcp = [], []
    if case in ("udp", "all"):
        exact.append(nl.udp_stream(lab, A, B, ip4["a"], ip4["b"], 40001, 5001, a.udp_count, a.udp_size))
        exact.append(nl.udp_stream(lab, A, B, ip6["a"], ip6["b"], 40002, 5002, a.udp_count, a.udp_size))
    if case in ("tcp", "all"):
        tcp += nl.tcp_transfer(lab, A, B, ip4["a"], ip4["b"], 40003, 5003, a.tcp_bytes)
        tcp += nl.tcp_transfer(lab, A, B, ip6["a"], ip6["b"], 40004, 5004, a.tcp_bytes)
    if case in ("icmp", "all"):
        exact += nl.ping(A, ip4["a"], ip4["b"], a.ping_count)
        exact += nl.ping(A, ip6["a"], ip6["b"], a.ping_count)
    if case in ("vlan", "all"):
        mac_a, mac_b = A.mac(pair.if_a), B.mac(pair.if_b)
        exact.append(nl.udp_raw_stream(lab, A, pair.if_a, mac_a, mac_b, [100], "198.18.100.1",
                                       "198.18.100.2", 40005, 5005, a.vlan_count, a.udp_size))
        exact.append(nl.udp_raw_stream(lab, A, pair.if_a, mac_a, mac_b, [200, 100], "2001:db8:100::1",
                                       "2001:db8:100::2", 40006, 5006, a.vlan_count, a.udp_size))
    return exact, tcp


def main():
    p = nl.test_args(__doc__.splitlines()[1])
    p.add_argument("--case", choices=CASES + ("all",), default="all")
    p.add_argument("--udp-count", type=int, default=1000)
    p.add_argument("--udp-size", type=int, default=100)
    p.add_argument("--tcp-bytes", type=int, default=1000000)
    p.add_argument("--ping-count", type=int, default=5)
    p.add_argument("--vlan-count", type=int, default=200)
    a = p.parse_args()
    nl.require_root()
    nl.require_tools("ip", "ethtool", "tcpdump", "ping", "tc")
    nl.set_deadline(a.deadline)

    chk = nl.Checker("vm_probe %s (%s)" % (a.case, a.impl))
    with nl.Lab("probe-" + a.case) as lab:
        pair = lab.pair("p")
        idx = {"a": pair.a.ifindex(pair.if_a), "b": pair.b.ifindex(pair.if_b)}
        # Every frame B can have received while probe 2 ran: the upper bound
        # of what its TC ingress can have skipped.
        rx_before = pair.b.link_stats(pair.if_b)["rx_packets"]
        probe = {"a": nl.start_probe(a, lab, pair.a, "probe1", pair.if_a, "tc"),
                 "b": nl.start_probe(a, lab, pair.b, "probe2", pair.if_b, "xdp,tc")}
        # veth turns GRO on when an XDP program is attached; the capture on B
        # must see wire packets, and TC ingress one skb per frame.
        pair.b.offloads(pair.if_b, gro="off")
        cap = nl.Capture(lab, pair.b, pair.if_b, "truth-b")

        exact, tcp_skel = send_traffic(lab, pair, a.case, a)

        pkts = cap.stop()
        truth = nl.pcap_flows(pkts)
        tcp = nl.flows_from_capture(pkts, tcp_skel)
        flows = exact + tcp

        # The harness's own premise: the capture on B saw exactly what was sent.
        for f in exact:
            got = truth.get((f.src, f.dst, f.sport, f.dport, f.proto, f.vlan), [0, 0])
            chk.equal("capture on B %s" % f, tuple(got), (f.packets, f.bytes))
        for f in tcp:
            chk.true("capture on B has TCP %s" % f, f.packets > 0)

        stats_b = {}
        if a.impl == "xacctd":
            # Every frame of the test flows into B passed XDP (marked) and
            # then TC ingress (one skb each: GRO is off), which must skip it.
            into_b = sum(f.packets for f in flows if f.from_side == "a")
            stats_b = nl.stats_until(probe["b"], lambda s: nl.stats_sum(s, "skipped") >= into_b)
            skipped = nl.stats_sum(stats_b, "skipped")
            rx_frames = pair.b.link_stats(pair.if_b)["rx_packets"] - rx_before
            chk.true("probe2 SIGUSR1: TC ingress skipped XDP-marked packets: %d <= %d <= %d rx frames"
                     % (into_b, skipped, rx_frames), into_b <= skipped <= rx_frames)
            for name, v in sorted(stats_b.items()):
                if "mismatch" in name:
                    chk.equal("probe2 stat %s" % name, v, 0)

        for side in ("a", "b"):
            probe[side].stop()

        hosts = set()
        for f in flows:
            hosts.update((f.src, f.dst))
        sums = {}
        for side, label in (("a", "probe1 A tc"), ("b", "probe2 B xdp+tc")):
            recs = probe[side].records()
            nl.dump_records(label, recs)
            sums[side] = nl.check_probe_flows(chk, label, recs, flows, side, idx[side])
            extra = nl.unexpected_records(sums[side], flows, side, idx[side], hosts)
            chk.equal("%s: records between test hosts that match no sent flow" % label, extra, [])
            over = sum(int(r["packets"]) for r in recs if nl.is_overflow(r))
            chk.equal("%s: overflow packets" % label, over, 0)
        for f in flows:
            ka, kb = f.key_at("a", idx["a"]), f.key_at("b", idx["b"])
            chk.equal("probes agree on %s" % f,
                      tuple(sums["a"].get(ka, [0, 0])), tuple(sums["b"].get(kb, [0, 0])))
    return 0 if chk.report() else 1


if __name__ == "__main__":
    nl.run_test(main)
