#!/usr/bin/python3
"""netlab: network namespaces, veth pairs and exact known traffic for xacct's vmtests.

The vmtests run the real daemon against real kernel traffic, so everything
they compare is exact: the generators report what they actually sent and
what the peer actually received, and where the packet count itself depends
on the kernel (TCP), a pcap capture is the ground truth.

    import netlab as nl
    with nl.Lab("demo") as lab:
        pair = lab.pair("d")                        # A <-veth-> B
        probe = nl.Xacctd(lab, pair.b, XACCTD, "p", pair.if_b, hooks="xdp,tc").start()
        flow = nl.udp_stream(lab, pair.a, pair.b, pair.ip4["a"], pair.ip4["b"], 40001, 5001, 1000, 100)
        probe.stop()
        sums = nl.sum_records(probe.records())     # Key -> [packets, bytes]

This module only gathers the parts, one job each:
  netlab_lab      Lab, Netns, Pair, processes, cleanup (atexit, signals, deadline, stale runs)
  netlab_flow     Flow (what was sent) and Key (what a record is), proto names, L3 sizes
  netlab_probe    Xacctd / PmacctdProbe runners, JSON print output, SIGUSR1 counters, BPF fdinfo
  netlab_pcap     Capture (tcpdump) and the pcap parser: the ground truth
  netlab_traffic  udp_stream, udp_many_flows, udp_raw_stream, tcp_transfer, ping
  netlab_gen      the generators run inside the namespaces (netlab_gen.py --help)
  netlab_check    test options and exit codes, Checker, per-flow comparisons
Python 3 standard library only; run with /usr/bin/python3.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from netlab_lab import *  # noqa: E402,F401,F403
from netlab_flow import *  # noqa: E402,F401,F403
from netlab_probe import *  # noqa: E402,F401,F403
from netlab_pcap import *  # noqa: E402,F401,F403
from netlab_traffic import *  # noqa: E402,F401,F403
from netlab_check import *  # noqa: E402,F401,F403
