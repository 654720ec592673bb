# The receiver's exit status: 0 when --count is reached; on --timeout or
# SIGINT, 1 if --count was given and not reached or nothing arrived at all,
# else 0.  Every ending prints the summary line on stderr.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"

# start_recv ARGS...: receiver on B in the background, $recv its pid.  Async
# commands start with SIGINT ignored; env restores the default, as a shell
# user pressing ^C would have it.
start_recv() {
	: >"$T/out"; : >"$T/err"
	in_ns right env --default-signal=INT,TERM \
		mcast recv --iface veth0 "$@" 239.1.2.3:1600 >"$T/out" 2>"$T/err" &
	recv=$!
	wait_for "$T/err" '^joined ' 5 || fail "$*: receiver never joined: $(cat "$T/err")"
}
send() {
	in_ns left mcast send --iface veth0 --count "$1" --interval 0.02 239.1.2.3:1600 \
		2>/dev/null || fail "sender failed"
}
# expect_exit CODE WHAT: wait for the receiver, check its status and summary.
expect_exit() {
	wait $recv
	local rc=$?
	[ $rc = "$1" ] || fail "$2: exit $rc, expected $1; stderr: $(cat "$T/err")"
	grep -qE '^received [0-9]+ datagrams? \([0-9]+ bytes\) from [0-9]+ sources?$' "$T/err" ||
		fail "$2: no summary line on stderr: $(cat "$T/err")"
}

start_recv --count 2 --timeout 5
send 2
expect_exit 0 "--count reached"
grep -qE '^received 2 datagrams \(22 bytes\) from 1 sources?$' "$T/err" ||
	fail "--count reached: wrong summary: $(cat "$T/err")"

# The receiver's timeout runs from its join, and both datagrams must come
# before it: under load, starting the sender took more than 1 s.
start_recv --count 3 --timeout 5
send 2
expect_exit 1 "--timeout with --count unmet"
grep -q '^mcast recv: timeout: received 2 of 3 datagrams$' "$T/err" ||
	fail "--count unmet: no 'received 2 of 3' message: $(cat "$T/err")"

start_recv --timeout 0.5
expect_exit 1 "--timeout with nothing"
grep -q '^mcast recv: timeout: no datagram arrived' "$T/err" ||
	fail "nothing arrived: no 'no datagram arrived' message: $(cat "$T/err")"

start_recv --timeout 5
send 2
expect_exit 0 "--timeout without --count after 2 datagrams"

# SIGINT follows the timeout's rule.
start_recv --count 5 --timeout 10
send 2
wait_lines "$T/out" 'Hello World$' 2 5 || fail "SIGINT case: datagrams not printed"
kill -INT $recv
expect_exit 1 "SIGINT with --count unmet"
grep -qE '^received 2 datagrams \(22 bytes\) from 1 sources?$' "$T/err" ||
	fail "SIGINT: wrong summary: $(cat "$T/err")"

start_recv --timeout 10
send 2
wait_lines "$T/out" 'Hello World$' 2 5 || fail "SIGINT case: datagrams not printed"
kill -INT $recv
expect_exit 0 "SIGINT without --count after 2 datagrams"

start_recv --timeout 10
kill -INT $recv
expect_exit 1 "SIGINT with nothing received"

start_recv --timeout 10
send 1
wait_lines "$T/out" 'Hello World$' 1 5 || fail "SIGTERM case: datagram not printed"
kill -TERM $recv
expect_exit 0 "SIGTERM without --count after a datagram"

# No --iface and no route for the group: the join fails (ENODEV), exit 1.
in_ns right mcast recv --timeout 1 239.1.2.3:1600 >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "join without route: exit $rc, expected 1: $(cat "$T/err")"
grep -qE '^mcast recv: cannot join 239\.1\.2\.3:1600: .*try --iface NAME$' "$T/err" ||
	fail "join without route: message: $(cat "$T/err")"
exit 0
