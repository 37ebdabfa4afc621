#!/usr/bin/python3
"""vmtest: tee replication: byte-identical copies to two receivers, and transparent mode keeps the exporter's address.

Topology (own namespaces, 198.18.0.0/15 and 2001:db8::/32):
  E (exporter)  198.18.10.1  2001:db8:10::1   <-veth->  T (tee)  198.18.10.2  2001:db8:10::2
  T             198.18.11.1  2001:db8:11::1   <-veth->  R (receivers) 198.18.11.2  2001:db8:11::2
R routes everything back through T, so spoofed sources pass its reverse path check.

The replicator in T is `xacctd collect` with a tee plugin (sfacctd_port
6343 on every address), or with --replicator driver the test driver
tests/collector/tee_driver.cpp (a TeeReplicator behind UDP sockets, whose
own counters are checked too). Receivers in R are UDP sockets that record every payload and
its source (recvfrom).
Cases:
  plain:        pool 1 = two IPv4 receivers and one IPv6 receiver (every
                receiver gets every datagram), pool 2 = rr over two more;
                datagrams of 1..1400 bytes from E over IPv4 and IPv6; each of
                the first three receivers gets every payload byte-identical,
                in order, from T's own address; the rr pair splits them
                exactly in half; the driver's counters say the same.
  transparent:  the same receivers, tee_transparent: payloads identical and
                the source is E's address and port (IPv4 and IPv6); an IPv4
                exporter is not sent to the IPv6 receiver (send error counted).
  tagged:       (xacctd only) pre_tag_map tags each datagram by exporter
                (ip=E4 -> 1, ip=E6 -> 2) before replication, as pmacct's
                tee: pool tag=1 (receiver 9001) gets exactly the IPv4
                exporter's payloads, pool tag=2 (9002) exactly the IPv6
                one's, and the other receivers nothing.
"""
import hashlib
import json
import os
import random
import signal
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab as nl  # noqa: E402

E4, T4E, T4R, R4 = "198.18.10.1", "198.18.10.2", "198.18.11.1", "198.18.11.2"
E6, T6E, T6R, R6 = "2001:db8:10::1", "2001:db8:10::2", "2001:db8:11::1", "2001:db8:11::2"

# Runs in R: one socket per port, records (port, source, payload hex) until SIGTERM.
RECEIVER = r'''
import json, select, signal, socket, sys
socks = []
for spec in sys.argv[2:]:
    fam, addr, port = spec.split(",")
    s = socket.socket(socket.AF_INET6 if fam == "6" else socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.bind((addr, int(port)))
    socks.append((spec, s))
got = {spec: [] for spec, _ in socks}
stop = []
signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
print("ready", flush=True)
while not stop:
    try:
        r, _, _ = select.select([s for _, s in socks], [], [], 0.1)
    except InterruptedError:
        continue
    for spec, s in socks:
        if s in r:
            data, src = s.recvfrom(65535)
            got[spec].append([src[0], src[1], data.hex()])
json.dump(got, open(sys.argv[1], "w"))
'''

# Runs in E: sends the payloads of a JSON file from a fixed source port.
SENDER = r'''
import json, socket, sys, time
fam, src, sport, dst, dport, path = sys.argv[1:7]
s = socket.socket(socket.AF_INET6 if fam == "6" else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, int(sport)))
for i, h in enumerate(json.load(open(path))):
    s.sendto(bytes.fromhex(h), (dst, int(dport)))
    if i % 20 == 19:
        time.sleep(0.01)
'''


def fp(payloads):
    """A short fingerprint of a payload list (count and digest), for the report."""
    return "%d payloads sha256:%s" % (len(payloads), hashlib.sha256("|".join(payloads).encode()).hexdigest()[:16])


def link(lab, a, b, tag, a4, b4, a6, b6):
    ifa, ifb = "x%d%sa" % (os.getpid(), tag), "x%d%sb" % (os.getpid(), tag)
    nl.run(["ip", "link", "add", ifa, "netns", a.name, "type", "veth", "peer", "name", ifb, "netns", b.name])
    for ns, ifn, ip4, ip6 in ((a, ifa, a4, a6), (b, ifb, b4, b6)):
        ns.ip("addr", "add", ip4 + "/24", "dev", ifn)
        ns.ip("addr", "add", ip6 + "/64", "dev", ifn, "nodad")
        ns.ip("link", "set", ifn, "up")
    return ifa, ifb


