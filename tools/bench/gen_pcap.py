#!/usr/bin/python3
"""gen_pcap: a deterministic benchmark pcap and its exact expected totals.

    tools/bench/gen_pcap.py --out /tmp/bench.pcap [--packets 2000000] [--flows 200000] [--seed 1]

Writes, from nothing but the seed (Python standard library only):
  OUT               an Ethernet pcap (microsecond timestamps, snaplen 128 like
                    pmacctd's default: frames are cut, the IP length is not)
  OUT.json          the expected totals: packets, IP bytes, distinct 5-tuples,
                    per protocol and family, and a SHA-256 of the sorted
                    per-flow table, so any accountant's output can be checked
  OUT.flows.csv     that table: src,dst,sport,dport,proto,packets,bytes, one
                    line per 5-tuple (ports 0 for ICMP, as pmacct aggregates)

The traffic: --flows one-way flows, each with its own 5-tuple, IPv4 (70 %)
and IPv6, TCP (bulk data at 1500 bytes, pure ACKs, web-sized), UDP (DNS,
media, QUIC-sized) and ICMP echo; 10 % of the flows carry an 802.1Q tag.
Packets per flow are heavy-tailed (Pareto): a few flows carry most of the
packets, most flows a handful, every flow at least one. Packets of all
flows are interleaved at random, 5 us apart on average.
"""
import argparse
import hashlib
import ipaddress
import json
import os
import random
import struct
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "vmtests"))
import pcapgen as pg  # noqa: E402

T0_NS = 1_700_000_000 * 1_000_000_000
GAP_NS = 5_000

# (profile, share of flows, protocol, weight of its packet count)
PROFILES = [
    ("tcp_bulk", 0.15, pg.TCP, 8.0),
    ("tcp_ack", 0.15, pg.TCP, 3.0),
    ("tcp_web", 0.25, pg.TCP, 1.0),
    ("udp_dns", 0.20, pg.UDP, 0.3),
    ("udp_media", 0.08, pg.UDP, 6.0),
    ("udp_quic", 0.10, pg.UDP, 3.0),
    ("icmp_echo", 0.07, 0, 0.5),  # ICMP or ICMPv6 by family
]
SERVER_PORTS = {"tcp_bulk": [443, 80, 873, 445], "tcp_ack": [443, 80, 22], "tcp_web": [443, 80, 8080, 8443],
                "udp_dns": [53], "udp_media": [5004, 3478, 16384], "udp_quic": [443], "icmp_echo": [0]}


def ip_total_length(profile, v6, rng):
    """IP total length of one packet of a flow with this profile."""
    base = 40 if v6 else 20
    if profile == "tcp_bulk":
        return 1500 if rng.random() < 0.85 else base + 20
    if profile == "tcp_ack":
        return base + 20
    if profile == "tcp_web":
        return base + 20 + rng.randrange(0, 560)
    if profile == "udp_dns":
        return base + 8 + rng.randrange(20, 280)
    if profile == "udp_media":
        return base + 8 + rng.choice((172, 172, 172, 332, 1200))
    if profile == "udp_quic":
        return base + 8 + rng.choice((1200, 1252, 1350, 1350, 40))
    return base + 8 + 56  # echo request with 56 bytes of data


class Flow:
    __slots__ = ("key", "profile", "v6", "proto", "l2", "l3_fixed", "csum0", "sport", "dport", "tcp_hdr",
                 "icmp_hdr", "packets", "bytes")


