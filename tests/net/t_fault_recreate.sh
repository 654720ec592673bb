# The veth pair under a 500/s probe stream is deleted and created again 25
# times, under the same names and addresses.  A recreated interface has a
# new index; the receiver must leave its stale memberships on the old index
# (they still count against igmp_max_memberships, 20 by default, so without
# that the 21st join would fail) and join on the new one.  After every
# re-creation: a "rejoined" event, 239.1.2.3 joined only on the current
# index, traffic again; the sender rides it out too (send_failed, then
# send_resumed) and keeps its session.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600
ROUNDS=25
# The limit the stale memberships would hit, whatever this kernel's default.
in_ns right sysctl -qw net.ipv4.igmp_max_memberships=20 || skip "cannot set igmp_max_memberships"

in_ns right mcast recv --iface veth0 --stats --format json --interval-report 0.2 \
	--until-end --timeout 100 $G >"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
in_ns left env --default-signal=INT,TERM mcast send --iface veth0 --probe \
	--rate 500 $G 2>"$T/send.err" &
send=$!
wait_for "$T/out" '"type":"interval".*"received":[1-9]' 5 ||
	fail "the receiver reported no probes: $(cat "$T/out")"

joins() { igmp_joined right | grep ' 239\.1\.2\.3$'; }
# traffic_after N: datagrams in an interval that began after line N of out
# (the first interval record after it may have begun before).
traffic_after() {
	tail -n +"$1" "$T/out" | grep '"type":"interval"' | tail -n +2 |
		grep -qE '"received":[1-9]'
}
resumed() { count_in "$T/send.err" '^mcast send: event: send_resumed veth0: '; }
resumed_at_least() { [ "$(resumed)" -ge "$1" ]; }

for k in $(seq $ROUNDS); do
	old=$(if_index right veth0)
	ip -n right link del veth0 || fail "round $k: cannot delete veth0"
	ip link add veth0 netns left type veth peer name veth0 netns right &&
		host_addr left 1 && host_addr right 2 || fail "round $k: cannot recreate the pair"
	new=$(if_index right veth0)
	wait_lines "$T/out" '"event":"rejoined"' "$k" 3 ||
		fail "round $k: no rejoined event: $(tail -5 "$T/out")"
	line=$(grep -nE '"event":"rejoined"' "$T/out" | sed -n "${k}p")
	echo "$line" | grep -q "recreated as index $new (was $old): left the stale memberships, joined 1 group again" ||
		fail "round $k: index $old -> $new, but: $line"
	[ "$(joins)" = "$new 239.1.2.3" ] ||
		fail "round $k: joins of 239.1.2.3 are '$(joins)', want only on index $new"
	wait_until 5 traffic_after "${line%%:*}" ||
		fail "round $k: no traffic within 5 s of the re-creation: $(tail -5 "$T/out")"
	wait_until 3 resumed_at_least "$k" ||
		fail "round $k: the sender did not report send_resumed: $(tail -3 "$T/send.err")"
done

kill -INT $send
wait $send || fail "sender exit $?: $(cat "$T/send.err")"
wait $recv || fail "receiver exit $?: $(cat "$T/err")"
grep -q '"event":"\(rejoin_failed\|events_lost\)"' "$T/out" &&
	fail "unexpected events: $(grep -E 'rejoin_failed|events_lost' "$T/out")"
[ "$(count_in "$T/out" '"event":"link_gone"')" = $ROUNDS ] ||
	fail "want $ROUNDS link_gone events, got $(count_in "$T/out" '"event":"link_gone"')"

failed=$(count_in "$T/send.err" '^mcast send: event: send_failed veth0: ')
[ "$failed" -ge $ROUNDS ] && [ "$failed" = "$(resumed)" ] ||
	fail "sender: $failed send_failed and $(resumed) send_resumed events: $(cat "$T/send.err")"
[ "$(count_in "$T/send.err" '^probe session ')" = 1 ] || fail "the sender started a new session: $(cat "$T/send.err")"
sent=$(sent_probes "$T/send.err") || exit 1

one_session_intact "$T/out" "$sent"
[ "$(summary_get "$T/out" '["totals"]["restarts"]')" = 0 ] ||
	fail "want 0 restarts: $(grep summary "$T/out")"
exit 0
