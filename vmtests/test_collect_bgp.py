#!/usr/bin/python3
"""vmtest: BGP enrichment of NetFlow records, xacctd collect = nfacctd 1.7.7 = model.

A real BGP speaker (gobgpd 3.10; exabgp 4.2 with --peer exabgp or exabgp-as2) on
127.0.0.21 peers (iBGP, AS 65021; the collectors mirror the peer's AS) with
two collectors running at the same time with the same config text
(`bgp_daemon: true`, `nfacctd_as: bgp`, `nfacctd_net: bgp`,
`bgp_peer_src_as_type: bgp`, `bgp_agent_map`, one print plugin, JSON):

    nfacctd (pmacct 1.7.7)   BGP 127.0.0.1:P, NetFlow 127.0.0.1:Q
    xacctd collect           BGP 127.0.0.2:P, NetFlow 127.0.0.2:Q

(P, Q picked free in 21100-21999 at start, gobgp APIs in 50271-50399.)

The speaker announces IPv4 and IPv6 routes with AS paths of 2- and 4-byte
ASNs (and one empty path), next hops, MED, LOCAL_PREF and communities,
then withdraws some. NetFlow v9 datagrams built here (vmtests/lib/
bgp_netflow.py: exact packets and bytes per flow, plus bogus export AS,
mask and next-hop fields that must be ignored) are sent from three
exporter addresses:

    127.0.0.21  the BGP peer's own address: its RIB is used
    127.0.0.31  no BGP session; bgp_agent_map maps it to 127.0.0.21's RIB
    127.0.0.32  no BGP session, not in the map: no RIB (all zero, "")
    127.0.0.41  the speaker's BGP Identifier (router-id), not an address it
                connects from: its RIB is used

With --peer gobgpd a second gobgpd (127.0.0.25, AS 65025) sends with
ADD-PATH (send-max 4, negotiated with both collectors): two paths for
198.51.100.0/24 (next hops 198.18.0.1 / .9), one for 198.51.0.0/16 (.7),
two for 192.0.2.0/24 and 2001:db8:100::/48; its flows carry the BGP next
hop (IE 18/63) that selects the path.

Phases (the collectors are checked to have learned each change before
flows are sent: nfacctd through its bgp_daemon_msglog_file, xacctd through
its SIGUSR1 counters bgp.peer.<ip>.rib_prefixes and bgp.rib.publishes):
  1. routes announced, 198.51.100.64/26 announced then withdrawn: flows to a
     /24, to its more specific /25, into the withdrawn /26 (gets the /24),
     to an address only the default route covers, to a route with an
     empty AS path, IPv6 /48 and /64, IPv6 without any route;
  2. 198.51.100.128/25, 0.0.0.0/0 and 2001:db8:100:1::/64 withdrawn (and
     ADD-PATH path 2 of 198.51.100.0/24): the same destinations now get
     the covering route or nothing;
  3. the speakers stopped (sessions closed): the peers' routes are gone.

Assertions (exact packets and bytes per aggregate key, key =
peer_src_ip, src/dst host, src/dst AS, peer src/dst AS, peer_dst_ip,
src/dst net and mask):
  a. nfacctd's records equal the model (vmtests/lib/bgp_lab.py,
     longest-prefix match over the announced, not withdrawn routes;
     origin AS = last ASN, peer AS = first ASN, next hop from BGP);
  b. xacctd's records equal nfacctd's, and so the model;
  c. totals: every flow sent counted once (packets and bytes).

pmacct 1.7.7 behaviour this test relies on (observed, asserted through the
model in vmtests/lib/bgp_lab.py):
  * no best-path selection: the longest matching prefix, its oldest path;
  * an empty AS path gives as_dst 0 and peer_as_dst 0 but the route's
    next hop and mask; no route gives net 0.0.0.0 / "::", mask 0, AS 0 and
    peer_ip_dst "" (the export's BGP next hop IE 18/63 is not used either);
  * the RIB of a session is found by the exporter address equal to the
    session's peer address or to its BGP Identifier (127.0.0.41);
  * an exporter with neither a session nor a bgp_agent_map entry gets the
    same as "no route"; the peer's own address still finds its RIB when a
    bgp_agent_map is configured that does not list it;
  * ADD-PATH: a destination lookup takes the oldest path whose next hop is
    the flow's BGP next hop, trying shorter covering prefixes when the
    longest has no such path, and finds no route when none has it (also
    for a flow without a next hop); a source lookup takes the oldest path;
  * without the 4-byte AS capability (exabgp-as2) AS4_PATH is merged: the
    4-byte ASNs appear, not AS_TRANS 23456;
  * the session's close removes the peer's routes (msglog "delete" lines,
    then "log_close").

--no-xacctd runs only nfacctd and the model (harness check). Needs root
(pmacct binds and reads as root in make test), gobgpd/gobgp or exabgp,
nfacctd; loopback only.
"""
import argparse
import os
import signal
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import bgp_lab as bl  # noqa: E402
import bgp_netflow as bn  # noqa: E402

