#!/usr/bin/python3
"""vmtest: one xacctd counts three veths from a pcap_interfaces_map (eBPF and libpcap side by side), reloaded on SIGUSR2 while traffic flows.

Topology: a sender namespace S and the daemon's namespace D joined by three
veths (s1-d1, s2-d2, s3-d3); IPv6 off and no addresses, so nothing but the
test's raw UDP frames crosses them. One `xacctd probe` in D with
pcap_interfaces_map and pcap_ifindex: map (records carry in_iface 101, 102,
103 for d1, d2, d3). The map changes twice, each time with SIGUSR2:
  v1  d1 pcap in              d2 tc in
  v2  d1 pcap in (unchanged)  d3 xdp in           + three bad lines
  v3  d1 pcap in (unchanged)  d2 pcap in
  v4  d1 pcap in (unchanged)  d2 tc in (same line, method changed: restarted)
  v4 again, after d2 was deleted and created again (new ifindex): d2 is
      restarted as broken, d1 untouched
A background stream on d1 runs across the four reloads; between reloads
each of d2 and d3 gets its own burst of frames (its own source port per
phase). Checks: d1 has exactly the background stream (never restarted: one
start line, pcap totals = frames sent); d2 has exactly phase 1 (tc), phase 3
(pcap), phase 4 (tc again) and phase 5 (tc on the new d2) and nothing of
phase 2 (removed); d3 exactly phase 2 (xdp) and nothing of phases 1, 3-5; no other record between the
test hosts; each bad
line is reported as file:line and skipped while the lines after it load;
SIGUSR1 shows TPACKET_V3, immediate mode off, the ring size and 0 kernel
drops per libpcap interface.
"""
import collections
import os
import re
import signal
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab as nl  # noqa: E402
from netlab_traffic import GEN, PYTHON  # noqa: E402

AGGREGATE = nl.DEFAULT_AGGREGATE


class Star:
    """Namespaces S and D joined by n veths s<i> <-> d<i> (offloads off,
    IPv6 off, no addresses: only the raw frames a test sends cross them)."""

    def __init__(self, lab, tag, n):
        self.lab = lab
        self.s = lab.netns(tag + "s")
        self.d = lab.netns(tag + "d")
        for ns in (self.s, self.d):
            ns.sysctl("net.ipv6.conf.all.disable_ipv6", 1)
            ns.sysctl("net.ipv6.conf.default.disable_ipv6", 1)
            ns.ip("link", "set", "lo", "up")
        self.if_s, self.if_d = [], []
        for i in range(1, n + 1):
            base = "x%d%s%d" % (os.getpid(), tag, i)
            if len(base) + 1 > 15:
                raise nl.LabError("interface name too long: " + base)
            self.if_s.append(base + "s")
            self.if_d.append(base + "d")
            self._make(i - 1)
        for i in range(n):
            self._wait_up(i)

    def _make(self, i):
        s_if, d_if = self.if_s[i], self.if_d[i]
        nl.run(["ip", "link", "add", s_if, "netns", self.s.name, "type", "veth",
                "peer", "name", d_if, "netns", self.d.name])
        for ns, ifn in ((self.s, s_if), (self.d, d_if)):
            ns.sysctl("net.ipv6.conf.%s.disable_ipv6" % ifn, 1)
            ns.offloads(ifn, tso="off", gso="off", gro="off")
            ns.ip("link", "set", ifn, "up")

    def _wait_up(self, i):
        end = time.monotonic() + 5
        while self.d.link(self.if_d[i]).get("operstate") != "UP" or \
                self.s.link(self.if_s[i]).get("operstate") != "UP":
            if time.monotonic() > end:
                raise nl.LabError("veth %s not up" % self.if_d[i])
            time.sleep(0.02)

    def recreate(self, i):
        """Deletes veth pair i and creates it again (same names, new ifindexes)."""
        self.s.ip("link", "del", self.if_s[i])
        self._make(i)
        self._wait_up(i)

    def send(self, i, src, dst, sport, dport, count, size, pps=20000, vlans=(), mpls=(), wait=True):
        """`count` raw UDP frames on veth i (0-based) from S: returns the
        Flow (exact packets and L3 bytes), or (proc, flow) with wait=False."""
        argv = [PYTHON, GEN, "udp-send-raw", "--ifname", self.if_s[i], "--src-mac", self.s.mac(self.if_s[i]),
                "--dst-mac", self.d.mac(self.if_d[i]), "--vlans", ",".join(str(v) for v in vlans),
                "--src", src, "--dst", dst, "--sport", str(sport), "--port", str(dport),
                "--count", str(count), "--size", str(size), "--pps", str(pps),
                "--mpls", ",".join(str(m) for m in mpls)]
        proc = self.s.popen(argv, "raw-%d-%d" % (i, sport))
        flow = nl.Flow(src, dst, sport, dport, 17, count, count * (size + nl.l3_overhead(src, 17)),
                       vlans[0] if vlans else 0)
        if not wait:
            return proc, flow
        finish(proc, count)
        return flow


