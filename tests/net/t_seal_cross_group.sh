# Cross-group replay (issue 14, point 2): sealed datagrams captured on
# 239.1.1.1:5000 and sent again, unchanged, to another group or port where
# receivers hold the same key are rejected there (bad tag: each datagram
# is bound to the group and port it was sealed for), and counted; the
# same datagrams back on their own group are replays.  A receiver of two
# groups on one port tells them apart per datagram (IP_PKTINFO).  Pings
# replayed to another group's responder are not answered, so no responder
# can be made to send pongs for pings that were never sent to it.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"
A=$NET_DIR/peers/attacker.py
cd "$T" || fail "no work directory"
mcast keygen k 2>/dev/null || fail "keygen failed"

replay() {	# replay FILE GROUP PORT: prints how many were sent
	in_ns left python3 "$A" replay --iface-addr 10.0.0.1 --rate 5000 "$1" "$2" "$3" \
		2>replay.err | python3 -c 'import json, sys; print(json.load(sys.stdin)["replayed"])' ||
		fail "replay to $2:$3 failed: $(cat replay.err)"
}
# totals OUT EXPR: EXPR over the summary's totals `t`.
totals() { json_get "$1" "(lambda t: $2)([r for r in d if r['type'] == 'summary'][0]['totals'])"; }

recv_bg() {	# recv_bg NAME GROUP...: a sealed receiver in right
	local name=$1
	shift
	in_ns right mcast recv --iface veth0 --key k --stats --format json --timeout 60 \
		"$@" >"$name.out" 2>"$name.err" &
	eval "$name=\$!"
	wait_for "$name.err" '^joined ' 5 || fail "receiver $name never joined: $(cat "$name.err")"
}
recv_bg ra 239.1.1.1:5000			# the stream's own group
recv_bg rb 239.2.2.2:6000			# another group and port
recv_bg rc 239.1.1.1:5000 239.3.3.3:5000	# two groups, one port
recv_bg rd 239.1.1.1:5001			# the group, another port
in_ns right python3 "$A" capture --iface-addr 10.0.0.2 --count 203 --timeout 20 \
	239.1.1.1 5000 cap.bin 2>cap.err &
cap=$!
wait_for cap.err '^joined ' 5 || fail "capture never joined"
in_ns left mcast send --iface veth0 --key k --probe --rate 2000 --count 200 --size 100 \
	239.1.1.1:5000 2>s.err || fail "sender failed: $(cat s.err)"
wait $cap || fail "capture failed: $(cat cap.err)"

n1=$(replay cap.bin 239.2.2.2 6000)
n2=$(replay cap.bin 239.3.3.3 5000)
n3=$(replay cap.bin 239.1.1.1 5001)
n4=$(replay cap.bin 239.1.1.1 5000)
[ "$n1 $n2 $n3 $n4" = "203 203 203 203" ] || fail "replayed $n1 $n2 $n3 $n4"
for r in ra rb rc rd; do
	kill -INT "${!r}"
	wait "${!r}" || true
	grep -q '"type":"summary"' $r.out || fail "$r wrote no summary: $(cat $r.err)"
done
# [accepted, bad tag, replayed, total rejected, probes received]
want() {	# want NAME EXPECTED WHY
	local got
	got=$(totals "$1.out" '[t["accepted"], t["rejected"]["bad_tag"], t["rejected"]["replayed"], t["rejected"]["total"], t["received"]]')
	[ "$got" = "$2" ] || fail "$1 ($3): got $got, want $2: $(cat "$1.out")"
}
want ra "[203, 0, 203, 203, 200]" "replays at home are replays"
want rb "[0, 203, 0, 203, 0]" "another group and port: every one rejected"
want rc "[203, 203, 203, 406, 200]" "the other group of the same port rejected"
want rd "[0, 203, 0, 203, 0]" "the same group on another port rejected"
grep -q 'bad tag' rb.err || fail "rb did not log its rejects: $(cat rb.err)"

# Pings captured on 239.1.1.1:5000, replayed to a responder of
# 239.2.2.2:6000 holding the key: none answered.
in_ns right mcast ping --respond --iface veth0 --key k 239.2.2.2:6000 >resp.out 2>resp.err &
resp=$!
wait_for resp.err '^joined ' 5 || fail "responder never joined: $(cat resp.err)"
in_ns right python3 "$A" capture --iface-addr 10.0.0.2 --count 5 --timeout 20 \
	239.1.1.1 5000 pings.bin 2>pcap.err &
cap=$!
wait_for pcap.err '^joined ' 5 || fail "ping capture never joined"
in_ns left mcast ping --iface veth0 --key k --count 5 --rate 50 --wait 0.2 \
	239.1.1.1:5000 >/dev/null 2>ping.err
wait $cap || fail "ping capture failed: $(cat pcap.err)"
[ "$(replay pings.bin 239.2.2.2 6000)" = 5 ] || fail "pings not replayed"
# Its reject lines (at most one a second) add up to the 5.
rejected() { [ "$(sed -n 's/.*rejected \([0-9]*\) datagrams\{0,1\}: \1 bad tag$/\1/p' resp.err |
	awk '{ n += $1 } END { print n + 0 }')" = 5 ]; }
wait_until 5 rejected || fail "the responder did not reject the 5 pings: $(cat resp.err)"
kill -INT $resp
wait $resp
grep -q 'answered 0 pings' resp.err || fail "replayed pings were answered: $(cat resp.err)"

# One sender, one session, two groups of one port: each group's copy is
# sealed for that group, and a receiver of both opens every one (3
# messages per group, until the end markers) and rejects none.
recv_bg re --until-end 239.4.4.4:5000 239.5.5.5:5000
in_ns left mcast send --iface veth0 --key k --count 3 --interval 0.01 \
	239.4.4.4:5000 239.5.5.5:5000 hello 2>m.err || fail "two-group sender failed: $(cat m.err)"
wait_until 10 _all_gone $re || fail "the receiver did not see both streams end: $(cat re.err)"
wait $re
[ "$(totals re.out '[t["received"], t["lost"], t["sessions"], t["rejected"]["total"]]')" = "[6, 0, 2, 0]" ] ||
	fail "a two-group session was not opened whole: $(cat re.out re.err)"
exit 0
