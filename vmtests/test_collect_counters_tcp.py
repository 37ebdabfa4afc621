#!/usr/bin/python3
"""vmtest: sfacctd_counter_file against sfacctd 1.7.7, and IPFIX over TCP.

Loopback only (127.0.0.x, free ports), no namespaces, no root needed.

  counters  crafted sFlow datagrams with counter samples (v5: generic,
            ethernet, VLAN and processor records, compact and expanded
            samples, two agents and a sub agent; v4: ethernet, VLAN and
            generic counters; last, a v5 sample whose generic record is 4
            bytes short) go to `xacctd collect`
            and to sfacctd 1.7.7 with the same sfacctd_counter_file
            (cnt-$peer_src_ip.json). The same files must appear, with the
            same lines in the same order: the same keys in the same order
            and the same values, except "timestamp" (the arrival time: both
            must have pmacct's format and be within 5 s of each other).
            Except the short record: xacct drops that sample and counts a
            decode error; sfacctd writes one more line (sflow_cnt_seq 7)
            with what it read past the record.
            xacct's collector.counter_file.lines_written = its lines,
            lines_dropped = samples_dropped = 0.
  ipfix/tcp softflowd -v 10 exports a generated pcap (UDP, TCP, ICMP, IPv4
            and IPv6 flows) to a socket of the test; its IPFIX datagrams go
            to one xacctd over UDP from 127.0.0.1 and, concatenated into one
            stream cut into random pieces, over TCP (nfacctd_tcp_port) from
            127.0.0.2. Per flow (5-tuple), the records of both exporters must
            equal each other and the pcap's packets and L3 bytes exactly.
            A third connection sends a NetFlow v9 header: only it is closed
            (framing_errors 1), the good stream is decoded in full.
"""
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab as nl  # noqa: E402
import pcapgen as pg  # noqa: E402

STAMP_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")
T0_NS = 1_700_000_000 * 1_000_000_000


# --- sFlow datagrams (sflow_version_5.txt, RFC 3176), byte by byte ----------

def u32(v):
    return struct.pack("!I", v & 0xffffffff)


def u64(v):
    return struct.pack("!Q", v)


def tlv(t, b):
    return u32(t) + u32(len(b)) + b


def generic(idx, in_octets, out_octets, speed=10_000_000_000):
    b = u32(idx) + u32(6) + u64(speed) + u32(1) + u32(3) + u64(in_octets)
    b += b"".join(u32(10 + i) for i in range(6)) + u64(out_octets)
    b += b"".join(u32(20 + i) for i in range(5)) + u32(1)
    return tlv(1, b)


def ethernet(base):
    return tlv(2, b"".join(u32(base + i) for i in range(13)))


def vlan(vid, octets):
    return tlv(5, u32(vid) + u64(octets) + u32(1) + u32(2) + u32(3) + u32(4))


def processor():
    return tlv(1001, u32(5) + u32(6) + u32(7) + u64(8000) + u64(4000))


def counter_sample(seq, idx, recs):
    return tlv(2, u32(seq) + u32(idx) + u32(len(recs)) + b"".join(recs))


def expanded_counter_sample(seq, typ, idx, recs):
    return tlv(4, u32(seq) + u32(typ) + u32(idx) + u32(len(recs)) + b"".join(recs))


def v5(agent, sub, seq, samples):
    return (u32(5) + u32(1) + socket.inet_aton(agent) + u32(sub) + u32(seq) + u32(12345) +
            u32(len(samples)) + b"".join(samples))


def v4(agent, seq, samples):
    return u32(4) + u32(1) + socket.inet_aton(agent) + u32(seq) + u32(12345) + u32(len(samples)) + b"".join(samples)


