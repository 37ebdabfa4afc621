"""netlab_pcap: the ground truth where packet counts depend on the kernel.

Capture runs tcpdump with -U --immediate-mode (without it the last ~second
of packets is lost when tcpdump is stopped) and refuses a capture that
dropped packets. read_pcap parses the file here (Ethernet with 802.1Q/802.1ad
tags, or Linux cooked), so the counts are per flow and in L3 bytes, the way
xacctd counts them.
"""
import collections
import ipaddress
import re
import signal
import struct
import time

from netlab_flow import Flow
from netlab_lab import LabError

class Capture:
    """tcpdump on one interface of a namespace. --immediate-mode and -U, or
    the last ~second of packets is lost when it is stopped."""

    def __init__(self, lab, ns, ifname, name, bpf_filter=None, snaplen=256):
        self.path = lab.path(name + ".pcap")
        argv = ["tcpdump", "-i", ifname, "-n", "-U", "--immediate-mode", "-B", "32768",
                "-s", str(snaplen), "-w", self.path]
        if bpf_filter:
            argv.append(bpf_filter)
        self.proc = ns.popen(argv, name)
        self.proc.wait_for_line(r"listening on", timeout=10, stream="stderr")

    def stop(self):
        time.sleep(0.3)  # packets still in flight on the other CPU
        self.proc.signal(signal.SIGTERM)
        self.proc.wait(15)
        err = self.proc.stderr()
        m = re.search(r"(\d+) packets? dropped by kernel", err)
        if m and int(m.group(1)):
            raise LabError("capture %s dropped %s packets: not a ground truth" % (self.path, m.group(1)))
        return read_pcap(self.path)


Pkt = collections.namedtuple("Pkt", "src dst sport dport proto vlan l3_len")


def read_pcap(path):
    """Parses a pcap file (Ethernet or Linux cooked) into Pkt tuples; non-IP
    frames get proto -1."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise LabError("pcap %s is empty" % path)
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        end = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        end = ">"
    else:
        raise LabError("%s: not a pcap file (pcapng?)" % path)
    linktype = struct.unpack(end + "I", data[20:24])[0]
    pkts, off = [], 24
    while off + 16 <= len(data):
        _s, _f, incl, _orig = struct.unpack(end + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        pkts.append(parse_frame(frame, linktype))
    return pkts


def parse_frame(frame, linktype):
    vlan = 0
    if linktype == 1:  # Ethernet
        etype, p = struct.unpack("!H", frame[12:14])[0], 14
        while etype in (0x8100, 0x88A8) and len(frame) >= p + 4:
            tci, etype = struct.unpack("!HH", frame[p:p + 4])
            if not vlan:
                vlan = tci & 0xFFF
            p += 4
    elif linktype == 113:  # Linux cooked v1
        etype, p = struct.unpack("!H", frame[14:16])[0], 16
    elif linktype == 276:  # Linux cooked v2
        etype, p = struct.unpack("!H", frame[0:2])[0], 20
    else:
        raise LabError("unsupported pcap link type %d" % linktype)
    return parse_l3(frame[p:], etype, vlan)


def parse_l3(ip, etype, vlan):
    if etype == 0x0800 and len(ip) >= 20:
        ihl = (ip[0] & 0xF) * 4
        total, frag = struct.unpack("!H", ip[2:4])[0], struct.unpack("!H", ip[6:8])[0]
        proto = ip[9]
        src, dst = str(ipaddress.IPv4Address(ip[12:16])), str(ipaddress.IPv4Address(ip[16:20]))
        l4 = ip[ihl:] if (frag & 0x1FFF) == 0 else b""
        return _with_ports(src, dst, proto, vlan, total, l4)
    if etype == 0x86DD and len(ip) >= 40:
        total = 40 + struct.unpack("!H", ip[4:6])[0]
        nh, p = ip[6], 40
        src, dst = str(ipaddress.IPv6Address(ip[8:24])), str(ipaddress.IPv6Address(ip[24:40]))
        first = True
        for _ in range(8):
            if nh in (0, 43, 60) and len(ip) >= p + 8:
                nh, p = ip[p], p + (ip[p + 1] + 1) * 8
            elif nh == 44 and len(ip) >= p + 8:
                first = (struct.unpack("!H", ip[p + 2:p + 4])[0] >> 3) == 0
                nh, p = ip[p], p + 8
            else:
                break
        return _with_ports(src, dst, nh, vlan, total, ip[p:] if first else b"")
    return Pkt("", "", 0, 0, -1, vlan, 0)


def _with_ports(src, dst, proto, vlan, l3_len, l4):
    sport = dport = 0
    if proto in (6, 17, 132) and len(l4) >= 4:
        sport, dport = struct.unpack("!HH", l4[:4])
    return Pkt(src, dst, sport, dport, proto, vlan, l3_len)


def pcap_flows(pkts):
    """(src, dst, sport, dport, proto, vlan) -> [packets, l3 bytes]."""
    out = collections.defaultdict(lambda: [0, 0])
    for p in pkts:
        c = out[(p.src, p.dst, p.sport, p.dport, p.proto, p.vlan)]
        c[0] += 1
        c[1] += p.l3_len
    return out


def flows_from_capture(pkts, flows_like):
    """Ground-truth Flows for the 5-tuples of `flows_like` (taken from the
    capture, both directions of a TCP connection)."""
    agg = pcap_flows(pkts)
    out = []
    for f in flows_like:
        c = agg.get((f.src, f.dst, f.sport, f.dport, f.proto, f.vlan), [0, 0])
        out.append(Flow(f.src, f.dst, f.sport, f.dport, f.proto, c[0], c[1], f.vlan, f.from_side))
    return out
