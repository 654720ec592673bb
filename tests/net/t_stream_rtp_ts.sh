# ffmpeg sends MPEG-TS over RTP (payload type 33) into a group; the bridge
# between sender and receiver drops five RTP datagrams by sequence number
# (one burst of three).  `mcast recv --stats` (auto-detection) must say
# rtp-ts, count exactly the datagrams the switch dropped as lost, agree
# with tshark's RTP analysis of a capture on the receiver's interface
# (lost identical, maximum jitter within 5% or 0.05 ms), and count the
# continuity errors of each PID as they follow from that capture.
. "$(dirname "$0")/lib.sh"
. "$NET_DIR/streams.sh"
need_stream_tools tshark
stream_topo
# ffmpeg numbers from 1000 (-seq), so these are well inside the stream.
switch_rules '@th,80,16 { 1020, 1060, 1061, 1062, 1120 }'
capture_start
recv_start 239.1.1.1:5004
in_ns snd ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi \
	-i testsrc=size=320x240:rate=25 -t 4 -c:v mpeg2video -b:v 2M \
	-f rtp_mpegts -rtp_muxer_options seq=1000 \
	"rtp://239.1.1.1:5004?ttl=1&localaddr=10.0.0.1" 2>"$T/ff.err" ||
	fail "ffmpeg failed: $(cat "$T/ff.err")"
stream_finish
[ "$rc" = 0 ] || fail "receiver exit $rc: $(cat "$T/recv.err")"
dropped=$(switch_count bridge net dropped)
[ "$dropped" = 5 ] || fail "the switch dropped $dropped datagrams, not 5"

grep -qE '^stream 10\.0\.0\.1:[0-9]+ -> 239\.1\.1\.1:5004: rtp-ts \(ssrc 0x[0-9a-f]{8}, payload type 33\)$' \
	"$T/recv.err" || fail "no decision on stderr: $(cat "$T/recv.err")"
expect "one session" 'len(s["sessions"])' 1
expect "stream and payload type" '[S[k] for k in ("stream", "payload_type", "clock_rate")]' \
	"['rtp-ts', 33, 90000]"
expect "RTP lost = the switch's drops" 'S["lost"]' "$dropped"
expect "received = delivered" 'S["received"]' "$delivered"
expect "no duplicates, no reordering" '[S["duplicates"], S["reordered"]]' "[0, 0]"

# tshark's RTP streams: Pkts, Lost ("5 (1.2%)") and Max Jitter(ms).
tshark -r "$T/cap.pcapng" -d udp.port==5004,rtp -q -z rtp,streams \
	>"$T/tshark.txt" 2>"$T/tshark.err" || fail "tshark failed: $(cat "$T/tshark.err")"
read -r t_lost t_jmax < <(awk '/239\.1\.1\.1 +5004/ {
	for (i = 1; i <= NF; i++) if ($i ~ /^\(/) lost = $(i - 1)
	print lost, $(NF - 1) }' "$T/tshark.txt")
[ -n "$t_lost" ] || fail "no stream in tshark's report: $(cat "$T/tshark.txt")"
expect "lost as tshark counts" 'S["lost"]' "$t_lost"
expect "jitter_max_ms within 5% or 0.05 ms of tshark's $t_jmax" \
	"abs(S['jitter_max_ms'] - $t_jmax) <= max(0.05, 0.05 * $t_jmax)" True

# The TS layer: each PID's packets, CC errors and lost from the capture.
# Auto-detection holds two RTP datagrams before it decides on the third,
# and reads the TS layer from there (docs/STREAMS.md): so does the referee.
tshark -r "$T/cap.pcapng" -T fields -e udp.payload 2>/dev/null |
	python3 "$NET_DIR/peers/ts_cc.py" --rtp --skip 2 >"$T/cc.json" || fail "cannot read the capture"
expect "TS per PID as the capture says ($(cat "$T/cc.json"))" \
	"json.dumps({str(p['pid']): {'cc_errors': p['cc_errors'], 'lost': p['lost'], 'packets': p['packets']} for p in S['pids']}, sort_keys=True)" \
	"$(cat "$T/cc.json")"
expect "some CC errors" 'S["cc_errors"] > 0 and S["cc_errors"] == S["tr101290"]["continuity_count_error"]' True
expect "pid is a number" 'all(isinstance(p["pid"], int) for p in S["pids"])' True
exit 0