def finish(proc, count, timeout=60):
    rc = proc.wait(timeout)
    out = [l for l in proc.stdout().splitlines() if l.startswith("{")]
    if rc != 0 or not out or '"packets": %d' % count not in out[-1]:
        raise nl.LabError("%s: sent %s of %d frames (rc %s):\n%s" % (proc.name, out[-1:] or "?", count, rc,
                                                                    nl.tail(proc.stderr())))


class MapDaemon(nl.XacctdCapture):
    """xacctd with a pcap_interfaces_map (whose text `write_map` replaces)."""

    def __init__(self, lab, ns, binary, name, map_text, extra=None):
        self.map_path = lab.path(name + ".map")
        self.write_map(map_text)
        cfg = {"pcap_interfaces_map": self.map_path, "pcap_ifindex": "map"}
        cfg.update(extra or {})
        super().__init__(lab, ns, binary, name, cfg, aggregate=AGGREGATE)

    def write_map(self, text):
        tmp = self.map_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, self.map_path)

    def start(self, timeout=20):
        self.proc = self.ns.popen([self.binary, "probe", "-f", self.conf_path], self.name)
        try:
            self.proc.wait_for_line(r"counting interfaces: ", timeout, stream="stderr")
        except nl.LabError as e:
            self._fail(str(e))
        nl.log("%s (pid %d) started" % (self.name, self.proc.pid))
        return self

    def reload(self, timeout=20):
        """SIGUSR2, then waits for the reload's result line."""
        rx = re.compile(r"SIGUSR2: pcap_interfaces_map (reloaded|not reloaded)")
        before = len(rx.findall(self.proc.stderr()))
        self.proc.signal(signal.SIGUSR2)
        end = time.monotonic() + timeout
        while len(rx.findall(self.proc.stderr())) <= before:
            if not self.proc.alive():
                self._fail("exited after SIGUSR2")
            if time.monotonic() > end:
                self._fail("no reload line within %ss after SIGUSR2" % timeout)
            time.sleep(0.02)
        last = rx.findall(self.proc.stderr())[-1]
        if last != "reloaded":
            self._fail("pcap_interfaces_map not reloaded")


def check_pcap_stats(chk, name, st, ifname):
    pre = "capture.%s." % ifname
    chk.equal("%s SIGUSR1 %stpacket_version" % (name, pre), st.get(pre + "tpacket_version"), 3)
    chk.equal("%s SIGUSR1 %simmediate" % (name, pre), st.get(pre + "immediate"), 0)
    chk.true("%s SIGUSR1 %sring_bytes >= 32 MiB" % (name, pre), (st.get(pre + "ring_bytes") or 0) >= 32 << 20,
             str(st.get(pre + "ring_bytes")))
    chk.equal("%s SIGUSR1 %skernel_drops" % (name, pre), st.get(pre + "kernel_drops"), 0)
    chk.equal("%s SIGUSR1 %sifdrops" % (name, pre), st.get(pre + "ifdrops"), 0)


