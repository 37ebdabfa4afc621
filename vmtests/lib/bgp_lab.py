"""bgp_lab: processes, BGP peers, collectors and the route model shared by
vmtests/test_collect_bgp.py and vmtests/test_collect_bmp.py.

  Lab            work directory, processes started by the test (stopped by
                 PID on exit, on SIGTERM/SIGINT/SIGHUP and at --deadline)
  Route, Rib     the independent model: the routes the test announced and
                 did not withdraw, longest-prefix match, and the record a
                 pmacct-compatible collector must print for a flow
  GoBgp          a gobgpd instance (config written here, API on its own
                 loopback port, routes added/withdrawn with the gobgp CLI)
  ExaBgp         an exabgp 4.2 instance fed through its text API (a FIFO)
  Collector      nfacctd (pmacct 1.7.7) or `xacctd collect` with the same
                 config text, its print JSON records, SIGUSR1 counters

Loopback only; every process runs in the foreground and is stopped by its
PID. Python 3 standard library only; run with /usr/bin/python3.
"""
import atexit
import collections
import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bgp_netflow as bn  # noqa: E402


def log(*a):
    print(*a, flush=True)


class LabError(Exception):
    """The environment (a tool, a peer, a port) failed, not the collector."""


# --- processes and cleanup ----------------------------------------------------

class Lab:
    """Owns the work directory and every process the test starts."""

    current = None  # the running test's Lab (run_test marks it failed)

    def __init__(self, name, deadline, keep=False):
        self.dir = tempfile.mkdtemp(prefix="xacct-%s-" % name)
        self.keep = keep or os.environ.get("XACCT_VM_KEEP") == "1"
        self.procs = []
        self.helpers = []  # (pidfile, script): processes started by ours in their own group
        self.failed = False
        Lab.current = self
        atexit.register(self.cleanup)
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, self._on_signal)
        signal.signal(signal.SIGALRM, self._on_deadline)
        signal.alarm(int(deadline))

    def _on_signal(self, signum, _frame):
        log("signal %d: cleaning up" % signum)
        self.failed = True
        self.cleanup()
        os._exit(2)

    def _on_deadline(self, _signum, _frame):
        log("FAIL: --deadline reached; cleaning up")
        self.failed = True
        self.cleanup()
        os._exit(1)

    def path(self, name):
        return os.path.join(self.dir, name)

    def start(self, name, argv, env=None, cwd=None):
        """Starts argv with stdout+stderr to <workdir>/<name>.log."""
        logf = self.path(name + ".log")
        with open(logf, "w") as out:
            # Own process group (id = its PID): pmacct's plugin children and
            # exabgp's API helper go with it at cleanup.
            p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 env=env, cwd=cwd or self.dir, start_new_session=True)
        p.name, p.logf = name, logf
        self.procs.append(p)
        return p

    @staticmethod
    def stop(p, sig=signal.SIGINT, grace=10.0):
        """Signals one process of ours by PID, SIGKILL after `grace` seconds;
        returns its exit code."""
        if p.poll() is None:
            try:
                p.send_signal(sig)
                p.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        return p.returncode

    def cleanup(self):
        signal.alarm(0)
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)  # the group this test created for it
            except (ProcessLookupError, PermissionError):
                pass
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        for pidfile, script in self.helpers:
            try:
                pid = int(read_text(pidfile).strip() or 0)
                # Only if that PID still runs our script (PIDs are reused).
                if pid and script in read_text("/proc/%d/cmdline" % pid).replace("\0", " "):
                    os.kill(pid, signal.SIGKILL)
            except (ValueError, ProcessLookupError, PermissionError):
                pass
        if self.failed:
            # What ctest's output needs to diagnose a failure; the files go.
            for p in self.procs:
                log("--- %s (pid %d, exit %s): last lines of %s ---\n%s" % (
                    p.name, p.pid, p.returncode, os.path.basename(p.logf), tail(read_text(p.logf), 15)))
        self.procs = []
        if self.dir and os.path.isdir(self.dir):
            if self.keep:
                log("work directory kept: %s" % self.dir)
            else:
                shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None


