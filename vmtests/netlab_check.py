"""netlab_check: the scaffolding and assertions every vmtest shares.

test_args/run_test give each test the same options and exit codes (0 pass,
1 failed checks, 2 probe or environment error, 77 skipped as non-root).
Checker collects every mismatch of a run and prints one table, so a
failing run shows all of its problems at once.
"""
import argparse
import os
import sys
import time

from netlab_flow import key_str
from netlab_lab import LabError, ProbeError
from netlab_probe import PmacctdProbe, Xacctd, sum_records

def run_test(main):
    """Runs a test's main(): exit 0 pass, 1 failed checks, 2 probe or
    environment error (with the reason), 77 skipped (not root)."""
    try:
        rc = main()
    except ProbeError as e:
        print("FAIL (probe): %s" % e, flush=True)
        rc = 2
    except LabError as e:
        print("ERROR (test environment): %s" % e, flush=True)
        rc = 2
    sys.exit(rc)


def test_args(description):
    """Argument parser with the options every vmtest takes."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--xacctd", help="path to the xacctd binary (build/tools/xacctd)")
    p.add_argument("--impl", choices=("xacctd", "pmacctd"), default="xacctd",
                   help="probe under test; pmacctd checks the harness itself (no eBPF checks)")
    p.add_argument("--deadline", type=float, default=110,
                   help="seconds before the test fails on its own, cleaning up (keep below the ctest TIMEOUT)")
    return p


def start_probe(args, lab, ns, name, ifname, hooks, extra=None):
    """xacctd (or pmacctd with --impl pmacctd) on one interface, started and attached."""
    if args.impl == "pmacctd":
        return PmacctdProbe(lab, ns, name, ifname).start()
    if not args.xacctd:
        raise LabError("--xacctd PATH is required")
    if not os.access(args.xacctd, os.X_OK):
        raise LabError("xacctd binary not found or not executable: %s" % args.xacctd)
    return Xacctd(lab, ns, os.path.abspath(args.xacctd), name, ifname, hooks=hooks, extra=extra).start()


def stats_until(probe, pred, timeout=8):
    """SIGUSR1 until pred(stats) holds (counters are refreshed once per drain
    interval); returns the last stats."""
    end = time.monotonic() + timeout
    while True:
        st = probe.stats()
        if pred(st) or time.monotonic() > end:
            return st
        time.sleep(0.5)


def dump_records(title, records, limit=60):
    print("-- %s: %d records (summed per key) --" % (title, len(records)))
    sums = sum_records(records)
    for i, (k, c) in enumerate(sorted(sums.items(), key=lambda kv: key_str(kv[0]))):
        if i >= limit:
            print("   ... %d more" % (len(sums) - limit))
            break
        print("   %-80s %8d pkts %10d B" % (key_str(k), c[0], c[1]))


# ---------------------------------------------------------------------------
# Assertions

class Checker:
    """Collects all mismatches of a test so one run shows every problem."""

    def __init__(self, title):
        self.title = title
        self.failures = []
        self.rows = []

    def equal(self, what, got, want):
        ok = got == want
        self.rows.append(("ok  " if ok else "FAIL", what, got, want))
        if not ok:
            self.failures.append("%s: got %s, want %s" % (what, got, want))
        return ok

    def true(self, what, cond, detail=""):
        self.rows.append(("ok  " if cond else "FAIL", what, detail, ""))
        if not cond:
            self.failures.append("%s %s" % (what, detail))
        return cond

    def report(self):
        print("\n== %s ==" % self.title)
        for status, what, got, want in self.rows:
            if want == "":
                print("%s %s %s" % (status, what, got))
            else:
                print("%s %-70s got %-22s want %s" % (status, what, got, want))
        if self.failures:
            print("\n%d FAILED check(s):" % len(self.failures))
            for f in self.failures:
                print("  - " + f)
        else:
            print("all %d checks passed" % len(self.rows))
        sys.stdout.flush()
        return not self.failures


def check_probe_flows(chk, label, records, flows, side, ifindex):
    """Each flow must appear with exactly its packets and bytes in the
    records of a probe on `side`'s interface."""
    sums = sum_records(records)
    for f in flows:
        k = f.key_at(side, ifindex)
        got = sums.get(k, [0, 0])
        chk.equal("%s %s" % (label, key_str(k)), tuple(got), (f.packets, f.bytes))
    return sums


def unexpected_records(sums, flows, side, ifindex, hosts):
    """Records between the test hosts that match no flow sent: a duplicate
    under another key (for instance counted on both hooks) lands here."""
    want = set(f.key_at(side, ifindex) for f in flows)
    out = []
    for k, c in sums.items():
        if k in want:
            continue
        if k.src in hosts and k.dst in hosts and c[0]:
            out.append("%s: %d pkts %d B" % (key_str(k), c[0], c[1]))
    return out
