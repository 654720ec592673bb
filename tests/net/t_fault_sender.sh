# The sender's interface is deleted and created again (same name, same
# address) under a 500/s probe stream through a bridge.  The sender reports
# send_failed, then send_resumed, and keeps its probe session: the
# receiver, whose own link never changed, sees the outage (idle, then
# traffic_back) but one session, no duplicates, and every probe numbered
# either received or counted lost.  The probes due during the outage were
# not sent: the sender says how many, and so does the receiver, from the
# end-of-stream marker, as part of its lost (issue 13.3: before, they were
# invisible).
. "$(dirname "$0")/lib.sh"
topo_bridge src dst || skip "cannot create network namespaces"
G=239.1.2.3:1600

in_ns dst mcast recv --iface veth0 --stats --format json --idle 0.2 \
	--interval-report 0.5 --until-end --timeout 30 $G >"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
in_ns src env --default-signal=INT,TERM mcast send --iface veth0 --probe \
	--rate 500 $G 2>"$T/send.err" &
send=$!
wait_for "$T/send.err" '^probe session ' 5 || fail "sender did not start: $(cat "$T/send.err")"
wait_for "$T/out" '"type":"interval".*"received":[1-9]' 5 ||
	fail "the receiver reported no probes: $(cat "$T/out")"
idle=$(count_in "$T/out" '"event":"idle"')

old=$(if_index src veth0)
ip -n src link del veth0 || fail "cannot delete the sender's veth0"
wait_for "$T/send.err" '^mcast send: event: send_failed veth0: ' 3 ||
	fail "the sender reported no send_failed: $(cat "$T/send.err")"
wait_lines "$T/out" '"event":"idle"' $((idle + 1)) 3 ||
	fail "the receiver saw no outage: $(tail -3 "$T/out")"
sleep 0.5	# the outage
ip link add veth0 netns src type veth peer name p1 netns switch &&
	ip -n switch link set p1 master br0 up &&
	host_addr src 1 || fail "cannot recreate the sender's link"
new=$(if_index src veth0)
wait_for "$T/send.err" "^mcast send: event: send_resumed veth0: after [0-9.]+ s, on index $new\$" 5 ||
	fail "the sender reported no send_resumed on index $new (was $old): $(cat "$T/send.err")"
wait_lines "$T/out" '"event":"traffic_back"' $((idle + 1)) 5 ||
	fail "traffic did not come back to the receiver: $(tail -3 "$T/out")"
sleep 0.5	# half a second of stream after it

kill -INT $send
wait $send || fail "sender exit $?: $(cat "$T/send.err")"
wait $recv || fail "receiver exit $?: $(cat "$T/err")"
[ "$(count_in "$T/send.err" '^mcast send: event: send_failed ')" = 1 ] &&
	[ "$(count_in "$T/send.err" '^mcast send: event: send_resumed ')" = 1 ] ||
	fail "want one send_failed and one send_resumed: $(cat "$T/send.err")"
[ "$(count_in "$T/send.err" '^probe session ')" = 1 ] || fail "the sender started a new session: $(cat "$T/send.err")"
grep -qE '"event":"(link_|rejoin|addr_|events_lost)' "$T/out" &&
	fail "the receiver's link events, but its link never changed: $(grep '"event"' "$T/out")"
sent=$(sent_probes "$T/send.err") || exit 1

one_session_intact "$T/out" "$sent"
[ "$(summary_get "$T/out" '["totals"]["restarts"]')" = 0 ] ||
	fail "want 0 restarts: $(grep summary "$T/out")"
not_sent=$(not_sent_probes "$T/send.err")
[ "$not_sent" -gt 0 ] || fail "a half-second outage, but nothing not sent: $(cat "$T/send.err")"
[ "$(summary_get "$T/out" '["sessions"][0]["not_sent"]')" = "$not_sent" ] &&
	[ "$(summary_get "$T/out" '["totals"]["not_sent"]')" = "$not_sent" ] ||
	fail "the sender did not send $not_sent, the receiver says: $(grep summary "$T/out")"
[ "$(summary_get "$T/out" '["totals"]["lost"]')" -ge "$not_sent" ] ||
	fail "lost must include the $not_sent not sent: $(grep summary "$T/out")"
exit 0
