# A multicast router between two links: A -- R -- B, with R forwarding
# 239.1.2.3 from A's link to B's (smcrouted, a static (S,G) route, all in
# R's namespace).  A probe sent with --ttl 2 crosses R and arrives with TTL
# 1: plain recv shows "ttl":1 and --stats counts one hop.  With --ttl 1 the
# router must not forward: B hears nothing and times out with exit 1.
. "$(dirname "$0")/lib.sh"
need_cmd smcrouted smcroute
G=239.1.2.3:1600

# link NS IF ADDR: bring up one end of a veth with ADDR/24.
link() { ip -n "$1" addr add "$3/24" dev "$2" && ip -n "$1" link set "$2" up; }
new_host A && new_host R && new_host B || skip "cannot create network namespaces"
ip link add veth0 netns A type veth peer name veth_a netns R &&
	ip link add veth0 netns B type veth peer name veth_b netns R &&
	link A veth0 10.0.1.1 && link R veth_a 10.0.1.254 &&
	link R veth_b 10.0.2.254 && link B veth0 10.0.2.1 || fail "cannot build A - R - B"
wait_up A veth0; wait_up R veth_a; wait_up R veth_b; wait_up B veth0
in_ns R sysctl -qw net.ipv4.ip_forward=1 || fail "cannot enable forwarding in R"

cat >"$T/smcroute.conf" <<CONF
phyint veth_a enable
phyint veth_b enable
mroute from veth_a source 10.0.1.1 group 239.1.2.3 to veth_b
CONF
# Foreground, every file in $T: nothing outside R's namespace is touched.
in_ns R smcrouted -n -N -l debug -f "$T/smcroute.conf" -u "$T/smcroute.sock" \
	-P "$T/smcroute.pid" >"$T/smcroute.log" 2>&1 &
smcrouted=$!
_routed() { ip -n R mroute show 2>/dev/null | grep -q '(10\.0\.1\.1,239\.1\.2\.3).*Oifs: veth_b'; }
wait_until 5 _routed || skip "no multicast routing here (CONFIG_IP_MROUTE?): $(cat "$T/smcroute.log")"

# recv_b ARGS...: receiver on B in the background, $recv its pid.
recv_b() {
	in_ns B mcast recv --iface veth0 "$@" $G >"$T/out" 2>"$T/err" &
	recv=$!
	wait_for "$T/err" '^joined ' 5 || fail "receiver on B never joined: $(cat "$T/err")"
}
send_a() {
	in_ns A mcast send --iface veth0 --probe --rate 100 "$@" $G 2>"$T/send.err" ||
		fail "sender on A failed: $(cat "$T/send.err")"
}

recv_b --format json --count 5 --timeout 30
send_a --count 5 --ttl 2
wait $recv || fail "--ttl 2: B did not get 5 datagrams through R: $(cat "$T/err")"
[ "$(json_get "$T/out" 'sorted({(r["source"], r["ttl"]) for r in d})')" = "[('10.0.1.1', 1)]" ] ||
	fail "--ttl 2: expected ttl 1 from 10.0.1.1 after one router: $(cat "$T/out")"

recv_b --format json --timeout 1.5
send_a --count 5 --ttl 1
wait $recv && fail "--ttl 1: receiver exited 0, datagrams crossed the router: $(cat "$T/out")"
[ -s "$T/out" ] && fail "--ttl 1: the router forwarded TTL 1 datagrams: $(cat "$T/out")"
grep -q 'no datagram arrived' "$T/err" || fail "--ttl 1: no 'no datagram arrived': $(cat "$T/err")"

recv_b --stats --format json --until-end --timeout 10
send_a --count 20 --ttl 2
wait $recv || fail "--stats: receiver exit $?: $(cat "$T/err")"
sum() { json_get "$T/out" "[r for r in d if r['type'] == 'summary'][0]$1"; }
[ "$(sum '["ended_by"]')" = "end of stream" ] || fail "--stats: ended_by $(sum '["ended_by"]'): $(cat "$T/out")"
[ "$(sum '["sessions"][0]["hops"]')" = 1 ] || fail "--stats: hops is not 1: $(cat "$T/out")"
[ "$(sum '["sessions"][0]["received"]') $(sum '["sessions"][0]["lost"]')" = "20 0" ] ||
	fail "--stats: received/lost not 20/0: $(cat "$T/out")"
kill $smcrouted
exit 0