def v4_counters(seq, idx, version):
    b = u32(2) + u32(seq) + u32(idx) + u32(20) + u32(version)
    if version in (1, 2, 3):
        b += generic(idx, 5000 + idx, 6000 + idx)[8:]
    if version == 2:
        b += b"".join(u32(i) for i in range(13))
    if version == 3:  # token ring: 18 words, logged by neither collector
        b += b"".join(u32(i) for i in range(18))
    if version == 7:
        b += u32(33) + u64(777) + u32(1) + u32(2) + u32(3) + u32(4)
    return b


def counter_datagrams():
    a, b, c = "198.18.0.10", "198.18.0.11", "198.18.0.12"
    return [
        v5(a, 0, 1, [counter_sample(1, 3, [generic(3, 123456789012, 987654321), ethernet(100), vlan(100, 5 << 30),
                                           processor()])]),
        v5(a, 0, 2, [expanded_counter_sample(2, 0, 70000, [generic(70000, 1, 2)]),
                     counter_sample(3, 4, [generic(4, 2**63 + 5, 7, speed=2**64 - 1)])]),
        v5(b, 2, 1, [counter_sample(5, 4, [vlan(4094, 0)])]),
        v5(a, 1, 1, [counter_sample(6, 9, [generic(9, 10, 20), ethernet(200)])]),
        v4(c, 7, [v4_counters(9, 5, 2), v4_counters(10, 6, 7), v4_counters(11, 7, 1), v4_counters(12, 8, 3)]),
        v5(a, 0, 3, [counter_sample(8, 3, [generic(3, 123456799012, 987664321)])]),
        # Last: a generic record of 84 bytes instead of 88. xacct drops the
        # sample (a decode error); sfacctd reads 4 bytes past the record and
        # writes a line (documented difference, checked below).
        v5(b, 2, 2, [counter_sample(7, 4, [tlv(1, b"\0" * 84)])]),
    ]


# --- processes ----------------------------------------------------------------

def free_port(kind=socket.SOCK_DGRAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Daemon:
    def __init__(self, name, argv, conf_lines, workdir, ready):
        self.name = name
        self.conf = os.path.join(workdir, name + ".conf")
        self.logf = os.path.join(workdir, name + ".log")
        self.outf = os.path.join(workdir, name + ".out")
        with open(self.conf, "w") as f:
            f.write("\n".join(conf_lines) + "\n")
        self.lf = open(self.logf, "w")
        self.of = open(self.outf, "w")
        self.p = subprocess.Popen(argv + ["-f", self.conf], stdout=self.of, stderr=self.lf)
        deadline = time.time() + 10
        while not ready(self):
            if time.time() > deadline or self.p.poll() is not None:
                self.stop()
                raise nl.LabError("%s did not start: %s" % (name, nl.tail(nl.read_text(self.logf))))
            time.sleep(0.05)

    def log(self):
        return nl.read_text(self.logf)

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGINT)
        try:
            self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.lf.close()
        self.of.close()
        return self.p.returncode

    def counters(self):
        out = {}
        for line in nl.read_text(self.outf).splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                out[parts[0]] = int(parts[1])
        return out


def udp_listening(port):
    r = subprocess.run(["ss", "-lunH", "sport = :%d" % port], capture_output=True, text=True)
    return bool(r.stdout.strip())


def read_lines(path):
    """Each line as a list of (key, value) pairs in file order."""
    return [json.loads(line, object_pairs_hook=list) for line in open(path) if line.strip()]


def stamp_seconds(text):
    return time.mktime(time.strptime(text.split(".")[0], "%Y-%m-%d %H:%M:%S"))


# --- part 1: counters vs sfacctd ----------------------------------------------

