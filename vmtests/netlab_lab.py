"""netlab_lab: namespaces, veth pairs, processes and the cleanup that always runs.

Lab owns every namespace and process of one test run. They are removed on
normal exit, on an exception, on SIGTERM/SIGINT/SIGHUP, at the test's own
deadline (SIGALRM, set below the ctest TIMEOUT), and at interpreter exit.
Namespace names carry the pid (xvm<pid>-<tag>), so parallel runs never
collide and a SIGKILLed run's leftovers are found (their pid is gone) and
removed by the next run.
"""
import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

NS_PREFIX = "xvm"  # namespaces: xvm<pid>-<tag><side>; only this harness uses it
SKIP_RC = 77       # ctest SKIP_RETURN_CODE


def log(*args):
    print("[netlab %7.3f]" % (time.monotonic() - _T0), *args, flush=True)


_T0 = time.monotonic()


class LabError(Exception):
    """A step of the test environment failed (not an assertion on xacctd)."""


class ProbeError(LabError):
    """The probe under test failed to start, attach, report or stop."""


def run(argv, timeout=30, check=True, input=None):
    """Runs argv, returns CompletedProcess with text output; raises LabError
    with the command and its stderr when it fails or hangs."""
    argv = [str(a) for a in argv]
    try:
        cp = subprocess.run(argv, input=input, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise LabError("timeout after %ss: %s" % (timeout, " ".join(argv))) from e
    except FileNotFoundError as e:
        raise LabError("not installed: %s" % argv[0]) from e
    if check and cp.returncode != 0:
        raise LabError("exit %d: %s\n%s%s" % (cp.returncode, " ".join(argv), cp.stdout, cp.stderr))
    return cp


def require_root(what="creates network namespaces and attaches eBPF programs"):
    """Exits with SKIP_RC and the reason when not root (the only allowed skip)."""
    if os.geteuid() != 0:
        print("SKIP: needs root (running as uid %d): this test %s" % (os.geteuid(), what), flush=True)
        sys.exit(SKIP_RC)


def require_tools(*tools):
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise LabError("missing tools %s: run tools/install-deps.sh" % ", ".join(missing))


# ---------------------------------------------------------------------------
# Cleanup that always runs

_LABS = []
_SIGNALS_INSTALLED = False


def _cleanup_all():
    while _LABS:
        _LABS[-1].close()


def _on_signal(signum, _frame):
    # Turn the signal into an exception so `with Lab()` unwinds and removes
    # everything; atexit covers the case where no context manager is active.
    # Further signals during cleanup are ignored so it can finish.
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
        signal.signal(s, signal.SIG_IGN)
    what = "deadline reached" if signum == signal.SIGALRM else "signal %d" % signum
    print("netlab: %s, cleaning up" % what, flush=True)
    raise SystemExit(128 + signum)


def _install_cleanup_hooks():
    global _SIGNALS_INSTALLED
    if _SIGNALS_INSTALLED:
        return
    _SIGNALS_INSTALLED = True
    atexit.register(_cleanup_all)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
        signal.signal(s, _on_signal)


def set_deadline(seconds):
    """Fails the test (with full cleanup) before an outer timeout (ctest) would
    SIGKILL it and leave namespaces behind."""
    _install_cleanup_hooks()
    signal.alarm(int(seconds))


def _pid_alive(pid):
    """True while the process exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        return st[st.rindex(")") + 2] != "Z"
    except (OSError, ValueError, IndexError):
        return False


def kill_pids(pids, grace=3.0):
    """SIGTERM to all of them at once, SIGKILL to those still there after
    `grace` seconds. Only ever called with pids this harness started (or
    that live in its own namespaces)."""
    pids = [p for p in pids if _pid_alive(p)]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    end = time.monotonic() + grace
    while pids and time.monotonic() < end:
        pids = [p for p in pids if _pid_alive(p)]
        time.sleep(0.05)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _ns_pids(ns):
    cp = run(["ip", "netns", "pids", ns], check=False, timeout=10)
    return [int(p) for p in cp.stdout.split() if p.isdigit()]


def remove_stale_namespaces():
    """Deletes namespaces left by earlier runs of this harness whose process is
    gone (a SIGKILLed run cannot clean up after itself)."""
    cp = run(["ip", "netns", "list"], check=False, timeout=10)
    for line in cp.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(r"^%s(\d+)-" % NS_PREFIX, name)
        if not m or _pid_alive(int(m.group(1))):
            continue
        log("removing stale namespace %s (pid %s is gone)" % (name, m.group(1)))
        kill_pids(_ns_pids(name))
        run(["ip", "netns", "del", name], check=False, timeout=10)


# ---------------------------------------------------------------------------
# Processes

class Proc:
    """A process started by the lab, with its output in files."""

    def __init__(self, name, argv, popen, out_path, err_path):
        self.name, self.argv, self.popen = name, argv, popen
        self.out_path, self.err_path = out_path, err_path

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def wait(self, timeout):
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise LabError("%s (pid %d) did not exit within %ss" % (self.name, self.pid, timeout))

    def signal(self, sig):
        if self.alive():
            os.kill(self.pid, sig)

    def kill(self):
        if self.alive():
            kill_pids([self.pid])
        self.reap()

    def reap(self):
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def stdout(self):
        return read_text(self.out_path)

    def stderr(self):
        return read_text(self.err_path)

    def wait_for_line(self, pattern, timeout, stream="stdout"):
        """Waits until a line of the output matches; returns the match."""
        path = self.out_path if stream == "stdout" else self.err_path
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        while True:
            for line in read_text(path).splitlines():
                m = rx.search(line)
                if m:
                    return m
            if not self.alive():
                raise LabError("%s exited (rc %s) before printing /%s/:\n%s" %
                               (self.name, self.popen.returncode, pattern, tail(self.stderr())))
            if time.monotonic() > end:
                raise LabError("%s printed no /%s/ within %ss:\n%s" %
                               (self.name, pattern, timeout, tail(self.stderr())))
            time.sleep(0.02)


def read_text(path):
    try:
        with open(path, "r", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def tail(text, lines=25):
    return "\n".join(text.splitlines()[-lines:])


# ---------------------------------------------------------------------------
# Namespaces and links

class Netns:
    def __init__(self, lab, name):
        self.lab, self.name = lab, name

    def __str__(self):
        return self.name

    def argv(self, argv):
        return ["ip", "netns", "exec", self.name] + list(argv)

    def run(self, argv, timeout=30, check=True, input=None):
        return run(self.argv(argv), timeout=timeout, check=check, input=input)

    def popen(self, argv, name):
        return self.lab.popen(self.argv(argv), name)

    def ip(self, *args, check=True):
        return run(["ip", "-n", self.name] + [str(a) for a in args], check=check)

    def ip_json(self, *args):
        return json.loads(run(["ip", "-n", self.name, "-j"] + [str(a) for a in args]).stdout or "[]")

    def sysctl(self, key, value):
        self.run(["sysctl", "-qw", "%s=%s" % (key, value)])

    def link(self, ifname, detail=False):
        args = ["-d", "link", "show", "dev", ifname] if detail else ["link", "show", "dev", ifname]
        return self.ip_json(*args)[0]

    def ifindex(self, ifname):
        return int(self.link(ifname)["ifindex"])

    def mac(self, ifname):
        return self.link(ifname)["address"]

    def link_stats(self, ifname):
        """rx/tx packets and drops of an interface (ip -s)."""
        st = self.ip_json("-s", "link", "show", "dev", ifname)[0]["stats64"]
        return {"rx_packets": st["rx"]["packets"], "rx_dropped": st["rx"]["dropped"],
                "tx_packets": st["tx"]["packets"], "tx_dropped": st["tx"]["dropped"]}

    def offloads(self, ifname, **features):
        """ethtool -K: offloads(ifname, tso="off", gro="on") -> verified."""
        args = []
        for k, v in features.items():
            args += [k.replace("_", "-") if k not in ("tso", "gso", "gro", "lro", "tx", "rx") else k, v]
        self.run(["ethtool", "-K", ifname] + args)

    def offload_state(self, ifname):
        out = self.run(["ethtool", "-k", ifname]).stdout
        state = {}
        for line in out.splitlines():
            m = re.match(r"^\s*([\w-]+):\s+(on|off)", line)
            if m:
                state[m.group(1)] = m.group(2)
        return state

    def neigh_permanent(self, ifname, addr, mac):
        """A static neighbour: no ARP/ND packet ever adds to the counts."""
        self.ip("neigh", "replace", addr, "lladdr", mac, "dev", ifname, "nud", "permanent")


class Pair:
    """Namespaces A and B joined by veth if_a <-> if_b.

    Addresses: A 198.18.0.1/24 2001:db8::1/64, B .2 / ::2. Offloads default to
    tso/gso/gro off (one skb = one packet) unless `offloads` says otherwise.
    Static neighbours: no ARP or ND packet ever adds to the counts.

    VLAN-tagged traffic is sent as raw frames (udp_raw_stream): this kernel
    has no 802.1Q support (CONFIG_VLAN_8021Q unset, no bridge VLAN filtering,
    no act_vlan), so VLAN subinterfaces cannot exist here."""

    def __init__(self, lab, tag, ipv6=True, offloads=None, queues=2, static_neigh=True):
        self.lab, self.tag = lab, tag
        self.a = lab.netns(tag + "a")
        self.b = lab.netns(tag + "b")
        base = "x%d%s" % (os.getpid(), tag)
        self.if_a, self.if_b = base + "a", base + "b"
        if len(self.if_a) > 15:
            raise LabError("interface name too long: " + self.if_a)
        self.ip4 = {"a": "198.18.0.1", "b": "198.18.0.2"}
        self.ip6 = {"a": "2001:db8::1", "b": "2001:db8::2"} if ipv6 else {}
        self.ipv6 = ipv6
        for ns in (self.a, self.b):
            ns.sysctl("net.ipv6.conf.all.accept_dad", 0)
            ns.sysctl("net.ipv6.conf.default.accept_dad", 0)
            # No router solicitations: background ICMPv6 the test did not send.
            ns.sysctl("net.ipv6.conf.all.router_solicitations", 0)
            ns.sysctl("net.ipv6.conf.default.router_solicitations", 0)
            if not ipv6:
                ns.sysctl("net.ipv6.conf.all.disable_ipv6", 1)
                ns.sysctl("net.ipv6.conf.default.disable_ipv6", 1)
            ns.ip("link", "set", "lo", "up")
        run(["ip", "link", "add", self.if_a, "netns", self.a.name,
             "numrxqueues", queues, "numtxqueues", queues, "type", "veth",
             "peer", "name", self.if_b, "netns", self.b.name,
             "numrxqueues", queues, "numtxqueues", queues])
        self.run_both(lambda ns, ifn, side: self._addr(ns, ifn, side))
        offl = {"tso": "off", "gso": "off", "gro": "off"}
        offl.update(offloads or {})
        self.run_both(lambda ns, ifn, side: ns.offloads(ifn, **offl))
        self.run_both(lambda ns, ifn, side: ns.ip("link", "set", ifn, "up"))
        self.wait_up()
        if static_neigh:
            self.static_neighbours()

    def run_both(self, fn):
        fn(self.a, self.if_a, "a")
        fn(self.b, self.if_b, "b")

    def ns(self, side):
        return self.a if side == "a" else self.b

    def ifname(self, side):
        return self.if_a if side == "a" else self.if_b

    def peer(self, side):
        return "b" if side == "a" else "a"

    def _addr(self, ns, ifn, side):
        ns.ip("addr", "add", self.ip4[side] + "/24", "dev", ifn)
        if self.ipv6:
            ns.ip("addr", "add", self.ip6[side] + "/64", "dev", ifn, "nodad")

    def wait_up(self, timeout=5):
        # Reading the link state also flushes the kernel's delayed link-up
        # work; without it the first packets can be held back.
        end = time.monotonic() + timeout
        while True:
            states = [self.a.link(self.if_a).get("operstate"), self.b.link(self.if_b).get("operstate")]
            if states == ["UP", "UP"]:
                return
            if time.monotonic() > end:
                raise LabError("veth %s/%s not up: %s" % (self.if_a, self.if_b, states))
            time.sleep(0.02)

    def static_neighbours(self):
        macs = {"a": self.a.mac(self.if_a), "b": self.b.mac(self.if_b)}
        for side in ("a", "b"):
            ns, other = self.ns(side), self.peer(side)
            ns.neigh_permanent(self.ifname(side), self.ip4[other], macs[other])
            if self.ipv6:
                ns.neigh_permanent(self.ifname(side), self.ip6[other], macs[other])


class Lab:
    """Owns the namespaces, processes and files of one test run.

    with Lab("main") as lab:
        pair = lab.pair("m")
        ...
    Everything is removed on exit; XACCT_VM_KEEP=1 keeps the work directory."""

    def __init__(self, name="t"):
        _install_cleanup_hooks()
        remove_stale_namespaces()
        self.name = name
        self.prefix = "%s%d-" % (NS_PREFIX, os.getpid())
        self.namespaces = []
        self.procs = []
        self.dir = tempfile.mkdtemp(prefix="xacct-vm-%s-" % name)
        self.closed = False
        _LABS.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def path(self, name):
        return os.path.join(self.dir, name)

    def netns(self, tag):
        name = self.prefix + tag
        run(["ip", "netns", "add", name])
        ns = Netns(self, name)
        self.namespaces.append(ns)
        return ns

    def pair(self, tag, **kw):
        return Pair(self, tag, **kw)

    def popen(self, argv, name):
        out, err = self.path(name + ".out"), self.path(name + ".err")
        with open(out, "wb") as fo, open(err, "wb") as fe:
            # Own session: a Ctrl-C on the terminal reaches only the test,
            # which then stops its children in order (xacctd needs SIGTERM
            # to flush, not a SIGINT race).
            p = subprocess.Popen(argv, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
        proc = Proc(name, argv, p, out, err)
        self.procs.append(proc)
        return proc

    def close(self):
        if self.closed:
            return
        self.closed = True
        # Our processes, then whatever they forked inside our namespaces
        # (pmacctd plugins, ping), all at once.
        kill_pids([p.pid for p in self.procs if p.alive()])
        for p in self.procs:
            p.reap()
        pids = []
        for ns in self.namespaces:
            pids += _ns_pids(ns.name)
        kill_pids(pids)
        for ns in reversed(self.namespaces):
            run(["ip", "netns", "del", ns.name], check=False, timeout=10)
        if os.environ.get("XACCT_VM_KEEP"):
            log("kept work directory", self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        if self in _LABS:
            _LABS.remove(self)
