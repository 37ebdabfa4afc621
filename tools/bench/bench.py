#!/usr/bin/python3
"""Benchmark: xacctd vs pmacctd accounting the same blast of traffic.

A generator namespace sends exactly --packets frames with trafgen (one CPU,
no rate limit: as fast as this machine can) through a veth into a sink
namespace. The accountants run on the sink's interface one after the other,
each against an identical blast:
  none     no accountant (baseline softirq cost and generator rate)
  xacctd   `xacctd probe`, TC ingress (or XDP with --hook xdp), print JSON
  pmacctd  Debian's pmacctd, pcap_interface, print JSON, same aggregate,
           plugin_buffer_size 1 MiB, plugin_pipe_size 100 MiB
For each run it reports: packets sent (trafgen), delivered to the sink
interface (its rx counter), accounted (sum of the accountant's print output),
loss against delivered, the accountant's CPU (user+sys of its processes from
/proc/<pid>/stat, children included) and the system-wide softirq time
(/proc/stat) during the blast, where TC/XDP programs and the packet socket
copy for libpcap run.

The traffic is a mix of --flows flows (UDP 60-byte frames, TCP ACKs, UDP
1500-byte frames) sent round-robin, so the expected packets and L3 bytes
are exact. Frames carry a foreign destination MAC: the sink's IP stack drops
them right away and only the accounting differs between runs.
"""
import argparse
import json
import os
import re
import signal
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "vmtests"))
import netlab as nl  # noqa: E402

AGGREGATE = "src_host, dst_host, src_port, dst_port, proto"
CLK_TCK = os.sysconf("SC_CLK_TCK")
SINK_MAC = "02:00:00:00:00:99"  # not the sink's: its stack drops the frames early
SRC_IP, DST_IP = "198.18.10.1", "198.18.10.2"


def flow_templates(flows):
    """(trafgen packet text, L3 bytes) per flow."""
    out = []
    for i in range(flows):
        kind = i % 4
        if kind in (0, 1):  # 60-byte frame: the pps worst case
            l4, payload, l3 = "udp(sp=%d, dp=5000)" % (10000 + i), 18, 20 + 8 + 18
        elif kind == 2:     # pure TCP ACK, 54-byte frame
            l4, payload, l3 = "tcp(sp=%d, dp=80, ack, seq=1, aseq=1, win=512)" % (10000 + i), 0, 40
        else:               # full-size UDP frame
            l4, payload, l3 = "udp(sp=%d, dp=5001)" % (10000 + i), 1458, 20 + 8 + 1458
        fill = ", fill(0x41, %d)" % payload if payload else ""
        pkt = "{ eth(da=%s, sa=%%(smac)s, type=0x0800), ipv4(sa=%s, da=%s, ttl=64, df), %s%s }" % (
            SINK_MAC, SRC_IP, DST_IP, l4, fill)
        out.append((pkt, l3))
    return out