PEER = "127.0.0.21"
PEER_ID = "127.0.0.41"  # the speaker's BGP Identifier (router-id), not its address
MAPPED = "127.0.0.31"
UNMAPPED = "127.0.0.32"
ASN = 65021
AP_PEER = "127.0.0.25"  # the ADD-PATH speaker (gobgpd only)
AP_ASN = 65025
# Ports: picked free at start (bl.pick_ports) in 21100-21999 (BGP, NetFlow)
# and 50271-50399 (gobgp API, loopback), so two runs never share one.
BGP_PORT = NF_PORT = API_PORT = AP_API_PORT = 0
NFACCTD_IP, XACCTD_IP = "127.0.0.1", "127.0.0.2"

ROUTES, WITHDRAW_1, WITHDRAW_2 = bl.ROUTES, bl.WITHDRAW_1, bl.WITHDRAW_2

# ADD-PATH (send-max 4): two paths for some prefixes, told apart by the
# flow's BGP next hop; phase 2 withdraws path 2 of 198.51.100.0/24.
AP_ROUTES = [
    bl.Route("198.51.100.0/24", [65020, 65030], "198.18.0.1", path_id=1),
    bl.Route("198.51.100.0/24", [65021, 4200000031], "198.18.0.9", path_id=2, med=7),
    bl.Route("198.51.0.0/16", [65022, 65032], "198.18.0.7", path_id=1),
    bl.Route("192.0.2.0/24", [65060], "198.18.0.4", path_id=1),
    bl.Route("192.0.2.0/24", [65061], "198.18.0.5", path_id=2),
    bl.Route("2001:db8:100::/48", [65020, 65070], "2001:db8:ff::1", path_id=1),
    bl.Route("2001:db8:100::/48", [65023, 65071], "2001:db8:ff::9", path_id=2),
]
AP_WITHDRAW_2 = [("198.51.100.0/24", 2)]


def ap_flows(phase):
    """Flows of the ADD-PATH peer: (dst, BGP next hop in the export)."""
    n = phase * 20
    pairs = [
        ("198.51.100.10", None),            # a next hop no path has: no route
        ("198.51.100.11", "198.18.0.1"),    # path 1
        ("198.51.100.12", "198.18.0.9"),    # path 2 (phase 2: withdrawn, no route)
        ("198.51.100.13", "198.18.0.7"),    # no path of the /24 has it: the /16
        ("198.51.7.7", "198.18.0.9"),       # only the /16, other next hop: no route
        ("198.51.100.14", "0.0.0.0"),       # no next hop: no route
        ("2001:db8:100::5", "2001:db8:ff::9"),
        ("2001:db8:100::6", None),
    ]
    out = []
    for i, (dst, nh) in enumerate(pairs):
        src = "2001:db8:200::%x" % (n + 10 + i) if ":" in dst else "192.0.2.%d" % (n + 1 + i)
        out.append(bn.Flow(AP_PEER, src, dst, 100 + phase * 10 + i, (100 + phase * 10 + i) * 52, nexthop=nh))
    return out


