"""pcapgen: packets and pcap files for every datalink xacct reads, Python 3
standard library only (no scapy).

Headers are built byte by byte; lengths (IPv4 total length, IPv6 payload
length, UDP length) and the IPv4 header checksum are computed; the L4
checksums are left 0 unless asked for (accounting never reads them).
Link layers wrap an L3 packet (or an MPLS stack + L3) for one datalink:

    ip = ipv4("198.18.0.1", "198.18.0.2", UDP, udp(1000, 2000, b"x" * 10))
    with PcapWriter(path, DLT_EN10MB) as w:
        w.write(ts_ns, link_frame(DLT_EN10MB, ip, ETH_P_IPV4, vlans=[(100, 3)]))

Used by vmtests/test_savefile.py (one small pcap per datalink) and by
tools/bench/gen_pcap.py (the 2-million-packet benchmark file).
"""
import ipaddress
import struct

# Datalinks (pcap LINKTYPE_* as written in the file header).
DLT_NULL = 0
DLT_EN10MB = 1
LINKTYPE_RAW = 101
DLT_LOOP = 108
DLT_LINUX_SLL = 113
DLT_IPV4 = 228
DLT_IPV6 = 229
DLT_LINUX_SLL2 = 276
DATALINK_NAMES = {DLT_NULL: "null", DLT_EN10MB: "ether", LINKTYPE_RAW: "raw", DLT_LOOP: "loop",
                  DLT_LINUX_SLL: "sll", DLT_IPV4: "ipv4", DLT_IPV6: "ipv6", DLT_LINUX_SLL2: "sll2"}

ETH_P_IPV4 = 0x0800
ETH_P_IPV6 = 0x86DD
ETH_P_ARP = 0x0806
ETH_P_8021Q = 0x8100
ETH_P_8021AD = 0x88A8
ETH_P_MPLS = 0x8847

ICMP, TCP, UDP, ICMPV6, SCTP = 1, 6, 17, 58, 132

AF_INET = 2
AF_INET6_LINUX, AF_INET6_BSD, AF_INET6_FREEBSD, AF_INET6_DARWIN = 10, 24, 28, 30

PCAP_MAGIC_USEC = 0xA1B2C3D4
PCAP_MAGIC_NSEC = 0xA1B23C4D


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def ip_bytes(addr):
    return ipaddress.ip_address(addr).packed


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


# ---------------------------------------------------------------------------
# L4

def udp(sport, dport, payload=b""):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, flags=0x10, payload=b"", seq=1, ack=1, window=65535):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, window, 0, 0) + payload


def icmp_echo(ident=0x4242, seq=1, payload=b"", v6=False):
    typ = 128 if v6 else 8
    return struct.pack("!BBHHH", typ, 0, 0, ident, seq) + payload


def sctp(sport, dport, payload=b""):
    return struct.pack("!HHII", sport, dport, 0xDEADBEEF, 0) + payload


# ---------------------------------------------------------------------------
# L3

def ipv4(src, dst, proto, payload, tos=0, ttl=64, ident=0, df=True, mf=False, frag_offset=0,
         total_length=None):
    frag = (0x4000 if df else 0) | (0x2000 if mf else 0) | (frag_offset & 0x1FFF)
    tot = 20 + len(payload) if total_length is None else total_length
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, tot, ident, frag, ttl, proto, 0, ip_bytes(src), ip_bytes(dst))
    return hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:] + payload


def ipv6(src, dst, nh, payload, tclass=0, hlim=64):
    first = (6 << 28) | (tclass << 20)
    return struct.pack("!IHBB", first, len(payload), nh, hlim) + ip_bytes(src) + ip_bytes(dst) + payload


def ip_packet(src, dst, proto, l4, tos=0):
    """IPv4 or IPv6 by the address family."""
    if ":" in src:
        return ipv6(src, dst, proto, l4, tclass=tos)
    return ipv4(src, dst, proto, l4, tos=tos)


def mpls_stack(labels, ttl=64):
    """Label stack entries, bottom-of-stack set on the last one."""
    out = b""
    for i, label in enumerate(labels):
        bos = 1 if i == len(labels) - 1 else 0
        out += struct.pack("!I", (label << 12) | (bos << 8) | ttl)
    return out


