# A hand-made AMT gateway for t_relay_amt.sh: a request, then an update
# reporting (*,239.1.2.3) with the query's MAC and nonce - or, with "mac"
# or "nonce", one of them off by one bit - then it counts the Multicast
# Data that arrives for SECONDS and prints the count.
#   python3 amt_gateway.py RELAY good|mac|nonce SECONDS
import socket, struct, sys, time


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


relay, mode, secs = (sys.argv[1], 2268), sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(struct.pack(">BBHI", 3, 0, 0, 0x1234ABCD), relay)
q, _ = s.recvfrom(2048)
assert q[0] == 4, "not a membership query"
mac, nonce = q[2:8], struct.unpack(">I", q[8:12])[0]
if mode == "mac":
    mac = bytes([mac[0] ^ 1]) + mac[1:]
elif mode == "nonce":
    nonce ^= 1
igmp = struct.pack(">BBHHHBBH4s", 0x22, 0, 0, 0, 1, 2, 0, 0,
                   socket.inet_aton("239.1.2.3"))
igmp = igmp[:2] + struct.pack(">H", csum(igmp)) + igmp[4:]
ip = struct.pack(">BBHHHBBH4s4s4s", 0x46, 0xC0, 24 + len(igmp), 0, 0x4000, 1,
                 2, 0, socket.inet_aton("0.0.0.0"),
                 socket.inet_aton("224.0.0.22"), b"\x94\x04\0\0")
ip = ip[:10] + struct.pack(">H", csum(ip)) + ip[12:]
s.sendto(struct.pack(">BB6sI", 5, 0, mac, nonce) + ip + igmp, relay)
print("sent", flush=True)
n, end = 0, time.time() + secs
s.settimeout(0.1)
while time.time() < end:
    try:
        d, _ = s.recvfrom(70000)
    except socket.timeout:
        continue
    n += d[0] == 6
print(n, flush=True)