def proc_tree(root):
    """root and its descendants (pmacctd forks its plugins)."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def cpu_ticks(pid):
    """(utime, stime) of a process (all its threads), in clock ticks."""
    with open("/proc/%d/stat" % pid) as f:
        st = f.read()
    fields = st[st.rindex(")") + 2:].split()
    return int(fields[11]), int(fields[12])


def softirq_ticks():
    with open("/proc/stat") as f:
        cpu = f.readline().split()
    return int(cpu[7])


class CpuSampler:
    """Samples the CPU of a process tree until stopped; keeps each pid's last
    value, so processes that exit before the end still count."""

    def __init__(self, root):
        self.root, self.last, self.stop_ = root, {}, threading.Event()
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _sample(self):
        for pid in proc_tree(self.root):
            try:
                self.last[pid] = cpu_ticks(pid)
            except (OSError, ValueError, IndexError):
                pass

    def _run(self):
        while not self.stop_.is_set():
            self._sample()
            self.stop_.wait(0.05)

    def snapshot(self):
        self._sample()
        return dict(self.last)

    def stop(self):
        self.stop_.set()
        self.t.join()


def diff_cpu(before, after):
    u = sum(v[0] - before.get(p, (0, 0))[0] for p, v in after.items())
    s = sum(v[1] - before.get(p, (0, 0))[1] for p, v in after.items())
    return u / CLK_TCK, s / CLK_TCK


def accounted(records):
    return sum(int(r["packets"]) for r in records), sum(int(r["bytes"]) for r in records)


def start_accountant(kind, a, lab, pair):
    ns, ifn = pair.b, pair.if_b
    if kind == "xacctd":
        x = nl.Xacctd(lab, ns, os.path.abspath(a.xacctd), "xacctd", ifn, hooks=a.hook, direction="in",
                      aggregate=AGGREGATE, extra={"print_refresh_time": a.refresh})
        x.start()
        return x, x.proc.pid
    if kind == "pmacctd":
        cfg = {"daemonize": False, "pcap_interface": ifn, "aggregate": AGGREGATE, "plugins": "print",
               "print_output": "json", "print_output_file": lab.path("pmacctd.json"),
               "print_output_file_append": True, "print_refresh_time": a.refresh,
               "plugin_buffer_size": 1048576, "plugin_pipe_size": 104857600}
        conf = lab.path("pmacctd.conf")
        with open(conf, "w") as f:
            f.write(nl.render_config(cfg))
        p = ns.popen(["pmacctd", "-f", conf], "pmacctd")
        p.wait_for_line(r"link type is", timeout=15, stream="stderr")
        time.sleep(1.0)  # the print plugin is forked after the core opened the capture
        p.output = cfg["print_output_file"]
        return p, p.pid
    return None, None


def stop_accountant(kind, acct, a):
    """Stops the accountant once it has accounted everything it will, and
    returns its records."""
    if kind == "xacctd":
        acct.stop(timeout=60)  # SIGTERM: final drain and flush, exact
        return acct.records()
    # pmacctd drains its pipe at its own pace: wait until the printed total
    # stops changing for two refresh intervals, then SIGINT (final purge).
    last, since, end = -1, time.monotonic(), time.monotonic() + a.settle_max
    while time.monotonic() < end:
        n = accounted(nl.read_print_json(acct.output))[0]
        if n != last:
            last, since = n, time.monotonic()
        elif time.monotonic() - since > 2 * a.refresh + 1:
            break
        time.sleep(0.5)
    acct.signal(signal.SIGINT)
    acct.wait(60)
    return nl.read_print_json(acct.output)


def pcap_drops(kind, acct):
    """pmacctd's own libpcap counters, printed when it exits."""
    if kind != "pmacctd":
        return None
    m = re.findall(r"dropped_packets=(\d+)", acct.stdout() + acct.stderr())
    return sum(int(x) for x in m) if m else None


def run_one(kind, a, lab, pair, conf, expect):
    acct, pid = start_accountant(kind, a, lab, pair)
    sampler = CpuSampler(pid) if pid else None
    cpu0 = sampler.snapshot() if sampler else {}
    rx0 = pair.b.link_stats(pair.if_b)
    tx0 = pair.a.link_stats(pair.if_a)
    si0 = softirq_ticks()
    t0 = time.monotonic()
    cp = pair.a.run(["trafgen", "--dev", pair.if_a, "--conf", conf, "--num", str(a.packets),
                     "--cpus", "1", "--no-sock-mem", "--notouch-irq"], timeout=600, check=False)
    wall = time.monotonic() - t0
    time.sleep(0.3)  # the sink's backlog drains on the other CPU
    si1 = softirq_ticks()
    rx1 = pair.b.link_stats(pair.if_b)
    tx1 = pair.a.link_stats(pair.if_a)
    if cp.returncode != 0:
        raise nl.LabError("trafgen failed (rc %d):\n%s%s" % (cp.returncode, cp.stdout, cp.stderr))
    m = re.search(r"(\d+) packets outgoing", cp.stdout + cp.stderr)
    sent = int(m.group(1)) if m else -1
    records = stop_accountant(kind, acct, a) if acct else []
    cpu1 = sampler.snapshot() if sampler else {}
    if sampler:
        sampler.stop()
    user, sys_ = diff_cpu(cpu0, cpu1) if sampler else (0.0, 0.0)
    delivered = rx1["rx_packets"] - rx0["rx_packets"]
    acc_p, acc_b = accounted(records) if acct else (None, None)
    row = {"accountant": kind, "hook": {"xacctd": a.hook, "pmacctd": "pcap"}.get(kind, "-"),
           "sent": sent, "delivered": delivered,
           "gen_dropped": tx1["tx_dropped"] - tx0["tx_dropped"],
           "accounted": acc_p, "accounted_bytes": acc_b,
           "loss_pct": None if acc_p is None or not delivered else 100.0 * (delivered - acc_p) / delivered,
           "cpu_user_s": user, "cpu_sys_s": sys_, "softirq_s": (si1 - si0) / CLK_TCK,
           "blast_s": wall, "gen_pps": sent / wall if wall > 0 else 0,
           "pcap_dropped": pcap_drops(kind, acct)}
    if kind == "xacctd" and acc_p is not None and delivered == sent:
        row["exact"] = (acc_p, acc_b) == expect
    return row


