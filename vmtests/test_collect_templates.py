#!/usr/bin/python3
"""vmtest: nfacctd_templates_file across a restart of `xacctd collect`.

Loopback only (127.0.0.1, a free UDP port), no namespaces, no root needed.

  run 1: xacctd collect with nfacctd_templates_file; one NetFlow v9 datagram
         with template 256 and a data record (198.18.1.1 -> 198.18.2.1,
         3 packets, 1500 bytes); SIGTERM. The file must hold template 256.
  run 2: the same config (a restart); one v9 datagram with only a data
         flowset of template 256 (198.18.1.2 -> 198.18.2.2, 5 packets,
         700 bytes): its record must be printed, no template miss counted.
  run 3: control, without nfacctd_templates_file: the same data-only
         datagram is a template miss and gives no record (so run 2 passes
         only because of the file).
"""
import json
import os
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

SOURCE_ID = 4242
FIELDS = ((8, 4), (12, 4), (2, 4), (1, 4), (4, 1))  # src, dst, packets, bytes, proto


def v9(seq, flowsets):
    body = b"".join(flowsets)
    return struct.pack("!HHIIII", 9, len(flowsets), 100000, int(time.time()), seq, SOURCE_ID) + body


def template_flowset():
    t = struct.pack("!HH", 256, len(FIELDS)) + b"".join(struct.pack("!HH", i, n) for i, n in FIELDS)
    return struct.pack("!HH", 0, 4 + len(t)) + t


def data_flowset(src, dst, packets, nbytes):
    rec = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!IIB", packets, nbytes, 17)
    rec += b"\0" * (-(4 + len(rec)) % 4)
    return struct.pack("!HH", 256, 4 + len(rec)) + rec


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_collector(xacctd, workdir, name, port, templates_file, datagram):
    """Starts xacctd collect, sends one datagram, stops it; returns (records, counters, stderr)."""
    out = os.path.join(workdir, "print-%s.json" % name)
    conf = os.path.join(workdir, "%s.conf" % name)
    with open(conf, "w") as f:
        f.write("nfacctd_ip: 127.0.0.1\nnfacctd_port: %d\nplugins: print[p]\n"
                "aggregate[p]: src_host, dst_host\nprint_output[p]: json\nprint_output_file[p]: %s\n"
                % (port, out))
        if templates_file:
            f.write("nfacctd_templates_file: %s\n" % templates_file)
    err_path = os.path.join(workdir, "%s.err" % name)
    with open(err_path, "w") as err:
        p = subprocess.Popen([xacctd, "collect", "-f", conf], stdout=subprocess.PIPE, stderr=err, text=True)
        try:
            deadline = time.time() + 10
            while "listening" not in nl.read_text(err_path):
                if time.time() > deadline or p.poll() is not None:
                    raise nl.LabError("%s: xacctd collect did not start: %s" % (name, nl.tail(nl.read_text(err_path))))
                time.sleep(0.05)
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.sendto(datagram, ("127.0.0.1", port))
            s.close()
            time.sleep(0.5)
            p.send_signal(signal.SIGTERM)
            stdout, _ = p.communicate(timeout=15)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
    counters = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            counters[parts[0]] = int(parts[1])
    records = []
    if os.path.exists(out):
        for line in open(out):
            line = line.strip()
            if line.startswith("{"):
                records.append(json.loads(line))
    return records, counters, nl.read_text(err_path)


def summary(records):
    return sorted((r.get("ip_src"), r.get("ip_dst"), r.get("packets"), r.get("bytes")) for r in records)


def main():
    a = nl.test_args(__doc__.splitlines()[1]).parse_args()
    if not a.xacctd or not os.access(a.xacctd, os.X_OK):
        raise nl.LabError("--xacctd PATH is required")
    nl.set_deadline(a.deadline)
    chk = nl.Checker("vm_collect_templates")
    with tempfile.TemporaryDirectory(prefix="xacct-tpl-") as workdir:
        tfile = os.path.join(workdir, "templates.jsonl")
        port = free_port()
        miss = "collector.exporter.127.0.0.1.template_misses"

        recs, ctr, _ = run_collector(a.xacctd, workdir, "run1", port, tfile,
                                     v9(1, [template_flowset(), data_flowset("198.18.1.1", "198.18.2.1", 3, 1500)]))
        chk.equal("run 1 records", summary(recs), [("198.18.1.1", "198.18.2.1", 3, 1500)])
        text = nl.read_text(tfile) if os.path.exists(tfile) else ""
        lines = [json.loads(l) for l in text.splitlines() if l.strip()]
        chk.equal("templates file after run 1: template 256 of source id %d" % SOURCE_ID,
                  [(t.get("version"), t.get("domain"), t.get("id"), t.get("fields")) for t in lines],
                  [(9, SOURCE_ID, 256, [[i, n, 0] for i, n in FIELDS])])

        data_only = v9(2, [data_flowset("198.18.1.2", "198.18.2.2", 5, 700)])
        recs, ctr, err = run_collector(a.xacctd, workdir, "run2", port, tfile, data_only)
        chk.equal("run 2 (restart, data only) records", summary(recs), [("198.18.1.2", "198.18.2.2", 5, 700)])
        chk.equal("run 2 template misses", ctr.get(miss, 0), 0)

        recs, ctr, _ = run_collector(a.xacctd, workdir, "run3", port, "", data_only)
        chk.equal("run 3 (no templates file) records", summary(recs), [])
        chk.equal("run 3 template misses", ctr.get(miss, 0), 1)
    return 0 if chk.report() else 1


if __name__ == "__main__":
    nl.run_test(main)
