# One receiver, three groups: two IPv4 groups on different ports and one
# IPv6 group.  Two datagrams to each; the receiver gets all six and its json
# names the right group and port for each.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"

in_ns right mcast recv --iface veth0 --count 6 --timeout 30 --format json \
	239.1.1.1:5000 239.1.1.2:5001 '[ff15::1]:5002' >"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
[ "$(grep -c '^joined ' "$T/err")" = 1 ] || fail "more than one joined line: $(cat "$T/err")"
grep -q '^joined 239\.1\.1\.1:5000 on veth0, 239\.1\.1\.2:5001 on veth0, \[ff15::1\]:5002 on veth0$' "$T/err" ||
	fail "unexpected join line: $(grep '^joined' "$T/err")"

for target in 239.1.1.1:5000 239.1.1.2:5001 '[ff15::1]:5002'; do
	in_ns left mcast send --iface veth0 --count 2 --interval 0.02 "$target" "to $target" \
		2>"$T/send.err" || fail "sender to $target failed: $(cat "$T/send.err")"
done
wait $recv || fail "receiver exited $? (fewer than 6 datagrams?): $(cat "$T/err")"

got=$(json_get "$T/out" 'sorted((r["group"], r["port"], r["data"]) for r in d)')
want="[('239.1.1.1', 5000, 'to 239.1.1.1:5000'), ('239.1.1.1', 5000, 'to 239.1.1.1:5000'), \
('239.1.1.2', 5001, 'to 239.1.1.2:5001'), ('239.1.1.2', 5001, 'to 239.1.1.2:5001'), \
('ff15::1', 5002, 'to [ff15::1]:5002'), ('ff15::1', 5002, 'to [ff15::1]:5002')]"
[ "$got" = "$want" ] || fail "wrong records:
 got  $got
 want $want"
[ "$(json_get "$T/out" '{r["source"] for r in d} == {"10.0.0.1", "fd00::1"}')" = True ] ||
	fail "wrong sources: $(cat "$T/out")"
exit 0
