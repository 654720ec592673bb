# --format text shows the streams other than probes as a block of lines
# each where the output is a file or a pipe (for grep and logs), and as
# one compact table on a terminal (script(1) gives the receiver one).
# Both list the receiver's sockets with their kernel drops, and count
# the MPEG-TS session in the totals.  The feed: peers/ts_feed.py, five
# datagrams of four TS packets (PAT, PMT, video, audio).
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
need_cmd script util-linux
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:5004
RECV="mcast recv --iface veth0 --stats --format text --count 5 --timeout 10 $G"

feed() {
	in_ns left python3 "$NET_DIR/peers/ts_feed.py" --iface-addr 10.0.0.1 \
		--bind-port 4000 --count 5 --gap 0.01 239.1.2.3 5004 2>"$T/feed.err" ||
		fail "feed failed: $(cat "$T/feed.err")"
}

# A file: the line form.
in_ns right $RECV >"$T/file.out" 2>"$T/file.err" &
recv=$!
wait_for "$T/file.err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/file.err")"
feed
wait $recv || fail "receiver exit $?: $(cat "$T/file.err")"
grep -q '^ts 10\.0\.0\.1:4000 -> 239\.1\.2\.3:5004: 5 datagrams$' "$T/file.out" ||
	fail "no line for the stream: $(cat "$T/file.out")"
grep -q '^socket 0: 0\.0\.0\.0:5004 on veth0, 1 group: kernel drops 0$' "$T/file.out" ||
	fail "no line for the socket: $(cat "$T/file.out")"
grep -q '; sessions 1, restarts 0,' "$T/file.out" || fail "sessions: $(cat "$T/file.out")"
grep -q '^stream ' "$T/file.out" && fail "a table in a file: $(cat "$T/file.out")"

# A terminal: the table, a row per stream, then each TS stream's PIDs.
in_ns right script -qec "$RECV" /dev/null </dev/null >"$T/tty.out" 2>&1 &
recv=$!
wait_for "$T/tty.out" 'joined ' 5 || fail "receiver never joined: $(cat "$T/tty.out")"
feed
wait $recv || fail "receiver on a terminal exit $?: $(cat "$T/tty.out")"
tr -d '\r' <"$T/tty.out" >"$T/tty.txt"
grep -qE '^stream +source +group +ssrc/pt +received +lost +loss% +dup +reord +jitter_ms +ts_lost/ts_packets cc_errors pat/pmt/pid_errors$' \
	"$T/tty.txt" || fail "no table header: $(cat "$T/tty.txt")"
grep -qE '^ts +10\.0\.0\.1:4000 +239\.1\.2\.3:5004 +- +5 +0 +0\.00 +0 +0 +- +0/20 0 0/0/0$' \
	"$T/tty.txt" || fail "no table row for the stream: $(cat "$T/tty.txt")"
grep -q '^ts 10\.0\.0\.1:4000 -> 239\.1\.2\.3:5004:$' "$T/tty.txt" ||
	fail "no PID table heading: $(cat "$T/tty.txt")"
grep -qE '^ +4096 pmt +5 ' "$T/tty.txt" || fail "no PID rows: $(cat "$T/tty.txt")"
grep -q ': 5 datagrams$' "$T/tty.txt" && fail "the line form on a terminal: $(cat "$T/tty.txt")"
exit 0
