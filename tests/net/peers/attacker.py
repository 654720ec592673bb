#!/usr/bin/env python3
"""An independent hostile sender, to test receivers of sealed mcast streams.

capture  joins GROUP on the interface of address A (IPv6: of --iface-name),
         binds PORT with SO_REUSEADDR (other receivers keep their copies)
         and IP_MULTICAST_ALL=0, says "joined GROUP:PORT" on stderr, then
         writes each datagram to OUTFILE as a 4-byte big-endian length and
         the bytes.  It stops after --count datagrams or --timeout seconds
         (default 10), says "captured K datagrams" on stderr, and exits 0
         when K >= 1 (K >= --count when given), else 1.
forge    sends --total (default 100000) hostile datagrams derived from the
         sealed datagrams of CAPTUREFILE (key_id != 0, header, payload and a
         16-byte tag), at --rate per second (default 10000), the kinds in
         turn:
             random        random bytes, 0..1500 of them (often < 48)
             random_hdr    a well-formed header (key id: random, or the
                           captured one every other time; random session)
                           with random payload and 16-byte "tag"
             hdr_flip      a captured datagram, one header bit flipped
                           (all 448 in turn)
             session_flip  one bit of the session id (bytes 12..27) flipped
             tag_flip      one bit of the last 16 bytes flipped
             ct_flip       one bit of the payload flipped
             unknown_key   key_id XOR a random value: another nonzero key
             zero_key      key_id 0 (unsealed, yet with a tag-long tail)
             truncate      cut to each length 0 .. len-1 in turn
             extend        1..32 random bytes appended
         It never sends a datagram equal to a captured one, and prints on
         stdout {"injected": N, "by_kind": {KIND: N, ...}, "seconds": S}.
replay   re-sends the captured datagrams (after --skip, at most --first)
         unchanged, in --order, at --rate per second (default 2000), and
         prints {"replayed": N} on stdout.

Senders use TTL --ttl (default 1), multicast loop off unless --loop (a
receiver on the sending host; on lo datagrams arrive either way), and
IP_MULTICAST_IF A (IPv6: --iface-name).  Pacing is from time.monotonic():
datagram N (from 0) never leaves before N/rate seconds, in bursts of 2 ms
worth; a sender that fell more than 20 ms behind does not catch up all at
once.  --seed (default 1) makes forge (but for random_hdr's send_ns, the
clock) and the shuffle of replay reproducible.  Exit 1 when a send fails
or CAPTUREFILE is unreadable or holds no sealed datagram, 2 on bad usage.

usage: attacker.py capture [--iface-addr A] [--iface-name IF] [--count N]
                           [--timeout S] GROUP PORT OUTFILE
       attacker.py forge [--iface-addr A] [--iface-name IF] [--bind-port P]
                         [--ttl N] [--loop] [--rate PPS] [--total N]
                         [--seed N] CAPTUREFILE GROUP PORT
       attacker.py replay [--iface-addr A] [--iface-name IF] [--bind-port P]
                          [--ttl N] [--loop] [--rate PPS]
                          [--order keep|shuffle|reverse] [--seed N]
                          [--first K] [--skip K] CAPTUREFILE GROUP PORT
"""
import argparse
import json
import random
import signal
import socket
import struct
import sys
import time

HDR = struct.Struct(">IBBHI16sQQBBHQ")  # 56 bytes, version 2, PROTOCOL.md
MAGIC, VERSION = 0x4D435354, 2
OFF_KEY_ID, OFF_SESSION, OFF_HDR_LEN = 8, 12, 45
SESSION_LEN, TAG_LEN = 16, 16
AUTH_ONLY, CHACHA = 1 << 3, 1 << 4
REC = struct.Struct(">I")  # capture file: length, then the datagram
IP_MULTICAST_ALL = getattr(socket, "IP_MULTICAST_ALL", 49)
IPV6_MULTICAST_ALL = getattr(socket, "IPV6_MULTICAST_ALL", 29)
KINDS = ("random", "random_hdr", "hdr_flip", "session_flip", "tag_flip",
         "ct_flip", "unknown_key", "zero_key", "truncate", "extend")
MAX_BEHIND = 0.02  # seconds of backlog a paced sender may catch up


def positive(s):
    v = int(s)
    if v < 1:
        raise argparse.ArgumentTypeError(f"{s} is not a positive integer")
    return v


def int_in(lo, hi, what):
    """An argparse type: a whole number from lo to hi (hi None: no limit)."""
    def parse(s):
        v = int(s)
        if v < lo or (hi is not None and v > hi):
            raise argparse.ArgumentTypeError(f"{s} is not {what}")
        return v
    return parse


