#!/usr/bin/python3
"""vmtest: xacctd counts known traffic exactly with live libpcap capture on a veth.

Topology: namespaces A and B joined by one veth (offloads off, static
neighbours). Three `xacctd probe` with capture_method: pcap on B's veth:
  in     pcap_direction: in,  pcap_ifindex: sys  -> iface_in  = B's ifindex
  out    pcap_direction: out, pcap_ifindex: 4242 -> iface_out = 4242
  udp    no direction, pcap_filter on the UDP test ports, pcap_ifindex: sys
         (without a direction pmacct writes no ifindex: both 0)
Traffic: UDP A->B (IPv4 and IPv6) and B->A, ping A->B (IPv4, IPv6: requests
in, replies out), a TCP transfer A->B (counts from a tcpdump on B), and an
802.1Q stream from A (raw frames, VID 100; B's stack drops them after the
capture). Checks: every flow has exactly its packets and IP bytes in each
instance that should see it, with the right iface_in/iface_out and VLAN;
no other record between the test hosts; pcap_stats (SIGUSR1 and the exit
totals) report 0 kernel drops and 0 interface drops; every frame handed to
xacct is counted once (received = IP packets + not parsed).
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab as nl  # noqa: E402

FIXED_IFINDEX = 4242
UDP_PORTS = (5001, 5002, 5003)


def main():
    p = nl.test_args(__doc__.splitlines()[1])
    p.add_argument("--udp-count", type=int, default=2000)
    p.add_argument("--tcp-bytes", type=int, default=500000)
    p.add_argument("--ping-count", type=int, default=10)
    p.add_argument("--vlan-count", type=int, default=300)
    a = p.parse_args()
    nl.require_root("creates network namespaces and captures on a veth")
    nl.require_tools("ip", "ethtool", "tcpdump", "ping")
    nl.set_deadline(a.deadline)
    if not a.xacctd or not os.access(a.xacctd, os.X_OK):
        raise nl.LabError("--xacctd PATH is required (an executable xacctd)")
    xacctd = os.path.abspath(a.xacctd)

    chk = nl.Checker("vm_pcap_live")
    with nl.Lab("pcap-live") as lab:
        pair = lab.pair("c")
        A, B, ip4, ip6 = pair.a, pair.b, pair.ip4, pair.ip6
        ifb = pair.if_b
        idx_b = B.ifindex(ifb)
        base = {"capture_method": "pcap", "pcap_interface": ifb}
        udp_filter = "udp and (%s)" % " or ".join("port %d" % p for p in UDP_PORTS)
        probes = {
            "in": nl.XacctdCapture(lab, B, xacctd, "in", dict(base, pcap_direction="in", pcap_ifindex="sys")),
            "out": nl.XacctdCapture(lab, B, xacctd, "out",
                                    dict(base, pcap_direction="out", pcap_ifindex=FIXED_IFINDEX)),
            "udp": nl.XacctdCapture(lab, B, xacctd, "udp", dict(base, pcap_filter=udp_filter, pcap_ifindex="sys")),
        }
        for x in probes.values():
            x.start()
        truth_cap = nl.Capture(lab, B, ifb, "truth-b")

        udp = [nl.udp_stream(lab, A, B, ip4["a"], ip4["b"], 40001, UDP_PORTS[0], a.udp_count, 200),
               nl.udp_stream(lab, A, B, ip6["a"], ip6["b"], 40002, UDP_PORTS[1], a.udp_count // 2, 100),
               nl.udp_stream(lab, B, A, ip4["b"], ip4["a"], 40003, UDP_PORTS[2], a.udp_count // 2, 300,
                             from_side="b")]
        icmp = nl.ping(A, ip4["a"], ip4["b"], a.ping_count, interval=0.05) + \
            nl.ping(A, ip6["a"], ip6["b"], a.ping_count, interval=0.05)
        tcp_skel = nl.tcp_transfer(lab, A, B, ip4["a"], ip4["b"], 40004, 5004, a.tcp_bytes)
        vlan = [nl.udp_raw_stream(lab, A, pair.if_a, A.mac(pair.if_a), B.mac(ifb), [100], "198.18.100.1",
                                  "198.18.100.2", 40005, 5005, a.vlan_count, 150)]

        pkts = truth_cap.stop()
        truth = nl.pcap_flows(pkts)
        tcp = nl.flows_from_capture(pkts, tcp_skel)
        exact = udp + icmp + vlan
        flows = exact + tcp
        # The harness's premise: the capture on B saw exactly what was sent.
        for f in exact:
            got = truth.get((f.src, f.dst, f.sport, f.dport, f.proto, f.vlan), [0, 0])
            chk.equal("tcpdump on B %s" % f, tuple(got), (f.packets, f.bytes))
        for f in tcp:
            chk.true("tcpdump on B has TCP %s" % f, f.packets > 0)

        # pcap_stats while running (SIGUSR1 refreshes them).
        for name, x in probes.items():
            st = x.stats()
            pre = "capture.%s." % ifb
            chk.true("%s SIGUSR1: %spackets > 0" % (name, pre), st.get(pre + "packets", 0) > 0,
                     str(st.get(pre + "packets")))
            chk.equal("%s SIGUSR1: %skernel_drops" % (name, pre), st.get(pre + "kernel_drops"), 0)
            chk.equal("%s SIGUSR1: %sifdrops" % (name, pre), st.get(pre + "ifdrops"), 0)
        for x in probes.values():
            x.stop()

        hosts = set()
        for f in flows:
            hosts.update((f.src, f.dst))
        # What each instance must have: (flow, key).
        want = {"in": [], "out": [], "udp": []}
        for f in flows:
            into_b = f.from_side == "a"
            k = nl.Key(f.src, f.dst, f.sport, f.dport, f.proto, f.vlan, 0, 0)
            if into_b:
                want["in"].append((f, k._replace(iface_in=idx_b)))
            else:
                want["out"].append((f, k._replace(iface_out=FIXED_IFINDEX)))
            if f.proto == 17 and f.dport in UDP_PORTS and f.vlan == 0:
                want["udp"].append((f, k))
        for name, x in probes.items():
            recs = x.records()
            nl.dump_records(name, recs)
            sums = nl.sum_records(recs)
            for f, k in want[name]:
                chk.equal("%s %s" % (name, nl.key_str(k)), tuple(sums.get(k, [0, 0])), (f.packets, f.bytes))
            keys = set(k for _f, k in want[name])
            extra = ["%s: %d pkts %d B" % (nl.key_str(k), c[0], c[1]) for k, c in sums.items()
                     if k not in keys and k.src in hosts and k.dst in hosts]
            chk.equal("%s: records between test hosts that match no sent flow" % name, extra, [])
            t = x.totals().get(ifb)
            chk.true("%s: capture totals printed for %s" % (name, ifb), t is not None)
            if t is None:
                continue
            chk.equal("%s exit totals: kernel drops, interface drops" % name,
                      (t.get("kernel_drops"), t.get("ifdrops")), (0, 0))
            chk.equal("%s exit totals: received = IP packets + not parsed" % name,
                      t["received"], t["ip_packets"] + t["not_parsed"])
            chk.true("%s exit totals: libpcap packets >= received (%s >= %s)" % (
                name, t.get("packets"), t["received"]), (t.get("packets") or 0) >= t["received"])
            chk.equal("%s exit totals: IP packets = Σ records" % name, t["ip_packets"],
                      sum(c[0] for c in sums.values()))
    return 0 if chk.report() else 1


if __name__ == "__main__":
    nl.run_test(main)
