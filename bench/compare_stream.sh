# SPDX-License-Identifier: MIT
#
# bench/compare_stream.sh: the stream-analysis rows of bench/compare.sh
# (issue #16), sourced by it inside its namespaces; not run alone.
#
# - The cost of analysis: `mcast bench --stream TYPE` with the analysis
#   on and with --no-analysis, on the recvmmsg and the GRO receive paths
#   (UDP_SEGMENT sender), the two runs of a pair back to back with their
#   order swapped every round.  compare_report.py judges each pair's
#   ratio against the 15% target.
# - The analysis alone per datagram, no kernel: bench_stream_cost.
# - Allocations per datagram: bench_alloc_count -t TYPE.
# - Memory at the bounds: bench_stream_mem (1024 sessions, 8192 PIDs).
# - For scale: the same traffic captured to a pcap and analyzed by tshark
#   and ffprobe, timed per datagram.

STREAM_TYPES="rtp ts rtp-ts"
STREAM_PATHS="recvmmsg gro"
PEER_RATE=20000	# datagrams/s of the captured traffic ...
PEER_SECS=2	# ... for this long
PEER_ONE=33	# datagrams of the start-up runs: one PAT and PMT at least
PEER_REPEAT=3	# runs of each peer, the least taken

# run_stream_bench TYPE PATH on|off: sets RATE LOST SENT DUP CPU_RX CPU_TX
run_stream_bench() {
	local a=(--stream "$1")
	[ "$3" = off ] && a+=(--no-analysis)
	run_mcast_bench "$(stream_size "$1")" "$TD" 0 gso \
		"$([ "$2" = gro ] && echo 1 || echo 0)" "${a[@]}"
	# Loss as sent - delivered, alike with and without analysis: RTP's
	# own count follows RFC 3550 A.1, where a jump past MAX_DROPOUT (3000)
	# restarts the sequence instead of counting the gap, and an
	# overflowing socket drops far more than that at a time.
	local got
	got=$(jnum "$W/out" received)
	[ "$RATE" != 0 ] && [ -n "$got" ] && LOST=$((SENT > got ? SENT - got : 0))
}

stream_size() { [ "$1" = ts ] && echo 1316 || echo 1328; }

