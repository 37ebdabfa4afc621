"""netlab_flow: flow keys as the tests compare them, and what was sent.

A Flow is one direction of known traffic with its exact packets and L3
bytes. Key is the identity of a printed record (addresses, ports, protocol,
vlan, iface_in, iface_out): the probe on the sending side sees a flow leave
(iface_out), the probe on the receiving side sees it arrive (iface_in).
"""
import collections
import ipaddress
import socket

PROTO_NUM = {"ip": 0, "icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "ipv6-icmp": 58,
             "icmpv6": 58, "sctp": 132, "": 0}
PROTO_NAME = {1: "icmp", 6: "tcp", 17: "udp", 58: "ipv6-icmp", 132: "sctp"}


def proto_num(value):
    if isinstance(value, int):
        return value
    s = str(value).strip().lower()
    if s.isdigit():
        return int(s)
    if s in PROTO_NUM:
        return PROTO_NUM[s]
    try:
        return socket.getprotobyname(s)
    except OSError:
        return -1


def canon_ip(value):
    if value in (None, ""):
        return ""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return str(value)


def is_unspecified(addr):
    return addr in ("", "0.0.0.0", "::")


# Key of one record: (src, dst, sport, dport, proto, vlan, iface_in, iface_out)
Key = collections.namedtuple("Key", "src dst sport dport proto vlan iface_in iface_out")


def key_str(k):
    return "%s:%d > %s:%d %s vlan %d in %d out %d" % (
        k.src, k.sport, k.dst, k.dport, PROTO_NAME.get(k.proto, k.proto), k.vlan, k.iface_in, k.iface_out)


class Flow:
    """One direction of known traffic: what was sent, exactly."""

    def __init__(self, src, dst, sport, dport, proto, packets, l3_bytes, vlan=0, from_side="a"):
        self.src, self.dst = canon_ip(src), canon_ip(dst)
        self.sport, self.dport, self.proto = sport, dport, proto
        self.packets, self.bytes, self.vlan = packets, l3_bytes, vlan
        self.from_side = from_side

    def key_at(self, side, ifindex):
        """Key of this flow in the records of a probe on `side`'s interface:
        the sender's probe sees it leave (egress), the receiver's arrive."""
        egress = side == self.from_side
        return Key(self.src, self.dst, self.sport, self.dport, self.proto, self.vlan,
                   0 if egress else ifindex, ifindex if egress else 0)

    def __repr__(self):
        return "Flow(%s:%d > %s:%d p%d vlan %d: %d pkts %d B)" % (
            self.src, self.sport, self.dst, self.dport, self.proto, self.vlan, self.packets, self.bytes)


def l3_overhead(ip, proto):
    return (20 if ":" not in ip else 40) + {17: 8, 1: 8, 58: 8, 6: 20}.get(proto, 0)
