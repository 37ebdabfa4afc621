#!/usr/bin/python3
"""vmtest: xacctd reads pcap savefiles of every datalink and counts them exactly.

The test writes one small pcap per datalink xacct reads (Ethernet, Linux
cooked v1 and v2, raw IP as LINKTYPE_RAW, IPv4 and IPv6, BSD null and loop)
with vmtests/pcapgen.py. Each holds the same kinds of traffic under its own
addresses: IPv4 UDP and IPv6 TCP of varying sizes, ICMP, ICMPv6 and SCTP
(no ports, as pmacct); MPLS where the link header carries an ethertype;
802.1Q, QinQ and the VLAN tag libpcap puts back into cooked v1 headers; and
frames that must not be counted (ARP, 802.2, an unknown address family, a
bad IP version, a cut header). Runs of `xacctd probe` with pcap_savefile:
  all       the 8 files as one list: every flow (addresses, ports, protocol,
            VLAN, CoS, ethertype, source MAC, MPLS labels) has exactly its
            packets and IP bytes, nothing else appears, and the capture
            totals count every frame once (IP or not parsed);
  replay    pcap_savefile_replay 2 with pcap_filter "not udp": every
            non-UDP flow twice, UDP frames counted as filtered;
  times     timestamp_start/timestamp_arrival of a nanosecond pcap are the
            packet times;
  wait      pcap_savefile_wait keeps xacctd up after the file; SIGTERM then
            exits 0 with the same exact counts.
Needs no root and no network: only files and the xacctd binary.
"""
import collections
import os
import re
import signal
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab as nl  # noqa: E402
import pcapgen as pg  # noqa: E402

AGGREGATE = ("src_mac, dst_mac, vlan, cos, etype, src_host, dst_host, src_port, dst_port, proto, "
             "mpls_label_top, mpls_label_bottom, mpls_stack_depth")
T0 = 1_700_000_000 * 1_000_000_000
ZERO_MAC = "00:00:00:00:00:00"

# Key of a record: what the aggregate prints.
Key = collections.namedtuple("Key", "src_mac dst_mac vlan cos etype src dst sport dport proto mpls_top "
                                    "mpls_bottom mpls_depth")


def record_key(r):
    return Key(r.get("mac_src", ZERO_MAC), r.get("mac_dst", ZERO_MAC), int(r.get("vlan", 0)),
               int(r.get("cos", 0)), str(r.get("etype", "0")), nl.canon_ip(r.get("ip_src", "")),
               nl.canon_ip(r.get("ip_dst", "")), int(r.get("port_src", 0)), int(r.get("port_dst", 0)),
               nl.proto_num(r.get("ip_proto", 0)), int(r.get("mpls_label_top", 0)),
               int(r.get("mpls_label_bottom", 0)), int(r.get("mpls_stack_depth", 0)))


class SavefileSet:
    """Frames written to pcaps, with what xacctd must make of them."""

    def __init__(self):
        self.frames = []  # (path, Key or None if not parsed, IP bytes, rejected by "not udp")

    def expected(self, paths=None, passes=1, rejected_by_filter=False):
        """Key -> [packets, IP bytes] and the totals, for the frames of
        `paths` (all when None) read `passes` times, with or without
        pcap_filter "not udp"."""
        want = collections.defaultdict(lambda: [0, 0])
        t = {"frames": 0, "ip_packets": 0, "ip_bytes": 0, "not_parsed": 0, "filtered": 0}
        for path, key, nbytes, udp in self.frames:
            if paths is not None and path not in paths:
                continue
            t["frames"] += passes
            if rejected_by_filter and udp:
                t["filtered"] += passes
            elif key is None:
                t["not_parsed"] += passes
            else:
                want[key][0] += passes
                want[key][1] += passes * nbytes
                t["ip_packets"] += passes
                t["ip_bytes"] += passes * nbytes
        return want, t


