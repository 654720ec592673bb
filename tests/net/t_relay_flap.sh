# mcast relay rides out its links flapping: --to goes down and up (sends
# fail meanwhile: the relay says so, counts them and goes on), then --from
# does (the kernel keeps its memberships); probes sent after each flap
# arrive, and the relay still ends with status 0 and its summary.
. "$(dirname "$0")/lib.sh"
topo_line src relay dst || skip "cannot create network namespaces"
G=239.1.2.3:1600

start_relay r relay --from a0 --to b0 $G
in_ns dst mcast recv --iface veth0 --stats --until-end --format json \
	--timeout 30 $G >"$T/recv.out" 2>"$T/recv.err" &
recv=$!
wait_for "$T/recv.err" '^joined ' 5 || fail "receiver never joined"
in_ns src mcast send --probe --iface veth0 --ttl 5 --rate 200 --count 1200 \
	$G 2>"$T/send.err" &
send=$!
# The relay's counts come at its end: watch what leaves b0 instead.
b0_tx() { in_ns relay cat /sys/class/net/b0/statistics/tx_packets; }
before=$(b0_tx)
wait_until 10 eval '[ $(b0_tx) -ge $((before + 100)) ]' || fail "nothing relayed"
ip -n relay link set b0 down
wait_for "$T/r.out" '"event":"send_failed"' 10 || fail "no send_failed event: $(cat "$T/r.out" "$T/r.err")"
ip -n relay link set b0 up
wait_up relay b0
wait_up dst veth0
wait_for "$T/r.out" '"event":"send_resumed"' 10 || fail "no send_resumed event: $(cat "$T/r.out")"
ip -n relay link set a0 down
ip -n relay link set a0 up
wait_up relay a0
before=$(b0_tx)
wait_until 10 eval '[ $(b0_tx) -ge $((before + 100)) ]' || fail "nothing relayed after a0 flapped"
wait $send || fail "sender failed: $(cat "$T/send.err")"
wait $recv
one_session_intact "$T/recv.out" 1200
stop_relay r
[ "$(relay_get r 0 '["rejected"]["send_failed"]')" -gt 0 ] || fail "no failed sends counted: $(cat "$T/r.out")"
got=$(summary_get "$T/recv.out" '["totals"]["received"]')
[ "$got" -gt 400 ] || fail "only $got probes arrived: $(cat "$T/recv.out")"
exit 0