count_arg = int_in(0, None, "a count (0 or more)")
port_arg = int_in(0, 65535, "a port")
ttl_arg = int_in(0, 255, "a TTL (0..255)")


def rate_arg(s):
    v = float(s)
    if not v > 0:
        raise argparse.ArgumentTypeError(f"{s} is not a positive rate")
    return v


def is_v6(group):
    return ":" in group


def ifindex(name):
    return socket.if_nametoindex(name) if name else 0


def read_capture(path):
    """The datagrams of a capture file, in order."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        sys.exit(f"attacker.py: {e}")
    out, off = [], 0
    while off < len(data):
        n = REC.unpack_from(data, off)[0] if off + REC.size <= len(data) \
            else len(data)
        if off + REC.size + n > len(data):
            sys.exit(f"attacker.py: {path}: truncated record at byte {off}")
        out.append(data[off + REC.size:off + REC.size + n])
        off += REC.size + n
    return out


def is_sealed(d):
    """A datagram shaped like a sealed one: header, payload and tag."""
    if len(d) < HDR.size + TAG_LEN:
        return False
    magic, version, _, _, key_id, _, _, _, _, hdr_len, plen, _ = \
        HDR.unpack_from(d)
    return (magic == MAGIC and version == VERSION and key_id != 0 and
            hdr_len >= HDR.size and hdr_len + plen + TAG_LEN == len(d))


def capture(a):
    v6 = is_v6(a.group)
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    sock = socket.socket(fam, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # A big buffer, so that a flood is captured whole: SO_RCVBUFFORCE
    # passes net.core.rmem_max when we may (root), SO_RCVBUF is capped.
    for opt in (getattr(socket, "SO_RCVBUFFORCE", 33), socket.SO_RCVBUF):
        try:
            sock.setsockopt(socket.SOL_SOCKET, opt, 32 << 20)
            break
        except OSError:
            pass
    try:
        if v6:
            sock.setsockopt(socket.IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0)
        else:
            sock.setsockopt(socket.IPPROTO_IP, IP_MULTICAST_ALL, 0)
    except OSError:
        pass  # not Linux: the socket may also get other groups' datagrams
    if v6:
        sock.bind(("::", a.port))
        mreq = socket.inet_pton(fam, a.group) + \
            struct.pack("@I", ifindex(a.iface_name))
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
    else:
        sock.bind(("", a.port))
        mreq = socket.inet_aton(a.group) + socket.inet_aton(a.iface_addr)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    print(f"joined {a.group}:{a.port}", file=sys.stderr, flush=True)

    got = 0
    deadline = time.monotonic() + a.timeout
    with open(a.outfile, "wb") as out:
        try:
            while a.count is None or got < a.count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                sock.settimeout(left)
                try:
                    d = sock.recv(65536)
                except socket.timeout:
                    break
                out.write(REC.pack(len(d)) + d)
                got += 1
        finally:  # also on SIGTERM: what was captured stays readable
            out.flush()
            print(f"captured {got} datagrams", file=sys.stderr, flush=True)
    return 0 if got >= (a.count if a.count is not None else 1) else 1


class Sender:
    """A paced multicast sender: send() waits for each datagram's turn."""

    def __init__(self, a):
        v6 = is_v6(a.group)
        fam = socket.AF_INET6 if v6 else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
        if v6:
            idx = ifindex(a.iface_name)
            self.sock.bind(("::", a.bind_port))
            self.sock.setsockopt(socket.IPPROTO_IPV6,
                                 socket.IPV6_MULTICAST_HOPS, a.ttl)
            self.sock.setsockopt(socket.IPPROTO_IPV6,
                                 socket.IPV6_MULTICAST_LOOP, int(a.loop))
            self.sock.setsockopt(socket.IPPROTO_IPV6,
                                 socket.IPV6_MULTICAST_IF, idx)
            self.dst = (a.group, a.port, 0, idx)
        else:
            self.sock.bind((a.iface_addr, a.bind_port))
            self.sock.setsockopt(socket.IPPROTO_IP,
                                 socket.IP_MULTICAST_TTL, a.ttl)
            self.sock.setsockopt(socket.IPPROTO_IP,
                                 socket.IP_MULTICAST_LOOP, int(a.loop))
            self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                                 socket.inet_aton(a.iface_addr))
            self.dst = (a.group, a.port)
        self.interval = 1.0 / a.rate
        # Check the clock once per burst of about 2 ms, not per datagram:
        # a sleep costs tens of microseconds more than asked.
        self.burst = max(1, int(a.rate * 0.002))
        self.sent = 0
        self.t0 = self.start = time.monotonic()

    def send(self, d):
        if self.sent % self.burst == 0:
            # The burst's last datagram is due then: none leaves early.
            due = self.t0 + (self.sent + self.burst - 1) * self.interval
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            elif now - due > MAX_BEHIND:
                self.t0 += now - due - MAX_BEHIND
        try:
            self.sock.sendto(d, self.dst)
        except OSError as e:
            print(f"attacker.py: send of datagram {self.sent + 1} "
                  f"({len(d)} bytes) failed: {e}", file=sys.stderr)
            sys.exit(1)
        self.sent += 1

    def seconds(self):
        return round(time.monotonic() - self.start, 6)