def l3_flows(d):
    """(name, l3 bytes, ethertype, key fields without L2) of datalink #d."""
    v4a, v4b = "198.18.%d.1" % d, "198.18.%d.2" % d
    v6a, v6b = "2001:db8:%x::1" % d, "2001:db8:%x::2" % d
    out = []
    for i in range(7):  # IPv4 UDP, 10..70 bytes of data
        ip = pg.ipv4(v4a, v4b, pg.UDP, pg.udp(1000 + d, 2000, b"u" * (10 + 10 * i)), tos=0x28)
        out.append((ip, pg.ETH_P_IPV4, (v4a, v4b, 1000 + d, 2000, pg.UDP)))
    for i in range(5):  # IPv6 TCP ACKs with 0..400 bytes
        ip = pg.ipv6(v6a, v6b, pg.TCP, pg.tcp(80, 40000 + d, 0x10, b"t" * (100 * i)))
        out.append((ip, pg.ETH_P_IPV6, (v6a, v6b, 80, 40000 + d, pg.TCP)))
    for i in range(3):  # ICMP echo: no ports
        ip = pg.ipv4(v4a, v4b, pg.ICMP, pg.icmp_echo(seq=i, payload=b"p" * 56))
        out.append((ip, pg.ETH_P_IPV4, (v4a, v4b, 0, 0, pg.ICMP)))
    for i in range(2):  # ICMPv6 echo
        ip = pg.ipv6(v6a, v6b, pg.ICMPV6, pg.icmp_echo(seq=i, payload=b"q" * 32, v6=True))
        out.append((ip, pg.ETH_P_IPV6, (v6a, v6b, 0, 0, pg.ICMPV6)))
    for i in range(2):  # SCTP: pmacct prints no ports for it
        ip = pg.ipv4(v4a, v4b, pg.SCTP, pg.sctp(3000, 4000, b"s" * 16))
        out.append((ip, pg.ETH_P_IPV4, (v4a, v4b, 0, 0, pg.SCTP)))
    return out


def etype_text(ethertype):
    return "%x" % ethertype


def ip_len(ip):
    if ip[0] >> 4 == 4:
        return (ip[2] << 8) | ip[3]
    return 40 + ((ip[4] << 8) | ip[5])


def write_datalink(lab, s, d, dlt, ts):
    """One pcap of datalink `dlt` (#d, its own addresses); returns its path."""
    path = lab.path("dl-%s.pcap" % pg.DATALINK_NAMES[dlt])
    smac, dmac = "02:00:00:00:%02x:01" % d, "02:00:00:00:%02x:02" % d
    has_ethertype = dlt in (pg.DLT_EN10MB, pg.DLT_LINUX_SLL, pg.DLT_LINUX_SLL2)
    with pg.PcapWriter(path, dlt) as w:
        def emit(frame, key=None, nbytes=0, udp=False):
            """`udp`: libpcap's "not udp" rejects this frame (an IPv4 UDP
            packet right after the link header, or a frame too short for
            the filter to read the ethertype)."""
            ts[0] += 1000
            w.write(ts[0], frame)
            s.frames.append((path, key, nbytes, udp))

        def l2_key(vlan=0, cos=0):
            if dlt == pg.DLT_EN10MB:
                return smac, dmac, vlan, cos
            if dlt in (pg.DLT_LINUX_SLL, pg.DLT_LINUX_SLL2):
                return smac, ZERO_MAC, vlan, cos  # cooked: the sender's address only
            return ZERO_MAC, ZERO_MAC, vlan, cos

        def kw(ethertype, i):
            if dlt == pg.DLT_EN10MB:
                return {"src_mac": smac, "dst_mac": dmac}
            if dlt in (pg.DLT_LINUX_SLL, pg.DLT_LINUX_SLL2):
                return {"src_mac": smac}
            if dlt == pg.DLT_NULL and ethertype == pg.ETH_P_IPV6:
                # Every AF_INET6 value a capturing system may write.
                return {"family": (pg.AF_INET6_LINUX, pg.AF_INET6_BSD, pg.AF_INET6_FREEBSD,
                                   pg.AF_INET6_DARWIN)[i % 4]}
            if dlt == pg.DLT_NULL:
                return {"byteorder": "<>"[i % 2]}  # little- and big-endian capturing hosts
            if dlt == pg.DLT_LOOP and ethertype == pg.ETH_P_IPV6:
                return {"family": pg.AF_INET6_BSD}
            return {}

        for i, (ip, ethertype, k) in enumerate(l3_flows(d)):
            if dlt == pg.DLT_IPV4 and ethertype != pg.ETH_P_IPV4:
                continue
            if dlt == pg.DLT_IPV6 and ethertype != pg.ETH_P_IPV6:
                continue
            frame = pg.link_frame(dlt, ip, ethertype, **kw(ethertype, i))
            emit(frame, Key(*l2_key(), etype_text(ethertype), *k, 0, 0, 0), ip_len(ip),
                 udp=ethertype == pg.ETH_P_IPV4 and k[4] == pg.UDP)

        v4a, v4b = "198.18.%d.11" % d, "198.18.%d.12" % d
        if has_ethertype:  # MPLS 16001/24002 over IPv4 UDP
            for i in range(3):
                ip = pg.ipv4(v4a, v4b, pg.UDP, pg.udp(5000, 6000, b"m" * (20 + i)))
                frame = pg.link_frame(dlt, pg.mpls_stack([16001, 24002]) + ip, pg.ETH_P_MPLS, **kw(0, i))
                emit(frame, Key(*l2_key(), "800", v4a, v4b, 5000, 6000, pg.UDP, 16001, 24002, 2), ip_len(ip))
        if dlt == pg.DLT_EN10MB:
            for i in range(4):  # 802.1Q, VID 100, priority 3
                ip = pg.ipv4(v4a, v4b, pg.UDP, pg.udp(5001, 6001, b"v" * 30))
                emit(pg.ether(ip, pg.ETH_P_IPV4, smac, dmac, vlans=[(100, 3)]),
                     Key(*l2_key(100, 3), "800", v4a, v4b, 5001, 6001, pg.UDP, 0, 0, 0), ip_len(ip))
            for i in range(2):  # QinQ: 802.1ad 200 (priority 1) / 802.1Q 100: the outer tag counts
                ip = pg.ipv6("2001:db8:%x::11" % d, "2001:db8:%x::12" % d, pg.TCP, pg.tcp(443, 50000, 0x18, b"w" * 64))
                emit(pg.ether(ip, pg.ETH_P_IPV6, smac, dmac, vlans=[(200, 1, pg.ETH_P_8021AD), (100, 2)]),
                     Key(*l2_key(200, 1), "86dd", "2001:db8:%x::11" % d, "2001:db8:%x::12" % d, 443, 50000,
                         pg.TCP, 0, 0, 0), ip_len(ip))
            for i in range(2):  # ARP: not IP
                emit(pg.ether(bytes(28), pg.ETH_P_ARP, smac, "ff:ff:ff:ff:ff:ff"))
            emit(bytes.fromhex("02000000000202000000"), udp=True)  # ends inside the Ethernet header
        if dlt == pg.DLT_LINUX_SLL:
            for i in range(3):  # a stripped tag put back by libpcap: VID 55, priority 5
                ip = pg.ipv4(v4a, v4b, pg.UDP, pg.udp(5002, 6002, b"c" * 40))
                emit(pg.sll(ip, pg.ETH_P_IPV4, smac, vlan=(55, 5)),
                     Key(*l2_key(55, 5), "800", v4a, v4b, 5002, 6002, pg.UDP, 0, 0, 0), ip_len(ip))
            emit(pg.sll(bytes.fromhex("aaaa0300000008000102"), 0x0004, smac))  # 802.2 LLC: not IP
        if dlt == pg.DLT_LINUX_SLL2:
            emit(pg.sll2(b"", pg.ETH_P_IPV4)[:12])  # ends inside the cooked header
        if dlt == pg.DLT_NULL:
            emit(pg.null_header(7) + pg.ipv4(v4a, v4b, pg.UDP, pg.udp(1, 2)))  # AF 7: not IP
        if dlt == pg.LINKTYPE_RAW:
            bad = bytearray(pg.ipv4(v4a, v4b, pg.UDP, pg.udp(1, 2)))
            bad[0] = 0x55  # IP version 5
            emit(bytes(bad))
    return path


