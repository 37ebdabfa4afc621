#!/usr/bin/python3
"""Collector benchmark: the highest rate of flow records per second that
nfacctd (as shipped, and tuned) and `xacctd collect` each take with under
0.1% loss, and their CPU per record. Run through tools/bench/collect_vs_nfacctd.sh.

For each collector and each rate (rising, doubling from --start until a rate
loses more than --max-loss, then one bisection step between the last good
and the first bad rate), a fresh collector is started (print plugin,
aggregate src_host, dst_host, src_port, dst_port, proto, CSV to a file,
purged once at SIGINT), tools/bench/collect_sender sends --seconds of IPFIX
(or sFlow) datagrams from --sources loopback addresses, the collector gets
1.5 s to drain, its CPU time (utime+stime of every process of the daemon,
nfacctd's plugin processes included) is read, then SIGINT makes it write
the file. Records taken = sum of the packets column (every record sent
counts exactly 1 packet); loss = 1 - taken / sent.

With --collector-cpus/--sender-cpus (taskset lists) the collector (every
process and thread of it) and the sender run on the CPUs given, e.g. the
collector alone on CPU 1 and the sender on CPU 0: CPU time per record is
then measured without the sender (or the other half of the daemon) on
another core, and is steadier on a shared machine.

Standard library only. Prints a table and a JSON summary.
"""
import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time

CLK = os.sysconf("SC_CLK_TCK")


def tree_cpu(pid):
    """utime+stime seconds of pid and its descendants (live ones)."""
    total = 0.0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            f = open(f"/proc/{p}/stat").read()
            fields = f[f.rindex(")") + 2:].split()
            total += (int(fields[11]) + int(fields[12])) / CLK
            for t in os.listdir(f"/proc/{p}/task"):
                try:
                    for c in open(f"/proc/{p}/task/{t}/children").read().split():
                        todo.append(int(c))
                except OSError:
                    pass
        except (OSError, ValueError):
            pass
    return total


def pin(cpus):
    """taskset prefix (it execs the program: same PID, CPU time read as before)."""
    return ["taskset", "-c", cpus] if cpus else []


def free_port():
    for _ in range(100):
        port = random.randint(40000, 60000)
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", port))
            s.close()
            return port
        except OSError:
            continue
    raise SystemExit("no free port")


def listening(port):
    r = subprocess.run(["ss", "-lunH", f"sport = :{port}"], capture_output=True, text=True)
    return bool(r.stdout.strip())


def sum_packets(path):
    if not os.path.exists(path):
        return 0
    total = 0
    header = None
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        cols = line.split(",")
        if header is None and "PACKETS" in cols:
            header = cols.index("PACKETS")
            continue
        if header is not None and len(cols) > header and cols[header].isdigit():
            total += int(cols[header])
    return total