def main():
    p = nl.test_args(__doc__.splitlines()[1])
    p.add_argument("--tee-driver", help="path to xacct_tee_driver (build/tests/xacct_tee_driver)")
    p.add_argument("--count", type=int, default=200, help="datagrams per family and case")
    p.add_argument("--replicator", choices=("xacctd", "driver"), default="xacctd",
                   help="xacctd collect with tee plugins, or the test driver (tests/collector/tee_driver.cpp)")
    a = p.parse_args()
    if a.replicator == "driver" and (not a.tee_driver or not os.access(a.tee_driver, os.X_OK)):
        raise nl.LabError("--tee-driver PATH is required (build/tests/xacct_tee_driver)")
    if a.replicator == "xacctd" and (not a.xacctd or not os.access(a.xacctd, os.X_OK)):
        raise nl.LabError("--xacctd PATH is required")
    nl.require_root("creates network namespaces and raw sockets")
    nl.require_tools("ip", "ping")
    nl.set_deadline(a.deadline)
    chk = nl.Checker("vm_tee")
    rnd = random.Random(4242)
    with nl.Lab("tee") as lab:
        E, T, R = lab.netns("e"), lab.netns("t"), lab.netns("r")
        for ns in (E, T, R):
            ns.sysctl("net.ipv6.conf.all.accept_dad", 0)
            ns.sysctl("net.ipv6.conf.default.accept_dad", 0)
            ns.ip("link", "set", "lo", "up")
        link(lab, E, T, "e", E4, T4E, E6, T6E)
        _, if_rt = link(lab, T, R, "r", T4R, R4, T6R, R6)
        R.ip("route", "add", "default", "via", T4R)
        R.ip("-6", "route", "add", "default", "via", T6R)
        # Resolve every neighbour first: datagrams queued behind an unresolved
        # ARP/ND entry can be dropped (the kernel queues only a few).
        for ns, dst in ((E, T4E), (E, T6E), (T, R4), (T, R6)):
            ns.run(["ping", "-c", "1", "-W", "2", dst])

        payloads = {fam: [os.urandom(rnd.randint(1, 1400)).hex() for _ in range(a.count)] for fam in ("4", "6")}
        for fam in ("4", "6"):
            with open(lab.path("payloads%s.json" % fam), "w") as f:
                json.dump(payloads[fam], f)
        recv_specs = ["4,%s,9001" % R4, "4,%s,9002" % R4, "6,%s,9003" % R6, "4,%s,9004" % R4, "4,%s,9005" % R4]
        with open(lab.path("tee_receivers.lst"), "w") as f:
            f.write("! vm_tee\nid=1 ip=%s:9001,%s:9002,[%s]:9003\nid=2 ip=%s:9004,%s:9005 balance-alg=rr\n" %
                    (R4, R4, R6, R4, R4))

        with open(lab.path("tee_receivers_tagged.lst"), "w") as f:
            f.write("id=1 ip=%s:9001 tag=1\nid=2 ip=%s:9002 tag=2\n" % (R4, R4))
        with open(lab.path("pre_tag.map"), "w") as f:
            f.write("set_tag=1 ip=%s\nset_tag=2 ip=%s\n" % (E4, E6))

        cases = ("plain", "transparent") + (("tagged",) if a.replicator == "xacctd" else ())
        for case in cases:
            out = lab.path("recv-%s.json" % case)
            recv = R.popen(["/usr/bin/python3", "-c", RECEIVER, out] + recv_specs, "recv-" + case)
            recv.wait_for_line("ready", 10)
            if a.replicator == "driver":
                argv = [os.path.abspath(a.tee_driver), "--listen", "%s:6343" % T4E, "--listen", "[%s]:6343" % T6E,
                        "--receivers", lab.path("tee_receivers.lst"), "--name", case]
                if case == "transparent":
                    argv.append("--transparent")
                drv = T.popen(argv, "tee-" + case)
                drv.wait_for_line("ready", 10)
            else:
                conf = lab.path("xacctd-%s.conf" % case)
                with open(conf, "w") as f:
                    # The collect role wants a record plugin besides the tee (the
                    # random payloads are not sFlow: decode errors, no records).
                    receivers = lab.path("tee_receivers_tagged.lst" if case == "tagged" else "tee_receivers.lst")
                    f.write("plugins: tee[%s], print[p]\ntee_receivers[%s]: %s\ntee_transparent[%s]: %s\n"
                            "sfacctd_port: 6343\naggregate[p]: peer_src_ip\nprint_output[p]: json\n"
                            "print_output_file[p]: %s\n" % (case, case, receivers, case,
                                                           "true" if case == "transparent" else "false",
                                                           lab.path("print-%s.json" % case)))
                    if case == "tagged":
                        f.write("pre_tag_map: %s\n" % lab.path("pre_tag.map"))
                drv = T.popen([os.path.abspath(a.xacctd), "collect", "-f", conf], "xacctd-" + case)
                drv.wait_for_line("listening", 10, stream="stderr")
            E.run(["/usr/bin/python3", "-c", SENDER, "4", E4, "40001", T4E, "6343", lab.path("payloads4.json")])
            E.run(["/usr/bin/python3", "-c", SENDER, "6", E6, "40002", T6E, "6343", lab.path("payloads6.json")])
            time.sleep(2.0)
            drv.signal(signal.SIGTERM)
            drv.wait(10)
            recv.signal(signal.SIGTERM)
            recv.wait(10)
            got = json.load(open(out))
            stats = {}
            for line in drv.stdout().splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[1].isdigit():
                    stats[parts[0]] = int(parts[1])
            both = payloads["4"] + payloads["6"]
            payloads_of = lambda recs: [h for _, _, h in recs]  # noqa: E731

            def sources(recs):
                return sorted(set("%s:%d" % (s, p) for s, p, _ in recs))

            if case == "tagged":
                chk.equal("tagged pool tag=1 %s: the IPv4 exporter's payloads, in order" % recv_specs[0],
                          fp(payloads_of(got[recv_specs[0]])), fp(payloads["4"]))
                chk.equal("tagged pool tag=2 %s: the IPv6 exporter's payloads, in order" % recv_specs[1],
                          fp(payloads_of(got[recv_specs[1]])), fp(payloads["6"]))
                chk.equal("tagged: receivers in no pool get nothing",
                          [len(got[spec]) for spec in recv_specs[2:]], [0, 0, 0])
                continue
            for spec in recv_specs[:2]:
                recs = got[spec]
                if case == "plain":
                    # Both exporters' datagrams, each family in send order.
                    chk.equal("%s %s datagrams" % (case, spec), len(recs), 2 * a.count)
                    chk.equal("%s %s payloads byte-identical (multiset)" % (case, spec),
                              fp(sorted(payloads_of(recs))), fp(sorted(both)))
                    chk.true("%s %s source is the tee's own address" % (case, spec),
                             all(s == T4R for s, _, _ in recs), str(sources(recs)[:3]))
                else:
                    # IPv4 receivers: only the IPv4 exporter can be replayed transparently.
                    chk.equal("%s %s payloads byte-identical, in order" % (case, spec), fp(payloads_of(recs)), fp(payloads["4"]))
                    chk.equal("%s %s source" % (case, spec), sources(recs), ["%s:40001" % E4])
            recs6 = got[recv_specs[2]]
            if case == "plain":
                chk.equal("%s %s payloads byte-identical (multiset)" % (case, recv_specs[2]),
                          fp(sorted(payloads_of(recs6))), fp(sorted(both)))
                chk.true("%s %s source is the tee's own address" % (case, recv_specs[2]),
                         all(s == T6R for s, _, _ in recs6), str(sources(recs6)[:3]))
            else:
                chk.equal("%s %s payloads byte-identical, in order" % (case, recv_specs[2]),
                          fp(payloads_of(recs6)), fp(payloads["6"]))
                chk.equal("%s %s source" % (case, recv_specs[2]), sources(recs6), ["%s:40002" % E6])
            # rr pool: an exact half each.
            n4, n5 = len(got[recv_specs[3]]), len(got[recv_specs[4]])
            want_rr = 2 * a.count if case == "plain" else a.count  # transparent: the IPv6 exporter's cannot go to IPv4
            chk.equal("%s rr pool total" % case, n4 + n5, want_rr)
            chk.equal("%s rr pool split" % case, (n4, n5), (want_rr // 2, want_rr // 2))
            chk.equal("%s rr pool payloads" % case, fp(sorted(payloads_of(got[recv_specs[3]] + got[recv_specs[4]]))),
                      fp(sorted(both if case == "plain" else payloads["4"])))
            if a.replicator != "driver":
                continue  # xacctd collect does not print the tee counters at exit; the receivers decided
            # The replicator's own counters.
            pre = "tee.%s." % case
            chk.equal("%s datagrams counted" % case, stats.get(pre + "datagrams"), 2 * a.count)
            sent_1 = stats.get(pre + "%s:9001.sent" % R4)
            sent_6 = stats.get(pre + "[%s]:9003.sent" % R6)
            err_1 = stats.get(pre + "%s:9001.send_errors" % R4)
            err_6 = stats.get(pre + "[%s]:9003.send_errors" % R6)
            if case == "plain":
                chk.equal("%s sent/errors to %s:9001" % (case, R4), (sent_1, err_1), (2 * a.count, 0))
                chk.equal("%s sent/errors to [%s]:9003" % (case, R6), (sent_6, err_6), (2 * a.count, 0))
            else:
                chk.equal("%s sent/errors to %s:9001" % (case, R4), (sent_1, err_1), (a.count, a.count))
                chk.equal("%s sent/errors to [%s]:9003" % (case, R6), (sent_6, err_6), (a.count, a.count))
            tot = stats.get(pre + "%s:9001.bytes" % R4)
            want_bytes = sum(len(h) // 2 for h in (both if case == "plain" else payloads["4"]))
            chk.equal("%s bytes to %s:9001" % (case, R4), tot, want_bytes)
        _ = if_rt
    return 0 if chk.report() else 1


if __name__ == "__main__":
    nl.run_test(main)
