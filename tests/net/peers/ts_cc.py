#!/usr/bin/env python3
"""MPEG-TS continuity counted from a capture, to referee mcast recv.

Reads UDP payloads as hex, one datagram a line (`tshark -T fields -e
udp.payload`), on stdin; with --rtp, each starts with a 12-byte RTP header
(no CSRC, no extension: what ffmpeg sends).  --skip N leaves out the
first N datagrams.  Prints JSON: per PID (as a
decimal string) its packets, continuity errors and the packets the gaps
hide, following ISO/IEC 13818-1 2.4.3.3: the null PID 0x1FFF and packets
with adaptation_field_control 00 are skipped; the first packet of a PID
and one with discontinuity_indicator set the counter; a packet without
payload must repeat it; a packet with payload must add one (mod 16), the
same value once being an allowed duplicate; anything else is an error
and (cc - expected) mod 16 packets are taken as lost.
"""
import json
import sys

rtp = "--rtp" in sys.argv[1:]
skip = int(sys.argv[sys.argv.index("--skip") + 1]) if "--skip" in sys.argv else 0
pids = {}
for k, line in enumerate(sys.stdin):
    if k < skip:
        continue
    data = bytes.fromhex(line.strip().replace(":", ""))
    if rtp:
        data = data[12:]
    for off in range(0, len(data) - 187, 188):
        p = data[off:off + 188]
        if p[0] != 0x47:
            continue
        pid = (p[1] & 0x1F) << 8 | p[2]
        afc, cc = (p[3] >> 4) & 3, p[3] & 15
        st = pids.setdefault(pid, {"packets": 0, "cc_errors": 0, "lost": 0,
                                   "last": None, "dup": False})
        st["packets"] += 1
        if pid == 0x1FFF or afc == 0:
            continue
        disc = afc & 2 and p[4] > 0 and p[5] & 0x80
        if st["last"] is None or disc:
            st["last"], st["dup"] = cc, False
            continue
        if afc == 2:  # adaptation field only: the counter stays
            if cc != st["last"]:
                st["cc_errors"] += 1
            continue
        expected = (st["last"] + 1) % 16
        if cc == expected:
            st["last"], st["dup"] = cc, False
        elif cc == st["last"] and not st["dup"]:
            st["dup"] = True
        else:
            st["cc_errors"] += 1
            if cc != st["last"]:
                st["lost"] += (cc - expected) % 16
            st["last"], st["dup"] = cc, False
out = {str(pid): {k: v for k, v in st.items() if k in ("packets", "cc_errors", "lost")}
       for pid, st in sorted(pids.items())}
print(json.dumps(out, sort_keys=True))