def check_counters(chk, xacctd, workdir):
    datagrams = counter_datagrams()
    results = {}
    for name in ("xacctd", "sfacctd"):
        d = os.path.join(workdir, name + "-cnt")
        os.makedirs(d)
        port = free_port()
        conf = ["sfacctd_ip: 127.0.0.1", "sfacctd_port: %d" % port, "plugins: print[p]",
                "print_output[p]: json", "print_output_file[p]: %s" % os.path.join(d, "flows.json"),
                "sfacctd_counter_file: %s" % os.path.join(d, "cnt-$peer_src_ip.json"),
                "sfacctd_counter_output: json"]
        if name == "sfacctd":
            argv, conf = ["sfacctd"], ["daemonize: false"] + conf
        else:
            argv = [xacctd, "collect"]
        dm = Daemon(name, argv, conf, workdir, lambda dm, port=port: udp_listening(port))
        try:
            time.sleep(0.3)
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for dg in datagrams:
                s.sendto(dg, ("127.0.0.1", port))
                time.sleep(0.01)
            s.close()
            time.sleep(1.0)
        finally:
            rc = dm.stop()
        chk.equal("%s exit code" % name, rc, 0)
        files = sorted(f for f in os.listdir(d) if f.startswith("cnt-"))
        results[name] = (d, files, dm)
    xd, xfiles, xdm = results["xacctd"]
    sd, sfiles, _ = results["sfacctd"]
    chk.equal("counter files (xacctd vs sfacctd)", xfiles, sfiles)
    chk.equal("counter files", sfiles, ["cnt-198_18_0_10.json", "cnt-198_18_0_11.json", "cnt-198_18_0_12.json"])
    total = 0
    for f in sorted(set(xfiles) & set(sfiles)):
        xl, sl = read_lines(os.path.join(xd, f)), read_lines(os.path.join(sd, f))
        if f == "cnt-198_18_0_11.json" and sl:
            extra = dict(sl[-1])
            chk.equal("sfacctd's extra line for the short generic record (not written by xacct)",
                      (extra.get("sflow_cnt_seq"), extra.get("sf_cnt_type")), (7, "sflow_cnt_generic"))
            sl = sl[:-1]
        total += len(xl)
        chk.equal("%s: lines" % f, len(xl), len(sl))
        for i, (x, s) in enumerate(zip(xl, sl)):
            xkeys, skeys = [k for k, _ in x], [k for k, _ in s]
            chk.equal("%s line %d: keys in order" % (f, i + 1), xkeys, skeys)
            xv = {k: v for k, v in x if k != "timestamp"}
            sv = {k: v for k, v in s if k != "timestamp"}
            chk.equal("%s line %d: values (timestamp aside)" % (f, i + 1), xv, sv)
            xt, st = dict(x).get("timestamp", ""), dict(s).get("timestamp", "")
            fmt_ok = bool(STAMP_RE.match(xt)) and bool(STAMP_RE.match(st))
            close = fmt_ok and abs(stamp_seconds(xt) - stamp_seconds(st)) <= 5
            chk.equal("%s line %d: timestamps in pmacct's format, within 5 s (%s / %s)" % (f, i + 1, xt, st),
                      close, True)
    ctr = xdm.counters()
    chk.equal("xacctd decode errors (the short record)",
              sum(v for k, v in ctr.items() if k.startswith("collector.listener.") and k.endswith(".decode_errors")), 1)
    chk.equal("xacctd collector.counter_file.lines_written", ctr.get("collector.counter_file.lines_written", 0),
              total)
    chk.equal("xacctd lines/samples dropped",
              (ctr.get("collector.counter_file.lines_dropped", 0), ctr.get("collector.counter_file.samples_dropped", 0)),
              (0, 0))
    return total


# --- part 2: IPFIX over TCP = over UDP ------------------------------------------

