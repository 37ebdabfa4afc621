#!/usr/bin/python3
"""pcap_bench: xacctd and pmacctd reading the same pcap savefile.

Each accountant reads the benchmark pcap of gen_pcap.py with pcap_savefile,
aggregates on src_host, dst_host, src_port, dst_port, proto and writes the
print plugin's CSV to a file (print_output_file_append: true, so every purge
is kept; the records of all purges are summed). Runs:
  pmacctd          Debian's pmacctd as shipped (default plugin buffers)
  pmacctd-tuned    plugin_buffer_size: 1048576, plugin_pipe_size: 104857600
  xacctd           `xacctd probe -f`, the same keys as pmacctd-tuned
each --runs times (median and best reported), in each of the --modes:
  free             every CPU available
  pinned           every process and thread of the run on CPU --one-cpu
                   (taskset): reader and plugin share one core

Reported per accountant:
  read s      from the first read of the pcap (its file position, sampled in
              /proc/<pid>/fdinfo) to the exit after the final flush; pmacctd's
              fixed 2-second sleep before reading a savefile is not in it
  pkt/s       packets of the pcap / read s (median run; best run beside it)
  wall s      the whole run, start-up and that sleep included
  cpu s       user + system of the process and its children (/usr/bin/time)
  pkt/cpu-s   packets of the pcap / cpu s: what one CPU would do with no
              waiting, and less sensitive to other load on the machine
  peak RSS    the largest single process (/usr/bin/time -v) and the sum over
              the process tree (sampled every 20 ms from /proc)
  exact       Σ packets and Σ bytes of the output against the generator's
              totals, and the per-5-tuple table against OUT.flows.csv
              (flows exactly right / wrong / missing / unexpected); loss %
              = packets missing from the output / packets in the pcap
Then the ratios xacctd / pmacctd and xacctd / pmacctd-tuned per mode, in
packets per second and in packets per CPU second.
"""
import argparse
import csv
import ipaddress
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

AGGREGATE = "src_host, dst_host, src_port, dst_port, proto"
# Reading has begun once the pcap's file position passes this: opening the
# file already fills one stdio buffer (pmacctd: 4 KiB, then its 2 s sleep;
# xacctd: 1 MiB while checking the file at start-up).
FIRST_READ_POS = 2 << 20
PROTO_NUM = {"tcp": 6, "udp": 17, "icmp": 1, "ipv6-icmp": 58, "icmpv6": 58, "sctp": 132}


def read_expected(pcap):
    with open(pcap + ".json") as f:
        summary = json.load(f)
    flows = {}
    with open(pcap + ".flows.csv") as f:
        for row in csv.DictReader(f):
            key = (row["src"], row["dst"], int(row["sport"]), int(row["dport"]), int(row["proto"]))
            flows[key] = (int(row["packets"]), int(row["bytes"]))
    return summary, flows


def read_output(path):
    """Per-5-tuple sums over every purge of a print CSV file."""
    sums = {}
    records = 0
    if not os.path.exists(path):
        return sums, records
    with open(path, newline="") as f:
        for row in csv.reader(f):
            if not row or row[0] == "SRC_IP" or row[0].startswith("--"):
                continue
            src, dst, sport, dport, proto, packets, nbytes = row[:7]
            p = proto.strip().lower()
            key = (str(ipaddress.ip_address(src)), str(ipaddress.ip_address(dst)), int(sport), int(dport),
                   int(p) if p.isdigit() else PROTO_NUM.get(p, -1))
            old = sums.get(key, (0, 0))
            sums[key] = (old[0] + int(packets), old[1] + int(nbytes))
            records += 1
    return sums, records


def compare(expected, got):
    exact = wrong = missing = 0
    for key, want in expected.items():
        have = got.get(key)
        if have is None:
            missing += 1
        elif have == want:
            exact += 1
        else:
            wrong += 1
    unexpected = sum(1 for k in got if k not in expected)
    return {"exact": exact, "wrong": wrong, "missing": missing, "unexpected": unexpected}