def run_once(kind, binary, proto, rate, args, workdir):
    port = free_port()
    out = os.path.join(workdir, f"{kind}.csv")
    if os.path.exists(out):
        os.unlink(out)
    prefix = "sfacctd" if proto == "sflow" else "nfacctd"
    lines = [f"{prefix}_ip: 127.0.0.1", f"{prefix}_port: {port}",
             "plugins: print[p]", "aggregate[p]: src_host, dst_host, src_port, dst_port, proto",
             "print_output[p]: csv", f"print_output_file[p]: {out}", "print_refresh_time[p]: 3600",
             f"{prefix}_pipe_size: {args.pipe_size}"]
    argv = [binary]
    if kind.startswith("xacctd"):
        argv = [binary, "collect"]
        lines.append(f"collector_threads: {args.threads if kind == 'xacctd-threads' else 1}")
    else:
        lines.append("daemonize: false")
        argv = ["sfacctd" if proto == "sflow" else "nfacctd"]
        if kind == "nfacctd-tuned":
            lines += ["plugin_buffer_size: 1048576", "plugin_pipe_size: 104857600"]
    conf = os.path.join(workdir, f"{kind}.conf")
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    logf = open(os.path.join(workdir, f"{kind}.log"), "w")
    p = subprocess.Popen(pin(args.collector_cpus) + argv + ["-f", conf], stdout=logf, stderr=subprocess.STDOUT)
    try:
        end = time.time() + 10
        while not listening(port):
            if time.time() > end or p.poll() is not None:
                raise SystemExit(f"{kind} did not start: see {logf.name}")
            time.sleep(0.05)
        time.sleep(0.5)
        cpu0 = tree_cpu(p.pid)
        r = subprocess.run(pin(args.sender_cpus) + [args.sender, "--port", str(port), "--proto", proto, "--rate", str(rate),
                            "--seconds", str(args.seconds), "--sources", str(args.sources),
                            "--flows", str(args.flows)], capture_output=True, text=True, check=True)
        sent = json.loads(r.stdout.strip().splitlines()[-1])
        time.sleep(1.5)
        cpu = tree_cpu(p.pid) - cpu0
        p.send_signal(signal.SIGINT)
        p.wait(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        logf.close()
    taken = sum_packets(out)
    loss = 1 - taken / sent["records"] if sent["records"] else 1
    return {"rate": rate, "sent_rate": sent["rate"], "sent": sent["records"], "taken": taken, "loss": loss,
            "cpu_s": cpu, "cpu_ns_per_record": cpu * 1e9 / max(taken, 1)}


def search(kind, binary, proto, args, workdir):
    results = []
    rate = args.start
    good = bad = None
    while rate <= args.max_rate:
        r = run_once(kind, binary, proto, rate, args, workdir)
        results.append(r)
        print(f"  {kind:16s} {proto:5s} {rate:>10,.0f} rec/s asked, {r['sent_rate']:>10,.0f} sent: "
              f"loss {100 * r['loss']:7.3f} %, CPU {r['cpu_s']:6.2f} s, {r['cpu_ns_per_record']:7.0f} ns/record",
              flush=True)
        if r["loss"] <= args.max_loss:
            good = r
            rate *= 2
        else:
            bad = r
            break
    if good and bad:
        mid = (good["rate"] + bad["rate"]) / 2
        r = run_once(kind, binary, proto, mid, args, workdir)
        results.append(r)
        print(f"  {kind:16s} {proto:5s} {mid:>10,.0f} rec/s asked, {r['sent_rate']:>10,.0f} sent: "
              f"loss {100 * r['loss']:7.3f} %, CPU {r['cpu_s']:6.2f} s, {r['cpu_ns_per_record']:7.0f} ns/record",
              flush=True)
        if r["loss"] <= args.max_loss:
            good = r
    return {"best": good, "runs": results}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xacctd", required=True)
    ap.add_argument("--sender", required=True)
    ap.add_argument("--proto", default="ipfix", choices=["ipfix", "sflow", "both"])
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--sources", type=int, default=4)
    ap.add_argument("--flows", type=int, default=100000)
    ap.add_argument("--start", type=float, default=100000)
    ap.add_argument("--max-rate", type=float, default=20e6)
    ap.add_argument("--max-loss", type=float, default=0.001)
    ap.add_argument("--threads", type=int, default=2, help="collector_threads of the xacctd-threads run")
    ap.add_argument("--pipe-size", type=int, default=16777216, help="[ns]facctd_pipe_size for every collector")
    ap.add_argument("--collectors", default="nfacctd,nfacctd-tuned,xacctd,xacctd-threads")
    ap.add_argument("--collector-cpus", default="",
                    help="taskset CPU list for every collector (all its processes/threads), e.g. 1")
    ap.add_argument("--sender-cpus", default="", help="taskset CPU list for the sender, e.g. 0")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="xacct-collect-bench-")
    protos = ["ipfix", "sflow"] if args.proto == "both" else [args.proto]
    summary = {}
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start "
          f"(other processes share it); collector CPUs {args.collector_cpus or 'any'}, "
          f"sender CPUs {args.sender_cpus or 'any'}", flush=True)
    for proto in protos:
        for kind in args.collectors.split(","):
            binary = args.xacctd if kind.startswith("xacctd") else None
            summary[f"{proto}/{kind}"] = search(kind, binary, proto, args, workdir)
    print("\nhighest rate with loss <= %.3f %%:" % (100 * args.max_loss))
    for k, v in summary.items():
        b = v["best"]
        if b:
            print(f"  {k:24s} {b['rate']:>12,.0f} records/s  {b['cpu_ns_per_record']:7.0f} ns CPU/record")
        else:
            print(f"  {k:24s} none (lost more than that at {args.start:,.0f} records/s)")
    for proto in protos:
        ref = summary.get(f"{proto}/nfacctd-tuned", {}).get("best")
        for kind in ("xacctd", "xacctd-threads"):
            x = summary.get(f"{proto}/{kind}", {}).get("best")
            if ref and x:
                print(f"  {proto} {kind} / nfacctd-tuned: {x['rate'] / ref['rate']:.2f}x the rate, "
                      f"{x['cpu_ns_per_record'] / ref['cpu_ns_per_record']:.2f}x the CPU per record")
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
