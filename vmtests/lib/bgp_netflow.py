"""bgp_netflow: NetFlow v9 datagrams for the BGP/BMP enrichment vmtests.

Every flow record carries, next to its addresses and counters, values for
the fields a collector must NOT use when `nfacctd_as: bgp` / `nfacctd_net:
bgp` (or bmp) is set: source/destination AS (IE 16/17), masks (IE 9/13,
IPv6 29/30) and BGP next hop (IE 18, IPv6 63). They are bogus on purpose
(AS 64999/64998, masks 7/9, next hop 198.18.255.254 / 2001:db8:ffff::fe),
so a collector that took them from the export instead of its RIB is caught.

Python 3 standard library only.
"""
import ipaddress
import socket
import struct
import time

SOURCE_ID = 2117
T_V4, T_V6 = 300, 301
BOGUS_SRC_AS, BOGUS_DST_AS = 64999, 64998
BOGUS_SRC_MASK, BOGUS_DST_MASK = 7, 9
BOGUS_NH4, BOGUS_NH6 = "198.18.255.254", "2001:db8:ffff::fe"

# (IE, length): src addr, dst addr, packets, bytes, proto, src AS, dst AS,
# src mask, dst mask, BGP next hop.
FIELDS_V4 = ((8, 4), (12, 4), (2, 4), (1, 4), (4, 1), (16, 4), (17, 4), (9, 1), (13, 1), (18, 4))
FIELDS_V6 = ((27, 16), (28, 16), (2, 4), (1, 4), (4, 1), (16, 4), (17, 4), (29, 1), (30, 1), (63, 16))


class Flow:
    """One flow record as exported: what the test sent, exactly."""

    def __init__(self, exporter, src, dst, packets, nbytes, proto=17, nexthop=None):
        self.exporter = exporter
        self.nexthop = nexthop  # IE 18/63; None: the bogus one
        self.src = str(ipaddress.ip_address(src))
        self.dst = str(ipaddress.ip_address(dst))
        self.packets = packets
        self.bytes = nbytes
        self.proto = proto

    @property
    def v6(self):
        return ":" in self.src

    def __repr__(self):
        return "%s>%s via %s (%d pkts %d B)" % (self.src, self.dst, self.exporter, self.packets, self.bytes)


def _template_flowset():
    out = b""
    for tid, fields in ((T_V4, FIELDS_V4), (T_V6, FIELDS_V6)):
        out += struct.pack("!HH", tid, len(fields)) + b"".join(struct.pack("!HH", i, n) for i, n in fields)
    return struct.pack("!HH", 0, 4 + len(out)) + out


def _record(f):
    if f.v6:
        a = lambda x: socket.inet_pton(socket.AF_INET6, x)  # noqa: E731
        nh, m = a(f.nexthop or BOGUS_NH6), (BOGUS_SRC_MASK + 40, BOGUS_DST_MASK + 40)
    else:
        a = socket.inet_aton
        nh, m = a(f.nexthop or BOGUS_NH4), (BOGUS_SRC_MASK, BOGUS_DST_MASK)
    return (a(f.src) + a(f.dst) + struct.pack("!IIBIIBB", f.packets, f.bytes, f.proto, BOGUS_SRC_AS,
                                               BOGUS_DST_AS, m[0], m[1]) + nh)


def _data_flowset(tid, flows):
    body = b"".join(_record(f) for f in flows)
    body += b"\0" * (-(4 + len(body)) % 4)
    return struct.pack("!HH", tid, 4 + len(body)) + body


def datagram(flows, seq):
    """One v9 datagram: the templates, then the v4 and the v6 flows."""
    sets = [_template_flowset()]
    v4 = [f for f in flows if not f.v6]
    v6 = [f for f in flows if f.v6]
    if v4:
        sets.append(_data_flowset(T_V4, v4))
    if v6:
        sets.append(_data_flowset(T_V6, v6))
    count = 1 + len(flows)  # v9 count = templates + data records
    hdr = struct.pack("!HHIIII", 9, count, 3_600_000, int(time.time()), seq, SOURCE_ID)
    return hdr + b"".join(sets)


class Exporter:
    """Sends v9 datagrams from one loopback address (the exporter address a
    collector sees, i.e. peer_src_ip)."""

    def __init__(self, address):
        self.address = address
        self.seq = 0

    def send(self, flows, port, collector="127.0.0.1"):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind((self.address, 0))
            # A few records per datagram, as a router packs them.
            for i in range(0, len(flows), 4):
                self.seq += 1
                s.sendto(datagram(flows[i:i + 4], self.seq), (collector, port))
        finally:
            s.close()
