# mcast talks to socat both ways: socat sends from 10.0.0.1:1501 into
# `mcast recv`, and `mcast send` feeds a socat that joined the group.
. "$(dirname "$0")/lib.sh"
need_cmd socat socat
topo_pair left right || skip "cannot create network namespaces"

# socat -> mcast recv
in_ns right mcast recv --iface veth0 --count 3 --timeout 30 --format json 239.1.2.3:1600 \
	>"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
for _ in 1 2 3; do
	# one socat per datagram: its stdin read boundaries must not merge them
	printf 'Hello World' | in_ns left socat -u - \
		UDP4-DATAGRAM:239.1.2.3:1600,ip-multicast-if=10.0.0.1,ip-multicast-ttl=1,bind=10.0.0.1:1501,reuseaddr ||
		fail "socat sender failed"
done
wait $recv || fail "mcast recv exited $? with socat as sender: $(cat "$T/err")"
[ "$(json_get "$T/out" '{(r["source"], r["source_port"], r["group"], r["port"], r["data"]) for r in d}')" = \
	"{('10.0.0.1', 1501, '239.1.2.3', 1600, 'Hello World')}" ] ||
	fail "wrong datagrams from socat: $(cat "$T/out")"
[ "$(json_get "$T/out" 'len(d)')" = 3 ] || fail "expected 3 records: $(cat "$T/out")"

# mcast send -> socat
in_ns right timeout 10 socat -u UDP4-RECV:1600,ip-add-membership=239.1.2.3:veth0,reuseaddr - \
	>"$T/socat.out" 2>"$T/socat.err" &
socat=$!
wait_joined right veth0 239.1.2.3 || fail "socat never joined: $(cat "$T/socat.err")"
in_ns left mcast send --iface veth0 --count 3 --interval 0.05 239.1.2.3:1600 $'Hello World\n' \
	2>"$T/send.err" || fail "mcast send failed: $(cat "$T/send.err")"
wait_lines "$T/socat.out" '^Hello World$' 3 5 ||
	fail "socat received $(count_in "$T/socat.out" '^Hello World$') of 3: $(cat "$T/socat.out")"
kill $socat
[ "$(wc -l <"$T/socat.out")" = 3 ] || fail "socat got extra data: $(cat "$T/socat.out")"
exit 0