# One round: every (type, path) pair once, pairs rotated by round, and
# within a pair the analysis first in one round and last in the next.
stream_round() {	# ROUND
	local pairs=() p t path n k i first second
	for t in $STREAM_TYPES; do
		for path in $STREAM_PATHS; do pairs+=("$t/$path"); done
	done
	n=${#pairs[@]}
	for ((k = 0; k < n; k++)); do
		p=${pairs[$(((k + $1 - 1) % n))]}
		t=${p%/*} path=${p#*/}
		if (((k + $1) % 2)); then first=on second=off; else first=off second=on; fi
		for i in $first $second; do
			say "round $1/$ROUNDS: stream $t, $path, analysis $i"
			CPU_RX=0 CPU_TX=0
			run_stream_bench "$t" "$path" "$i"
			record "str.$t.$path.$i" "$1" "$RATE" "$LOST" "$SENT" "${DUP:-0}"
			record "strcpu.$t.$path.$i" "$1" "$CPU_RX" "$CPU_TX" 0 0
		done
	done
}

# Allocations with the analysis on (recvmmsg, then GRO/GSO), and the
# analyzers' memory at their bounds: JSON lines into FILE.
stream_alloc_mem() {	# FILE
	local t a
	for t in $STREAM_TYPES; do
		for a in "" "-g -G"; do
			say "allocation count, stream $t ${a:-(recvmmsg, sendmmsg)}"
			timeout 120 "$W/alloc_count" -j -t "$t" -n "$STREAM_ALLOC_N" $a \
				>"$W/out" 2>"$W/err" ||
				say "alloc_count -t $t $a: exit $?: $(cat "$W/err")"
			cat "$W/out" >>"$1"
		done
		if [ -x "$W/stream_cost" ]; then
			say "stream analysis alone, CPU per datagram: $t"
			timeout 120 "$W/stream_cost" -j -t "$t" -r 9 >"$W/out" 2>"$W/err" ||
				say "stream_cost -t $t: exit $?: $(cat "$W/err")"
			cat "$W/out" >>"$1"
		fi
		say "stream analyzers' memory at 1024 sessions, 8192 PIDs: $t"
		timeout 60 "$W/stream_mem" -j -t "$t" >"$W/out" 2>"$W/err" ||
			say "stream_mem -t $t: exit $?: $(cat "$W/err")"
		cat "$W/out" >>"$1"
	done
}

# pcap_payloads PCAP OUT SKIP: the UDP payloads of PCAP (IPv4 on lo or
# Ethernet) into OUT, each less its first SKIP bytes; prints the count.
pcap_payloads() {
	python3 - "$@" <<'EOF'
import struct, sys
f = open(sys.argv[1], "rb")
g = f.read(24)
end = "<" if g[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
link = struct.unpack(end + "I", g[20:24])[0]
skip, n = int(sys.argv[3]), 0
with open(sys.argv[2], "wb") as out:
    while True:
        h = f.read(16)
        if len(h) < 16:
            break
        d = f.read(struct.unpack(end + "IIII", h)[2])
        d = d[14:] if link == 1 else d[16:] if link == 113 else d
        if len(d) < 28 or d[0] >> 4 != 4 or d[9] != 17:
            continue
        out.write(d[(d[0] & 15) * 4 + 8 + skip:])
        n += 1
print(n)
EOF
}

# timed OUT CMD...: run CMD (bounded) PEER_REPEAT times; the least wall
# and CPU (user + system) seconds of a run into OUT as "WALL CPU RC" - on
# a shared machine the least disturbed run is the closest to the work.
# Its output is discarded.
timed() {
	local out=$1
	shift
	python3 - "$out" "$PEER_REPEAT" "$@" <<'EOF'
import resource, subprocess, sys, time
walls, cpus, rc, last = [], [], 0, 0.0
for _ in range(int(sys.argv[2])):
    t = time.monotonic()
    rc |= subprocess.call(["timeout", "300"] + sys.argv[3:], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    walls.append(time.monotonic() - t)
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpus.append(r.ru_utime + r.ru_stime - last)
    last = r.ru_utime + r.ru_stime
open(sys.argv[1], "w").write(f"{min(walls):.3f} {min(cpus):.3f} {rc}\n")
EOF
}

# peer_record KEY DATAGRAMS FULL ONE ONE-DATAGRAMS: record what timed()
# wrote for a peer on the whole capture (FULL) and on its first datagrams
# (ONE), whose time is the peer's start-up: peer.KEY, peer.KEY.startup.
peer_record() {	# KEY DATAGRAMS FULL-FILE ONE-FILE ONE-DATAGRAMS
	local w c rc w1 c1 rc1
	read -r w c rc <"$3"
	read -r w1 c1 rc1 <"$4"
	if [ "$rc" != 0 ]; then
		say "$1: exit $rc"
		return
	fi
	record "peer.$1" 1 "$w" "$c" "$2" 0
	record "peer.$1.startup" 1 "$w1" "$c1" "$5" 0
}

# The same traffic as the rows above, paced so that the capture keeps
# every datagram, captured on lo, then analyzed by tshark and ffprobe.
stream_peers() {
	local t cap pid n skip args
	local cc=(-z "io,stat,0,COUNT(mp2t.cc.drop)mp2t.cc.drop")
	for t in $STREAM_TYPES; do
		cap=$W/$t.pcap
		if command -v tcpdump >/dev/null 2>&1; then
			start "$W/cap.err" tcpdump -i lo -Q in -B 65536 -s 0 -U -w "$cap" udp port 7777
		elif command -v dumpcap >/dev/null 2>&1; then
			start "$W/cap.err" dumpcap -P -i lo -B 64 -s 0 -w "$cap" -f "udp port 7777"
		else
			say "SKIP: the tshark and ffprobe rows: neither tcpdump nor dumpcap installed"
			return
		fi
		pid=$PID
		wait_for "$W/cap.err" '[Ll]istening|Capturing' 5 || {
			say "capture did not start: $(cat "$W/cap.err")"
			stop $pid capture
			return
		}
		say "capture: mcast bench --stream $t --rate $PEER_RATE -D $PEER_SECS"
		timeout $((PEER_SECS + 10)) "$MCAST" bench --stream "$t" --rate $PEER_RATE \
			-D $PEER_SECS -F json >"$W/out" 2>"$W/err" ||
			say "capture's sender failed: $(cat "$W/err")"
		sleep 0.5	# the capture writes what it has
		stop $pid capture
		skip=12
		[ "$t" = ts ] && skip=0
		n=$(pcap_payloads "$cap" "$W/$t.payload" "$skip")
		# The start-up figures: the first PEER_ONE datagrams (a PAT and a
		# PMT among them, which ffprobe needs to find the stream).
		python3 - "$cap" "$W/$t.one.pcap" $PEER_ONE <<'EOF'
import struct, sys
f = open(sys.argv[1], "rb")
out = [f.read(24)]
end = "<" if out[0][:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
for _ in range(int(sys.argv[3])):
    h = f.read(16)
    if len(h) < 16:
        break
    out += [h, f.read(struct.unpack(end + "IIII", h)[2])]
open(sys.argv[2], "wb").write(b"".join(out))
EOF
		record "peer.captured.$t" 1 "$n" "$(jnum "$W/out" sent)" 0 0
		if command -v tshark >/dev/null 2>&1; then
			case $t in
			# The same question as mcast's analysis: RTP's loss and
			# jitter per stream, MPEG-TS continuity (tshark's mp2t
			# dissector checks it per PID).
			rtp) args=(-d udp.port==7777,rtp -z rtp,streams) ;;
			ts) args=(-d udp.port==7777,mp2t "${cc[@]}") ;;
			rtp-ts) args=(-d udp.port==7777,rtp -z rtp,streams "${cc[@]}") ;;
			esac
			say "tshark -q ${args[*]} on $n datagrams of $t"
			timed "$W/t.full" tshark -n -q -r "$cap" "${args[@]}"
			timed "$W/t.one" tshark -n -q -r "$W/$t.one.pcap" "${args[@]}"
			peer_record "tshark.$t" "$n" "$W/t.full" "$W/t.one" $PEER_ONE
		else
			say "SKIP: tshark rows: tshark not installed"
		fi
		if [ "$t" = rtp ]; then
			:	# no MPEG-TS inside, and ffprobe reads no pcap
		elif command -v ffprobe >/dev/null 2>&1; then
			say "ffprobe on the $t capture's MPEG-TS ($n datagrams)"
			head -c $((PEER_ONE * 7 * 188)) "$W/$t.payload" >"$W/$t.one.ts"
			timed "$W/f.full" ffprobe -v error -count_packets -show_streams \
				-show_format -f mpegts "$W/$t.payload"
			timed "$W/f.one" ffprobe -v error -count_packets -show_streams \
				-show_format -f mpegts "$W/$t.one.ts"
			peer_record "ffprobe.$t" "$n" "$W/f.full" "$W/f.one" $PEER_ONE
		else
			say "SKIP: ffprobe rows: ffprobe not installed"
		fi
		rm -f "$cap" "$W/$t.payload"
	done
}
