# Two groups share port 5000.  One receiver per group on the same host: each
# sees only its own group's datagrams (a socket bound to the port must not
# get traffic for groups that another socket joined: IP_MULTICAST_ALL=0).
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"

# Each receiver ends by --count on a last datagram "end" sent to its group
# after both groups' data, so what leaked from the other group comes before
# it and is counted (a 1.5 s timeout of their own ran out under load
# before the senders were done).
in_ns right mcast recv --iface veth0 --count 3 --timeout 60 --format json 239.1.1.1:5000 \
	>"$T/one.out" 2>"$T/one.err" &
one=$!
in_ns right mcast recv --iface veth0 --count 4 --timeout 60 --format json 239.1.1.2:5000 \
	>"$T/two.out" 2>"$T/two.err" &
two=$!
wait_for "$T/one.err" '^joined ' 5 || fail "receiver 1 never joined: $(cat "$T/one.err")"
wait_for "$T/two.err" '^joined ' 5 || fail "receiver 2 never joined: $(cat "$T/two.err")"

send() { in_ns left mcast send --iface veth0 --interval 0.02 "$@" 2>/dev/null || fail "sender $* failed"; }
send --count 2 239.1.1.1:5000 "for one"
send --count 3 239.1.1.2:5000 "for two"
send --count 1 239.1.1.1:5000 end
send --count 1 239.1.1.2:5000 end

wait $one || fail "receiver 1 exited $?: $(cat "$T/one.err")"
wait $two || fail "receiver 2 exited $?: $(cat "$T/two.err")"

[ "$(json_get "$T/one.out" '[(r["group"], r["data"]) for r in d]')" = \
	"[('239.1.1.1', 'for one'), ('239.1.1.1', 'for one'), ('239.1.1.1', 'end')]" ] ||
	fail "receiver of 239.1.1.1 got: $(cat "$T/one.out")"
[ "$(json_get "$T/two.out" '[(r["group"], r["data"]) for r in d]')" = \
	"[('239.1.1.2', 'for two'), ('239.1.1.2', 'for two'), ('239.1.1.2', 'for two'), ('239.1.1.2', 'end')]" ] ||
	fail "receiver of 239.1.1.2 got: $(cat "$T/two.out")"
exit 0
