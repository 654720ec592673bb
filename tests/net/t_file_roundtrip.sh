# A file goes through multicast byte for byte: A sends a 200 KB random file
# in 1000-byte datagrams, B writes the payloads (--format raw) to a file, and
# the two files are equal.  Then --lines: one datagram per line of stdin.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"

head -c 204800 /dev/urandom >"$T/sent"        # 204 full datagrams + one of 800

# 0.5 ms apart and a 4 MB receive buffer: B's socket cannot overflow.
in_ns right mcast recv --iface veth0 --format raw --count 205 --timeout 20 --rcvbuf 4M \
	239.1.2.3:1600 >"$T/received" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
in_ns left mcast send --iface veth0 --file "$T/sent" --size 1000 --interval 0.0005 \
	239.1.2.3:1600 2>"$T/send.err" || fail "sender failed: $(cat "$T/send.err")"
grep -q '^sent 205 datagrams (204800 bytes)$' "$T/send.err" ||
	fail "sender summary: $(cat "$T/send.err")"
wait $recv || fail "receiver exited $? (lost datagrams?): $(cat "$T/err")"
cmp "$T/sent" "$T/received" || fail "file changed in transit ($(wc -c <"$T/received") bytes received)"
grep -qE '^received 205 datagrams \(204800 bytes\) from 1 sources?$' "$T/err" ||
	fail "receiver summary: $(cat "$T/err")"

# --lines from stdin: each line one datagram, newline stripped.
in_ns right mcast recv --iface veth0 --format json --count 4 --timeout 30 \
	239.1.2.3:1600 >"$T/lines.json" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "lines: receiver never joined: $(cat "$T/err")"
printf 'alpha\nbeta gamma\nwith\ttab\nlast one\n' |
	in_ns left mcast send --iface veth0 --file - --lines --interval 0.01 239.1.2.3:1600 \
		2>"$T/send.err" || fail "lines: sender failed: $(cat "$T/send.err")"
grep -q '^sent 4 datagrams (31 bytes)$' "$T/send.err" ||
	fail "lines: sender summary: $(cat "$T/send.err")"
wait $recv || fail "lines: receiver exited $?: $(cat "$T/err")"
[ "$(json_get "$T/lines.json" '[r["data"] for r in d]')" = \
	"['alpha', 'beta gamma', 'with\ttab', 'last one']" ] ||
	fail "lines: got $(cat "$T/lines.json")"

# A line longer than --size ends the run: exit 1, one precise message
# (t_send_lines.sh has the rest).
printf 'ok\n%s\n' "$(printf '%050d' 0)" |
	in_ns left mcast send --iface veth0 --file - --lines --size 20 --interval 0 \
		239.1.2.3:1600 >"$T/out" 2>"$T/send.err"
rc=$?
[ $rc = 1 ] || fail "long line: exit $rc, expected 1: $(cat "$T/send.err")"
grep -q '^mcast send: line 2 is longer than the 20 bytes a --size 20 datagram carries; raise --size' "$T/send.err" ||
	fail "long line: message: $(cat "$T/send.err")"
exit 0