def make_pcap(path):
    """Returns {(src, dst, sport, dport, proto): [packets, l3 bytes]}."""
    rnd = random.Random(7)
    truth = {}
    frames = []

    def add(src, dst, proto, l4, sport, dport):
        v6 = ":" in src
        l3 = pg.ipv6(src, dst, proto, l4) if v6 else pg.ipv4(src, dst, proto, l4)
        frames.append(pg.ether(l3, pg.ETH_P_IPV6 if v6 else pg.ETH_P_IPV4))
        t = truth.setdefault((src, dst, sport, dport, proto), [0, 0])
        t[0] += 1
        t[1] += len(l3)

    for i in range(120):
        src, dst = "198.18.%d.%d" % (1 + i % 4, 1 + i), "198.18.9.%d" % (1 + i % 50)
        for k in range(1 + i % 5):
            n = rnd.randrange(10, 900)
            add(src, dst, pg.UDP, pg.udp(20000 + i, 53 + i % 3, b"u" * n), 20000 + i, 53 + i % 3)
    for i in range(40):
        src, dst = "2001:db8:1::%x" % (i + 1), "2001:db8:2::%x" % (i % 7 + 1)
        for k in range(1 + i % 3):
            add(src, dst, pg.TCP, pg.tcp(30000 + i, 443, 0x18, b"t" * (100 + 37 * k), seq=k), 30000 + i, 443)
    for i in range(10):
        add("198.18.7.1", "198.18.7.%d" % (i + 2), pg.ICMP, pg.icmp_echo(9, i, b"p" * 56), 0, 0)
    w = pg.PcapWriter(path, pg.DLT_EN10MB)
    for i, f in enumerate(frames):
        w.write(T0_NS + i * 1_000_000, f)
    w.f.close()
    return truth


