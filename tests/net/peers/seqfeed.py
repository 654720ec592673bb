#!/usr/bin/env python3
"""Send a feed whose datagrams carry their own sequence number, as
market-data feeds do, to test `mcast recv --stream seq:...`.

Each datagram is --size bytes: 10 bytes of a fixed header ("FEEDHDR\\0\\0\\0"),
the 64-bit big-endian sequence number at offset 10, then filler.  SPEC
words are sent in the order given:
    N        the datagram of number N
    A-B      A, A+1, ..., B
so loss (a number left out), duplicates (one given twice) and reordering
are in the words themselves.

usage: seqfeed.py [--iface-addr A] [--bind-port P] [--ttl N] [--size BYTES]
                  [--gap SECONDS] GROUP PORT SPEC...
"""
import argparse
import socket
import struct
import time

ap = argparse.ArgumentParser()
ap.add_argument("--iface-addr", default="0.0.0.0")
ap.add_argument("--bind-port", type=int, default=0)
ap.add_argument("--ttl", type=int, default=1)
ap.add_argument("--size", type=int, default=64)
ap.add_argument("--gap", type=float, default=0.0005)
ap.add_argument("group")
ap.add_argument("port", type=int)
ap.add_argument("spec", nargs="+")
a = ap.parse_args()
assert a.size >= 18

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((a.iface_addr, a.bind_port))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, a.ttl)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
             socket.inet_aton(a.iface_addr))
for word in a.spec:
    lo, _, hi = word.partition("-")
    for n in range(int(lo), int(hi or lo) + 1):
        d = b"FEEDHDR\0\0\0" + struct.pack(">Q", n)
        s.sendto(d + b"\x55" * (a.size - len(d)), (a.group, a.port))
        time.sleep(a.gap)
