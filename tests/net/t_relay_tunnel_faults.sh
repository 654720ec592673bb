# mcast relay over a tunnel rides out faults: the near relay's --from
# flapping (its joins stay), the tunnel's own path flapping (sends to the peer fail: the near relay says so once, and once
# more when they go through again), the listener's --to flapping (the
# same, at the far end), and the far end restarting: the new listener
# says it joined a session under way, counts nothing sent before it as
# lost, and delivery resumes.  The near relay runs on throughout and
# ends with status 0 and its summary.
#
#   src --a0 [relay: near] b0-- dst [listener] c0-- rx
. "$(dirname "$0")/lib.sh"
topo_line src relay dst || skip "cannot create network namespaces"
new_host rx && ip link add c0 netns dst type veth peer name veth0 netns rx &&
	ip -n dst addr add 10.0.3.3/24 dev c0 && ip -n rx addr add 10.0.3.4/24 dev veth0 &&
	ip -n dst link set c0 up && ip -n rx link set veth0 up || fail "cannot build the last link"
wait_up dst c0
wait_up rx veth0
G=239.1.2.3:1600

listen() { start_relay "$1" dst --tunnel-listen 10.0.2.3:7000 --allow 10.0.2.2 --to c0 $G; }
listen far1
start_relay near relay --from a0 --peer 10.0.2.3:7000 $G
in_ns rx mcast recv --iface veth0 --timeout 40 $G >"$T/recv.out" 2>"$T/recv.err" &
recv=$!
wait_for "$T/recv.err" '^joined ' 5 || fail "receiver never joined"
in_ns src mcast send --probe --iface veth0 --ttl 5 --rate 200 --count 4000 \
	$G 2>"$T/send.err" &
send=$!
# What reaches rx's link, counted on its way out of c0.
c0_tx() { in_ns dst cat /sys/class/net/c0/statistics/tx_packets; }
flowing() {
	local before
	before=$(c0_tx)
	wait_until 10 eval '[ $(c0_tx) -ge $((before + 100)) ]' || fail "nothing relayed $1"
}
flowing "at first"
[ "$(grep -c '"event":"tunnel_session"' "$T/far1.out")" = 1 ] &&
	grep -q 'a new session from 10\.0\.2\.2' "$T/far1.out" || fail "far1 session event: $(cat "$T/far1.out")"

# flap NS IF LOG WHAT PEER-NS PEER-IF: IF of NS goes down and up; relay
# LOG says its sends to WHAT failed, then that they resumed.
flap() {
	ip -n "$1" link set "$2" down
	wait_for "$T/$3.out" "\"event\":\"send_failed\",\"iface\":\"$4\"" 10 ||
		fail "no send_failed event for $4: $(cat "$T/$3.out" "$T/$3.err")"
	ip -n "$1" link set "$2" up
	wait_up "$1" "$2"
	wait_up "$5" "$6"
	wait_for "$T/$3.out" "\"event\":\"send_resumed\",\"iface\":\"$4\"" 10 ||
		fail "no send_resumed event for $4: $(cat "$T/$3.out")"
	flowing "after $2 in $1 flapped"
}
# 1. The tunnel's path goes down and up; 2. the listener's --to does.
flap relay b0 near '10\.0\.2\.3:7000' dst veth0
flap dst c0 far1 c0 rx veth0

# The near relay's --from goes down and up: the kernel keeps its joins.
ip -n relay link set a0 down
ip -n relay link set a0 up
wait_up relay a0
wait_up src veth0
flowing "after the near relay's --from flapped"

# 3. The far end restarts.
stop_relay far1
listen far2
flowing "after the listener restarted"
wait_for "$T/far2.out" '"event":"tunnel_session".*already under way, first heard at sequence [1-9]' 5 ||
	fail "the new listener did not say it joined a session under way: $(cat "$T/far2.out")"
kill $send 2>/dev/null
wait $send
stop_relay far2
stop_relay near
kill $recv 2>/dev/null
wait $recv
# Nothing was lost on the tunnel after the restart, though the near end
# had sent hundreds before it; the near relay counted its failed sends.
[ "$(relay_get far2 0 '["lost"]')" = 0 ] || fail "far2 counts loss: $(cat "$T/far2.out")"
[ "$(relay_get far2 0 '["relayed"]')" -ge 100 ] || fail "far2 relayed: $(cat "$T/far2.out")"
[ "$(relay_get near 0 '["rejected"]["send_failed"]')" -gt 0 ] || fail "near send failures: $(cat "$T/near.out")"
[ "$(relay_get far1 0 '["rejected"]["send_failed"]')" -gt 0 ] || fail "far1 send failures: $(cat "$T/far1.out")"
exit 0
