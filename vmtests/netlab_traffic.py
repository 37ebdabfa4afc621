"""netlab_traffic: exact known traffic between the namespaces of a Pair.

Each driver starts the generator (netlab_gen.py) inside the namespaces,
checks that what was sent also arrived (a receiver confirms every UDP
datagram and every TCP byte, ping reports every reply), and returns the
Flows with their exact packets and L3 bytes. Raw VLAN frames have no
receiver: check them in a capture.
"""
import json
import os
import re

from netlab_flow import Flow, l3_overhead
from netlab_lab import LabError, tail

PYTHON = "/usr/bin/python3"
GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "netlab_gen.py")

def _gen(ns, lab, name, *args):
    return ns.popen([PYTHON, GEN] + [str(a) for a in args], name)


def _result(proc, timeout):
    rc = proc.wait(timeout)
    lines = [l for l in proc.stdout().splitlines() if l.startswith("{")]
    if rc != 0 or not lines:
        raise LabError("%s failed (rc %s):\n%s" % (proc.name, rc, tail(proc.stderr())))
    return json.loads(lines[-1])


_seq = [0]


def _name(kind):
    _seq[0] += 1
    return "%s%d" % (kind, _seq[0])


def udp_stream(lab, src_ns, dst_ns, src_ip, dst_ip, sport, dport, count, size,
               from_side="a", vlan=0, pps=100000, timeout=30):
    """Sends `count` datagrams of `size` payload bytes and checks that the
    receiver got every one. Returns the Flow (L3 bytes = count*(size+8+IP))."""
    rx = _gen(dst_ns, lab, _name("udprx"), "udp-recv", "--bind", dst_ip, "--port", dport,
              "--count", count, "--timeout", timeout)
    rx.wait_for_line(r"^READY", timeout=10)
    tx = _gen(src_ns, lab, _name("udptx"), "udp-send", "--dst", dst_ip, "--port", dport,
              "--sport", sport, "--count", count, "--size", size, "--pps", pps)
    sent = _result(tx, timeout)
    got = _result(rx, timeout + 5)
    if sent["packets"] != count:
        raise LabError("udp sender sent %d of %d datagrams" % (sent["packets"], count))
    if got["packets"] != count or got["bytes"] != count * size:
        raise LabError("udp receiver got %d datagrams / %d B of %d / %d: packets were lost "
                       "before the socket, the exact-count premise fails" %
                       (got["packets"], got["bytes"], count, count * size))
    return Flow(src_ip, dst_ip, sport, dport, 17, count, count * (size + l3_overhead(src_ip, 17)),
                vlan, from_side)


def udp_many_flows(lab, src_ns, dst_ns, src_ip, dst_ip, sport_first, flows, per_flow, size, dport,
                   from_side="a", timeout=60):
    """`flows` distinct flows (source ports sport_first..+flows-1) of
    `per_flow` datagrams each to one receiver port. Returns the list of Flows."""
    total = flows * per_flow
    rx = _gen(dst_ns, lab, _name("udprx"), "udp-recv", "--bind", dst_ip, "--port", dport,
              "--count", total, "--timeout", timeout)
    rx.wait_for_line(r"^READY", timeout=10)
    tx = _gen(src_ns, lab, _name("udptx"), "udp-send-many", "--dst", dst_ip, "--port", dport,
              "--sport", sport_first, "--flows", flows, "--per-flow", per_flow, "--size", size)
    sent = _result(tx, timeout)
    got = _result(rx, timeout + 5)
    if sent["packets"] != total or got["packets"] != total:
        raise LabError("many-flow udp: sent %d, received %d, wanted %d" %
                       (sent["packets"], got["packets"], total))
    per = per_flow * (size + l3_overhead(src_ip, 17))
    return [Flow(src_ip, dst_ip, sport_first + i, dport, 17, per_flow, per, 0, from_side)
            for i in range(flows)]


def tcp_transfer(lab, src_ns, dst_ns, src_ip, dst_ip, sport, dport, nbytes, from_side="a",
                 vlan=0, timeout=60):
    """Transfers exactly nbytes from src to dst and closes both ends in
    order. Returns the two Flow skeletons (data and ack direction); their
    counts come from a capture (flows_from_capture)."""
    rx = _gen(dst_ns, lab, _name("tcprx"), "tcp-recv", "--bind", dst_ip, "--port", dport,
              "--timeout", timeout)
    rx.wait_for_line(r"^READY", timeout=10)
    tx = _gen(src_ns, lab, _name("tcptx"), "tcp-send", "--dst", dst_ip, "--port", dport,
              "--sport", sport, "--bytes", nbytes, "--timeout", timeout)
    sent = _result(tx, timeout)
    got = _result(rx, timeout)
    if sent["bytes"] != nbytes or got["bytes"] != nbytes:
        raise LabError("tcp: sent %d, received %d, wanted %d" % (sent["bytes"], got["bytes"], nbytes))
    back = "b" if from_side == "a" else "a"
    return [Flow(src_ip, dst_ip, sport, dport, 6, 0, 0, vlan, from_side),
            Flow(dst_ip, src_ip, dport, sport, 6, 0, 0, vlan, back)]


def udp_raw_stream(lab, ns, ifname, src_mac, dst_mac, vlans, src_ip, dst_ip, sport, dport,
                   count, size, from_side="a", timeout=30, mpls=()):
    """`count` UDP datagrams of `size` payload bytes as raw Ethernet frames
    with the given VLAN tags (outer first; two tags = QinQ, outer TPID
    0x88a8) and MPLS labels (top first), sent through an AF_PACKET socket on
    `ifname` (so TC egress sees them). Nothing answers or confirms them:
    check them in a capture. Returns the Flow, keyed on the outer VLAN id."""
    tx = _gen(ns, lab, _name("rawtx"), "udp-send-raw", "--ifname", ifname, "--src-mac", src_mac,
              "--dst-mac", dst_mac, "--vlans", ",".join(str(v) for v in vlans), "--src", src_ip,
              "--dst", dst_ip, "--sport", sport, "--port", dport, "--count", count, "--size", size,
              "--mpls", ",".join(str(m) for m in mpls))
    sent = _result(tx, timeout)
    if sent["packets"] != count:
        raise LabError("raw sender sent %d of %d frames" % (sent["packets"], count))
    return Flow(src_ip, dst_ip, sport, dport, 17, count, count * (size + l3_overhead(src_ip, 17)),
                vlans[0] if vlans else 0, from_side)


def ping(ns, src_ip, dst_ip, count, size=56, interval=0.2, from_side="a", vlan=0):
    """ICMP echo with ping -c. Returns request and reply Flows
    (count x (size + 8 + IP header) each way)."""
    argv = ["ping", "-n", "-q", "-c", str(count), "-i", str(interval), "-s", str(size),
            "-W", "2", "-I", src_ip, dst_ip]
    cp = ns.run(argv, timeout=count * interval + 15, check=False)
    m = re.search(r"(\d+) packets transmitted, (\d+) (?:packets )?received", cp.stdout)
    if not m or int(m.group(1)) != count or int(m.group(2)) != count:
        raise LabError("ping %s -> %s: wanted %d echo/reply:\n%s%s" % (src_ip, dst_ip, count, cp.stdout, cp.stderr))
    proto = 58 if ":" in dst_ip else 1
    per = size + l3_overhead(dst_ip, proto)
    back = "b" if from_side == "a" else "a"
    return [Flow(src_ip, dst_ip, 0, 0, proto, count, count * per, vlan, from_side),
            Flow(dst_ip, src_ip, 0, 0, proto, count, count * per, vlan, back)]
