#!/usr/bin/python3
"""vmtest: the NFLOG input (uacctd) counts every logged packet exactly once, with its interfaces.

Topology: namespaces A and B joined by one veth (static neighbours), an
nftables table in B:
  input  hook: udp dport 5001 -> log group G1    (A -> B traffic, IPv4 and IPv6)
  output hook: udp dport 5002 -> log group G2    (B -> A traffic)
Two xacctd in B:
  nflog-only:  uacctd_group G1, uacctd_direction in, uacctd_threshold 64 (so
               the last packets wait in the kernel's batch until xacctd
               unbinds at shutdown: they must still be counted); no interface,
               so no eBPF at all.
  nflog+ebpf:  uacctd_group G2, uacctd_direction out, alongside the eBPF
               datapath on B's veth with ebpf_direction: in, so the two inputs
               see disjoint traffic (eBPF: A -> B, NFLOG: B -> A).
Checks: every stream appears with exactly the packets and IP bytes sent;
NFLOG records carry the input interface for the input hook (iface_in) and
the output interface for the output hook (iface_out); no other record
between the test hosts; nflog.* counters: no lost packet, no ENOBUFS, every
logged packet a record (nflog.packets = the packets the nft rule counted).
"""
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab as nl  # noqa: E402

AGGREGATE = "src_host, dst_host, src_port, dst_port, proto, vlan, in_iface, out_iface"


def nft_rules(table, g1, g2):
    return """table inet %s {
  chain input {
    type filter hook input priority 0;
    udp dport 5001 counter log group %d
  }
  chain output {
    type filter hook output priority 0;
    udp dport 5002 counter log group %d
  }
}
""" % (table, g1, g2)


def nft_counters(ns, table):
    """packets counted by each chain's rule: {"input": n, "output": n}."""
    cp = ns.run(["nft", "list", "table", "inet", table])
    out = {}
    chain = None
    for line in cp.stdout.splitlines():
        m = re.match(r"\s*chain (\w+)", line)
        if m:
            chain = m.group(1)
        m = re.search(r"counter packets (\d+) bytes (\d+)", line)
        if m and chain:
            out[chain] = (int(m.group(1)), int(m.group(2)))
    return out


def start_xacctd(a, lab, ns, name, extra, interfaces=None):
    """xacctd with the NFLOG input; `interfaces` adds the eBPF datapath."""
    x = nl.Xacctd(lab, ns, os.path.abspath(a.xacctd), name, interfaces or [], hooks="tc",
                  direction=extra.pop("ebpf_direction", "in,out"), aggregate=AGGREGATE, extra=extra)
    if not interfaces:
        # NFLOG alone: no pcap_interface line (the eBPF datapath stays off).
        x.config.pop("pcap_interface")
        x.config.pop("ebpf_hooks")
        x.config.pop("ebpf_direction")
        with open(x.conf_path, "w") as f:
            f.write(nl.render_config(x.config))
    x.start()
    # Bound to the group once it logs what it counts.
    x.proc.wait_for_line(r"nflog group %d" % extra["uacctd_group"], timeout=15, stream="stderr")
    return x


def main():
    p = nl.test_args(__doc__.splitlines()[1])
    p.add_argument("--count", type=int, default=1000, help="datagrams per stream")
    p.add_argument("--size", type=int, default=100)
    a = p.parse_args()
    if a.impl != "xacctd":
        raise nl.LabError("the NFLOG input is tested on xacctd only (--impl xacctd)")
    if not a.xacctd:
        raise nl.LabError("--xacctd PATH is required")
    nl.require_root()
    nl.require_tools("ip", "ethtool", "tc", "nft")
    nl.set_deadline(a.deadline)
    g1, g2 = 40 + os.getpid() % 1000, 1040 + os.getpid() % 1000  # groups are per namespace anyway
    table = "xvm_nflog"

    chk = nl.Checker("vm_nflog")
    with nl.Lab("nflog") as lab:
        pair = lab.pair("n")
        A, B = pair.a, pair.b
        idx_b = B.ifindex(pair.if_b)
        B.run(["nft", "-f", "-"], input=nft_rules(table, g1, g2))

        only = start_xacctd(a, lab, B, "nflog_only", {"uacctd_group": g1, "uacctd_direction": "in",
                                                     "uacctd_threshold": 64})
        mixed = start_xacctd(a, lab, B, "nflog_ebpf", {"uacctd_group": g2, "uacctd_direction": "out",
                                                      "ebpf_direction": "in"}, interfaces=[pair.if_b])

        from_b = [nl.udp_stream(lab, B, A, pair.ip4["b"], pair.ip4["a"], 40003, 5002, a.count + 7, a.size,
                                from_side="b")]
        into_b = [nl.udp_stream(lab, A, B, pair.ip4["a"], pair.ip4["b"], 40001, 5001, a.count, a.size),
                  nl.udp_stream(lab, A, B, pair.ip6["a"], pair.ip6["b"], 40002, 5001, a.count // 2 + 3, a.size)]
        # Stop at once: the last (count % 64) packets are likely still in the
        # kernel's batch (its flush timer is 1 s); xacctd must read them at
        # unbind. The records below must be exact either way.
        only_stats = only.stats()
        only.stop()
        m = re.search(r"(\d+) logged packets were flushed by the kernel at unbind", only.proc.stderr())
        print("nflog-only: %s packets were read at unbind" % (m.group(1) if m else "?"))
        logged = nft_counters(B, table)
        mixed_stats = nl.stats_until(mixed, lambda s: s.get("nflog.packets", 0) >= sum(f.packets for f in from_b))
        mixed.stop()
        stats = {"only": only_stats, "mixed": mixed_stats}

        # The rules logged exactly the test streams (the premise).
        chk.equal("nft input rule: packets logged to group %d" % g1, logged.get("input", (0, 0))[0],
                  sum(f.packets for f in into_b))
        chk.equal("nft output rule: packets logged to group %d" % g2, logged.get("output", (0, 0))[0],
                  sum(f.packets for f in from_b))

        hosts = set()
        for f in into_b + from_b:
            hosts.update((f.src, f.dst))
        for name, probe, flows in (("nflog-only (group %d, in)" % g1, only, into_b),
                                   ("nflog+ebpf (group %d, out; eBPF in)" % g2, mixed, into_b + from_b)):
            recs = probe.records()
            nl.dump_records(name, recs)
            sums = nl.check_probe_flows(chk, name, recs, flows, "b", idx_b)
            extra = nl.unexpected_records(sums, flows, "b", idx_b, hosts)
            chk.equal("%s: records between test hosts that match no sent flow" % name, extra, [])

        for key, flows in (("only", into_b), ("mixed", from_b)):
            st = stats[key]
            want = sum(f.packets for f in flows)
            if key == "only":  # SIGUSR1 came before the batch still in the kernel
                chk.true("%s: nflog.packets before stop <= %d" % (key, want), 0 < st.get("nflog.packets", -1) <= want,
                         st.get("nflog.packets", -1))
            else:
                chk.equal("%s: nflog.packets (SIGUSR1)" % key, st.get("nflog.packets", -1), want)
            chk.equal("%s: nflog.lost_packets" % key, st.get("nflog.lost_packets", -1), 0)
            chk.equal("%s: nflog.enobufs" % key, st.get("nflog.enobufs", -1), 0)
            chk.equal("%s: nflog.not_ip + bad_messages" % key,
                      st.get("nflog.not_ip", -1) + st.get("nflog.bad_messages", -1), 0)
    return 0 if chk.report() else 1


if __name__ == "__main__":
    nl.run_test(main)
