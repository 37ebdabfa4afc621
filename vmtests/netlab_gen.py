#!/usr/bin/python3
"""netlab_gen: the traffic generators, run inside a namespace by netlab_traffic.

  udp-send       one connected socket, sendmmsg in batches of 64, paced
  udp-send-many  one socket per source port: many distinct flows
  udp-send-raw   UDP in raw Ethernet frames with VLAN tags (AF_PACKET)
  udp-recv       counts datagrams and bytes until it has them all
  tcp-send / tcp-recv  exactly N bytes, then an orderly close from both ends
Every command prints one JSON line with what it actually sent or received
(receivers print READY first, once bound). Standard library only.
"""
import argparse
import ctypes
import errno
import json
import os
import socket
import struct
import time

class _IoVec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


class _MsgHdr(ctypes.Structure):
    _fields_ = [("msg_name", ctypes.c_void_p), ("msg_namelen", ctypes.c_uint32),
                ("msg_iov", ctypes.POINTER(_IoVec)), ("msg_iovlen", ctypes.c_size_t),
                ("msg_control", ctypes.c_void_p), ("msg_controllen", ctypes.c_size_t),
                ("msg_flags", ctypes.c_int)]


class _MMsgHdr(ctypes.Structure):
    _fields_ = [("msg_hdr", _MsgHdr), ("msg_len", ctypes.c_uint)]


def _family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def _emit(obj):
    print(json.dumps(obj), flush=True)


def gen_udp_send(a):
    """Connected UDP socket, sendmmsg in batches of 64, paced to --pps so the
    receiver's socket never overflows."""
    s = socket.socket(_family(a.dst), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", a.sport))
    s.connect((a.dst, a.port))
    libc = ctypes.CDLL(None, use_errno=True)
    payload = ctypes.create_string_buffer(b"x" * a.size, a.size)
    batch = 64
    iov = _IoVec(ctypes.cast(payload, ctypes.c_void_p), a.size)
    msgs = (_MMsgHdr * batch)()
    for m in msgs:
        m.msg_hdr.msg_iov = ctypes.pointer(iov)
        m.msg_hdr.msg_iovlen = 1
    sent, start = 0, time.monotonic()
    while sent < a.count:
        n = min(batch, a.count - sent)
        r = libc.sendmmsg(s.fileno(), msgs, n, 0)
        if r < 0:
            e = ctypes.get_errno()
            if e in (errno.EINTR, errno.EAGAIN, errno.ENOBUFS):
                time.sleep(0.001)
                continue
            raise OSError(e, os.strerror(e))
        sent += r
        ahead = sent / float(a.pps) - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
    _emit({"packets": sent, "bytes": sent * a.size})


def gen_udp_send_many(a):
    """One socket per source port: flows x per_flow datagrams."""
    payload = b"m" * a.size
    sent = 0
    start = time.monotonic()
    for i in range(a.flows):
        s = socket.socket(_family(a.dst), socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", a.sport + i))
        s.connect((a.dst, a.port))
        for _ in range(a.per_flow):
            s.send(payload)
            sent += 1
        s.close()
        ahead = sent / float(a.pps) - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
    _emit({"packets": sent, "bytes": sent * a.size, "seconds": round(time.monotonic() - start, 3)})


def _csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def build_udp_frame(src_mac, dst_mac, vlans, src, dst, sport, dport, payload, mpls=()):
    """Ethernet [+ tags] [+ MPLS labels, top first] + IPv4/IPv6 + UDP with correct checksums."""
    mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
    udp_len = 8 + len(payload)
    if ":" in dst:
        s6, d6 = socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)
        pseudo = s6 + d6 + struct.pack("!IxxxB", udp_len, 17)
        ck = _csum(pseudo + struct.pack("!HHHH", sport, dport, udp_len, 0) + payload) or 0xFFFF
        l3 = struct.pack("!IHBB", 6 << 28, udp_len, 17, 64) + s6 + d6
        etype = 0x86DD
    else:
        s4, d4 = socket.inet_aton(src), socket.inet_aton(dst)
        pseudo = s4 + d4 + struct.pack("!xBH", 17, udp_len)
        ck = _csum(pseudo + struct.pack("!HHHH", sport, dport, udp_len, 0) + payload) or 0xFFFF
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0x4000, 64, 17, 0, s4, d4)
        l3 = hdr[:10] + struct.pack("!H", _csum(hdr)) + hdr[12:]
        etype = 0x0800
    tags = b""
    for i, vid in enumerate(vlans):
        tpid = 0x88A8 if (i == 0 and len(vlans) > 1) else 0x8100
        tags += struct.pack("!HH", tpid, vid & 0xFFF)
    stack = b""
    for i, label in enumerate(mpls):  # label, TC 0, bottom-of-stack on the last, TTL 64
        stack += struct.pack("!I", (label << 12) | ((1 if i == len(mpls) - 1 else 0) << 8) | 64)
    if mpls:
        etype = 0x8847
    return (mac(dst_mac) + mac(src_mac) + tags + struct.pack("!H", etype) + stack + l3 +
            struct.pack("!HHHH", sport, dport, udp_len, ck) + payload)


