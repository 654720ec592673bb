#!/usr/bin/env python3
"""The tutorial's multicast receiver, in Python 3 and bounded.

SO_REUSEADDR, bind(('', 1600)), IP_ADD_MEMBERSHIP with the group and
INADDR_ANY, so the kernel picks the interface by route.  Prints, per datagram:
    We got data!
    FROM: 10.0.0.1:1501
    DATA: Hello World
After the join it says "joined GROUP:PORT" on stderr (the tutorial does not;
the test needs to know when to start sending).  Exits 0 after COUNT
datagrams, 1 if TIMEOUT seconds pass first.

usage: mcast_client.py [COUNT [TIMEOUT [GROUP [PORT]]]]
"""
import socket
import sys
import time

ANY = "0.0.0.0"
count = int(sys.argv[1]) if len(sys.argv) > 1 else 3
timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 5
MCAST_ADDR = sys.argv[3] if len(sys.argv) > 3 else "224.168.2.9"
MCAST_PORT = int(sys.argv[4]) if len(sys.argv) > 4 else 1600

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("", MCAST_PORT))
sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                socket.inet_aton(MCAST_ADDR) + socket.inet_aton(ANY))
print(f"joined {MCAST_ADDR}:{MCAST_PORT}", file=sys.stderr, flush=True)

deadline = time.monotonic() + timeout
got = 0
while got < count:
    left = deadline - time.monotonic()
    if left <= 0:
        print(f"timeout: received {got} of {count}", file=sys.stderr)
        sys.exit(1)
    sock.settimeout(left)
    try:
        data, addr = sock.recvfrom(1024)
    except socket.timeout:
        continue
    got += 1
    print("We got data!")
    print(f"FROM: {addr[0]}:{addr[1]}")
    print(f"DATA: {data.decode(errors='backslashreplace')}", flush=True)
