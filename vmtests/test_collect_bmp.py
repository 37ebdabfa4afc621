#!/usr/bin/python3
"""vmtest: BMP enrichment of NetFlow records, xacctd collect = nfacctd 1.7.7 = model.

Two gobgpd 3.10 on loopback:

    feeder   127.0.0.23, AS 65022, no listener; the routes are added to and
             withdrawn from its RIB
    router   127.0.0.22 (router-id), AS 65022, BGP on 127.0.0.22:R,
             passive iBGP neighbor: the feeder; import policy: prepend
             AS 65500, MED 77; exports BMP (route-monitoring-policy
             "all": pre-policy, post-policy and Loc-RIB route monitoring)
             to two stations at once

    nfacctd (pmacct 1.7.7)   BMP 127.0.0.1:P, NetFlow 127.0.0.1:Q
    xacctd collect           BMP 127.0.0.2:P, NetFlow 127.0.0.2:Q

(R, P, Q picked free in 21100-21999 at start, gobgp APIs in 50271-50399.)

with the same config text (`bmp_daemon: true`, `nfacctd_as: bmp`,
`nfacctd_net: bmp`, `bgp_peer_src_as_type: bgp`, `bmp_agent_map`, one print
plugin, JSON). gobgpd's BMP connections come from 127.0.0.1 (it has no
source-address knob; Linux picks 127.0.0.1 for any 127.x destination).

Routes, withdrawals, phases and flows are those of test_collect_bgp.py
(vmtests/lib/bgp_lab.py): phase 1 after the announcements (and the /26
withdrawn), phase 2 after three more withdrawals, phase 3 after the feeder
is stopped (BMP Peer Down). NetFlow v9 exporters (vmtests/lib/bgp_netflow.py):

    127.0.0.1   the BMP session's address (the router as the station sees it)
    127.0.0.22  the router's BGP Identifier
    127.0.0.23  the monitored peer (the feeder)
    127.0.0.31  none of those; bmp_agent_map maps it to 127.0.0.1
    127.0.0.24  none of those, not mapped: no RIB

pmacct 1.7.7 behaviour (observed here; read in its bmp_lookup.c), asserted
through the model:
  * the BMP RIB used for a flow is found by the exporter address equal to
    the BMP session's remote address or the router's BGP ID, or, failing
    that, equal to the address of a peer monitored by that router
    ("use-case #2, the BMP peer being a reflector"): 127.0.0.1, .22 and .23
    all get the router's routes;
  * pre-policy and post-policy route monitoring of the same peer land in
    one RIB, and a lookup takes the path that arrived first: the
    pre-policy one (gobgpd sends it before the post-policy one). The
    router's import policy prepends AS 65500 and sets MED 77, so the
    post-policy paths differ (checked in the msglog) and a lookup that used
    them would show peer_dst_as 65500;
  * gobgpd's Loc-RIB route monitoring (peer type 3, no Peer Up) is
    discarded: "missing peer up BMP message for peer 0.0.0.0";
  * a route with an empty AS path gives AS 0 and the route's next hop/mask;
    no route: AS 0, net 0.0.0.0 / ::, mask 0, peer_ip_dst "";
  * after Peer Down every route of that peer is gone (phase 3: all zero).

xacct differences (docs/bgp.md), asserted as they are unless --strict:
  * exporter 127.0.0.23 (a monitored peer) gets no RIB in xacct: it
    matches BMP routers by session address or BGP ID only, not by the
    peers they monitor (XACCT_NOT_DONE below). Their records must be exactly "no RIB" or
    exactly nfacctd's (then the test says to drop the entry); anything
    else fails;
  * xacct keeps route monitoring that has no Peer Up (gobgpd's Loc-RIB,
    counted in bmp.router.<ip>.rm_without_peer_up, held under
    bgp.bmp.<router>.peer.0.0.0.0.loc.*) where pmacct drops it; invisible
    in the records here: the Loc-RIB paths (= post-policy) arrive after
    the pre-policy ones, which lookups take.

Assertions (exact packets and bytes per aggregate key): nfacctd = model;
xacctd = nfacctd = model for the exporters 127.0.0.1, .31 and .24; the
differences above; totals = sent; the router's policy visible in the
msglog (post-policy paths start with AS 65500, pre-policy ones do not). --no-xacctd: nfacctd and
the model only (harness check). Needs root, gobgpd/gobgp, nfacctd;
loopback only.
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

ROUTER_SESSION = "127.0.0.1"
ROUTER_ID = "127.0.0.22"
FEEDER = "127.0.0.23"
MAPPED = "127.0.0.31"
UNRELATED = "127.0.0.24"
EXPORTERS = (ROUTER_SESSION, ROUTER_ID, FEEDER, MAPPED, UNRELATED)
WITH_RIB = (ROUTER_SESSION, ROUTER_ID, FEEDER, MAPPED)
# pmacct finds the router's RIB for these exporters, xacct (docs/bgp.md,
# "Lookup semantics": BMP routers are matched by their session address
# or BGP ID; "Not done": the reflector case) finds none. Asserted as they are
# (xacctd: no RIB) unless --strict; remove an entry once xacct does it.
XACCT_NOT_DONE = {
    FEEDER: "a peer the router monitors (pmacct's 'BMP peer being the reflector' case)",
}
ASN = 65022
# Ports: picked free at start (bl.pick_ports) in 21100-21999 (BGP, BMP,
# NetFlow) and 50271-50399 (gobgp API), so two runs never share one.
ROUTER_BGP_PORT = BMP_PORT = NF_PORT = ROUTER_API = FEEDER_API = 0
NFACCTD_IP, XACCTD_IP = "127.0.0.1", "127.0.0.2"

# The router's import policy: post-policy routes get AS 65500 prepended and
# MED 77, so pre-policy and post-policy route monitoring differ (and the
# Loc-RIB equals post-policy); the AS path values show which one a lookup used.
POLICY_AS = 65500
ROUTER_POLICY = """[global.apply-policy.config]
  import-policy-list = ["prepend"]
  default-import-policy = "accept-route"
