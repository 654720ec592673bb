# Two relays facing each other between two links: r1 carries link A's
# group to link B, r2 carries link B's back to A.  Without memory of what
# it relayed, r1 would send r2's copy out again and the datagrams would
# circle until their TTL ran out; with it the receiver on B gets each
# probe once, and r1 counts every copy that came back as seen.
. "$(dirname "$0")/lib.sh"
need_cmd bridge iproute2
G=239.1.2.3:1600

# plug NS IF SWITCH ADDR4 ADDR6: a veth from NS (named IF) into SWITCH's br0.
plug() {
	ip link add "$2" netns "$1" type veth peer name "$1-$2" netns "$3" &&
		ip -n "$3" link set "$1-$2" master br0 up &&
		ip -n "$1" addr add "$4" dev "$2" &&
		ip -n "$1" addr add "$5" dev "$2" nodad &&
		ip -n "$1" link set "$2" up
}
for sw in swa swb; do
	new_host $sw && ip -n $sw link add br0 type bridge mcast_snooping 0 &&
		ip -n $sw link set br0 up || skip "cannot create network namespaces"
done
for h in src dst r1 r2; do new_host $h || skip "cannot create network namespaces"; done
plug src veth0 swa 10.0.1.1/24 fd01::1/64 &&
	plug r1 la swa 10.0.1.11/24 fd01::11/64 && plug r2 la swa 10.0.1.12/24 fd01::12/64 &&
	plug r1 lb swb 10.0.2.11/24 fd02::11/64 && plug r2 lb swb 10.0.2.12/24 fd02::12/64 &&
	plug dst veth0 swb 10.0.2.3/24 fd02::3/64 || fail "cannot build the links"
for p in src:veth0 r1:la r2:la r1:lb r2:lb dst:veth0; do wait_up "${p%%:*}" "${p#*:}"; done
for p in src-veth0 r1-la r2-la; do wait_until 5 bridge_fwd swa "$p" || fail "$p not forwarding"; done
for p in r1-lb r2-lb dst-veth0; do wait_until 5 bridge_fwd swb "$p" || fail "$p not forwarding"; done

start_relay r1 r1 --from la --to lb $G
start_relay r2 r2 --from lb --to la $G
in_ns dst mcast recv --iface veth0 --stats --until-end --format json \
	--timeout 20 $G >"$T/recv.out" 2>"$T/recv.err" &
recv=$!
wait_for "$T/recv.err" '^joined ' 5 || fail "receiver never joined"
in_ns src mcast send --probe --iface veth0 --ttl 64 --count 300 --rate 1000 \
	$G 2>"$T/send.err" || fail "sender failed: $(cat "$T/send.err")"
wait $recv || fail "receiver exited $?: $(cat "$T/recv.out")"
one_session_intact "$T/recv.out" 300
stop_relay r1
stop_relay r2
# r1 relayed each probe and end marker once; r2's copies came back to it.
[ "$(relay_get r1 0 '["relayed"]')" = 303 ] || fail "r1 relayed: $(cat "$T/r1.out")"
[ "$(relay_get r1 0 '["dropped"]["seen"]')" = 303 ] || fail "r1 seen: $(cat "$T/r1.out")"
[ "$(relay_get r2 0 '["relayed"]')" = 303 ] || fail "r2 relayed: $(cat "$T/r2.out")"
exit 0