def softflowd_ipfix(pcap, workdir):
    catcher = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    catcher.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    catcher.bind(("127.0.0.1", 0))
    catcher.settimeout(0.5)
    port = catcher.getsockname()[1]
    r = subprocess.run(["softflowd", "-r", pcap, "-n", "127.0.0.1:%d" % port, "-v", "10", "-6"], cwd=workdir,
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise nl.LabError("softflowd: %s" % r.stderr)
    out = []
    while True:
        try:
            out.append(catcher.recv(65535))
        except socket.timeout:
            break
    catcher.close()
    return out


def records_by_exporter(path):
    """{peer_src_ip: {(src, dst, sport, dport, proto): [packets, bytes]}} over every purge line."""
    out = {}
    if not os.path.exists(path):
        return out
    for line in open(path):
        if not line.strip():
            continue
        r = json.loads(line)
        if r.get("event_type") not in (None, "purge"):
            continue
        proto = r.get("ip_proto")
        proto = {"udp": 17, "tcp": 6, "icmp": 1}.get(proto, proto)
        key = (r["ip_src"], r["ip_dst"], r.get("port_src", 0), r.get("port_dst", 0), int(proto))
        c = out.setdefault(r["peer_ip_src"], {}).setdefault(key, [0, 0])
        c[0] += int(r["packets"])
        c[1] += int(r["bytes"])
    return out


def check_tcp(chk, xacctd, workdir):
    pcap = os.path.join(workdir, "flows.pcap")
    truth = make_pcap(pcap)
    datagrams = softflowd_ipfix(pcap, workdir)
    chk.equal("softflowd sent IPFIX datagrams (more than 1)", len(datagrams) > 1, True)
    chk.equal("every datagram is IPFIX", all(d[:2] == b"\x00\x0a" for d in datagrams), True)
    udp_port, tcp_port = free_port(), free_port(socket.SOCK_STREAM)
    out = os.path.join(workdir, "tcp-flows.json")
    conf = ["nfacctd_ip: 127.0.0.1", "nfacctd_port: %d" % udp_port, "nfacctd_tcp_port: %d" % tcp_port,
            "plugins: print[p]", "print_output[p]: json", "print_output_file[p]: %s" % out,
            "aggregate[p]: peer_src_ip, src_host, dst_host, src_port, dst_port, proto"]
    dm = Daemon("xacctd-tcp", [xacctd, "collect"], conf, workdir, lambda dm: "ipfix/tcp on" in dm.log())
    stream = b"".join(datagrams)
    rnd = random.Random(11)
    try:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        for d in datagrams:
            u.sendto(d, ("127.0.0.1", udp_port))
            time.sleep(0.002)
        u.close()
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        t.bind(("127.0.0.2", 0))
        t.connect(("127.0.0.1", tcp_port))
        bad = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        bad.bind(("127.0.0.3", 0))
        bad.connect(("127.0.0.1", tcp_port))
        pos, half = 0, len(stream) // 2
        while pos < half:  # first half, then the bad stream, then the rest
            n = rnd.randrange(1, 700)
            t.sendall(stream[pos:pos + n])
            pos += n
            time.sleep(0.001)
        bad.sendall(struct.pack("!HHIIII", 9, 0, 1, 2, 3, 4))
        time.sleep(0.2)
        bad_closed = bad.recv(1) == b""
        bad.close()
        while pos < len(stream):
            n = rnd.randrange(1, 700)
            t.sendall(stream[pos:pos + n])
            pos += n
        time.sleep(0.5)
        t.close()
        time.sleep(0.5)
    finally:
        rc = dm.stop()
    chk.equal("xacctd (tcp) exit code", rc, 0)
    chk.equal("the bad connection was closed by the collector", bad_closed, True)
    got = records_by_exporter(out)
    if not got:
        print("no records in %s; xacctd log:\n%s\nstdout:\n%s" % (out, nl.tail(dm.log()), nl.tail(nl.read_text(dm.outf))),
              flush=True)
    udp_recs, tcp_recs = got.get("127.0.0.1", {}), got.get("127.0.0.2", {})
    chk.equal("flows over UDP = the pcap's (packets, L3 bytes per 5-tuple)", udp_recs, {k: v for k, v in truth.items()})
    chk.equal("flows over TCP = flows over UDP", tcp_recs, udp_recs)
    chk.equal("no records from the bad connection", "127.0.0.3" in got, False)
    ctr = dm.counters()
    pre = "collector.tcp_listener.127.0.0.1:%d." % tcp_port
    chk.equal("tcp accepted / closed / framing_errors",
              (ctr.get(pre + "accepted", 0), ctr.get(pre + "closed", 0), ctr.get(pre + "framing_errors", 0)),
              (2, 2, 1))
    chk.equal("tcp messages = datagrams", ctr.get(pre + "messages", 0), len(datagrams))
    chk.equal("tcp decode_errors / template_misses",
              (ctr.get(pre + "decode_errors", 0), ctr.get(pre + "template_misses", 0)), (0, 0))
    chk.equal("tcp records = udp records", ctr.get(pre + "records", 0),
              ctr.get("collector.listener.127.0.0.1:%d.records" % udp_port, -1))
    chk.equal("tcp sequence_gaps = udp sequence_gaps", ctr.get(pre + "sequence_gaps", 0),
              ctr.get("collector.listener.127.0.0.1:%d.sequence_gaps" % udp_port, 0))
    return len(datagrams), sum(v[0] for v in truth.values())


def main():
    a = nl.test_args(__doc__.splitlines()[1]).parse_args()
    if not a.xacctd or not os.access(a.xacctd, os.X_OK):
        raise nl.LabError("--xacctd PATH is required")
    for tool in ("sfacctd", "softflowd", "ss"):
        if shutil.which(tool) is None and not os.path.exists("/usr/sbin/" + tool):
            print("SKIP: %s not installed (tools/install-deps.sh)" % tool, flush=True)
            return 77
    nl.set_deadline(a.deadline)
    chk = nl.Checker("vm_collect_counters_tcp")
    with tempfile.TemporaryDirectory(prefix="xacct-cnt-") as workdir:
        lines = check_counters(chk, a.xacctd, workdir)
        print("counters: %d lines compared with sfacctd 1.7.7" % lines, flush=True)
        n, packets = check_tcp(chk, a.xacctd, workdir)
        print("ipfix/tcp: %d softflowd datagrams, %d packets, over UDP and TCP" % (n, packets), flush=True)
    return 0 if chk.report() else 1


if __name__ == "__main__":
    nl.run_test(main)