# ---------------------------------------------------------------------------
# Link layers: `l3` is what follows the link header's ethertype (an IP
# packet, or an MPLS stack and IP packet with ethertype ETH_P_MPLS).

def ether(l3, ethertype, src_mac="02:00:00:00:00:01", dst_mac="02:00:00:00:00:02", vlans=()):
    """Ethernet with 802.1Q tags (vid, pcp) or (vid, pcp, tpid), outer first."""
    tags = list(vlans)
    out = mac(dst_mac) + mac(src_mac)
    tpid = (tags[0][2] if len(tags[0]) > 2 else ETH_P_8021Q) if tags else ethertype
    out += struct.pack("!H", tpid)
    for i, t in enumerate(tags):
        vid, pcp = t[0], t[1]
        nxt = ethertype
        if i + 1 < len(tags):
            nxt = tags[i + 1][2] if len(tags[i + 1]) > 2 else ETH_P_8021Q
        out += struct.pack("!HH", (pcp << 13) | vid, nxt)
    return out + l3


def sll(l3, ethertype, src_mac="02:00:00:00:00:01", pkttype=0, hatype=1, vlan=None):
    """Linux cooked v1. A VLAN tag (vid, pcp) is placed as libpcap puts a
    stripped tag back: protocol 0x8100, then TCI and the real protocol."""
    addr = mac(src_mac) if src_mac else b""
    proto = ethertype
    tag = b""
    if vlan is not None:
        proto = ETH_P_8021Q
        tag = struct.pack("!HH", (vlan[1] << 13) | vlan[0], ethertype)
    return struct.pack("!HHH8sH", pkttype, hatype, len(addr), addr.ljust(8, b"\0"), proto) + tag + l3


def sll2(l3, ethertype, ifindex=7, src_mac="02:00:00:00:00:01", pkttype=0, hatype=1):
    addr = mac(src_mac) if src_mac else b""
    return struct.pack("!HHIHBB8s", ethertype, 0, ifindex, hatype, pkttype, len(addr),
                       addr.ljust(8, b"\0")) + l3


def null_header(family, byteorder="<"):
    return struct.pack(byteorder + "I", family)


def link_frame(dlt, l3, ethertype, **kw):
    """The frame of datalink `dlt` carrying `l3` (see the functions above
    for the keyword arguments of each)."""
    if dlt == DLT_EN10MB:
        return ether(l3, ethertype, **kw)
    if dlt == DLT_LINUX_SLL:
        return sll(l3, ethertype, **kw)
    if dlt == DLT_LINUX_SLL2:
        return sll2(l3, ethertype, **kw)
    if dlt in (LINKTYPE_RAW, DLT_IPV4, DLT_IPV6):
        return l3
    if dlt in (DLT_NULL, DLT_LOOP):
        family = kw.get("family", AF_INET if ethertype == ETH_P_IPV4 else AF_INET6_LINUX)
        order = ">" if dlt == DLT_LOOP else kw.get("byteorder", "<")
        return null_header(family, order) + l3
    raise ValueError("unknown datalink %d" % dlt)


# ---------------------------------------------------------------------------
# pcap files

class PcapWriter:
    """A classic pcap file. Timestamps are given in ns; the file stores us
    (magic a1b2c3d4) or ns (a1b23c4d). `snaplen` truncates what is written
    (orig_len keeps the frame's length), as a capture with -s would."""

    def __init__(self, path, linktype, snaplen=262144, nanosecond=False):
        self.f = open(path, "wb", buffering=1 << 20)
        self.nano = nanosecond
        self.snaplen = snaplen
        self.packets = 0
        magic = PCAP_MAGIC_NSEC if nanosecond else PCAP_MAGIC_USEC
        self.f.write(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))
        self._rec = struct.Struct("<IIII")

    def write(self, ts_ns, frame, orig_len=None):
        sec, frac = divmod(ts_ns, 1_000_000_000)
        if not self.nano:
            frac //= 1000
        data = frame[:self.snaplen]
        self.f.write(self._rec.pack(sec, frac, len(data), len(frame) if orig_len is None else orig_len))
        self.f.write(data)
        self.packets += 1

    def close(self):
        if self.f:
            self.f.close()
            self.f = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
