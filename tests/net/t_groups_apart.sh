# Two groups share port 5000.  One receiver per group on the same host: each
# sees only its own group's datagrams (a socket bound to the port must not
# get traffic for groups that another socket joined: IP_MULTICAST_ALL=0).
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"

in_ns right mcast recv --iface veth0 --timeout 1.5 --format json 239.1.1.1:5000 \
	>"$T/one.out" 2>"$T/one.err" &
one=$!
in_ns right mcast recv --iface veth0 --timeout 1.5 --format json 239.1.1.2:5000 \
	>"$T/two.out" 2>"$T/two.err" &
two=$!
wait_for "$T/one.err" '^joined ' 5 || fail "receiver 1 never joined: $(cat "$T/one.err")"
wait_for "$T/two.err" '^joined ' 5 || fail "receiver 2 never joined: $(cat "$T/two.err")"

in_ns left mcast send --iface veth0 --count 2 --interval 0.02 239.1.1.1:5000 "for one" 2>/dev/null ||
	fail "sender to 239.1.1.1 failed"
in_ns left mcast send --iface veth0 --count 3 --interval 0.02 239.1.1.2:5000 "for two" 2>/dev/null ||
	fail "sender to 239.1.1.2 failed"

# Both run to their timeout; having received something, both exit 0.
wait $one || fail "receiver 1 exited $?: $(cat "$T/one.err")"
wait $two || fail "receiver 2 exited $?: $(cat "$T/two.err")"

[ "$(json_get "$T/one.out" '[(r["group"], r["data"]) for r in d]')" = \
	"[('239.1.1.1', 'for one'), ('239.1.1.1', 'for one')]" ] ||
	fail "receiver of 239.1.1.1 got: $(cat "$T/one.out")"
[ "$(json_get "$T/two.out" '[(r["group"], r["data"]) for r in d]')" = \
	"[('239.1.1.2', 'for two'), ('239.1.1.2', 'for two'), ('239.1.1.2', 'for two')]" ] ||
	fail "receiver of 239.1.1.2 got: $(cat "$T/two.out")"
exit 0
