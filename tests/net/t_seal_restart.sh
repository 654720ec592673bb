# Replays to a restarted receiver: with --replay-state FILE, a receiver
# that was stopped (SIGINT: an exact last save) or killed (SIGKILL: no
# last save at all) and started again refuses the sealed datagrams
# captured while it first ran (peers/attacker.py), within --max-age.
# Without the file, a restarted receiver accepts the same replays - what
# the option is for.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600
A=$NET_DIR/peers/attacker.py
cd "$T" || fail "no work directory"
mcast keygen k 2>/dev/null || fail "keygen failed"

# Only with --key.
mcast recv --replay-state st $G 2>u.err && fail "--replay-state without --key ran"
[ $? = 2 ] || fail "--replay-state without --key: want exit 2"
grep -q -- '--replay-state applies to sealed streams; give --key' u.err ||
	fail "unclear usage error: $(cat u.err)"

# A file that is not a state file is refused (exit 2), named, and left
# alone: here the key file itself.
cp k notstate
mcast recv --key k --replay-state notstate $G 2>b.err && fail "a key file was taken for a state file"
[ $? = 2 ] || fail "a foreign state file: want exit 2"
grep -q -- '--replay-state: notstate: not an mcast replay state file.*move it away' b.err ||
	fail "unclear error for a foreign state file: $(cat b.err)"
cmp -s k notstate || fail "a foreign state file was overwritten"

replay() {	# replay FILE ARGS...: prints the count
	f=$1
	shift
	in_ns left python3 "$A" replay --iface-addr 10.0.0.1 --rate 5000 "$@" \
		"$f" 239.1.2.3 1600 2>replay.err | python3 -c \
		'import json, sys; print(json.load(sys.stdin)["replayed"])' ||
		fail "replay $f $* failed: $(cat replay.err)"
}
totals() { json_get "$1" "(lambda t: $2)([r for r in d if r['type'] == 'summary'][0]['totals'])"; }
recv_stats() {	# recv_stats NAME ARGS...: a receiver with a JSON summary
	n=$1
	shift
	in_ns right mcast recv --iface veth0 --key k --stats --format json \
		--timeout 60 "$@" $G >"$n.out" 2>"$n.err" &
}
capture() {	# capture FILE COUNT
	in_ns right python3 "$A" capture --iface-addr 10.0.0.2 --count "$2" \
		--timeout 20 239.1.2.3 1600 "$1" 2>"$1.err" &
	cap=$!
}

# 1. A receiver keeps its state in st while 300 probes and 3 end markers
# go by, captured.  It stops at the end of the stream and saves the exact
# state as it exits.
in_ns right mcast recv --iface veth0 --key k --replay-state st --format json \
	--timeout 60 $G >r1.out 2>r1.err &
r1=$!
capture cap1.bin 303
wait_for r1.err '^joined ' 5 && wait_for cap1.bin.err '^joined ' 5 ||
	fail "receivers never joined"
in_ns left mcast send --iface veth0 --key k --probe --rate 5000 --count 300 \
	--size 100 $G 2>s1.err || fail "sender failed: $(cat s1.err)"
wait $cap || fail "capture failed: $(cat cap1.bin.err)"
wait $r1 || fail "first receiver exit $?: $(cat r1.err)"
[ "$(count_in r1.out '"type":"datagram"')" = 300 ] ||
	fail "first receiver took $(count_in r1.out '"type":"datagram"') of 300"
[ "$(stat -c %a st)" = 600 ] || fail "state file mode $(stat -c %a st), want 600"

# 2. Restarted, it refuses every replay of that run.  A second run of the
# sender (100 probes, captured) is accepted, then the receiver is killed
# with no chance to save.  No periodic save either: what covers the new
# stream is the file written before its datagrams were accepted.
in_ns right mcast recv --iface veth0 --key k --replay-state st --format json \
	--replay-state-every 3600 --count 1000000 --timeout 60 $G >r2.out 2>r2.err &
r2=$!
wait_for r2.err '^joined ' 5 || fail "restarted receiver never joined"
grep -q '^replay state of 2 streams restored from st' r2.err ||
	fail "no restore said: $(cat r2.err)"
n1=$(replay cap1.bin)
capture cap2.bin 103
wait_for cap2.bin.err '^joined ' 5 || fail "second capture never joined"
in_ns left mcast send --iface veth0 --key k --probe --rate 5000 --count 100 \
	--size 100 $G 2>s2.err || fail "second sender run failed: $(cat s2.err)"
wait $cap || fail "second capture failed: $(cat cap2.bin.err)"
wait_lines r2.out '"type":"datagram"' 100 5 ||
	fail "restarted receiver took $(count_in r2.out '"type":"datagram"') of 100 new probes"
[ "$(count_in r2.out '"type":"datagram"')" = 100 ] ||
	fail "restarted receiver accepted replays: $(head -c 600 r2.out)"
kill -KILL $r2
wait $r2 2>/dev/null

# 3. Started again after the kill: the replays of both runs are refused.
recv_stats r3 --replay-state st
r3=$!
wait_for r3.err '^joined ' 5 || fail "third receiver never joined"
n2=$(replay cap1.bin --order shuffle)
n3=$(replay cap2.bin --first 100)
kill -INT $r3
wait $r3	# 1: no datagram arrived, which is the point
[ "$n1 $n2 $n3" = "303 303 100" ] || fail "replayed $n1 $n2 $n3"
[ "$(totals r3.out '[t["accepted"], t["rejected"]["replayed"], t["rejected"]["total"]]')" = "[0, 403, 403]" ] ||
	fail "after a kill, want 403 replays refused and none accepted: $(cat r3.out)"

# 4. Without the state file, a restarted receiver takes the same replays.
recv_stats r4
r4=$!
wait_for r4.err '^joined ' 5 || fail "fourth receiver never joined"
n4=$(replay cap2.bin --first 100)
kill -INT $r4
wait $r4 || fail "fourth receiver exit $?: $(cat r4.err)"
[ "$(totals r4.out 't["accepted"]')" = "$n4" ] ||
	fail "without --replay-state want $n4 accepted: $(cat r4.out)"
exit 0