def write_all(lab):
    s = SavefileSet()
    ts = [T0]
    paths = []
    for d, dlt in enumerate((pg.DLT_EN10MB, pg.DLT_LINUX_SLL, pg.DLT_LINUX_SLL2, pg.LINKTYPE_RAW,
                             pg.DLT_IPV4, pg.DLT_IPV6, pg.DLT_NULL, pg.DLT_LOOP), 1):
        paths.append(write_datalink(lab, s, d, dlt, ts))
    return s, paths


def sum_keys(records):
    out = collections.defaultdict(lambda: [0, 0])
    for r in records:
        c = out[record_key(r)]
        c[0] += int(r["packets"])
        c[1] += int(r["bytes"])
    return out


def check_run(chk, label, xacctd, want, t):
    got = sum_keys(xacctd.records())
    for k, v in sorted(want.items()):
        chk.equal("%s %s" % (label, k), tuple(got.get(k, [0, 0])), tuple(v))
    extra = ["%s: %s" % (k, v) for k, v in got.items() if k not in want]
    chk.equal("%s: records that match no written flow" % label, extra, [])
    chk.equal("%s: Σ packets" % label, sum(v[0] for v in got.values()), t["ip_packets"])
    chk.equal("%s: Σ bytes" % label, sum(v[1] for v in got.values()), t["ip_bytes"])
    c = xacctd.totals().get("savefile", {})
    chk.equal("%s: capture totals (file packets, received, IP packets, IP bytes, not parsed, filtered)" % label,
              (c.get("file_packets"), c.get("received"), c.get("ip_packets"), c.get("ip_bytes"),
               c.get("not_parsed"), c.get("filtered")),
              (t["frames"], t["frames"] - t["filtered"], t["ip_packets"], t["ip_bytes"], t["not_parsed"],
               t["filtered"]))


