# Replays: sealed datagrams captured off the wire (peers/attacker.py) and
# sent again, unchanged.  A receiver that was running when they were first
# sent accepts none of them: within its window, older than the window,
# shuffled, or from a previous run of the sender.  A receiver started
# later accepts none once they are older than --max-age.  Reordering
# within the window, to a receiver that has not seen the datagrams, is
# delivered whole, and exactly once.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600
A=$NET_DIR/peers/attacker.py
cd "$T" || fail "no work directory"
mcast keygen k 2>/dev/null || fail "keygen failed"

replay() {	# replay ARGS...: replay cap.bin with ARGS; prints the count
	in_ns left python3 "$A" replay --iface-addr 10.0.0.1 --rate 5000 "$@" \
		cap.bin 239.1.2.3 1600 2>replay.err | python3 -c \
		'import json, sys; print(json.load(sys.stdin)["replayed"])' ||
		fail "replay $* failed: $(cat replay.err)"
}
# totals OUT EXPR: EXPR over the summary's totals `t`.
totals() { json_get "$1" "(lambda t: $2)([r for r in d if r['type'] == 'summary'][0]['totals'])"; }

# The first receiver and a capture run while the sender's first session
# goes by: 3000 probes and 3 end markers.
in_ns right mcast recv --iface veth0 --key k --stats --format json --rcvbuf 8M \
	--timeout 60 $G >r1.out 2>r1.err &
r1=$!
in_ns right python3 "$A" capture --iface-addr 10.0.0.2 --count 3003 --timeout 20 \
	239.1.2.3 1600 cap.bin 2>cap.err &
cap=$!
wait_for r1.err '^joined ' 5 && wait_for cap.err '^joined ' 5 || fail "receivers never joined"
in_ns left mcast send --iface veth0 --key k --probe --rate 5000 --count 3000 --size 100 \
	$G 2>a.err || fail "sender failed: $(cat a.err)"
wait $cap || fail "capture failed: $(cat cap.err)"

n1=$(replay --skip 2500)			# the newest 503: inside the window
n2=$(replay --first 500)			# seq 0-499: behind the window
n3=$(replay --order shuffle)			# all of them, in any order
in_ns left mcast send --iface veth0 --key k --probe --rate 5000 --count 100 --size 100 \
	$G 2>b.err || fail "second sender run failed"
n4=$(replay)					# a previous run of the sender
[ "$n1 $n2 $n3 $n4" = "503 500 3003 3003" ] || fail "replayed $n1 $n2 $n3 $n4"
kill -INT $r1
wait $r1 || fail "first receiver exit $?: $(cat r1.err)"
# Two sessions (3000 + 100 probes, 3 end markers each) accepted, once.
[ "$(totals r1.out 't["accepted"]')" = 3106 ] ||
	fail "first receiver accepted other than 3106: $(cat r1.out)"
[ "$(totals r1.out 't["rejected"]["replayed"]') $(totals r1.out 't["rejected"]["total"]')" = "7009 7009" ] ||
	fail "want all 7009 replays rejected as replayed: $(cat r1.out)"
[ "$(totals r1.out '[t["received"], t["lost"], t["duplicates"], t["sessions"]]')" = "[3100, 0, 0, 2]" ] ||
	fail "replays reached the statistics: $(cat r1.out)"

# A receiver started after the capture cannot know it: --max-age bounds
# the replay.  The datagrams are already more than a second old.
in_ns right mcast recv --iface veth0 --key k --max-age 1 --stats --format json \
	--timeout 30 $G >r2.out 2>r2.err &
r2=$!
wait_for r2.err '^joined ' 5 || fail "late receiver never joined"
n5=$(replay --order shuffle)
kill -INT $r2
wait $r2
[ "$(totals r2.out 't["accepted"]')" = 0 ] ||
	fail "a late receiver accepted replays older than --max-age: $(cat r2.out)"
[ "$(totals r2.out 't["rejected"]["stale"]')" = "$n5" ] ||
	fail "want $n5 stale rejects: $(cat r2.out)"

# Within --max-age (default 30 s) a late receiver takes the datagrams it
# never saw (docs/SECURITY.md says so): shuffled within its window they are
# all delivered, reordered, exactly once; a second replay gets nothing.
in_ns right mcast recv --iface veth0 --key k --stats --format json \
	--timeout 30 $G >r3.out 2>r3.err &
r3=$!
wait_for r3.err '^joined ' 5 || fail "third receiver never joined"
n6=$(replay --first 800 --order shuffle --seed 7)
n7=$(replay --first 800 --order shuffle --seed 8)
kill -INT $r3
wait $r3 || fail "third receiver exit $?: $(cat r3.err)"
[ "$n6 $n7" = "800 800" ] || fail "replayed $n6 and $n7"
[ "$(totals r3.out '[t["accepted"], t["rejected"]["replayed"], t["rejected"]["total"]]')" = "[800, 800, 800]" ] ||
	fail "want 800 accepted once and 800 replays rejected: $(cat r3.out)"
[ "$(totals r3.out '[t["received"], t["lost"], t["duplicates"]]')" = "[800, 0, 0]" ] ||
	fail "shuffled datagrams were not delivered whole: $(cat r3.out)"
[ "$(totals r3.out 't["reordered"] > 100')" = True ] ||
	fail "the shuffle did not reorder: $(cat r3.out)"
exit 0
