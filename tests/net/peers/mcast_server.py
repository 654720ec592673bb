#!/usr/bin/env python3
"""The tutorial's multicast sender, in Python 3 and bounded.

Binds ('0.0.0.0', 1501), sets IP_MULTICAST_TTL, sends "Hello World" to
224.168.2.9:1600.  The outgoing interface comes from the routing table,
as in the tutorial (the test adds `224.0.0.0/4 dev veth0`).

usage: mcast_server.py [COUNT [INTERVAL [GROUP [PORT]]]]
"""
import socket
import sys
import time

ANY = "0.0.0.0"
SENDERPORT = 1501
count = int(sys.argv[1]) if len(sys.argv) > 1 else 3
interval = float(sys.argv[2]) if len(sys.argv) > 2 else 0.05
MCAST_ADDR = sys.argv[3] if len(sys.argv) > 3 else "224.168.2.9"
MCAST_PORT = int(sys.argv[4]) if len(sys.argv) > 4 else 1600

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
sock.bind((ANY, SENDERPORT))
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
for i in range(count):
    if i:
        time.sleep(interval)
    sock.sendto(b"Hello World", (MCAST_ADDR, MCAST_PORT))
