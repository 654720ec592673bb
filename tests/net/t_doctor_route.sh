# mcast doctor on a host with only lo up and no multicast route, no --iface:
# the route check fails with the fix (give --iface or add a route), the
# self-test's join fails with ENODEV in words, and the exit status is 1.
# The CLI's own join error points to doctor.
. "$(dirname "$0")/lib.sh"
new_host alone || skip "cannot create network namespaces"

# expect_check FILE STATUS NAME PHRASE: a line "STATUS  NAME: ...PHRASE...".

timeout 10 in_ns alone mcast doctor >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "no route: exit $rc, expected 1: $(cat "$T/out" "$T/err")"
[ ! -s "$T/err" ] || fail "no route: wrote to stderr: $(cat "$T/err")"
grep -q '^checking 239\.255\.0\.1:5000 (the default group' "$T/out" ||
	fail "the default group is not announced: $(cat "$T/out")"
expect_check "$T/out" fail route 'no multicast route for 239\.255\.0\.1.*ENODEV.*; give --iface IF or add a route: ip route add 224\.0\.0\.0/4 dev IF$'
expect_check "$T/out" skip iface-up 'no interface'
expect_check "$T/out" fail self-test 'join failed with No such device: no multicast route'
grep -qE '^verdict: fail: .*fix first: route, self-test' "$T/out" ||
	fail "verdict line: $(tail -1 "$T/out")"

# An IPv6 group, given explicitly: the same diagnosis, with the -6 route.
timeout 10 in_ns alone mcast doctor '[ff15::1]:5000' >"$T/out" 2>&1
rc=$?
[ $rc = 1 ] || fail "no route (IPv6): exit $rc: $(cat "$T/out")"
grep -q '^checking \[ff15::1\]:5000$' "$T/out" || fail "IPv6 header: $(head -1 "$T/out")"
expect_check "$T/out" fail route 'ip -6 route add ff00::/8 dev IF'

# Adding the route the fix names makes the route check pass.
ip -n alone route add 224.0.0.0/4 dev lo || fail "cannot add the route"
timeout 10 in_ns alone mcast doctor --no-self-test >"$T/out" 2>&1
expect_check "$T/out" ok route 'the route for 239\.255\.0\.1 goes via lo'

# The CLI's join error names doctor and still ends in "try --iface NAME".
ip -n alone route del 224.0.0.0/4 dev lo
in_ns alone mcast recv --timeout 1 239.1.2.3:1600 >/dev/null 2>"$T/err"
grep -qE '^mcast recv: cannot join 239\.1\.2\.3:1600: .*`mcast doctor GROUP:PORT`.*; try --iface NAME$' "$T/err" ||
	fail "recv's join error does not point to doctor: $(cat "$T/err")"
exit 0