def make_flows(rng, n_flows, v6_share, vlan_share):
    servers4 = ["198.19.%d.%d" % (rng.randrange(0, 8), rng.randrange(1, 255)) for _ in range(1500)]
    servers6 = ["2001:db8:1::%x" % rng.randrange(1, 0xFFFF) for _ in range(800)]
    cum, acc = [], 0.0
    for p in PROFILES:
        acc += p[1]
        cum.append(acc)
    seen = set()
    flows = []
    while len(flows) < n_flows:
        r = rng.random() * acc
        prof = next(p for p, c in zip(PROFILES, cum) if r <= c)
        name = prof[0]
        v6 = rng.random() < v6_share
        if v6:
            client = "2001:db8:%x:%x::%x" % (rng.randrange(0x100, 0xFFFF), rng.randrange(0, 0xFFFF),
                                               rng.randrange(1, 0xFFFF))
            server = rng.choice(servers6)
        else:
            client = "198.18.%d.%d" % (rng.randrange(0, 256), rng.randrange(1, 255))
            server = rng.choice(servers4)
        proto = prof[2] if prof[2] else (pg.ICMPV6 if v6 else pg.ICMP)
        cport = rng.randrange(32768, 61000)
        sport_srv = rng.choice(SERVER_PORTS[name])
        # Half of the flows are server -> client (downloads, replies).
        if rng.random() < 0.5:
            src, dst, sport, dport = client, server, cport, sport_srv
        else:
            src, dst, sport, dport = server, client, sport_srv, cport
        if proto in (pg.ICMP, pg.ICMPV6):
            sport = dport = 0
        key = (str(ipaddress.ip_address(src)), str(ipaddress.ip_address(dst)), sport, dport, proto)
        if key in seen:
            continue
        seen.add(key)
        f = Flow()
        f.key, f.profile, f.v6, f.proto = key, name, v6, proto
        f.sport, f.dport = sport, dport
        f.packets = f.bytes = 0
        ethertype = pg.ETH_P_IPV6 if v6 else pg.ETH_P_IPV4
        vlans = [(rng.randrange(1, 4095), rng.randrange(0, 8))] if rng.random() < vlan_share else []
        smac = "02:00:%02x:%02x:%02x:%02x" % tuple(rng.randrange(256) for _ in range(4))
        f.l2 = pg.ether(b"", ethertype, src_mac=smac, dst_mac="02:00:00:00:00:fe", vlans=vlans)
        tos = rng.choice((0, 0, 0, 0, 0x10, 0x28, 0xB8))
        if v6:
            f.l3_fixed = (struct.pack("!I", (6 << 28) | (tos << 20)), struct.pack("!BB", proto, 64),
                          pg.ip_bytes(src) + pg.ip_bytes(dst))
            f.csum0 = 0
        else:
            hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 0, 0, 0x4000, 64, proto, 0, pg.ip_bytes(src), pg.ip_bytes(dst))
            words = struct.unpack("!10H", hdr)
            f.csum0 = sum(words)
            f.l3_fixed = (hdr[:2], hdr[4:10], hdr[12:20])
        f.tcp_hdr = pg.tcp(sport, dport, 0x18, seq=rng.randrange(1 << 32), ack=rng.randrange(1 << 32)) \
            if proto == pg.TCP else b""
        f.icmp_hdr = pg.icmp_echo(ident=rng.randrange(1 << 16), seq=1, v6=v6) if proto in (pg.ICMP, pg.ICMPV6) else b""
        flows.append(f)
    return flows


def packet_counts(rng, flows, total):
    """At least one packet per flow, the rest heavy-tailed by Pareto weights
    (times the profile's weight), exactly `total` in all."""
    weight = {p[0]: p[3] for p in PROFILES}
    w = [rng.paretovariate(1.2) * weight[f.profile] for f in flows]
    extra = total - len(flows)
    wsum = sum(w)
    counts = [1 + int(x / wsum * extra) for x in w]
    left = total - sum(counts)
    # The remainder, one each, to the flows in a seeded random order.
    order = list(range(len(flows)))
    rng.shuffle(order)
    for i in range(left):
        counts[order[i % len(order)]] += 1
    return counts


