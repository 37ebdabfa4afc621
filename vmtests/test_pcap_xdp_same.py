#!/usr/bin/python3
"""vmtest: the same traffic counted by libpcap on one veth and by XDP on another (one xacctd, one pcap_interfaces_map) gives identical records.

Topology: sender namespace S, daemon namespace D, two veths (s1-d1, s2-d2;
no addresses, IPv6 off). One `xacctd probe` in D with
  ifname=d1 ifindex=201 direction=in method=pcap
  ifname=d2 ifindex=202 direction=in method=xdp
and pcap_ifindex: map. S sends the same raw frames on both veths at the
same time: UDP over IPv4 and IPv6, several sizes and ports, 802.1Q (VID
100), QinQ (VIDs 300/301) and MPLS (two labels). Checks: the records of
in_iface 201 and of in_iface 202 have the same keys with the same packets
and bytes, and both equal what was sent, flow by flow; SIGUSR1 shows d1 on
TPACKET_V3 with 0 kernel drops; the eBPF audit has no mismatch.
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab as nl  # noqa: E402
from test_interfaces_map import MapDaemon, Star, by_iface, check_pcap_stats, finish, flow_key  # noqa: E402


def main():
    p = nl.test_args(__doc__.splitlines()[1])
    p.add_argument("--count", type=int, default=1500)
    a = p.parse_args()
    nl.require_root("creates network namespaces, attaches XDP and captures on veths")
    nl.require_tools("ip", "ethtool")
    nl.set_deadline(a.deadline)
    if not a.xacctd or not os.access(a.xacctd, os.X_OK):
        raise nl.LabError("--xacctd PATH is required (an executable xacctd)")
    xacctd = os.path.abspath(a.xacctd)

    chk = nl.Checker("vm_pcap_xdp_same")
    with nl.Lab("pcapxdp") as lab:
        star = Star(lab, "q", 2)
        d1, d2 = star.if_d
        text = ("ifindex=201 ifname=%s direction=in method=pcap\n"
                "ifindex=202 ifname=%s direction=in method=xdp\n") % (d1, d2)
        x = MapDaemon(lab, star.d, xacctd, "pcapxdp", text).start()
        n = a.count
        # (src, dst, sport, dport, count, size, vlans, mpls)
        traffic = [("198.18.10.1", "198.18.10.2", 40001, 5001, n, 100, (), ()),
                   ("198.18.10.1", "198.18.10.2", 40002, 5001, n // 3, 1200, (), ()),
                   ("198.18.10.3", "198.18.10.2", 40003, 53, n // 2, 18, (), ()),
                   ("2001:db8:10::1", "2001:db8:10::2", 40004, 5002, n // 2, 300, (), ()),
                   ("198.18.11.1", "198.18.11.2", 40005, 5003, n // 4, 150, (100,), ()),
                   ("198.18.12.1", "198.18.12.2", 40006, 5004, n // 5, 90, (300, 301), ()),
                   ("198.18.13.1", "198.18.13.2", 40007, 5005, n // 6, 120, (), (1001, 2002))]
        flows = []
        for (s, d, sp, dp, cnt, size, vlans, mpls) in traffic:
            procs = []
            for i in (0, 1):
                proc, f = star.send(i, s, d, sp, dp, cnt, size, vlans=vlans, mpls=mpls, wait=False)
                procs.append((proc, f))
            for proc, f in procs:
                finish(proc, cnt)
            flows.append(procs[0][1])
        # The audit runs once per drain interval: wait for one after the
        # traffic instead of racing it.
        st = nl.stats_until(x, lambda s: (s.get("probe.audit.checks") or 0) > 0)
        check_pcap_stats(chk, "pcapxdp", st, d1)
        x.stop()
        chk.true("SIGUSR1 probe.audit.checks > 0", (st.get("probe.audit.checks") or 0) > 0,
                 str(st.get("probe.audit.checks")))
        chk.equal("SIGUSR1 probe.audit.mismatch_packets", st.get("probe.audit.mismatch_packets"), 0)

        recs = x.records()
        nl.dump_records("pcapxdp", recs)
        got = by_iface(recs)
        pcap, xdp = dict(got.get(201, {})), dict(got.get(202, {}))
        chk.true("records from libpcap (in_iface 201)", len(pcap) > 0, str(len(pcap)))
        chk.true("records from XDP (in_iface 202)", len(xdp) > 0, str(len(xdp)))
        chk.equal("same keys from libpcap and XDP", sorted(map(nl.key_str, pcap)), sorted(map(nl.key_str, xdp)))
        for k in sorted(set(pcap) | set(xdp), key=nl.key_str):
            chk.equal("libpcap = XDP: %s" % nl.key_str(k), tuple(pcap.get(k, [0, 0])), tuple(xdp.get(k, [0, 0])))
        for f in flows:
            for idx, side in ((201, pcap), (202, xdp)):
                chk.equal("in_iface %d %s" % (idx, f), tuple(side.get(flow_key(f), [0, 0])), (f.packets, f.bytes))
        other = sorted(i for i in got if i not in (201, 202) and any(c[0] for c in got[i].values()))
        chk.equal("records with another in_iface", other, [])
    return 0 if chk.report() else 1


if __name__ == "__main__":
    nl.run_test(main)
