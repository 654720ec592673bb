# The receiver's IPv4 address changes 10 times (deleted, then another one
# added) under a 500/s probe stream.  Linux keeps memberships across
# address changes: the receiver reports addr_removed and addr_added, the
# group stays joined on the same index, and the stream goes on in one
# session with nothing counted twice.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600
ROUNDS=10

in_ns right mcast recv --iface veth0 --stats --format json --interval-report 0.2 \
	--until-end --timeout 60 $G >"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
in_ns left env --default-signal=INT,TERM mcast send --iface veth0 --probe \
	--rate 500 $G 2>"$T/send.err" &
send=$!
wait_for "$T/out" '"type":"interval".*"received":[1-9]' 5 ||
	fail "the receiver reported no probes: $(cat "$T/out")"

idx=$(if_index right veth0)
joins() { igmp_joined right | grep ' 239\.1\.2\.3$'; }
ev() { count_in "$T/out" "\"event\":\"$1\""; }
# traffic_after N: datagrams in an interval that began after line N of out.
traffic_after() {
	tail -n +"$1" "$T/out" | grep '"type":"interval"' | tail -n +2 |
		grep -qE '"received":[1-9]'
}

addr=10.0.0.2
for k in $(seq $ROUNDS); do
	removed=$(ev addr_removed) added=$(ev addr_added)
	ip -n right addr del $addr/24 dev veth0 || fail "round $k: cannot delete $addr"
	addr=10.0.0.$((10 + k))
	ip -n right addr add $addr/24 dev veth0 || fail "round $k: cannot add $addr"
	wait_lines "$T/out" '"event":"addr_removed"' $((removed + 1)) 3 ||
		fail "round $k: no addr_removed event: $(tail -5 "$T/out")"
	wait_lines "$T/out" '"event":"addr_added"' $((added + 1)) 3 ||
		fail "round $k: no addr_added event: $(tail -5 "$T/out")"
	line=$(grep -nE '"event":"addr_added"' "$T/out" | sed -n "$((added + 1))p")
	echo "$line" | grep -q "\"iface\":\"veth0\",\"detail\":\"$addr/24 on index $idx; memberships kept\"" ||
		fail "round $k: unexpected addr_added event: $line"
	[ "$(joins)" = "$idx 239.1.2.3" ] ||
		fail "round $k: joins of 239.1.2.3 are '$(joins)', want only on index $idx"
	wait_until 5 traffic_after "${line%%:*}" ||
		fail "round $k: no traffic within 5 s of the address change: $(tail -5 "$T/out")"
done

kill -INT $send
wait $send || fail "sender exit $?: $(cat "$T/send.err")"
wait $recv || fail "receiver exit $?: $(cat "$T/err")"
grep -qE '"event":"(link_down|link_gone|rejoined|rejoin_failed|events_lost)"' "$T/out" &&
	fail "unexpected events: $(grep -E 'link_|rejoin|events_lost' "$T/out")"
sent=$(sent_probes "$T/send.err") || exit 1

one_session_intact "$T/out" "$sent"
exit 0
