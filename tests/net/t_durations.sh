# Every option that takes seconds has a documented maximum: at it the
# command runs, above it exit 2 with one line.  Waits are clamped where
# seconds become poll()'s int milliseconds: a --timeout of 10000000 s was
# undefined behaviour (on x86 a negative wait: forever), which a UBSan
# build (preset asan, with float-cast-overflow) reports.  And messages
# print the seconds given as plain decimals, never 1e-05.
. "$(dirname "$0")/lib.sh"
need_cmd ip iproute2
ip link set lo up || fail "cannot bring lo up"
cd "$T" || fail "no work directory"
G=239.1.2.3:1600
mcast keygen k.key 2>/dev/null || fail "keygen failed"

# limits OPTION MAX ABOVE ARGS...: mcast ARGS with OPTION MAX runs (stopped
# by SIGTERM after half a second: not exit 2, no complaint about a value);
# with OPTION ABOVE it exits 2 with one line naming OPTION and MAX.
limits() {
	local opt=$1 max=$2 above=$3 rc; shift 3
	timeout -s TERM 0.5 mcast "$@" "$opt" "$max" </dev/null >out 2>err
	rc=$?
	[ $rc != 2 ] && ! grep -q 'invalid value' err ||
		fail "mcast $* $opt $max: exit $rc: $(cat err)"
	grep -q 'runtime error' err && fail "mcast $* $opt $max: $(cat err)"
	timeout 5 mcast "$@" "$opt" "$above" </dev/null >out 2>err
	rc=$?
	[ $rc = 2 ] && [ "$(wc -l <err)" = 1 ] &&
		grep -q -- "'$above' for $opt: expected .* to $max " err ||
		fail "mcast $* $opt $above: exit $rc: $(cat err)"
}

limits --interval 86400 86401 send -i lo $G
limits --duration 10000000 10000001 send -i lo --probe --rate 10 $G
limits --timeout 10000000 10000001 recv -i lo $G
limits --interval-report 86400 86401 recv -i lo --stats $G
limits --rejoin 86400 86401 recv -i lo $G
limits --idle 86400 86401 recv -i lo $G
limits --max-age 86400 86401 recv -i lo --key k.key $G
limits --duration 10000000 10000001 ping -i lo --rate 10 $G
limits --duration 10000000 10000001 ping --respond -i lo $G
limits --wait 3600 3601 ping -i lo --count 1 $G
limits --max-age 86400 86401 ping -i lo --key k.key $G
limits --duration 3600 3601 bench --rate 1000
limits --interval 10 11 demo --count 2
limits --listen 3600 3601 doctor --iface lo --no-self-test $G

# The longest waits, interrupted after a second: a clean exit, no UBSan
# report (the old int conversion aborts an asan build here).  recv without
# --iface: with one it also wakes for link changes, and waits less.
ip route add 224.0.0.0/4 dev lo || fail "cannot add a multicast route"
timeout --preserve-status -s TERM 1 mcast recv --timeout 10000000 $G >out 2>err
rc=$?
grep -q 'runtime error' err && fail "recv --timeout 10000000: $(cat err)"
[ $rc = 1 ] && grep -q '^mcast recv: interrupted: no datagram arrived$' err ||
	fail "recv --timeout 10000000: exit $rc: $(cat err)"
timeout --preserve-status -s TERM 1 mcast ping --respond -i lo --duration 10000000 $G >out 2>err
rc=$?
grep -q 'runtime error' err && fail "ping --respond --duration 10000000: $(cat err)"
[ $rc = 0 ] && grep -q '^answered 0 pings$' err ||
	fail "ping --respond --duration 10000000: exit $rc: $(cat err)"

# Seconds in messages as they were given, not 1e-05 (a raw socket for
# the querier check: root in the namespace).
timeout 5 mcast doctor --iface lo --no-self-test --listen 0.00001 $G >out 2>err
grep -q 'querier: no querier heard in 0.00001 s on lo' out ||
	grep -q 'querier.*cannot listen' out ||
	fail "doctor --listen 0.00001: $(cat out err)"
exit 0