def fmt_table(rows, expect):
    hdr = ("accountant", "hook", "sent", "delivered", "accounted", "loss %", "cpu user s", "cpu sys s",
           "cpu total s", "softirq s", "blast s", "gen Mpps")
    lines = [hdr]
    for r in rows:
        lines.append((r["accountant"], r["hook"], str(r["sent"]), str(r["delivered"]),
                      "-" if r["accounted"] is None else str(r["accounted"]),
                      "-" if r["loss_pct"] is None else "%.3f" % r["loss_pct"],
                      "%.2f" % r["cpu_user_s"], "%.2f" % r["cpu_sys_s"],
                      "%.2f" % (r["cpu_user_s"] + r["cpu_sys_s"]), "%.2f" % r["softirq_s"],
                      "%.2f" % r["blast_s"], "%.2f" % (r["gen_pps"] / 1e6)))
    w = [max(len(l[i]) for l in lines) for i in range(len(hdr))]
    out = ["  ".join(c.rjust(w[i]) if i > 1 else c.ljust(w[i]) for i, c in enumerate(l)) for l in lines]
    out.insert(1, "  ".join("-" * x for x in w))
    out.append("expected per blast: %d packets, %d L3 bytes" % expect)
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--xacctd", help="xacctd binary (needed unless --accountants excludes it)")
    p.add_argument("--packets", type=int, default=2000000, help="frames per blast (rounded to a multiple of --flows)")
    p.add_argument("--flows", type=int, default=64)
    p.add_argument("--hook", choices=("tc", "xdp"), default="tc", help="xacctd's ingress hook")
    p.add_argument("--accountants", default="none,xacctd,pmacctd")
    p.add_argument("--refresh", type=int, default=2, help="print_refresh_time of both accountants")
    p.add_argument("--settle-max", type=float, default=120, help="max seconds to wait for pmacctd to catch up")
    p.add_argument("--json", help="also write the rows to this file")
    a = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench: needs root (network namespaces, eBPF, packet sockets)")
    kinds = [k.strip() for k in a.accountants.split(",") if k.strip()]
    if "xacctd" in kinds and not (a.xacctd and os.access(a.xacctd, os.X_OK)):
        sys.exit("bench: --xacctd PATH to an executable is required (got %r)" % a.xacctd)
    nl.require_tools("trafgen", "ip", "ethtool", *(["pmacctd"] if "pmacctd" in kinds else []))
    a.packets -= a.packets % a.flows
    templates = flow_templates(a.flows)
    expect = (a.packets, (a.packets // a.flows) * sum(l3 for _, l3 in templates))

    rows = []
    with nl.Lab("bench") as lab:
        pair = lab.pair("g", ipv6=False)
        conf = lab.path("blast.trafgen")
        smac = pair.a.mac(pair.if_a)
        with open(conf, "w") as f:
            f.write("\n".join(t % {"smac": smac} for t, _ in templates) + "\n")
        for kind in kinds:
            nl.log("blast %d packets, accountant %s" % (a.packets, kind))
            rows.append(run_one(kind, a, lab, pair, conf, expect))
    print()
    print(fmt_table(rows, expect))
    for r in rows:
        if r.get("pcap_dropped") is not None:
            print("pmacctd: libpcap reported %d packets dropped by the kernel" % r["pcap_dropped"])
        if "exact" in r:
            print("xacctd totals %s the expected totals" % ("EQUAL" if r["exact"] else "DIFFER FROM"))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"expect": {"packets": expect[0], "bytes": expect[1]}, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except nl.LabError as e:
        print("bench: %s" % e, file=sys.stderr, flush=True)
        sys.exit(2)
