# Bursts larger than one send batch: --burst up to 1024 sends every probe,
# with and without segmentation (--gso), and the receiver counts them all.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600

for args in "--burst 100" "--burst 1024 --gso" "--rate max --gso" "--rate max"; do
	in_ns right mcast recv --iface veth0 --stats --format json --until-end \
		--rcvbuf 8M --timeout 20 $G >"$T/out" 2>"$T/err" &
	recv=$!
	wait_for "$T/err" '^joined ' 5 || fail "$args: receiver never joined: $(cat "$T/err")"
	rate="--rate 20000"
	case "$args" in *"--rate max"*) rate= ;; esac
	in_ns left mcast send --iface veth0 --probe $rate --count 3000 $args $G 2>"$T/send.err" ||
		fail "$args: sender exit $?: $(cat "$T/send.err")"
	wait $recv || fail "$args: receiver exit $?: $(cat "$T/err")"
	[ "$(json_get "$T/out" 'd[0]["totals"]["received"]')" = 3000 ] ||
		fail "$args: received $(json_get "$T/out" 'd[0]["totals"]["received"]') of 3000: $(cat "$T/out")"
	[ "$(json_get "$T/out" 'd[0]["totals"]["lost"]')" = 0 ] || fail "$args: loss: $(cat "$T/out")"
done
exit 0
