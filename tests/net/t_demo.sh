# `mcast demo` is the tutorial on lo: in a namespace with only lo up and no
# multicast route it gets its three "Hello World"s; with lo down it says so.
. "$(dirname "$0")/lib.sh"
new_host lonely || skip "cannot create network namespaces"
ip -n lonely route show | grep -q . && fail "the namespace should have no routes"

in_ns lonely timeout 10 mcast demo >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || fail "demo with lo up: exit $rc: $(cat "$T/err")"
for line in 'We got data!' 'FROM: 127.0.0.1:1501' 'DATA: Hello World'; do
	n=$(grep -cxF "$line" "$T/out")
	[ "$n" = 3 ] || fail "demo: '$line' printed $n times, expected 3:
$(cat "$T/out")"
done
[ "$(wc -l <"$T/out")" = 9 ] || fail "demo: unexpected output: $(cat "$T/out")"
# Its messages carry the prefix of every other one.
[ "$(cat "$T/err")" = "mcast demo: joined 224.168.2.9:1600 on lo; sending 3 datagrams from 127.0.0.1:1501 with TTL 255
mcast demo: 3 of 3 datagrams arrived" ] || fail "demo: messages: $(cat "$T/err")"

ip -n lonely link set lo down
in_ns lonely timeout 10 mcast demo >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "demo with lo down: exit $rc, expected 1: $(cat "$T/err")"
grep -q '^mcast demo: interface lo is down; bring it up with: ip link set lo up$' "$T/err" ||
	fail "demo with lo down: message: $(cat "$T/err")"
exit 0
