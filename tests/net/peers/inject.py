#!/usr/bin/env python3
"""Send a hand-made mcast probe session, to test a receiver's counters.

Each SPEC word sends datagrams of one session, in the order given:
    N        the data probe of seq N            (type 1)
    A-B      data probes A, A+1, ..., B
    end:T    3 end-of-stream markers, seq 0 1 2, saying T probes were sent
    bad      a datagram with the magic and version but type 9 (malformed)
Headers follow docs/PROTOCOL.md, version 1; data probes are --size bytes
of UDP payload (header included), end markers 56 (header + 8-byte total).

usage: inject.py [--iface-addr A] [--bind-port P] [--session HEX] [--ttl N]
                 [--size BYTES] [--gap SECONDS] GROUP PORT SPEC...
"""
import argparse
import os
import socket
import struct
import sys
import time

HDR = struct.Struct(">IBBHI16sQQBBH")  # 48 bytes
MAGIC, VERSION, DATA, END = 0x4D435354, 1, 1, 2

ap = argparse.ArgumentParser()
ap.add_argument("--iface-addr", default="0.0.0.0")
ap.add_argument("--bind-port", type=int, default=0)
ap.add_argument("--session", default=None)
ap.add_argument("--ttl", type=int, default=1)
ap.add_argument("--size", type=int, default=64)
ap.add_argument("--gap", type=float, default=0.0005)
ap.add_argument("group")
ap.add_argument("port", type=int)
ap.add_argument("spec", nargs="+")
a = ap.parse_args()
session = bytes.fromhex(a.session) if a.session else os.urandom(16)
assert len(session) == 16 and a.size >= HDR.size


def header(kind, seq, payload_len, ttl=a.ttl):
    return HDR.pack(MAGIC, VERSION, kind, 0, 0, session, seq,
                    time.time_ns(), ttl, HDR.size, payload_len)


def datagrams(word):
    if word == "bad":
        yield HDR.pack(MAGIC, VERSION, 9, 0, 0, session, 0, 0, a.ttl, 48, 0)
    elif word.startswith("end:"):
        for seq in range(3):
            yield header(END, seq, 8) + struct.pack(">Q", int(word[4:]))
    else:
        lo, _, hi = word.partition("-")
        for seq in range(int(lo), int(hi or lo) + 1):
            n = a.size - HDR.size
            yield header(DATA, seq, n) + bytes(n)


sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
sock.bind((a.iface_addr, a.bind_port))
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, a.ttl)
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                socket.inet_aton(a.iface_addr))
sent = 0
for word in a.spec:
    for d in datagrams(word):
        sock.sendto(d, (a.group, a.port))
        sent += 1
        time.sleep(a.gap)
print(f"session {session.hex()}: sent {sent} datagrams", file=sys.stderr)