def run_test(main):
    """Exit codes as the other vmtests: 0 pass, 1 failed checks, 2 a peer,
    tool or collector did not come up (with the reason), 77 not root."""
    try:
        rc = main()
    except LabError as e:
        print("ERROR (test environment): %s" % e, flush=True)
        rc = 2
    except Exception:  # a bug of the test itself: still clean up, exit 2
        import traceback
        traceback.print_exc()
        rc = 2
    if rc not in (0, 77) and Lab.current:
        Lab.current.failed = True
    sys.exit(rc)


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def tail(text, n=30):
    return "\n".join(text.splitlines()[-n:])


def wait_for(what, pred, timeout, interval=0.1, on_timeout=None):
    """Polls pred() until it is true; raises LabError with `what` after
    `timeout` seconds (plus on_timeout()'s text)."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > end:
            extra = on_timeout() if on_timeout else ""
            raise LabError("timeout (%g s) waiting for %s%s" % (timeout, what, "\n" + extra if extra else ""))
        time.sleep(interval)


def tcp_listening(addr, port):
    r = subprocess.run(["ss", "-ltnH", "src", "%s:%d" % (addr, port)], capture_output=True, text=True)
    return bool(r.stdout.strip())


def udp_bound(addr, port):
    r = subprocess.run(["ss", "-lunH", "src", "%s:%d" % (addr, port)], capture_output=True, text=True)
    return bool(r.stdout.strip())


def _free(addr, port, kind):
    sock = socket.socket(socket.AF_INET, kind)
    try:
        sock.bind((addr, port))  # fails on a port held with SO_REUSEPORT too
        return True
    except OSError:
        return False
    finally:
        sock.close()


def pick_ports(n, lo, hi, addrs=("127.0.0.1", "127.0.0.2")):
    """n distinct ports in [lo, hi] free for TCP and UDP on every address.
    Fixed ports would let two runs of a test (two build directories) share
    them: the collectors bind with SO_REUSEPORT, so each would get part of
    the other's sessions and datagrams."""
    import random
    out = []
    for _ in range(500):
        port = random.randint(lo, hi)
        if port in out:
            continue
        if all(_free(a, port, k) for a in addrs for k in (socket.SOCK_STREAM, socket.SOCK_DGRAM)):
            out.append(port)
            if len(out) == n:
                return out
    raise LabError("no %d free ports in %d-%d" % (n, lo, hi))


