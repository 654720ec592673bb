#!/usr/bin/env python3
"""Send a short MPEG-TS over UDP feed, then stop: one program, a PAT and
its PMT (with valid CRC_32), video on PID 0x100 and audio on PID 0x101,
one datagram of four 188-byte packets every --gap seconds, --count of
them.  For `mcast recv --stats`' time-dependent TR 101 290 checks: a
stream that stops altogether must still have its PAT, PMT and PIDs
missed.

usage: ts_feed.py [--iface-addr A] [--bind-port P] [--count N]
                  [--gap SECONDS] GROUP PORT
"""
import argparse
import socket
import struct
import time

ap = argparse.ArgumentParser()
ap.add_argument("--iface-addr", default="0.0.0.0")
ap.add_argument("--bind-port", type=int, default=0)
ap.add_argument("--count", type=int, default=5)
ap.add_argument("--gap", type=float, default=0.1)
ap.add_argument("group")
ap.add_argument("port", type=int)
a = ap.parse_args()

PMT, VIDEO, AUDIO = 0x1000, 0x100, 0x101


def crc32_mpeg(data):
    c = 0xFFFFFFFF
    for b in data:
        c ^= b << 24
        for _ in range(8):
            c = ((c << 1) ^ 0x04C11DB7) if c & 0x80000000 else c << 1
            c &= 0xFFFFFFFF
    return c


def section(table_id, ext, body):
    head = struct.pack("!BHHBBB", table_id, 0xB000 | (len(body) + 9),
                       ext, 0xC1, 0, 0)
    s = head + body
    return s + struct.pack("!I", crc32_mpeg(s))


def packet(pid, cc, payload, pusi):
    hdr = struct.pack("!BHB", 0x47, (0x4000 if pusi else 0) | pid,
                      0x10 | (cc & 15))
    if pusi:
        payload = b"\0" + payload  # pointer_field
    return hdr + payload + b"\xff" * (184 - len(payload))


pat = section(0x00, 1, struct.pack("!HH", 1, 0xE000 | PMT))
pmt = section(0x02, 1, struct.pack("!HH", 0xE000 | VIDEO, 0xF000) +
              struct.pack("!BHH", 0x1B, 0xE000 | VIDEO, 0xF000) +
              struct.pack("!BHH", 0x0F, 0xE000 | AUDIO, 0xF000))

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((a.iface_addr, a.bind_port))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
             socket.inet_aton(a.iface_addr))
for i in range(a.count):
    d = (packet(0, i, pat, True) + packet(PMT, i, pmt, True) +
         packet(VIDEO, i, b"\x00\x00\x01\xe0", True) +
         packet(AUDIO, i, b"\x00\x00\x01\xc0", True))
    s.sendto(d, (a.group, a.port))
    time.sleep(a.gap)
