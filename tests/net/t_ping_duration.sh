# --duration bounds every pinger: with no responder, the closed loop
# (--pingpong, one ping per --wait) once ran until killed because its
# schedule, not the clock, was checked against --duration.  Each run must
# end within --duration + --wait (plus slack for a loaded machine) and
# exit 1, nobody having answered.
. "$(dirname "$0")/lib.sh"
topo_pair pinger other || skip "cannot create network namespaces"
G=239.1.2.3:1600

# bounded NAME LIMIT_MS ARGS...: ping with ARGS ends within LIMIT_MS, exit 1
bounded() {
	local name=$1 limit=$2 start ms rc
	shift 2
	start=$(_now_us)
	timeout 20 in_ns pinger mcast ping --iface veth0 "$@" $G >"$T/out" 2>"$T/err"
	rc=$?
	ms=$((($(_now_us) - start) / 1000))
	[ $rc = 1 ] || fail "$name: exit $rc, expected 1 (took $ms ms): $(cat "$T/err")"
	grep -q 'no responder answered' "$T/err" || fail "$name: no verdict: $(cat "$T/err")"
	[ $ms -le "$limit" ] || fail "$name: took $ms ms, want at most $limit"
	[ $ms -ge 2000 ] || fail "$name: took $ms ms, ended before --duration"
}

bounded "pingpong, rate 100" 4000 --pingpong --rate 100 --duration 2 --wait 0.5
bounded "pingpong, wait 5" 8500 --pingpong --duration 2 --wait 5
bounded "open loop, rate 100" 4000 --rate 100 --duration 2 --wait 0.5
exit 0
