# ffmpeg sends RTP with a dynamic payload type (96, MPEG-4 video) into a
# group.  On the bridge, nftables drops three datagrams by RTP sequence
# number and, on the sender's port, sends four others out to the receiver
# twice (netdev `dup`).  `mcast recv --stats --rtp-clock 90000` must count
# lost and duplicates exactly as the switch's counters say, receive every
# distinct datagram that passed, and give a jitter; without --rtp-clock
# the jitter of a dynamic type is unknown (null), not 0.
. "$(dirname "$0")/lib.sh"
. "$NET_DIR/streams.sh"
need_stream_tools
stream_topo
switch_rules '@th,80,16 { 1030, 1070, 1071 }' '@th,80,16 { 1020, 1050, 1051, 1100 }'

# run ARGS...: ffmpeg sends 4 s from 1000 on; the receiver's summary
# is the last line of $T/recv.out.
run() {
	in_ns switch nft reset counters >/dev/null
	capture_start
	recv_start "$@" 239.1.1.1:5004
	in_ns snd ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi \
		-i testsrc=size=320x240:rate=25 -t 4 -c:v mpeg4 -b:v 2M \
		-f rtp -seq 1000 -payload_type 96 \
		"rtp://239.1.1.1:5004?ttl=1&localaddr=10.0.0.1" 2>"$T/ff.err" ||
		fail "ffmpeg failed: $(cat "$T/ff.err")"
	dups=$(switch_count netdev dupper duped)
	stream_finish
	[ "$rc" = 0 ] || fail "receiver exit $rc: $(cat "$T/recv.err")"
	[ "$(switch_count bridge net dropped)" = 3 ] || fail "the switch did not drop 3"
	[ "$dups" = 4 ] || fail "the switch duplicated $dups datagrams, not 4"
}

run --rtp-clock 90000
grep -qE '^stream 10\.0\.0\.1:[0-9]+ -> 239\.1\.1\.1:5004: rtp \(ssrc 0x[0-9a-f]{8}, payload type 96\)$' \
	"$T/recv.err" || fail "no decision on stderr: $(cat "$T/recv.err")"
expect "one session" 'len(s["sessions"])' 1
expect "stream, payload type, clock" '[S[k] for k in ("stream", "payload_type", "clock_rate")]' \
	"['rtp', 96, 90000]"
expect "lost, duplicates, reordered" '[S[k] for k in ("lost", "duplicates", "reordered")]' "[3, 4, 0]"
expect "received: distinct datagrams" 'S["received"]' $((delivered - 4))
expect "first sequence number" 'S["first_seq"]' 1000
expect "a jitter" 'S["jitter_ms"] > 0 and S["jitter_max_ms"] >= S["jitter_ms"]' True
expect "no TS fields" '"ts_packets" in S' False

run --stream rtp
expect "the same counts" '[S[k] for k in ("stream", "lost", "duplicates")]' "['rtp', 3, 4]"
expect "no clock, no jitter" '[S["clock_rate"], S["jitter_ms"], S["jitter_max_ms"]]' "[0, None, None]"
exit 0