def udp_recv_queue(addr, port):
    """Bytes waiting in the receive queue of the UDP socket bound to
    addr:port (ss Recv-Q), None when there is no such socket."""
    r = subprocess.run(["ss", "-lunH", "src", "%s:%d" % (addr, port)], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            return int(parts[1])
    return None


def wait_udp_drained(name, addr, port, timeout=10):
    """Waits until the collector has read every datagram queued on its
    socket, then 0.3 s for the last one: nfacctd decodes and looks routes
    up right after each read, so after this a route change cannot overtake
    flows already sent (pmacct has no counter to wait on)."""
    wait_for("%s: socket %s:%d drained" % (name, addr, port), lambda: udp_recv_queue(addr, port) == 0, timeout,
             interval=0.05)
    time.sleep(0.3)


def require_tools(*tools):
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise LabError("missing tools: %s (tools/install-deps.sh installs them)" % ", ".join(missing))


# --- the model ----------------------------------------------------------------

class Route:
    """One announced route: prefix, AS path (list of ASNs, may be empty: a
    route of the peer's own AS), BGP next hop, optional MED, LOCAL_PREF and
    standard communities, ADD-PATH path identifier (0: none)."""

    def __init__(self, prefix, as_path, next_hop, med=None, local_pref=None, communities=(), path_id=0):
        self.prefix = ipaddress.ip_network(prefix)
        self.as_path = list(as_path)
        self.next_hop = next_hop
        self.med = med
        self.local_pref = local_pref
        self.communities = list(communities)
        self.path_id = path_id

    @property
    def v6(self):
        return self.prefix.version == 6

    def __repr__(self):
        return "%s#%d path %s nh %s" % (self.prefix, self.path_id, " ".join(map(str, self.as_path)) or "(empty)",
                                        self.next_hop)


class Rib:
    """The routes a peer has announced and not withdrawn (the model):
    prefix -> its paths in arrival order (one, path id 0, without ADD-PATH).

    Lookups as pmacct 1.7.7 does them (no best-path selection): the longest
    matching prefix, its oldest path. With ADD-PATH (add_path=True), a
    destination lookup takes the oldest path whose next hop is the flow's
    BGP next hop (IE 18/63), trying the shorter covering prefixes when no
    path of a longer one has it, and finds nothing when none has it; a
    source lookup takes the oldest path of the longest prefix."""

    def __init__(self, add_path=False):
        self.add_path = add_path
        self.routes = {}

    def announce(self, route):
        self.routes.setdefault(route.prefix, {})[route.path_id] = route

    def withdraw(self, prefix, path_id=0):
        p = ipaddress.ip_network(prefix)
        del self.routes[p][path_id]
        if not self.routes[p]:
            del self.routes[p]

    def lookup(self, addr, next_hop=None):
        a = ipaddress.ip_address(addr)
        covering = sorted((p for p in self.routes if p.version == a.version and a in p),
                          key=lambda p: p.prefixlen, reverse=True)
        if not covering:
            return None
        if not self.add_path or next_hop is None:
            return next(iter(self.routes[covering[0]].values()))
        nh = ipaddress.ip_address(next_hop)
        for p in covering:
            for r in self.routes[p].values():
                if ipaddress.ip_address(r.next_hop) == nh:
                    return r
        return None

    def snapshot(self):
        s = Rib(self.add_path)
        s.routes = {p: dict(paths) for p, paths in self.routes.items()}
        return s


def expected_record(flow, rib):
    """The record pmacct's semantics give `flow` with `nfacctd_as: bgp`,
    `nfacctd_net: bgp`, `bgp_peer_src_as_type: bgp` when its exporter's RIB is
    `rib` (None: the exporter has no BGP peer). Origin AS = last ASN of the
    path, neighbour AS = first ASN, 0 for an empty path or no route; net =
    network address of the matching prefix and mask its length (no route:
    0.0.0.0 or :: and 0); peer_ip_dst = the destination route's next hop,
    "" without a route. The export's own AS/mask/next-hop fields never count.
    """
    zero = "::" if flow.v6 else "0.0.0.0"
    nh = flow.nexthop or (bn.BOGUS_NH6 if flow.v6 else bn.BOGUS_NH4)
    s = rib.lookup(flow.src) if rib else None
    d = rib.lookup(flow.dst, nh) if rib else None
    return {
        "peer_ip_src": flow.exporter, "ip_src": flow.src, "ip_dst": flow.dst,
        "as_src": s.as_path[-1] if s and s.as_path else 0,
        "as_dst": d.as_path[-1] if d and d.as_path else 0,
        "peer_as_src": s.as_path[0] if s and s.as_path else 0,
        "peer_as_dst": d.as_path[0] if d and d.as_path else 0,
        "peer_ip_dst": d.next_hop if d else "",
        "net_src": str(s.prefix.network_address) if s else zero,
        "net_dst": str(d.prefix.network_address) if d else zero,
        "mask_src": s.prefix.prefixlen if s else 0,
        "mask_dst": d.prefix.prefixlen if d else 0,
    }


# The routes both tests announce (phase_flows' destinations hit them), then
# withdraw: WITHDRAW_1 before any flow, WITHDRAW_2 between phases 1 and 2.
ROUTES = [
    Route("198.51.100.0/24", [65020, 65030], "198.18.0.1", med=10, local_pref=200, communities=["65020:100"]),
    Route("198.51.100.128/25", [65020, 4200000001], "198.18.0.2", communities=["65020:200", "65020:201"]),
    Route("198.51.100.64/26", [65020, 65031], "198.18.0.5"),
    Route("203.0.113.0/24", [4200000002, 65040, 65050], "198.18.0.3", med=30),
    Route("192.0.2.0/24", [65060], "198.18.0.4", local_pref=50),
    Route("0.0.0.0/0", [65099], "198.18.0.254"),
    Route("198.19.5.0/24", [], "198.18.0.6"),
    Route("2001:db8:100::/48", [65020, 65070], "2001:db8:ff::1", med=5, communities=["65020:600"]),
    Route("2001:db8:100:1::/64", [4200000003], "2001:db8:ff::2"),
    Route("2001:db8:200::/48", [65080, 65081, 65082], "2001:db8:ff::3", local_pref=300),
]
WITHDRAW_1 = ["198.51.100.64/26"]
WITHDRAW_2 = ["198.51.100.128/25", "0.0.0.0/0", "2001:db8:100:1::/64"]


def phase_flows(phase, exporters, few=()):
    """The flows of one phase (1..9) per exporter: destinations that hit a
    /24, its more specific /25, a withdrawn /26 inside the /24, only the
    default route, a route with an empty AS path; IPv6 /48, /64 and no
    route. Source hosts differ per phase, so every flow is its own key;
    packets and bytes differ per flow. Exporters in `few` get every third
    flow only."""
    n = phase * 20
    pairs = [
        ("192.0.2.%d" % (n + 10), "198.51.100.10"),           # /24
        ("192.0.2.%d" % (n + 11), "198.51.100.200"),          # /25 inside the /24
        ("192.0.2.%d" % (n + 12), "198.51.100.70"),           # withdrawn /26 -> /24
        ("192.0.2.%d" % (n + 13), "198.19.200.1"),            # only the default route
        ("198.18.%d.1" % (n + 77), "203.0.113.5"),            # source by default; 4-byte first ASN
        ("192.0.2.%d" % (n + 14), "198.19.5.9"),              # empty AS path
        ("2001:db8:200::%x" % (n + 1), "2001:db8:100::1"),    # /48 <- /48
        ("2001:db8:200::%x" % (n + 2), "2001:db8:100:1::1"),  # /64 inside the /48
        ("2001:db8:300::%x" % (n + 1), "2001:db8:400::1"),    # no route either side
    ]
    out = []
    k = 0
    for exporter in exporters:
        for src, dst in pairs:
            k += 1
            if exporter in few and k % 3:
                continue
            out.append(bn.Flow(exporter, src, dst, phase * 10 + k, (phase * 10 + k) * (40 + k)))
    return out


KEY_FIELDS = ("peer_ip_src", "ip_src", "ip_dst", "as_src", "as_dst", "peer_as_src", "peer_as_dst",
              "peer_ip_dst", "net_src", "net_dst", "mask_src", "mask_dst")


def key_of(rec):
    return tuple(rec.get(k, "<missing>") for k in KEY_FIELDS)


def model_sums(cases):
    """cases: [(flow, rib)] -> {key: [packets, bytes]}"""
    out = collections.defaultdict(lambda: [0, 0])
    for f, rib in cases:
        c = out[key_of(expected_record(f, rib))]
        c[0] += f.packets
        c[1] += f.bytes
    return dict(out)


def fmt_key(k):
    return " ".join("%s=%s" % (n, v) for n, v in zip(KEY_FIELDS, k))


def compare(chk, what, got, want):
    """Per key: exact packets and bytes; every key missing or extra is one
    failure line."""
    ok = True
    for k in sorted(set(got) | set(want), key=str):
        g, w = got.get(k), want.get(k)
        if g != w:
            ok = False
            chk.fail("%s: %s: got %s, want %s" % (what, fmt_key(k), g, w))
    if ok:
        chk.ok("%s: %d keys, %d packets, %d bytes equal" % (
            what, len(want), sum(v[0] for v in want.values()), sum(v[1] for v in want.values())))
    return ok


class Checker:
    def __init__(self, title):
        self.title = title
        self.lines = []
        self.failures = 0

    def ok(self, text):
        self.lines.append("ok   " + text)
        log("ok   " + text)

    def fail(self, text):
        self.failures += 1
        self.lines.append("FAIL " + text)
        log("FAIL " + text)

    def check(self, cond, text):
        (self.ok if cond else self.fail)(text)
        return cond

    def report(self):
        log("\n== %s: %s (%d checks, %d failed) ==" % (
            self.title, "PASS" if not self.failures else "FAIL", len(self.lines), self.failures))
        return self.failures == 0


# --- BGP peers ----------------------------------------------------------------

class GoBgp:
    """gobgpd 3.10 as a BGP speaker (or a BMP-monitored router).

    neighbors: [dict(addr, port, peer_as, passive=False, local=router_id,
    add_paths=0 (ADD-PATH send-max))];
    listen_port -1 = no listener; bmp: [(addr, port, policy)]."""

    def __init__(self, lab, name, router_id, asn, api_port, neighbors, listen_port=-1, bmp=(), address=None,
                 extra_toml=""):
        self.lab, self.name, self.api = lab, name, api_port
        self.router_id = router_id
        address = address or router_id  # the sessions' source address
        conf = ['[global.config]', '  as = %d' % asn, '  router-id = "%s"' % router_id,
                '  port = %d' % listen_port, '  local-address-list = ["%s"]' % address]
        for addr, port, policy in bmp:
            conf += ['[[bmp-servers]]', '  [bmp-servers.config]', '    address = "%s"' % addr,
                     '    port = %d' % port, '    route-monitoring-policy = "%s"' % policy]
        for n in neighbors:
            conf += ['[[neighbors]]', '  [neighbors.config]', '    neighbor-address = "%s"' % n["addr"],
                     '    peer-as = %d' % n["peer_as"], '  [neighbors.transport.config]',
                     '    local-address = "%s"' % n.get("local", address)]
            if n.get("passive"):
                conf.append('    passive-mode = true')
            else:
                conf.append('    remote-port = %d' % n["port"])
            conf += ['  [neighbors.timers.config]', '    connect-retry = 1', '    hold-time = 90']
            if n.get("add_paths"):
                conf += ['  [neighbors.add-paths.config]', '    send-max = %d' % n["add_paths"]]
            for fam in ("ipv4-unicast", "ipv6-unicast"):
                conf += ['  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]',
                         '      afi-safi-name = "%s"' % fam]
        self.conf = lab.path(name + ".toml")
        with open(self.conf, "w") as f:
            f.write("\n".join(conf) + "\n" + extra_toml)
        self.p = None

    def start(self):
        self.p = self.lab.start(self.name, ["gobgpd", "-f", self.conf, "-p", "--api-hosts",
                                            "127.0.0.1:%d" % self.api, "--pprof-disable"])
        wait_for("%s API on 127.0.0.1:%d" % (self.name, self.api),
                 lambda: self.p.poll() is not None or self.cli("global", check=False).returncode == 0, 15,
                 interval=0.2)
        if self.p.poll() is not None:
            raise LabError("%s exited: %s" % (self.name, tail(read_text(self.p.logf))))
        return self

    def cli(self, *args, check=True):
        r = subprocess.run(["gobgp", "-p", str(self.api)] + list(args), capture_output=True, text=True, timeout=20)
        if check and r.returncode != 0:
            raise LabError("gobgp %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def neighbor_states(self):
        r = self.cli("neighbor", "-j", check=False)
        if r.returncode != 0:
            return {}
        out = {}
        for n in json.loads(r.stdout or "[]"):
            out[n["conf"]["neighbor_address"]] = n.get("state", {}).get("session_state")
        return out

    def wait_established(self, addrs, timeout):
        """Waits until every neighbor in addrs is ESTABLISHED (gobgp -j
        reports session_state 6)."""
        def ok():
            st = self.neighbor_states()
            return all(st.get(a) in (6, "established", "ESTABLISHED") for a in addrs)
        wait_for("%s: BGP sessions to %s established" % (self.name, ", ".join(addrs)), ok, timeout,
                 interval=0.2, on_timeout=lambda: "%s\n%s" % (self.neighbor_states(), tail(read_text(self.p.logf))))

    def announce(self, r):
        args = ["global", "rib", "add", "-a", "ipv6" if r.v6 else "ipv4", str(r.prefix)]
        if r.path_id:
            args += ["identifier", str(r.path_id)]
        args += ["origin", "igp"]
        if r.as_path:
            args += ["aspath", ",".join(map(str, r.as_path))]
        args += ["nexthop", r.next_hop]
        if r.med is not None:
            args += ["med", str(r.med)]
        if r.local_pref is not None:
            args += ["local-pref", str(r.local_pref)]
        if r.communities:
            args += ["community", ",".join(r.communities)]
        self.cli(*args)

    def withdraw(self, prefix, path_id=0):
        p = ipaddress.ip_network(prefix)
        self.cli("global", "rib", "del", "-a", "ipv6" if p.version == 6 else "ipv4", str(p),
                 *(("identifier", str(path_id)) if path_id else ()))


class ExaBgp:
    """exabgp 4.2 as a BGP speaker; routes are sent through its text API
    (a helper process that copies a FIFO of ours to exabgp's stdin)."""

    def __init__(self, lab, name, router_id, asn, peer_addrs, peer_port, asn4=True, address=None):
        self.lab, self.name, self.router_id = lab, name, router_id
        self.address = address = address or router_id
        self.fifo = lab.path(name + ".fifo")
        os.mkfifo(self.fifo)
        # Held open read-write for the whole run: opening does not wait for
        # the relay, lines written before it starts wait in the pipe, and the
        # relay never sees EOF (one open/close per line lost lines when the
        # relay reopened between a writer's open and its write).
        self.fifo_fd = os.open(self.fifo, os.O_RDWR)
        relay = lab.path(name + "_relay.py")
        self.relay_pidfile = lab.path(name + "_relay.pid")
        with open(relay, "w") as f:
            # Copies API commands from the FIFO to stdout (exabgp's API
            # input). exabgp starts it in its own process group, out of reach
            # of the test's group kill: it writes its PID for Lab.cleanup and
            # exits by itself when exabgp (its parent) or the writer is gone.
            f.write("import os, select, sys\n"
                    "with open(sys.argv[2], 'w') as p:\n    p.write(str(os.getpid()))\n"
                    "parent = os.getppid()\n"
                    "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
                    "while os.getppid() == parent:\n"
                    "    if not select.select([fd], [], [], 0.5)[0]:\n        continue\n"
                    "    data = os.read(fd, 65536)\n"
                    "    if not data:\n        break\n"
                    "    sys.stdout.buffer.write(data)\n    sys.stdout.flush()\n")
        lab.helpers.append((self.relay_pidfile, relay))
        cap = "" if asn4 else "    capability { asn4 disable; }\n"
        conf = "process feeder {\n    run /usr/bin/python3 %s %s %s;\n    encoder text;\n}\n" % (
            relay, self.fifo, self.relay_pidfile)
        for addr in peer_addrs:
            conf += ("neighbor %s {\n    router-id %s;\n    local-address %s;\n    local-as %d;\n    peer-as %d;\n"
                     "    connect %d;\n    hold-time 90;\n    family {\n        ipv4 unicast;\n"
                     "        ipv6 unicast;\n    }\n%s    api {\n        processes [ feeder ];\n    }\n}\n"
                     % (addr, router_id, address, asn, asn, peer_port, cap))
        self.conf = lab.path(name + ".conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.p = None

    def start(self):
        env = dict(os.environ)
        env.update({"exabgp.daemon.user": "root", "exabgp.api.ack": "false", "exabgp.api.cli": "false",
                    "exabgp.log.destination": "stdout", "exabgp.tcp.once": "false",
                    "exabgp.tcp.delay": "0", "exabgp.daemon.daemonize": "false"})
        self.p = self.lab.start(self.name, ["exabgp", self.conf], env=env)
        return self

    def wait_established(self, addrs, port, timeout):
        """Waits for a TCP connection from this speaker to every addr:port
        (exabgp has no state query without its CLI; the collectors' msglog
        and counters then tell when the routes arrived)."""
        def ok():
            if self.p.poll() is not None:
                raise LabError("%s exited: %s" % (self.name, tail(read_text(self.p.logf))))
            r = subprocess.run(["ss", "-tnH", "state", "established", "src", self.address],
                               capture_output=True, text=True)
            return all(("%s:%d" % (a, port)) in r.stdout for a in addrs)
        wait_for("%s: TCP sessions to %s" % (self.name, ", ".join(addrs)), ok, timeout, interval=0.2,
                 on_timeout=lambda: tail(read_text(self.p.logf)))

    def send(self, line):
        os.write(self.fifo_fd, (line + "\n").encode())

    def announce(self, r):
        line = "announce route %s next-hop %s origin igp as-path [ %s ]" % (
            r.prefix, r.next_hop, " ".join(map(str, r.as_path)))
        if r.med is not None:
            line += " med %d" % r.med
        if r.local_pref is not None:
            line += " local-preference %d" % r.local_pref
        if r.communities:
            line += " community [ %s ]" % " ".join(r.communities)
        self.send(line)

    def withdraw(self, prefix):
        self.send("withdraw route %s" % ipaddress.ip_network(prefix))


# --- collectors ---------------------------------------------------------------

class Collector:
    """nfacctd or `xacctd collect` with one print plugin writing JSON.

    shared: the config lines both collectors get (BGP/BMP and aggregation);
    own: the lines only this one gets (addresses, ports, files)."""

    def __init__(self, lab, name, argv, shared, own):
        self.lab, self.name, self.argv = lab, name, argv
        self.json = lab.path(name + ".json")
        self.conf = lab.path(name + ".conf")
        with open(self.conf, "w") as f:
            f.write("\n".join(list(shared) + list(own) + ["print_output_file[p]: %s" % self.json]) + "\n")
        self.p = None

    def start(self):
        self.p = self.lab.start(self.name, self.argv + ["-f", self.conf])
        return self

    def alive(self):
        return self.p is not None and self.p.poll() is None

    def logtext(self):
        return read_text(self.p.logf)

    def wait_ports(self, tcp=(), udp=(), timeout=15):
        def ok():
            if not self.alive():
                raise LabError("%s exited (%s) at startup:\n%s" % (self.name, self.p.returncode, tail(self.logtext())))
            return all(tcp_listening(a, p) for a, p in tcp) and all(udp_bound(a, p) for a, p in udp)
        wait_for("%s listening on tcp %s udp %s" % (self.name, list(tcp), list(udp)), ok, timeout,
                 on_timeout=lambda: tail(self.logtext()))

    def stats(self, timeout=5):
        """SIGUSR1, then the `name value` counter lines the dump adds to the
        log (read once the dump stops growing)."""
        before = len(self.logtext())
        self.p.send_signal(signal.SIGUSR1)
        end = time.monotonic() + timeout
        vals, n_prev = {}, -1
        while time.monotonic() < end:
            time.sleep(0.1)
            vals = {}
            for line in self.logtext()[before:].splitlines():
                parts = line.split()
                if len(parts) >= 2 and "." in parts[-2] and parts[-1].isdigit():
                    vals[parts[-2]] = int(parts[-1])
            if vals and len(vals) == n_prev:
                return vals
            n_prev = len(vals)
        return vals

    def stop(self):
        return Lab.stop(self.p, signal.SIGINT, grace=15)

    def records(self):
        """Purged records summed per key: {key: [packets, bytes]}."""
        out = collections.defaultdict(lambda: [0, 0])
        for line in read_text(self.json).splitlines():
            line = line.strip()
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            if r.get("event_type") not in (None, "purge"):
                continue
            c = out[key_of(r)]
            c[0] += int(r.get("packets", 0))
            c[1] += int(r.get("bytes", 0))
        return dict(out)


def pmacct_msglog(path):
    """pmacct's bgp/bmp msglog lines as dicts (a line being written is
    skipped)."""
    out = []
    for line in read_text(path).splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def pmacct_route_events(path, peer_key="peer_ip_src", peer=None):
    """(updates, withdraws) lines of the msglog, of one peer if given."""
    u = w = 0
    for r in pmacct_msglog(path):
        if peer is not None and r.get(peer_key) != peer:
            continue
        u += r.get("log_type") == "update"
        w += r.get("log_type") == "withdraw"
    return u, w


def xacctd_wait_counters(xa, want, what, timeout=20, at_least=False, publish=True):
    """Polls xacctd's SIGUSR1 counters until every name in `want` has its
    value (or more, with at_least). The RIB publishes lookup tables
    asynchronously (bgp/bgp_rib.hpp: at most every publish_interval, 500 ms
    by default, at once on End-of-RIB and peer down), so once the counts
    match this also waits for the next bgp.rib.publishes step, or 1.5 s if
    the publish already happened before the counts were seen (a view
    changed after a publish is published again within publish_interval)."""
    last = {}

    def ok():
        nonlocal last
        if not xa.alive():
            raise LabError("xacctd exited (%s):\n%s" % (xa.p.returncode, tail(xa.logtext())))
        last = xa.stats()
        return all((last.get(k, -1) >= v) if at_least else (last.get(k) == v) for k, v in want.items())
    wait_for("xacctd %s: %s" % (what, ", ".join("%s %s %d" % (k, ">=" if at_least else "=", v)
                                                   for k, v in sorted(want.items()))),
             ok, timeout, interval=0.2,
             on_timeout=lambda: "last counters: %s" % {k: last.get(k) for k in want})
    if not publish:
        return
    p0 = last.get("bgp.rib.publishes", 0)
    end = time.monotonic() + 1.5
    while time.monotonic() < end:
        if xa.stats().get("bgp.rib.publishes", 0) > p0:
            return
        time.sleep(0.2)


def xacctd_wait_records(xa, flows, totals):
    """Adds `flows` to `totals` ({exporter: records}) and waits until
    xacctd's collector.exporter.<ip>.records reach them."""
    for f in flows:
        totals[f.exporter] = totals.get(f.exporter, 0) + 1
    xacctd_wait_counters(xa, {"collector.exporter.%s.records" % e: n for e, n in totals.items()},
                         "flow records decoded", timeout=10, publish=False)
