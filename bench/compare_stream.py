# SPDX-License-Identifier: MIT
"""bench/compare_stream.py: the stream-analysis part of compare.sh's report.

Imported by compare_report.py, which hands over the rows compare.sh
recorded (bench/compare_stream.sh says which) and its table printer;
report() prints the tables and returns the rows of the Targets table.
"""
import json
import os
import statistics

TYPES = ("rtp", "ts", "rtp-ts")
PATHS = (("recvmmsg", "gso -> recvmmsg"), ("gro", "gso -> --gro"))
TARGET = 0.85  # analysis on keeps at least 85% of the rate with it off


def verdict(ok):
    return "PASS" if ok else "MISS"


def load_json(path):
    if not path or not os.path.exists(path):
        return []
    return [json.loads(line) for line in open(path) if line.strip()]


def report(rows, by_round, stream_json, table, fnum):
    out, alloc_t, mem_t, yard_t = [], [], [], []
    if not any(k.startswith("str.") for k in rows):
        return out + yard_t + alloc_t + mem_t
    med = lambda v: statistics.median(v) if v else None

    def rnd(key, col=0):
        return by_round.get(key, {})

    def ns(t, path, on, r):
        # CPU time of the receiving thread per delivered datagram: the
        # kernel's receive work in its system time, the analysis in its
        # user time; a shared core moves it much less than the rate.
        rate = rnd(f"str.{t}.{path}.{on}").get(r, [0])[0]
        cpu = rnd(f"strcpu.{t}.{path}.{on}").get(r, [0])[0]
        return cpu / 100 / rate * 1e9 if rate and cpu else None

    body, cost = [], {}
    for t in TYPES:
        for path, how in PATHS:
            on, off = rnd(f"str.{t}.{path}.on"), rnd(f"str.{t}.{path}.off")
            rs = sorted(set(on) & set(off))
            pr = [on[r][0] / off[r][0] for r in rs if on[r][0] > 0 and off[r][0] > 0]
            von = med([on[r][0] for r in rs if on[r][0] > 0])
            voff = med([off[r][0] for r in rs if off[r][0] > 0])
            offs = [off[r][0] for r in rs if off[r][0] > 0]
            spread = max(offs) / min(offs) - 1 if len(offs) > 1 else 0
            loss = lambda d: med([100 * d[r][1] / d[r][2] for r in rs if d[r][2] > 0 and d[r][1] >= 0])
            lon, loff = loss(on), loss(off)
            ns_on = med([x for x in (ns(t, path, "on", r) for r in rs) if x])
            ns_off = med([x for x in (ns(t, path, "off", r) for r in rs) if x])
            cost[(t, path)] = (med(pr), pr, spread, von, voff, ns_on, ns_off)
            body.append([f"{t:6} {how}", fnum(von), fnum(voff),
                         " ".join(f"{fnum(on[r][0])}/{fnum(off[r][0])}" for r in rs),
                         f"{med(pr):.2f}" if pr else "n/a", " ".join(f"{x:.2f}" for x in pr),
                         f"{lon:.1f}%/{loff:.1f}%" if lon is not None and loff is not None else "n/a",
                         f"{ns_on:.0f}/{ns_off:.0f}" if ns_on and ns_off else "n/a"])
    table("Stream analysis: datagrams/s delivered with the analysis on and off (--no-analysis), "
          "same sender and receive path, the pair back to back each round (median of rounds)",
          ["row", "on/s", "off/s", "per round on/off", "on/off", "per round ratio",
           "loss on/off", "receiver ns/datagram on/off"], body)

    js = load_json(stream_json)
    # The analysis alone (bench_stream_cost, no kernel): what it adds to a
    # datagram, and so the ratio each path would have on a core of its
    # own, the receiver being the slower side: off / (off + added).
    alone = {c["stream"]: c for c in js if c.get("type") == "stream_cost"}
    body = []
    for t in TYPES:
        c = alone.get(t)
        if not c:
            continue
        add = c["on_ns"] - c["off_ns"]
        row = [f"{t:6} {c['size']} B", f"{c['on_ns']:.0f}", f"{c['on_min_ns']:.0f}-{c['on_max_ns']:.0f}",
               f"{c['off_ns']:.0f}", f"{add:.0f}"]
        for path, how in PATHS:
            off_ns = cost.get((t, path), (None,) * 7)[6]
            row.append(f"{off_ns / (off_ns + add):.2f}" if off_ns and add > 0 else "n/a")
        body.append(row)
        for path, how in PATHS:
            off_ns = cost.get((t, path), (None,) * 7)[6]
            if off_ns and add > 0:
                yard_t.append([f"  for reference, the yardstick off/(off + analysis alone): {t}, {how}",
                               f"{off_ns:.0f} / ({off_ns:.0f} + {add:.0f}) ns = {off_ns / (off_ns + add):.2f}",
                               "reference"])
    if body:
        table("Stream analysis alone, CPU ns per datagram without sockets (bench_stream_cost: median of "
              "rounds alternating with a tracker counting plain datagrams), and the on/off ratio it "
              "predicts with the receiving thread's off figure of each path",
              ["row", "analysis", "range", "plain counting", "added", "predicted on/off, recvmmsg",
               "predicted on/off, GRO"], body)

    body = []
    for a in (x for x in js if x.get("type") == "alloc_count"):
        pts = sorted((k for k in a if k.startswith("at_")), key=lambda k: int(k[3:]))
        if len(pts) < 3:
            continue
        x, y = a[pts[1]], a[pts[2]]
        n = int(pts[2][3:]) - int(pts[1][3:])
        per = (y["allocs"] - x["allocs"]) / n if n else 0
        path = "GRO, GSO sender" if a.get("gro") else "recvmmsg, sendmmsg"
        body.append([f"{a['stream']:6} {path}", " / ".join(str(a[k]["allocs"]) for k in pts),
                     " / ".join(str(a[k]["in_use"]) for k in pts), f"{per:g}",
                     f"{a['received']} received, {a['lost']} lost"])
        alloc_t.append([f"zero allocations per datagram, analysis on: {a['stream']} ({path})",
                    f"{per:g} per datagram ({x['allocs']} after 10k, {y['allocs']} after "
                    f"{pts[2][3:]} datagrams; frees {x['frees']} vs {y['frees']})",
                    verdict(x == y)])
    if body:
        table("Stream analysis: allocations after setup / after 10k / after N datagrams "
              "(bench_alloc_count -t TYPE: libmcast receiver, analyzing tracker, sender)",
              ["row", "malloc+calloc+realloc", "bytes in use", "per datagram", "datagrams"], body)

    body = []
    for m in (x for x in js if x.get("type") == "stream_mem"):
        mib = lambda b: f"{b / 1048576:.2f} MiB"
        body.append([f"{m['stream']:6} {m['sessions']} sessions, {m['pids']} PIDs", mib(m["heap_bytes"]),
                     f"{m['allocs_new']}", mib(m["rss_after_new"]), mib(m["rss_filled"]),
                     f"{m['allocs_fill']} / {m['allocs_steady']}",
                     f"{m['pid_overflow']} packets, {m['retired']} retired"])
        ok = (m["allocs_fill"] == 0 and m["allocs_steady"] == 0 and m["live"] == m["sessions"]
              and m["retired"] > 0 and (m["stream"] == "rtp" or m["pid_overflow"] > 0))
        mem_t.append([f"memory bounded at {m['sessions']} sessions, {m['pids']} PIDs: {m['stream']}",
                    f"{mib(m['heap_bytes'])} allocated at creation, {mib(m['rss_filled'])} resident when "
                    f"full; beyond the bounds counted ({m['pid_overflow']} packets, {m['retired']} retired)",
                    verdict(ok)])
    if body:
        table("Stream analysis: memory at the bounds (bench_stream_mem; heap from mallinfo2, "
              "VmRSS growth from before the tracker)",
              ["tracker", "heap", "allocations", "resident after new", "resident full",
               "allocations filling / steady", "beyond the bounds"], body)

    body = []
    for t in TYPES:
        cap = rows.get(f"peer.captured.{t}")
        for path, how in PATHS:
            c = cost.get((t, path))
            if c and c[5]:
                body.append([f"{t:6} mcast bench receiver, {how}, analysis on",
                             f"{c[5] / 1000:.2f}", f"{1e6 / c[3]:.2f}" if c[3] else "n/a", "",
                             "receiving thread: kernel receive + analysis"])
        for peer in ("tshark", "ffprobe"):
            full, one = rows.get(f"peer.{peer}.{t}"), rows.get(f"peer.{peer}.{t}.startup")
            if not full or not one:
                continue
            (w, c, n, _), (w1, c1, n1, _) = full[0], one[0]
            k = n - n1
            # Start-up (reading dissectors, codecs) excluded: a difference
            # the load's noise can swallow, then shown as such.
            per = lambda a, b: f"{(a - b) / k * 1e6:.2f}" if k > 0 and a > b else "n/a (noise)"
            body.append([f"{t:6} {peer}", per(c, c1), per(w, w1), f"{n:.0f}",
                         f"least of runs; start-up {w1:.2f} s wall, {c1:.2f} s CPU, excluded"])
        if cap:
            n, sent = cap[0][0], cap[0][1]
            if n < sent:
                body.append([f"{t:6} (capture)", "", "", f"{n:.0f}",
                             f"of {sent:.0f} sent: the capture missed {sent - n:.0f}"])
    if body:
        table("For scale: time per datagram (µs) analysing the same traffic: mcast live, "
              "tshark and ffprobe on its capture (a pcap; ffprobe on its MPEG-TS)",
              ["row", "CPU µs/datagram", "wall µs/datagram", "datagrams", "note"], body)

    for (t, path), (r, pr, spread, von, voff, ns_on, ns_off) in cost.items():
        if r is None:
            continue
        noise = []
        if len(pr) < 2:
            noise.append("one round: its noise is not measured")
        elif min(pr) < TARGET <= max(pr):
            noise.append(f"rounds {min(pr):.2f}-{max(pr):.2f} straddle {TARGET:.2f}")
        if spread > 1 - TARGET:
            noise.append(f"the off runs alone spread {spread * 100:.0f}%")
        out.append([f"analysis on >= {TARGET * 100:.0f}% of off: {t}, {dict(PATHS)[path]}",
                    f"{fnum(von)} vs {fnum(voff)}/s: ratio {r:.3f} (median of the rounds' ratios; "
                    f"rounds {' '.join(f'{x:.2f}' for x in pr)})",
                    verdict(r >= TARGET) + (f" (inside the noise: {'; '.join(noise)})" if noise else "")])
        if ns_on and ns_off:
            # Steadier than the rates where the threads share busy cores:
            # what one datagram costs the receiving thread, on and off.
            out.append([f"  for reference, receiver CPU per datagram: {t}, {dict(PATHS)[path]}",
                        f"{ns_on:.0f} vs {ns_off:.0f} ns: the analysis adds {ns_on - ns_off:.0f} ns "
                        f"({(ns_on / ns_off - 1) * 100:+.0f}%), off/on {ns_off / ns_on:.2f}", "reference"])
    return out + yard_t + alloc_t + mem_t