def gen_udp_send_raw(a):
    vlans = [int(v) for v in a.vlans.split(",") if v]
    mpls = [int(v) for v in a.mpls.split(",") if v]
    frame = build_udp_frame(a.src_mac, a.dst_mac, vlans, a.src, a.dst, a.sport, a.port, b"v" * a.size, mpls)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.bind((a.ifname, 0))
    sent, start = 0, time.monotonic()
    while sent < a.count:
        try:
            s.send(frame)
        except OSError as e:
            if e.errno in (errno.ENOBUFS, errno.EAGAIN):
                time.sleep(0.001)
                continue
            raise
        sent += 1
        ahead = sent / float(a.pps) - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
    _emit({"packets": sent, "frame_len": len(frame)})


def gen_udp_recv(a):
    s = socket.socket(_family(a.bind), socket.SOCK_DGRAM)
    try:  # as root: a buffer big enough that pacing is only a safety margin
        s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE (not in Python 3.11)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
    s.bind((a.bind, a.port))
    print("READY", flush=True)
    s.settimeout(a.timeout)
    pk = by = 0
    buf = bytearray(65536)
    try:
        while pk < a.count:
            n = s.recv_into(buf)
            pk += 1
            by += n
    except socket.timeout:
        pass
    _emit({"packets": pk, "bytes": by})


def gen_tcp_recv(a):
    s = socket.socket(_family(a.bind), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.bind, a.port))
    s.listen(1)
    print("READY", flush=True)
    s.settimeout(a.timeout)
    c, _ = s.accept()
    c.settimeout(a.timeout)
    by = 0
    while True:
        d = c.recv(1 << 16)
        if not d:
            break
        by += len(d)
    c.close()  # our FIN after the sender's: an orderly close, no RST
    s.close()
    _emit({"bytes": by})


def gen_tcp_send(a):
    s = socket.socket(_family(a.dst), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", a.sport))
    s.settimeout(a.timeout)
    s.connect((a.dst, a.port))
    chunk = b"y" * 65536
    left = a.bytes
    while left:
        n = s.send(chunk[:min(left, len(chunk))])
        left -= n
    s.shutdown(socket.SHUT_WR)
    while s.recv(4096):  # wait for the receiver's FIN: the exchange is complete
        pass
    s.close()
    _emit({"bytes": a.bytes})


def main(argv=None):
    p = argparse.ArgumentParser(description="netlab traffic generators (run inside a netns)")
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("udp-send")
    c.add_argument("--dst", required=True)
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--sport", type=int, required=True)
    c.add_argument("--count", type=int, required=True)
    c.add_argument("--size", type=int, required=True)
    c.add_argument("--pps", type=int, default=100000)
    c = sub.add_parser("udp-send-many")
    c.add_argument("--dst", required=True)
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--sport", type=int, required=True)
    c.add_argument("--flows", type=int, required=True)
    c.add_argument("--per-flow", type=int, default=1)
    c.add_argument("--size", type=int, required=True)
    c.add_argument("--pps", type=int, default=200000)
    c = sub.add_parser("udp-send-raw")
    c.add_argument("--ifname", required=True)
    c.add_argument("--src-mac", required=True)
    c.add_argument("--dst-mac", required=True)
    c.add_argument("--vlans", default="")
    c.add_argument("--mpls", default="", help="MPLS labels, top first (comma list)")
    c.add_argument("--src", required=True)
    c.add_argument("--dst", required=True)
    c.add_argument("--sport", type=int, required=True)
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--count", type=int, required=True)
    c.add_argument("--size", type=int, required=True)
    c.add_argument("--pps", type=int, default=50000)
    c = sub.add_parser("udp-recv")
    c.add_argument("--bind", required=True)
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--count", type=int, required=True)
    c.add_argument("--timeout", type=float, default=10)
    c = sub.add_parser("tcp-recv")
    c.add_argument("--bind", required=True)
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--timeout", type=float, default=30)
    c = sub.add_parser("tcp-send")
    c.add_argument("--dst", required=True)
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--sport", type=int, required=True)
    c.add_argument("--bytes", type=int, required=True)
    c.add_argument("--timeout", type=float, default=30)
    a = p.parse_args(argv)
    {"udp-send": gen_udp_send, "udp-send-many": gen_udp_send_many,
     "udp-send-raw": gen_udp_send_raw, "udp-recv": gen_udp_recv,
     "tcp-recv": gen_tcp_recv, "tcp-send": gen_tcp_send}[a.cmd](a)


if __name__ == "__main__":
    main()