def tcpdump_count(path, bpf_filter):
    """Frames tcpdump reads from `path` that pass `bpf_filter` (one line
    each that starts with the time; some frames add continuation lines)."""
    cp = nl.run(["tcpdump", "-nn", "-tt", "-r", path, bpf_filter], check=False)
    return len(re.findall(r"^\d+\.\d+ ", cp.stdout, re.M))


def main():
    p = nl.test_args(__doc__.splitlines()[1])
    a = p.parse_args()
    nl.set_deadline(a.deadline)
    nl.require_tools("tcpdump")
    if not a.xacctd or not os.access(a.xacctd, os.X_OK):
        raise nl.LabError("--xacctd PATH is required (an executable xacctd)")
    xacctd = os.path.abspath(a.xacctd)
    chk = nl.Checker("vm_savefile")
    with nl.Lab("savefile") as lab:
        s, paths = write_all(lab)
        want, t = s.expected()
        nl.log("wrote %d pcaps: %d frames, %d IP packets, %d not parsed" % (
            len(paths), t["frames"], t["ip_packets"], t["not_parsed"]))
        for path in paths:  # the files themselves: tcpdump reads every frame
            chk.equal("tcpdump reads all of %s" % os.path.basename(path), tcpdump_count(path, ""),
                      s.expected([path])[1]["frames"])

        # all: the 8 datalinks as one list, in order.
        x = nl.XacctdCapture(lab, None, xacctd, "all", {"pcap_savefile": ",".join(paths)}, aggregate=AGGREGATE)
        x.start()
        x.wait_exit()
        check_run(chk, "all", x, want, t)
        err = x.proc.stderr()
        for path in paths:
            chk.true("all: a log line for %s" % os.path.basename(path), path + ": " in err)

        # replay: twice, pcap_filter "not udp", over Ethernet and cooked v1.
        two = [paths[0], paths[1]]
        want2, t2 = s.expected(two, passes=2, rejected_by_filter=True)
        for path in two:  # the harness's premise: libpcap rejects exactly the frames marked so
            chk.equal("tcpdump 'not udp' passes in %s" % os.path.basename(path), tcpdump_count(path, "not udp"),
                      s.expected([path], rejected_by_filter=True)[1]["frames"]
                      - s.expected([path], rejected_by_filter=True)[1]["filtered"])
        x = nl.XacctdCapture(lab, None, xacctd, "replay", {"pcap_savefile": ",".join(two),
                                                          "pcap_savefile_replay": 2, "pcap_filter": "not udp"},
                             aggregate=AGGREGATE)
        x.start()
        x.wait_exit()
        check_run(chk, "replay", x, want2, t2)

        # times: timestamp_start and timestamp_arrival are the packet times.
        tpath = lab.path("times.pcap")
        times = [T0 + 123_456_789, T0 + 1_000_001_000, T0 + 2_999_999_999]
        with pg.PcapWriter(tpath, pg.DLT_EN10MB, nanosecond=True) as w:
            for i, ts in enumerate(times):
                w.write(ts, pg.ether(pg.ipv4("198.18.9.1", "198.18.9.2", pg.UDP, pg.udp(7, 9, b"x" * i)),
                                     pg.ETH_P_IPV4))
        x = nl.XacctdCapture(lab, None, xacctd, "times",
                             {"pcap_savefile": tpath, "timestamps_since_epoch": True},
                             aggregate="src_host, dst_host, timestamp_start, timestamp_arrival")
        x.start()
        x.wait_exit()
        got = sorted((r.get("timestamp_start"), r.get("timestamp_arrival"), int(r["packets"])) for r in x.records())
        want_t = sorted(("%d.%06d" % (ts // 10**9, ts % 10**9 // 1000),) * 2 + (1,) for ts in times)
        chk.equal("times: (timestamp_start, timestamp_arrival, packets) per packet", got, want_t)

        # wait: still running after the file; SIGTERM, exit 0, exact.
        x = nl.XacctdCapture(lab, None, xacctd, "wait", {"pcap_savefile": paths[0], "pcap_savefile_wait": True},
                             aggregate=AGGREGATE)
        x.start()
        x.proc.wait_for_line(r"savefiles done; running until", 20, stream="stderr")
        time.sleep(1.5)
        chk.true("wait: still running after the savefile", x.proc.alive())
        x.proc.signal(signal.SIGTERM)
        rc = x.proc.wait(20)
        chk.equal("wait: exit code after SIGTERM", rc, 0)
        want3, t3 = s.expected([paths[0]])
        check_run(chk, "wait", x, want3, t3)
    return 0 if chk.report() else 1


if __name__ == "__main__":
    nl.run_test(main)