class Forger:
    """Hostile datagrams of each kind, derived from the sealed ones."""

    def __init__(self, sealed, rng, ttl):
        self.caps = sealed
        self.with_payload = [d for d in sealed
                             if len(d) - TAG_LEN > d[OFF_HDR_LEN]]
        self.key_ids = sorted({struct.unpack_from(">I", d, OFF_KEY_ID)[0]
                               for d in sealed})
        self.rng = rng
        self.ttl = ttl
        self.n = {k: 0 for k in KINDS}  # datagrams made of each kind
        self.cuts = {}

    def make(self, kind):
        c = self.n[kind]
        self.n[kind] += 1
        return getattr(self, kind)(c)

    def pick(self, c):
        return bytearray(self.caps[c % len(self.caps)])

    @staticmethod
    def flip(d, bit):
        d[bit // 8] ^= 0x80 >> (bit % 8)
        return bytes(d)

    def random(self, c):
        if c % 4 == 0:  # the short ones: empty, and shorter than a header
            n = (c // 4) % HDR.size
        else:
            n = self.rng.randrange(1501)
        return self.rng.randbytes(n)

    def random_hdr(self, c):
        r = self.rng
        key_id = self.key_ids[(c // 2) % len(self.key_ids)] if c % 2 else 0
        while key_id == 0:
            key_id = r.getrandbits(32)
        session = bytes(SESSION_LEN)
        while session == bytes(SESSION_LEN):
            session = r.randbytes(SESSION_LEN)
        plen = r.randrange(1401)
        h = HDR.pack(MAGIC, VERSION, r.randint(1, 4),
                     r.choice((0, AUTH_ONLY, CHACHA, AUTH_ONLY | CHACHA)),
                     key_id, session, r.getrandbits(63), time.time_ns(),
                     self.ttl, HDR.size, plen, r.getrandbits(40))
        return h + r.randbytes(plen + TAG_LEN)

    def hdr_flip(self, c):
        # Bit b of the header, on a datagram that shifts by one each round
        # of 448, so every (datagram, bit) pair comes up in time.
        bits = HDR.size * 8
        return self.flip(self.pick(c + c // bits), c % bits)

    def session_flip(self, c):
        bits = SESSION_LEN * 8
        return self.flip(self.pick(c + c // bits), OFF_SESSION * 8 + c % bits)

    def tag_flip(self, c):
        d = self.pick(c + c // (TAG_LEN * 8))
        return self.flip(d, (len(d) - TAG_LEN) * 8 + c % (TAG_LEN * 8))

    def ct_flip(self, c):
        d = bytearray(self.with_payload[c % len(self.with_payload)])
        lo, hi = d[OFF_HDR_LEN] * 8, (len(d) - TAG_LEN) * 8
        return self.flip(d, self.rng.randrange(lo, hi))

    def unknown_key(self, c):
        d = self.pick(c)
        (key_id,) = struct.unpack_from(">I", d, OFF_KEY_ID)
        x = 0
        while x == 0 or x == key_id:  # another key, and not "unsealed"
            x = self.rng.getrandbits(32)
        struct.pack_into(">I", d, OFF_KEY_ID, key_id ^ x)
        return bytes(d)

    def zero_key(self, c):
        d = self.pick(c)
        struct.pack_into(">I", d, OFF_KEY_ID, 0)
        return bytes(d)

    def cut_order(self, i):
        """Every length 0..len-1 of captured datagram i, the boundaries
        first (empty, inside the magic, a header, no tag, part of a tag),
        so that a short run meets them too."""
        if i not in self.cuts:
            n = len(self.caps[i])
            first = [0, 1, 3, 4, 5, HDR.size - 1, HDR.size, HDR.size + 1,
                     n - TAG_LEN - 1, n - TAG_LEN, n - TAG_LEN + 1, n - 1]
            order = list(dict.fromkeys(L for L in first if 0 <= L < n))
            order += [L for L in range(n) if L not in set(order)]
            self.cuts[i] = order
        return self.cuts[i]

    def truncate(self, c):
        i = c % len(self.caps)
        order = self.cut_order(i)
        return self.caps[i][:order[(c // len(self.caps)) % len(order)]]

    def extend(self, c):
        tail = self.rng.randbytes(self.rng.randint(1, 32))
        return self.caps[c % len(self.caps)] + tail


def forge(a):
    caps = read_capture(a.capturefile)
    sealed = [d for d in caps if is_sealed(d)]
    if not sealed:
        sys.exit(f"attacker.py: {a.capturefile}: none of its {len(caps)} "
                 "datagrams is sealed (magic, version 2, key_id != 0, "
                 "hdr_len + payload_len + 16 bytes)")
    if len(sealed) < len(caps):
        print(f"attacker.py: {a.capturefile}: using {len(sealed)} of "
              f"{len(caps)} datagrams (the others are not sealed)",
              file=sys.stderr)
    forger = Forger(sealed, random.Random(a.seed), a.ttl)
    kinds = [k for k in KINDS if k != "ct_flip" or forger.with_payload]
    if len(kinds) < len(KINDS):
        print("attacker.py: no captured datagram has a payload: "
              "no ct_flip", file=sys.stderr)
    genuine = set(caps)
    by_kind = {k: 0 for k in kinds}
    sender = Sender(a)
    for i in range(a.total):
        kind = kinds[i % len(kinds)]
        d = forger.make(kind)
        while d in genuine:  # a mutation that undid itself: make another
            d = forger.make(kind)
        sender.send(d)
        by_kind[kind] += 1
    print(json.dumps({"injected": sender.sent, "by_kind": by_kind,
                      "seconds": sender.seconds()}), flush=True)
    return 0


def replay(a):
    caps = read_capture(a.capturefile)[a.skip:]
    if a.first is not None:
        caps = caps[:a.first]
    if a.order == "reverse":
        caps.reverse()
    elif a.order == "shuffle":
        random.Random(a.seed).shuffle(caps)
    sender = Sender(a)
    for d in caps:
        sender.send(d)
    print(json.dumps({"replayed": sender.sent}), flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser(
        description="hostile sender for tests of sealed mcast streams")
    sub = ap.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    def common(p, send):
        p.add_argument("--iface-addr", default="0.0.0.0",
                       help="IPv4 address of the interface (default any)")
        p.add_argument("--iface-name", default=None,
                       help="interface name, for IPv6 groups")
        if send:
            p.add_argument("--bind-port", type=port_arg, default=0)
            p.add_argument("--ttl", type=ttl_arg, default=1)
            p.add_argument("--loop", action="store_true",
                           help="multicast loop on (a receiver on this host)")
            p.add_argument("--seed", type=int, default=1)

    p = sub.add_parser("capture", help="record datagrams of a group")
    common(p, send=False)
    p.add_argument("--count", type=positive, default=None)
    p.add_argument("--timeout", type=rate_arg, default=10.0)
    p.add_argument("group")
    p.add_argument("port", type=port_arg)
    p.add_argument("outfile")
    p.set_defaults(fn=capture)

    p = sub.add_parser("forge", help="send datagrams derived from captured")
    common(p, send=True)
    p.add_argument("--rate", type=rate_arg, default=10000.0)
    p.add_argument("--total", type=count_arg, default=100000)
    p.add_argument("capturefile")
    p.add_argument("group")
    p.add_argument("port", type=port_arg)
    p.set_defaults(fn=forge)

    p = sub.add_parser("replay", help="re-send captured datagrams")
    common(p, send=True)
    p.add_argument("--rate", type=rate_arg, default=2000.0)
    p.add_argument("--order", choices=("keep", "shuffle", "reverse"),
                   default="keep")
    p.add_argument("--first", type=count_arg, default=None)
    p.add_argument("--skip", type=count_arg, default=0)
    p.add_argument("capturefile")
    p.add_argument("group")
    p.add_argument("port", type=port_arg)
    p.set_defaults(fn=replay)

    a = ap.parse_args()
    for fam, addr in ((socket.AF_INET6 if is_v6(a.group) else socket.AF_INET,
                       a.group), (socket.AF_INET, a.iface_addr)):
        try:
            socket.inet_pton(fam, addr)
        except OSError:
            ap.error(f"bad address: {addr}")
    if a.iface_name:
        try:
            ifindex(a.iface_name)
        except OSError:
            ap.error(f"no interface {a.iface_name}")
    # SIGTERM ends a capture through its finally: the file is flushed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
