# ffmpeg sends MPEG-TS over plain UDP (up to 7 packets of 188 bytes a datagram)
# into a group; the bridge drops every 25th datagram.  `mcast recv
# --stats` (auto-detection) must say ts, and each PID's packets,
# continuity errors and lost TS packets must equal those computed from a
# capture on the receiver's interface (peers/ts_cc.py); the stream's
# loss is ts_lost / (ts_packets + ts_lost), which --max-loss judges.
. "$(dirname "$0")/lib.sh"
. "$NET_DIR/streams.sh"
need_stream_tools tshark
stream_topo
switch_rules 'numgen inc mod 25 12'
capture_start
recv_start --max-loss 0 239.1.1.1:5004
in_ns snd ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi \
	-i testsrc=size=320x240:rate=25 -t 4 -c:v mpeg2video -b:v 2M \
	-f mpegts "udp://239.1.1.1:5004?ttl=1&localaddr=10.0.0.1&pkt_size=1316" \
	2>"$T/ff.err" || fail "ffmpeg failed: $(cat "$T/ff.err")"
stream_finish
dropped=$(switch_count bridge net dropped)
[ "$dropped" -ge 5 ] || fail "the switch dropped only $dropped datagrams"
# The drops are TS packets lost: --max-loss 0 fails the run, saying so.
[ "$rc" = 1 ] || fail "receiver exit $rc with --max-loss 0, expected 1: $(cat "$T/recv.err")"
grep -qE 'loss [0-9.]+% \([0-9]+ datagrams, messages or TS packets\) exceeds --max-loss 0%' \
	"$T/recv.err" || fail "no --max-loss verdict: $(cat "$T/recv.err")"
grep -qE '^stream 10\.0\.0\.1:[0-9]+ -> 239\.1\.1\.1:5004: ts$' "$T/recv.err" ||
	fail "no decision on stderr: $(cat "$T/recv.err")"

expect "one session" 'len(s["sessions"])' 1
expect "stream" 'S["stream"]' ts
expect "datagrams received = delivered" 'S["received"]' "$delivered"
expect "TS packets: the bytes over 188" 'S["ts_packets"] * 188 == S["bytes"]' True
tshark -r "$T/cap.pcapng" -T fields -e udp.payload 2>/dev/null |
	python3 "$NET_DIR/peers/ts_cc.py" >"$T/cc.json" || fail "cannot read the capture"
expect "TS per PID as the capture says" \
	"json.dumps({str(p['pid']): {'cc_errors': p['cc_errors'], 'lost': p['lost'], 'packets': p['packets']} for p in S['pids']}, sort_keys=True)" \
	"$(cat "$T/cc.json")"
expect "CC errors" 'S["cc_errors"] > 0 and S["cc_errors"] == sum(p["cc_errors"] for p in S["pids"])' True
expect "ts_lost is the PIDs' lost" 'S["ts_lost"] == sum(p["lost"] for p in S["pids"]) > 0' True
expect "loss in TS packets" \
	'[round(100.0 * S["ts_lost"] / (S["ts_packets"] + S["ts_lost"]), 4) == S["loss_pct"] == s["totals"]["loss_pct"]]' "[True]"
expect "PAT, PMT, video" '[p["type"] for p in S["pids"] if p["pid"] in (0, 4096, 256)]' \
	"['pat', 'mpeg2-video', 'pmt']"
expect "PID bitrates add up to the stream's" \
	'abs(sum(p["bitrate"] for p in S["pids"]) - S["rate_bps"]) < 0.05 * S["rate_bps"]' True
exit 0