def tree_pids(root):
    """root and its descendants, from /proc/*/stat (ppid)."""
    parents = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
            parents[int(d)] = int(st[st.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += [c for c, pp in parents.items() if pp == p]
    return out


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pcap_position(pids, pcap_real):
    """Largest file position of an fd on the pcap among `pids` (-1: not open)."""
    best = -1
    for pid in pids:
        fddir = "/proc/%d/fd" % pid
        try:
            fds = os.listdir(fddir)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(os.path.join(fddir, fd)) != pcap_real:
                    continue
                with open("/proc/%d/fdinfo/%s" % (pid, fd)) as f:
                    m = re.search(r"^pos:\s+(\d+)", f.read(), re.M)
                if m:
                    best = max(best, int(m.group(1)))
            except OSError:
                continue
    return best


class Sampler(threading.Thread):
    """Samples the process tree: when the pcap's read position first passed
    FIRST_READ_POS (every 2 ms until then), and peak summed RSS (every 20 ms)."""

    def __init__(self, popen, pcap):
        super().__init__(daemon=True)
        self.popen, self.pcap = popen, os.path.realpath(pcap)
        self.peak_rss = 0
        self.first_read = None
        self.stop = False

    def run(self):
        while not self.stop and self.popen.poll() is None:
            # /usr/bin/time is the root; the accountant is its child.
            pids = tree_pids(self.popen.pid)
            self.peak_rss = max(self.peak_rss, sum(rss_kib(p) for p in pids if p != self.popen.pid))
            if self.first_read is None and pcap_position(pids, self.pcap) > FIRST_READ_POS:
                self.first_read = time.monotonic()
            # Poll fast until reading starts (a fast run is ~0.5 s), then
            # slowly, to take as little CPU from the run as possible.
            time.sleep(0.002 if self.first_read is None else 0.02)


def parse_time_v(text):
    def num(label):
        m = re.search(r"%s:\s*([\d.:]+)" % re.escape(label), text)
        return m.group(1) if m else None
    user, system = float(num("User time (seconds)") or 0), float(num("System time (seconds)") or 0)
    return {"cpu_s": user + system, "max_rss_kib": int(num("Maximum resident set size (kbytes)") or 0)}


def config_text(tool, pcap, output, tuned):
    lines = ["daemonize: false", "pcap_savefile: " + pcap, "plugins: print", "aggregate: " + AGGREGATE,
             "print_output: csv", "print_output_file: " + output, "print_output_file_append: true"]
    if tuned:
        lines += ["plugin_buffer_size: 1048576", "plugin_pipe_size: 104857600"]
    return "\n".join(lines) + "\n"


def run_one(name, argv, pcap, workdir, one_cpu):
    out = os.path.join(workdir, name + ".csv")
    if os.path.exists(out):
        os.unlink(out)
    cmd = ["/usr/bin/time", "-v"] + (["taskset", "-c", str(one_cpu)] if one_cpu is not None else []) + argv
    errpath = os.path.join(workdir, name + ".stderr")
    with open(errpath, "w") as err, open(os.path.join(workdir, name + ".stdout"), "w") as so:
        started = time.monotonic()
        p = subprocess.Popen(cmd, stdout=so, stderr=err, stdin=subprocess.DEVNULL)
        s = Sampler(p, pcap)
        s.start()
        rc = p.wait(timeout=900)
        ended = time.monotonic()
        s.stop = True
        s.join()
    with open(errpath) as f:
        tv = parse_time_v(f.read())
    return {"rc": rc, "wall_s": ended - started,
            "read_s": ended - (s.first_read if s.first_read is not None else started),
            "first_read_seen": s.first_read is not None, "cpu_s": tv["cpu_s"],
            "max_rss_kib": tv["max_rss_kib"], "tree_rss_kib": s.peak_rss, "output": out}


def run_accountant(name, args, workdir, expected, want_packets, want_bytes, one_cpu):
    tuned = name != "pmacctd"
    out = os.path.join(workdir, name + ".csv")
    conf = os.path.join(workdir, name + ".conf")
    with open(conf, "w") as f:
        f.write(config_text(name, os.path.abspath(args.pcap), out, tuned))
    argv = [args.xacctd, "probe", "-f", conf] if name == "xacctd" else [args.pmacctd, "-f", conf]
    mode = "free" if one_cpu is None else "pinned"
    runs = []
    for i in range(args.runs):
        r = run_one(name, argv, args.pcap, workdir, one_cpu)
        got, records = read_output(r["output"])
        r["records"] = records
        r["packets"] = sum(v[0] for v in got.values())
        r["bytes"] = sum(v[1] for v in got.values())
        r["flows"] = compare(expected, got)
        runs.append(r)
        print("  %-14s %-6s run %d: rc %d, read %.2f s, wall %.2f s, cpu %.2f s, %d packets, %d records" % (
            name, mode, i + 1, r["rc"], r["read_s"], r["wall_s"], r["cpu_s"], r["packets"], records), flush=True)
    med = sorted(runs, key=lambda r: r["read_s"])[len(runs) // 2]
    best = min(runs, key=lambda r: r["read_s"])
    return {"accountant": name, "mode": mode, "one_cpu": one_cpu, "runs": len(runs),
            "read_s": med["read_s"], "wall_s": med["wall_s"],
            "pps": want_packets / med["read_s"] if med["read_s"] > 0 else 0.0,
            "pps_best": want_packets / best["read_s"] if best["read_s"] > 0 else 0.0,
            "pps_runs": [want_packets / r["read_s"] for r in runs if r["read_s"] > 0],
            "cpu_s": statistics.median(r["cpu_s"] for r in runs),
            "pps_cpu": want_packets / statistics.median(r["cpu_s"] for r in runs)
            if statistics.median(r["cpu_s"] for r in runs) > 0 else 0.0,
            "max_rss_kib": max(r["max_rss_kib"] for r in runs),
            "tree_rss_kib": max(r["tree_rss_kib"] for r in runs),
            "packets": med["packets"], "bytes": med["bytes"], "flows": med["flows"],
            "loss_pct": [100.0 * (want_packets - r["packets"]) / want_packets for r in runs],
            "exact_runs": sum(1 for r in runs if r["packets"] == want_packets and r["bytes"] == want_bytes
                              and r["flows"]["exact"] == len(expected) and r["flows"]["unexpected"] == 0),
            "rc": [r["rc"] for r in runs]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pcap", required=True, help="pcap written by gen_pcap.py (with .json and .flows.csv)")
    ap.add_argument("--xacctd", required=True)
    ap.add_argument("--pmacctd", default=shutil.which("pmacctd") or "pmacctd")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--modes", default=None,
                    help="comma list of free (every CPU) and pinned (one CPU); default free,pinned")
    ap.add_argument("--one-cpu", type=int, default=None, metavar="CPU",
                    help="the CPU of the pinned runs (default: the last CPU); alone, it means --modes pinned")
    ap.add_argument("--accountants", default="pmacctd,pmacctd-tuned,xacctd")
    ap.add_argument("--json", help="write the result rows here")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (configs, outputs, logs)")
    args = ap.parse_args()
    if args.modes is None:
        args.modes = "pinned" if args.one_cpu is not None else "free,pinned"
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if any(m not in ("free", "pinned") for m in modes):
        ap.error("--modes: free and/or pinned")
    pin_cpu = args.one_cpu if args.one_cpu is not None else (os.cpu_count() or 1) - 1

    summary, expected = read_expected(args.pcap)
    want_packets, want_bytes = summary["packets"], summary["ip_bytes"]
    workdir = tempfile.mkdtemp(prefix="xacct-pcapbench-")
    print("pcap %s: %d packets, %d IP bytes, %d flows (%.1f MiB); work dir %s" % (
        args.pcap, want_packets, want_bytes, summary["flows"], os.path.getsize(args.pcap) / 1048576.0, workdir),
        flush=True)
    with open(args.pcap, "rb") as f:  # into the page cache: every run reads from memory
        while f.read(1 << 24):
            pass

    rows = []
    for mode in modes:
        for name in [a.strip() for a in args.accountants.split(",") if a.strip()]:
            rows.append(run_accountant(name, args, workdir, expected, want_packets, want_bytes,
                                       pin_cpu if mode == "pinned" else None))

    print("\n(median run of each; best = pkt/s of the fastest run)")
    print("%-14s %-6s %9s %9s %8s %7s %11s %8s %9s %13s %8s %s" % (
        "accountant", "mode", "pkt/s", "best", "read s", "cpu s", "pkt/cpu-s", "RSS MiB", "tree MiB", "packets",
        "loss %", "flows exact/wrong/missing/extra, exact runs"))
    for r in rows:
        fl = r["flows"]
        print("%-14s %-6s %9.0f %9.0f %8.2f %7.2f %11.0f %8.1f %9.1f %13d %8.2f %d/%d/%d/%d, %d of %d" % (
            r["accountant"], r["mode"], r["pps"], r["pps_best"], r["read_s"], r["cpu_s"], r["pps_cpu"],
            r["max_rss_kib"] / 1024.0, r["tree_rss_kib"] / 1024.0, r["packets"],
            100.0 * (want_packets - r["packets"]) / want_packets, fl["exact"], fl["wrong"], fl["missing"], fl["unexpected"],
            r["exact_runs"], r["runs"]))
    print("%-14s %-6s %9s %9s %8s %7s %11s %8s %9s %13d %8s %d flows, %d IP bytes" % (
        "expected", "", "", "", "", "", "", "", "", want_packets, "", len(expected), want_bytes))
    print()
    by = {(r["accountant"], r["mode"]): r for r in rows}
    for mode in modes:
        x = by.get(("xacctd", mode))
        if x is None:
            continue
        for base in ("pmacctd-tuned", "pmacctd"):
            b = by.get((base, mode))
            if b is None or b["pps"] <= 0 or b["pps_cpu"] <= 0:
                continue
            print("%-6s xacctd / %-13s %5.1fx packets per second (best runs %.1fx), %.1fx packets per CPU second" % (
                mode, base + ":", x["pps"] / b["pps"], x["pps_best"] / b["pps_best"], x["pps_cpu"] / b["pps_cpu"]))
    print()
    for r in rows:
        losses = r["loss_pct"]
        print("%-14s %-6s %s: %d of %d runs exact; lost %s %% of the packets" % (
            r["accountant"], r["mode"], "EXACT" if r["exact_runs"] == r["runs"] else "NOT exact", r["exact_runs"],
            r["runs"], " / ".join("%.2f" % l for l in losses)))
    if "pinned" in modes:
        print("pinned runs: every process and thread on CPU %d (taskset)" % pin_cpu)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"pcap": args.pcap, "expected": {"packets": want_packets, "ip_bytes": want_bytes,
                                                       "flows": len(expected)},
                       "pinned_cpu": pin_cpu, "rows": rows}, f, indent=1)
    if args.keep:
        print("kept", workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
