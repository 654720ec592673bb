# Two hosts on one veth pair, IPv4: B joins 239.1.2.3:1600 on veth0, A sends
# "Hello World" three times; B gets all three, from 10.0.0.1, and says so in
# the text format of the spec.
. "$(dirname "$0")/lib.sh"          # re-runs itself in a fresh namespace; trap tears down
topo_pair left right || skip "cannot create network namespaces"

in_ns right mcast recv --iface veth0 --count 3 --timeout 30 239.1.2.3:1600 \
	>"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
grep -q '^joined 239\.1\.2\.3:1600 on veth0$' "$T/err" ||
	fail "unexpected join line: $(grep '^joined' "$T/err")"

in_ns left mcast send --iface veth0 --count 3 --interval 0.05 \
	239.1.2.3:1600 "Hello World" 2>"$T/send.err" || fail "sender failed: $(cat "$T/send.err")"
grep -q '^sending to 239\.1\.2\.3:1600 from 10\.0\.0\.1:[0-9]* on veth0 ttl 1$' "$T/send.err" ||
	fail "no 'sending to' line: $(cat "$T/send.err")"
grep -q '^sent 3 datagrams (33 bytes)$' "$T/send.err" ||
	fail "no 'sent 3 datagrams (33 bytes)' line: $(cat "$T/send.err")"

wait $recv || fail "receiver exited $? (fewer than 3 datagrams?): $(cat "$T/err")"

# HH:MM:SS.uuuuuu SRC:SPORT -> GROUP:PORT IFNAME ttl=N len=L PAYLOAD
line='^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} 10\.0\.0\.1:[0-9]+ -> 239\.1\.2\.3:1600 veth0 ttl=1 len=11 Hello World$'
n=$(count_in "$T/out" "$line")
[ "$n" = 3 ] || fail "expected 3 datagram lines from 10.0.0.1, got $n:
$(cat "$T/out")"
[ "$(wc -l <"$T/out")" = 3 ] || fail "extra output on stdout: $(cat "$T/out")"
grep -qE '^received 3 datagrams \(33 bytes\) from 1 sources?$' "$T/err" ||
	fail "no summary line: $(cat "$T/err")"
exit 0
