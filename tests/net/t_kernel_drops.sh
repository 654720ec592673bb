# Honest drop accounting: a receiver stopped (SIGSTOP) for half a second
# under load overflows its small receive buffer.  The datagrams that
# arrive after it resumes carry the kernel's overflow count (SO_RXQ_OVFL),
# and the summary reports exactly as many kernel drops of probes as
# sequence gaps (an end-of-stream marker dropped too is set apart):
# the loss happened on this host, not on the network.  The drops belong
# to the socket of the group's port, not to the idle one of another
# port: the summary lists each socket's.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600

in_ns right mcast recv --iface veth0 --stats --format json --until-end \
	--rcvbuf 64K --timeout 20 $G 239.1.2.4:1700 >"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
in_ns left mcast send --iface veth0 --probe --rate 20000 --duration 2 --size 200 $G \
	2>"$T/send.err" &
send=$!
sleep 0.5	# the stop must fall inside the stream
kill -STOP $recv
sleep 0.5	# this is the fault under test: half a second unread
kill -CONT $recv
wait $send || fail "sender exit $?: $(cat "$T/send.err")"
wait $recv || fail "receiver exit $?: $(cat "$T/err")"

lost=$(json_get "$T/out" 'd[0]["totals"]["lost"]')
drops=$(json_get "$T/out" 'd[0]["totals"]["kernel_drops_data"]')
[ "$lost" -gt 1000 ] || fail "expected a long gap while stopped, lost $lost: $(cat "$T/out")"
[ "$drops" = "$lost" ] || fail "kernel drops $drops, sequence gaps $lost: $(cat "$T/out")"
[ "$(json_get "$T/out" 'd[0]["totals"]["network_lost"]')" = 0 ] ||
	fail "network_lost not 0: $(cat "$T/out")"
[ "$(json_get "$T/out" 'd[0]["totals"]["kernel_drops_unit"]')" = datagrams ] ||
	fail "unit not datagrams: $(cat "$T/out")"
[ "$(json_get "$T/out" '[(s["port"], s["kernel_drops"]) for s in d[0]["sockets"]]')" = \
	"[(1600, $(json_get "$T/out" 'd[0]["totals"]["kernel_drops"]')), (1700, 0)]" ] ||
	fail "drops not per socket: $(cat "$T/out")"
exit 0