def frame_of(f, length, snaplen, zeros):
    """The first `snaplen` bytes of a frame whose IP total length is `length`."""
    if f.v6:
        first, nh_hlim, addrs = f.l3_fixed
        ip = first + struct.pack("!H", length - 40) + nh_hlim + addrs
        l4_len = length - 40
    else:
        head, mid, addrs = f.l3_fixed
        s = f.csum0 + length
        s = (s & 0xFFFF) + (s >> 16)
        s = (s & 0xFFFF) + (s >> 16)
        ip = head + struct.pack("!H", length) + mid + struct.pack("!H", (~s) & 0xFFFF) + addrs
        l4_len = length - 20
    if f.proto == pg.TCP:
        l4 = f.tcp_hdr
    elif f.proto == pg.UDP:
        l4 = struct.pack("!HHHH", f.sport, f.dport, l4_len, 0)
    else:
        l4 = f.icmp_hdr
    frame = f.l2 + ip + l4
    room = snaplen - len(frame)
    pay = l4_len - len(l4)
    if room > 0 and pay > 0:
        frame += zeros[:min(room, pay)]
    return frame, len(f.l2) + length


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="pcap to write (OUT.json and OUT.flows.csv beside it)")
    ap.add_argument("--packets", type=int, default=2_000_000)
    ap.add_argument("--flows", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--snaplen", type=int, default=128)
    ap.add_argument("--v6-share", type=float, default=0.3)
    ap.add_argument("--vlan-share", type=float, default=0.1)
    args = ap.parse_args()
    if args.flows < 1 or args.packets < args.flows:
        ap.error("need 1 <= --flows <= --packets")

    started = time.monotonic()
    rng = random.Random(args.seed)
    flows = make_flows(rng, args.flows, args.v6_share, args.vlan_share)
    counts = packet_counts(rng, flows, args.packets)
    order = [i for i, c in enumerate(counts) for _ in range(c)]
    rng.shuffle(order)
    zeros = bytes(args.snaplen)
    ts = T0_NS
    with pg.PcapWriter(args.out, pg.DLT_EN10MB, snaplen=args.snaplen) as w:
        for i in order:
            f = flows[i]
            length = ip_total_length(f.profile, f.v6, rng)
            frame, wire = frame_of(f, length, args.snaplen, zeros)
            ts += rng.randrange(1, 2 * GAP_NS)
            w.write(ts, frame, orig_len=wire)
            f.packets += 1
            f.bytes += length

    rows = sorted("%s,%s,%d,%d,%d,%d,%d" % (f.key + (f.packets, f.bytes)) for f in flows)
    with open(args.out + ".flows.csv", "w") as out:
        out.write("src,dst,sport,dport,proto,packets,bytes\n")
        out.write("\n".join(rows) + "\n")
    by_proto, by_family, vlan_packets = {}, {"ipv4": [0, 0], "ipv6": [0, 0]}, 0
    for f in flows:
        p = by_proto.setdefault(str(f.proto), [0, 0, 0])
        p[0] += 1
        p[1] += f.packets
        p[2] += f.bytes
        fam = by_family["ipv6" if f.v6 else "ipv4"]
        fam[0] += f.packets
        fam[1] += f.bytes
        if len(f.l2) > 14:
            vlan_packets += f.packets
    top = sorted(flows, key=lambda f: (-f.packets, f.key))[:10]
    summary = {
        "generator": "tools/bench/gen_pcap.py",
        "seed": args.seed, "snaplen": args.snaplen, "datalink": "EN10MB",
        "aggregate": "src_host, dst_host, src_port, dst_port, proto",
        "packets": args.packets,
        "ip_bytes": sum(f.bytes for f in flows),
        "flows": len(flows),
        "vlan_packets": vlan_packets,
        "by_proto": {k: {"flows": v[0], "packets": v[1], "ip_bytes": v[2]} for k, v in sorted(by_proto.items())},
        "by_family": {k: {"packets": v[0], "ip_bytes": v[1]} for k, v in by_family.items()},
        "packets_per_flow": {"min": min(counts), "max": max(counts),
                             "median": sorted(counts)[len(counts) // 2],
                             "flows_with_1": sum(1 for c in counts if c == 1)},
        "top_flows": [{"key": list(f.key), "packets": f.packets, "ip_bytes": f.bytes} for f in top],
        "flows_csv": os.path.basename(args.out) + ".flows.csv",
        "flows_sha256": hashlib.sha256(("\n".join(rows) + "\n").encode()).hexdigest(),
        "pcap_bytes": os.path.getsize(args.out),
    }
    with open(args.out + ".json", "w") as out:
        json.dump(summary, out, indent=1)
        out.write("\n")
    print("wrote %s: %d packets, %d flows, %d IP bytes, %.1f MiB, in %.1f s" % (
        args.out, args.packets, len(flows), summary["ip_bytes"], summary["pcap_bytes"] / 1048576.0,
        time.monotonic() - started))


if __name__ == "__main__":
    main()