def by_iface(records):
    """in_iface -> {key without interfaces: [packets, bytes]}."""
    out = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0]))
    for k, c in nl.sum_records(records).items():
        slot = out[k.iface_in]
        kk = k._replace(iface_in=0, iface_out=0)
        slot[kk][0] += c[0]
        slot[kk][1] += c[1]
    return out


def flow_key(f):
    return nl.Key(f.src, f.dst, f.sport, f.dport, f.proto, f.vlan, 0, 0)


def main():
    p = nl.test_args(__doc__.splitlines()[1])
    p.add_argument("--background", type=int, default=10000, help="frames of the stream on d1 (1000/s)")
    a = p.parse_args()
    nl.require_root("creates network namespaces, attaches XDP/TC and captures on veths")
    nl.require_tools("ip", "ethtool")
    nl.set_deadline(a.deadline)
    if not a.xacctd or not os.access(a.xacctd, os.X_OK):
        raise nl.LabError("--xacctd PATH is required (an executable xacctd)")
    xacctd = os.path.abspath(a.xacctd)

    chk = nl.Checker("vm_interfaces_map")
    with nl.Lab("ifmap") as lab:
        star = Star(lab, "m", 3)
        d1, d2, d3 = star.if_d
        v1 = ("! v1\n"
              "ifindex=101 ifname=%s direction=in method=pcap\n"
              "ifindex=102 ifname=%s direction=in method=tc\n") % (d1, d2)
        # Bad lines first: each is skipped and named, the d3 line after them loads.
        v2 = ("! v2\n"
              "ifindex=101 ifname=%s direction=in method=pcap\n"
              "ifname=%s method=tc\n"
              "ifname=nosuchif%d method=pcap\n"
              "ifname=%s bogus=1\n"
              "ifindex=103 ifname=%s direction=in method=xdp\n") % (d1, d1, os.getpid() % 1000, d3, d3)
        v3 = ("! v3\n"
              "ifindex=101 ifname=%s direction=in method=pcap\n"
              "ifindex=102 ifname=%s direction=in method=pcap\n") % (d1, d2)
        v4 = ("! v4\n"
              "ifindex=101 ifname=%s direction=in method=pcap\n"
              "ifindex=102 ifname=%s direction=in method=tc\n") % (d1, d2)
        x = MapDaemon(lab, star.d, xacctd, "ifmap", v1).start()

        def src(i):
            return "198.18.%d.1" % (i + 1), "198.18.%d.2" % (i + 1)

        bg_proc, bg = star.send(0, *src(0), 41000, 5000, a.background, 100, pps=1000, wait=False)
        time.sleep(0.3)
        sent = {}  # (phase, veth index) -> Flow

        def phase(n):
            for i in (1, 2):
                s, d = src(i)
                sent[(n, i)] = star.send(i, s, d, 42000 + 10 * n + i, 5000, 400 + 10 * n + i, 60 + 20 * i)
            # An IPv6 flow too (the frames are raw: D's IPv6 being off does not matter).
            sent[(n, 3)] = star.send(2, "2001:db8:3::1", "2001:db8:3::2", 43000 + n, 5001, 200 + n, 80)

        phase(1)
        time.sleep(0.3)
        x.write_map(v2)
        x.reload()
        chk.true("background stream on d1 still running at the first reload", bg_proc.alive())
        phase(2)
        time.sleep(0.3)
        x.write_map(v3)
        x.reload()
        chk.true("background stream on d1 still running at the second reload", bg_proc.alive())
        phase(3)
        time.sleep(0.3)
        x.write_map(v4)
        x.reload()
        chk.true("background stream on d1 still running at the third reload", bg_proc.alive())
        phase(4)
        time.sleep(0.3)
        old_idx = star.d.ifindex(d2)
        star.recreate(1)
        chk.true("d2 has a new ifindex", star.d.ifindex(d2) != old_idx)
        x.reload()
        chk.true("background stream on d1 still running at the fourth reload", bg_proc.alive())
        phase(5)
        st = x.stats()
        check_pcap_stats(chk, "ifmap", st, d1)
        chk.equal("SIGUSR1 interfaces_map.active", st.get("interfaces_map.active"), 2)
        chk.equal("SIGUSR1 interfaces_map.reloads", st.get("interfaces_map.reloads"), 4)
        finish(bg_proc, a.background)
        time.sleep(0.3)
        x.stop()

        err = x.proc.stderr()
        # Each bad line of v2 named by file:line and skipped; nothing else skipped.
        for line_no, why in ((3, "already listed"), (4, "nosuchif"), (5, "unknown key 'bogus'")):
            pat = re.escape("%s:%d: " % (x.map_path, line_no))
            chk.true("v2 line %d reported as %s:%d (%s)" % (line_no, os.path.basename(x.map_path), line_no, why),
                     re.search(pat + ".*" + re.escape(why), err) is not None)
        chk.equal("lines skipped (v2's three bad lines)", len(re.findall(r"line skipped", err)), 3)
        # d1 never restarted: started once, never stopped by a reload.
        chk.equal("d1 started once", len(re.findall(r"counting pcap %s " % re.escape(d1), err)), 1)
        chk.equal("d1 never removed or restarted",
                  len(re.findall(r"(removed|restarting \(line changed\)) %s " % re.escape(d1), err)), 0)
        chk.equal("d2 removed once, d3 removed once, d2 restarted once (pcap -> tc)",
                  (len(re.findall(r"removed %s " % re.escape(d2), err)),
                   len(re.findall(r"removed %s " % re.escape(d3), err)),
                   len(re.findall(r"restarting \(line changed\) %s " % re.escape(d2), err))), (1, 1, 1))
        chk.equal("d2 restarted once as broken (deleted and created again)",
                  len(re.findall(r"restarting \(broken\) %s " % re.escape(d2), err)), 1)

        recs = x.records()
        nl.dump_records("ifmap", recs)
        got = by_iface(recs)
        want = {101: [bg], 102: [sent[(1, 1)], sent[(3, 1)], sent[(4, 1)], sent[(5, 1)]],
                103: [sent[(2, 2)], sent[(2, 3)]]}
        for idx, flows in want.items():
            for f in flows:
                chk.equal("in_iface %d %s" % (idx, f), tuple(got[idx].get(flow_key(f), [0, 0])),
                          (f.packets, f.bytes))
        hosts = set()
        for f in [bg] + list(sent.values()):
            hosts.update((f.src, f.dst))
        extra = []
        for idx, keys in got.items():
            wanted = set(flow_key(f) for f in want.get(idx, []))
            for k, c in keys.items():
                if k not in wanted and k.src in hosts and c[0]:
                    extra.append("in_iface %d %s: %d pkts" % (idx, nl.key_str(k), c[0]))
        chk.equal("records that match no counted flow (phase 2 on d2, phases 1, 3-5 on d3, ...)", extra, [])
        t = x.totals()
        chk.equal("exit totals %s: received, ip_packets" % d1,
                  (t.get(d1, {}).get("received"), t.get(d1, {}).get("ip_packets")), (bg.packets, bg.packets))
        chk.equal("exit totals %s: received (phase 3 only: pcap)" % d2, t.get(d2, {}).get("received"),
                  sent[(3, 1)].packets)
        chk.equal("exit totals: kernel drops", [t[i].get("kernel_drops") for i in (d1, d2) if i in t], [0, 0])
    return 0 if chk.report() else 1


if __name__ == "__main__":
    nl.run_test(main)