SHARED = [
    "bgp_daemon: true",
    "bgp_daemon_port: @BGP_PORT@",
    "nfacctd_port: @NF_PORT@",
    "nfacctd_as: bgp",
    "nfacctd_net: bgp",
    "bgp_peer_src_as_type: bgp",
    "plugins: print[p]",
    "aggregate[p]: peer_src_ip, src_host, dst_host, src_as, dst_as, peer_src_as, peer_dst_as, peer_dst_ip, "
    "src_net, dst_net, src_mask, dst_mask",
    "print_output[p]: json",
    "print_refresh_time[p]: 300",
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--xacctd", help="build/tools/xacctd")
    ap.add_argument("--no-xacctd", action="store_true", help="only nfacctd against the model (harness check)")
    ap.add_argument("--peer", choices=("gobgpd", "exabgp", "exabgp-as2"), default="gobgpd",
                    help="exabgp-as2: exabgp without the 4-byte AS capability (AS_TRANS + AS4_PATH); "
                         "the ADD-PATH speaker runs with gobgpd only")
    ap.add_argument("--deadline", type=float, default=100)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: needs root (pmacct and the loopback peers as in make test)")
        return 77
    with_x = not a.no_xacctd
    if with_x and (not a.xacctd or not os.access(a.xacctd, os.X_OK)):
        raise bl.LabError("--xacctd PATH is required (or --no-xacctd)")
    bl.require_tools("nfacctd", "ss", *(("gobgpd", "gobgp") if a.peer == "gobgpd" else ("exabgp",)))
    t0 = time.monotonic()
    global BGP_PORT, NF_PORT, API_PORT, AP_API_PORT
    BGP_PORT, NF_PORT = bl.pick_ports(2, 21100, 21999)
    API_PORT, AP_API_PORT = bl.pick_ports(2, 50271, 50399)
    shared_lines = [l.replace("@BGP_PORT@", str(BGP_PORT)).replace("@NF_PORT@", str(NF_PORT)) for l in SHARED]
    lab = bl.Lab("bgp", min(a.deadline, 90), keep=a.keep)
    chk = bl.Checker("vm_collect_bgp (%s peer)" % a.peer)

    agent_map = lab.path("bgp_agent.map")
    with open(agent_map, "w") as f:
        f.write("bgp_ip=%s ip=%s\n" % (PEER, MAPPED))
    shared = shared_lines + ["bgp_agent_map: %s" % agent_map]
    msglog = lab.path("nfacctd-msglog.json")
    nfa = bl.Collector(lab, "nfacctd", ["nfacctd"], shared,
                       ["daemonize: false", "nfacctd_ip: %s" % NFACCTD_IP, "bgp_daemon_ip: %s" % NFACCTD_IP,
                        # pmacct only: tells this test when routes are learned.
                        "bgp_daemon_msglog_file: %s" % msglog]).start()
    colls = [nfa]
    xa = None
    if with_x:
        xa = bl.Collector(lab, "xacctd", [os.path.abspath(a.xacctd), "collect"], shared,
                          ["nfacctd_ip: %s" % XACCTD_IP, "bgp_daemon_ip: %s" % XACCTD_IP]).start()
        colls.append(xa)
    nfa.wait_ports(tcp=[(NFACCTD_IP, BGP_PORT)], udp=[(NFACCTD_IP, NF_PORT)])
    if xa:
        try:
            xa.wait_ports(tcp=[(XACCTD_IP, BGP_PORT)], udp=[(XACCTD_IP, NF_PORT)])
        except bl.LabError as e:
            # Fails the test (not a skip); the pmacct side and the model still run.
            chk.fail("xacctd collect does not run this config (bgp_daemon, nfacctd_as/nfacctd_net: bgp): %s" % e)
            xa.stop()
            colls.remove(xa)
            xa = None

    targets = [NFACCTD_IP] + ([XACCTD_IP] if xa else [])
    speakers = []  # (speaker, its address, its model RIB)
    if a.peer == "gobgpd":
        spk = bl.GoBgp(lab, "gobgpd", PEER_ID, ASN, API_PORT,
                       [dict(addr=t, port=BGP_PORT, peer_as=ASN) for t in targets], address=PEER).start()
        aps = bl.GoBgp(lab, "gobgpd-addpath", AP_PEER, AP_ASN, AP_API_PORT,
                       [dict(addr=t, port=BGP_PORT, peer_as=AP_ASN, add_paths=4) for t in targets]).start()
        spk.wait_established(targets, 30)
        aps.wait_established(targets, 30)
    else:
        spk = bl.ExaBgp(lab, "exabgp", PEER_ID, ASN, targets, BGP_PORT, asn4=a.peer == "exabgp",
                        address=PEER).start()
        spk.wait_established(targets, BGP_PORT, 30)
        aps = None
    rib = bl.Rib()
    ap_rib = bl.Rib(add_path=True)
    speakers.append((spk, PEER, rib))
    if aps:
        speakers.append((aps, AP_PEER, ap_rib))

    cases = []
    waiters = Waiters(nfa, msglog, xa)

    def change(spk, peer, rib, announce=(), withdraw=()):
        for r in announce:
            spk.announce(r)
            rib.announce(r)
        for p, path_id in withdraw:
            spk.withdraw(p, path_id) if path_id else spk.withdraw(p)
            rib.withdraw(p, path_id)
        waiters.wait_rib(peer, rib, announce, withdraw)

    def send(phase, ribs):
        flows = bl.phase_flows(phase, (PEER, MAPPED, UNMAPPED, PEER_ID), few=(UNMAPPED, PEER_ID))
        if aps:
            flows += ap_flows(phase)
        for exporter in (PEER, MAPPED, UNMAPPED, PEER_ID, AP_PEER):
            mine = [f for f in flows if f.exporter == exporter]
            for ip in (NFACCTD_IP, XACCTD_IP)[:len(colls)]:
                bn.Exporter(exporter).send(mine, NF_PORT, ip)
        for f in flows:
            # MAPPED has no session: bgp_agent_map gives it PEER's RIB;
            # PEER_ID is the session's BGP Identifier: PEER's RIB too.
            cases.append((f, ribs.get(PEER if f.exporter in (MAPPED, PEER_ID) else f.exporter)))
        waiters.wait_flows(flows)
        bl.log("phase %d: %d flows sent; routes in the model: %s" % (
            phase, len(flows), {k: sum(map(len, r.routes.values())) for k, r in ribs.items()}))

    change(spk, PEER, rib, announce=ROUTES)
    change(spk, PEER, rib, withdraw=[(p, 0) for p in WITHDRAW_1])
    if aps:
        change(aps, AP_PEER, ap_rib, announce=AP_ROUTES)
    send(1, {PEER: rib.snapshot(), AP_PEER: ap_rib.snapshot()})
    change(spk, PEER, rib, withdraw=[(p, 0) for p in WITHDRAW_2])
    if aps:
        change(aps, AP_PEER, ap_rib, withdraw=AP_WITHDRAW_2)
    send(2, {PEER: rib.snapshot(), AP_PEER: ap_rib.snapshot()})
    # Phase 3: the sessions go away with the speakers.
    for s_, peer, _ in speakers:
        bl.Lab.stop(s_.p, signal.SIGTERM)
        waiters.wait_peer_down(peer)
    send(3, {})

    rcs = [c.stop() for c in colls]
    want = bl.model_sums(cases)
    got_nf = nfa.records()
    # nfacctd 1.7.7 exits 0 or 1 on SIGINT at random (its plugin may exit
    # first: "connection lost to 'p-print'"); its records are written either way.
    bl.log("nfacctd exit code %s" % rcs[0])
    bl.compare(chk, "nfacctd vs model", got_nf, want)
    got = [("nfacctd", got_nf)]
    if xa:
        chk.check(rcs[1] == 0, "xacctd exit code %s" % rcs[1])
        got_x = xa.records()
        bl.compare(chk, "xacctd vs nfacctd", got_x, got_nf)
        bl.compare(chk, "xacctd vs model", got_x, want)
        got.append(("xacctd", got_x))
    sent = (sum(f.packets for f, _ in cases), sum(f.bytes for f, _ in cases))
    for name, g in got:
        tot = (sum(v[0] for v in g.values()), sum(v[1] for v in g.values()))
        chk.check(tot == sent, "%s totals %s = sent %s" % (name, tot, sent))
    bl.log("took %.1f s" % (time.monotonic() - t0))
    ok = chk.report()
    return 0 if ok else 1


class Waiters:
    """How the test knows a collector has applied a route change or read
    the flows: nfacctd through its msglog (update/withdraw lines per peer,
    log_close), xacctd through its SIGUSR1 counters
    (bgp.peer.<ip>.rib_prefixes, then one more RIB publish;
    collector.exporter.<ip>.records)."""

    def __init__(self, nfa, msglog, xa):
        self.nfa, self.msglog, self.xa = nfa, msglog, xa
        self.events = {}
        self.records = {}

    def wait_rib(self, peer, rib, announce, withdraw):
        u, w = self.events.get(peer, (0, 0))
        want = self.events[peer] = (u + len(announce), w + len(withdraw))
        bl.wait_for("nfacctd msglog: %d updates, %d withdraws from %s" % (want + (peer,)),
                    lambda: bl.pmacct_route_events(self.msglog, peer=peer) == want, 20,
                    on_timeout=lambda: bl.tail(bl.read_text(self.msglog)))
        if self.xa:
            bl.xacctd_wait_counters(self.xa, {"bgp.peer.%s.rib_prefixes" % peer: len(rib.routes)}, "RIB")

    def wait_flows(self, flows):
        # The lookups happen as the datagrams are read: the next route change
        # must not overtake datagrams still queued.
        bl.wait_udp_drained("nfacctd", NFACCTD_IP, NF_PORT)
        if self.xa:
            bl.xacctd_wait_records(self.xa, flows, self.records)

    def wait_peer_down(self, peer):
        def nf_ok():
            return any(r.get("event_type") == "log_close" and r.get("peer_ip_src") == peer
                       for r in bl.pmacct_msglog(self.msglog))
        bl.wait_for("nfacctd msglog: log_close of %s (BGP session closed)" % peer, nf_ok, 20,
                    on_timeout=lambda: bl.tail(self.nfa.logtext()))
        if self.xa:
            bl.xacctd_wait_counters(self.xa, {"bgp.peer.%s.rib_prefixes" % peer: 0}, "RIB after session close")


if __name__ == "__main__":
    bl.run_test(main)