[[policy-definitions]]
  name = "prepend"
  [[policy-definitions.statements]]
    name = "s1"
    [policy-definitions.statements.actions]
      route-disposition = "accept-route"
    [policy-definitions.statements.actions.bgp-actions]
      set-med = "77"
      [policy-definitions.statements.actions.bgp-actions.set-as-path-prepend]
        as = "%d"
        repeat-n = 1
""" % POLICY_AS

SHARED = [
    "bmp_daemon: true",
    "bmp_daemon_port: @BMP_PORT@",
    "nfacctd_port: @NF_PORT@",
    "nfacctd_as: bmp",
    "nfacctd_net: bmp",
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
    ap.add_argument("--strict", action="store_true",
                    help="xacctd must equal nfacctd for every exporter, XACCT_NOT_DONE included")
    ap.add_argument("--deadline", type=float, default=100)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: needs root (pmacct and the loopback peers as in make test)")
        return 77
    with_x = not a.no_xacctd
    if with_x and (not a.xacctd or not os.access(a.xacctd, os.X_OK)):
        raise bl.LabError("--xacctd PATH is required (or --no-xacctd)")
    bl.require_tools("nfacctd", "ss", "gobgpd", "gobgp")
    t0 = time.monotonic()
    global ROUTER_BGP_PORT, BMP_PORT, NF_PORT, ROUTER_API, FEEDER_API
    ROUTER_BGP_PORT, BMP_PORT, NF_PORT = bl.pick_ports(3, 21100, 21999, addrs=("127.0.0.1", "127.0.0.2",
                                                                             ROUTER_ID))
    ROUTER_API, FEEDER_API = bl.pick_ports(2, 50271, 50399)
    shared_lines = [l.replace("@BMP_PORT@", str(BMP_PORT)).replace("@NF_PORT@", str(NF_PORT)) for l in SHARED]
    lab = bl.Lab("bmp", min(a.deadline, 90), keep=a.keep)
    chk = bl.Checker("vm_collect_bmp")

    agent_map = lab.path("bmp_agent.map")
    with open(agent_map, "w") as f:
        f.write("bgp_ip=%s ip=%s\n" % (ROUTER_SESSION, MAPPED))
    shared = shared_lines + ["bmp_agent_map: %s" % agent_map]
    msglog = lab.path("nfacctd-msglog.json")
    nfa = bl.Collector(lab, "nfacctd", ["nfacctd"], shared,
                       ["daemonize: false", "nfacctd_ip: %s" % NFACCTD_IP, "bmp_daemon_ip: %s" % NFACCTD_IP,
                        # pmacct only: tells this test when routes are learned.
                        "bmp_daemon_msglog_file: %s" % msglog]).start()
    colls = [nfa]
    xa = None
    if with_x:
        xa = bl.Collector(lab, "xacctd", [os.path.abspath(a.xacctd), "collect"], shared,
                          ["nfacctd_ip: %s" % XACCTD_IP, "bmp_daemon_ip: %s" % XACCTD_IP]).start()
        colls.append(xa)
    nfa.wait_ports(tcp=[(NFACCTD_IP, BMP_PORT)], udp=[(NFACCTD_IP, NF_PORT)])
    if xa:
        try:
            xa.wait_ports(tcp=[(XACCTD_IP, BMP_PORT)], udp=[(XACCTD_IP, NF_PORT)])
        except bl.LabError as e:
            # Fails the test (not a skip); the pmacct side and the model still run.
            chk.fail("xacctd collect does not run this config (bmp_daemon, nfacctd_as/nfacctd_net: bmp): %s" % e)
            xa.stop()
            colls.remove(xa)
            xa = None

    stations = [NFACCTD_IP] + ([XACCTD_IP] if xa else [])
    router = bl.GoBgp(lab, "router", ROUTER_ID, ASN, ROUTER_API,
                      [dict(addr=FEEDER, peer_as=ASN, passive=True)], listen_port=ROUTER_BGP_PORT,
                      bmp=[(s, BMP_PORT, "all") for s in stations], extra_toml=ROUTER_POLICY).start()
    feeder = bl.GoBgp(lab, "feeder", FEEDER, ASN, FEEDER_API,
                      [dict(addr=ROUTER_ID, port=ROUTER_BGP_PORT, peer_as=ASN)]).start()
    feeder.wait_established([ROUTER_ID], 30)

    rib = bl.Rib()
    cases = []    # (flow, RIB pmacct uses)
    x_cases = []  # (flow, RIB xacct uses): differs for XACCT_NOT_DONE
    not_done = {} if a.strict else XACCT_NOT_DONE
    waiters = Waiters(nfa, msglog, xa)
    waiters.wait_peer_up()

    def change(announce=(), withdraw=()):
        for r in announce:
            feeder.announce(r)
            rib.announce(r)
        for p in withdraw:
            feeder.withdraw(p)
            rib.withdraw(p)
        waiters.wait_rib(rib, announce, withdraw)

    def send(phase, model_rib):
        flows = bl.phase_flows(phase, EXPORTERS, few=(UNRELATED,))
        for exporter in EXPORTERS:
            mine = [f for f in flows if f.exporter == exporter]
            for ip in (NFACCTD_IP, XACCTD_IP)[:len(colls)]:
                bn.Exporter(exporter).send(mine, NF_PORT, ip)
        for f in flows:
            cases.append((f, model_rib if f.exporter in WITH_RIB else None))
            x_cases.append((f, model_rib if f.exporter in WITH_RIB and f.exporter not in not_done else None))
        waiters.wait_flows(flows)
        bl.log("phase %d: %d flows sent, %d routes in the model" % (
            phase, len(flows), len(model_rib.routes) if model_rib else 0))

    change(announce=bl.ROUTES)
    change(withdraw=bl.WITHDRAW_1)
    send(1, rib.snapshot())
    change(withdraw=bl.WITHDRAW_2)
    send(2, rib.snapshot())
    # Phase 3: the feeder goes away; the router reports Peer Down over BMP.
    bl.Lab.stop(feeder.p, signal.SIGTERM)
    waiters.wait_peer_down()
    send(3, None)
    bl.Lab.stop(router.p, signal.SIGTERM)

    rcs = [c.stop() for c in colls]
    want = bl.model_sums(cases)
    got_nf = nfa.records()
    # nfacctd 1.7.7 exits 0 or 1 on SIGINT at random (its plugin may exit
    # first: "connection lost to 'p-print'"); its records are written either way.
    bl.log("nfacctd exit code %s" % rcs[0])
    bl.compare(chk, "nfacctd vs model", got_nf, want)
    post = [r.get("as_path", "") for r in bl.pmacct_msglog(msglog) if r.get("log_type") == "update"
            and r.get("is_post") == 1]
    pre = [r.get("as_path", "") for r in bl.pmacct_msglog(msglog) if r.get("log_type") == "update"
           and r.get("is_post") == 0]
    chk.check(len(post) == len(pre) == len(bl.ROUTES) and
              all(p.split()[:1] == [str(POLICY_AS)] for p in post) and
              not any(p.split()[:1] == [str(POLICY_AS)] for p in pre),
              "the router's policy: %d post-policy routes with AS %d prepended, %d pre-policy without" % (
                  len(post), POLICY_AS, len(pre)))
    nf_log = nfa.logtext()
    chk.check("missing peer up BMP message for peer 0.0.0.0" in nf_log,
              "nfacctd discarded gobgpd's Loc-RIB route monitoring (missing peer up for 0.0.0.0)")
    got = [("nfacctd", got_nf)]
    if xa:
        chk.check(rcs[1] == 0, "xacctd exit code %s" % rcs[1])
        got_x = xa.records()
        # Exporters xacct handles as pmacct: exact equality with nfacctd.
        same = lambda d: {k: v for k, v in d.items() if k[0] not in not_done}  # noqa: E731
        bl.compare(chk, "xacctd vs nfacctd (exporters %s)" % ", ".join(
            e for e in EXPORTERS if e not in not_done), same(got_x), same(got_nf))
        bl.compare(chk, "xacctd vs model", same(got_x), same(want))
        # The documented differences: each such exporter's records must be
        # exactly "no RIB", or exactly pmacct's once xacct does it.
        x_want = bl.model_sums(x_cases)
        for e, why in not_done.items():
            mine = lambda d: {k: v for k, v in d.items() if k[0] == e}  # noqa: E731
            if mine(got_x) == mine(x_want):
                chk.ok("known difference: exporter %s = %s: pmacct 1.7.7 uses the router's RIB, xacct none "
                       "(docs/bgp.md); %d keys exact as 'no RIB'" % (e, why, len(mine(x_want))))
            elif mine(got_x) == mine(got_nf):
                chk.ok("exporter %s = %s: xacct now equals nfacctd (%d keys); drop it from XACCT_NOT_DONE" % (
                    e, why, len(mine(got_nf))))
            else:
                bl.compare(chk, "xacctd (exporter %s, neither 'no RIB' nor pmacct's)" % e, mine(got_x),
                           mine(got_nf))
        got.append(("xacctd", got_x))
    sent = (sum(f.packets for f, _ in cases), sum(f.bytes for f, _ in cases))
    for name, g in got:
        tot = (sum(v[0] for v in g.values()), sum(v[1] for v in g.values()))
        chk.check(tot == sent, "%s totals %s = sent %s" % (name, tot, sent))
    bl.log("took %.1f s" % (time.monotonic() - t0))
    ok = chk.report()
    lab.failed = not ok
    return 0 if ok else 1


class Waiters:
    """How the test knows a collector has applied a change: nfacctd through
    its BMP msglog (peer_up, route monitoring update/withdraw lines: one
    pre-policy and one post-policy per route, peer_down), xacctd through
    its SIGUSR1 counters."""

    def __init__(self, nfa, msglog, xa):
        self.nfa, self.msglog, self.xa = nfa, msglog, xa
        self.updates = 0
        self.withdraws = 0
        self.records = {}

    def _msg_types(self):
        out = []
        for line in bl.read_text(self.msglog).splitlines():
            if '"bmp_msg_type": "peer_up"' in line:
                out.append("peer_up")
            elif '"bmp_msg_type": "peer_down"' in line:
                out.append("peer_down")
        return out

    def wait_peer_up(self):
        bl.wait_for("nfacctd msglog: BMP peer_up", lambda: "peer_up" in self._msg_types(), 20,
                    on_timeout=lambda: bl.tail(self.nfa.logtext()))
        if self.xa:
            xacctd_wait_peer_up(self.xa)

    def wait_rib(self, rib, announce, withdraw):
        self.updates += 2 * len(announce)   # pre-policy + post-policy
        self.withdraws += 2 * len(withdraw)
        want = (self.updates, self.withdraws)

        def nf_ok():
            return bl.pmacct_route_events(self.msglog, peer_key="peer_ip", peer=FEEDER) == want
        bl.wait_for("nfacctd msglog: %d updates, %d withdraws (pre + post policy)" % want, nf_ok, 20,
                    on_timeout=lambda: bl.tail(bl.read_text(self.msglog)))
        if self.xa:
            xacctd_wait_rib(self.xa, rib)

    def wait_flows(self, flows):
        # The lookups happen as the datagrams are read: the next route change
        # must not overtake datagrams still queued.
        bl.wait_udp_drained("nfacctd", NFACCTD_IP, NF_PORT)
        if self.xa:
            bl.xacctd_wait_records(self.xa, flows, self.records)

    def wait_peer_down(self):
        bl.wait_for("nfacctd msglog: BMP peer_down", lambda: "peer_down" in self._msg_types(), 20,
                    on_timeout=lambda: bl.tail(self.nfa.logtext()))
        if self.xa:
            xacctd_wait_peer_down(self.xa)


def rib_counters(n):
    base = "bgp.bmp.%s.peer.%s." % (ROUTER_SESSION, FEEDER)
    return {base + "pre.rib_prefixes": n, base + "post.rib_prefixes": n}


def xacctd_wait_peer_up(xa):
    bl.xacctd_wait_counters(xa, {"bmp.router.%s.peer_up" % ROUTER_SESSION: 1}, "BMP peer up", at_least=True)


def xacctd_wait_rib(xa, rib):
    bl.xacctd_wait_counters(xa, rib_counters(len(rib.routes)), "BMP RIB (pre and post policy)")


def xacctd_wait_peer_down(xa):
    bl.xacctd_wait_counters(xa, {"bmp.router.%s.peer_down" % ROUTER_SESSION: 1}, "BMP peer down", at_least=True)
    bl.xacctd_wait_counters(xa, rib_counters(0), "BMP RIB after peer down")


if __name__ == "__main__":
    bl.run_test(main)
