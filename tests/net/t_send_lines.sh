# send --file F --lines reads one datagram's worth at a time and fails as
# plain --file does: lines arrive one per datagram; a line longer than a
# datagram carries exits 1 naming the line, the limit and the fix, with the
# lines before it sent; /dev/zero (no newline at all) ends at once in
# bounded memory; a read error exits 1 instead of "sent 0 datagrams".
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600

# recv_lines N: a receiver of N datagrams as JSON in $T/got.json.
recv_lines() {
	in_ns right mcast recv --iface veth0 --format json --count "$1" --timeout 10 \
		$G >"$T/got.json" 2>"$T/recv.err" &
	recv=$!
	wait_for "$T/recv.err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/recv.err")"
}

# Each line one datagram, the last one without its newline too.
recv_lines 3
printf 'one\n\nthree' | in_ns left mcast send --iface veth0 --file - --lines \
	--interval 0.01 $G 2>"$T/err" || fail "lines: exit $?: $(cat "$T/err")"
wait $recv || fail "lines: receiver exit $?: $(cat "$T/recv.err")"
[ "$(json_get "$T/got.json" '[r["data"] for r in d]')" = "['one', '', 'three']" ] ||
	fail "lines: got $(cat "$T/got.json")"

# A line of exactly --size bytes fits; one byte more does not, and the
# lines before it have been sent.
recv_lines 2
printf '%s\nok\n%s\nnever\n' "$(printf '%020d' 0)" "$(printf '%3000d' 0)" |
	in_ns left mcast send --quiet --iface veth0 --file - --lines --size 20 \
		--interval 0.01 $G >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "long line: exit $rc, expected 1: $(cat "$T/err")"
[ "$(cat "$T/err")" = "mcast send: line 3 is longer than the 20 bytes a --size 20 datagram carries; raise --size (at most 65507) or split the line" ] ||
	fail "long line: message: $(cat "$T/err")"
wait $recv || fail "long line: receiver exit $?: $(cat "$T/recv.err")"
[ "$(json_get "$T/got.json" '[len(r["data"]) for r in d]')" = "[20, 2]" ] ||
	fail "long line: got $(cat "$T/got.json")"

# /dev/zero has no newline: the first line is too long, found after one
# datagram's worth.  SIGKILL after 5 s: the old reader ignored SIGTERM
# while it grew (24 GB in 10 minutes).
time_cmd=()
[ -x /usr/bin/time ] && time_cmd=(/usr/bin/time -o "$T/rss" -f %M)
in_ns left "${time_cmd[@]}" timeout -s KILL 5 mcast send --quiet --iface veth0 \
	--file /dev/zero --lines $G >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "/dev/zero: exit $rc, expected 1: $(cat "$T/err")"
grep -q '^mcast send: line 1 is longer than the 1400 bytes a --size 1400 datagram carries; raise --size' \
	"$T/err" || fail "/dev/zero: message: $(cat "$T/err")"
if [ -s "$T/rss" ]; then # peak RSS in KB; an ASan build needs tens of MB
	[ "$(tail -1 "$T/rss")" -lt 150000 ] || fail "/dev/zero: peak RSS $(tail -1 "$T/rss") KB"
fi

# A read error (reading /proc/self/mem at offset 0 fails with EIO) ends
# the run with exit 1, as it does without --lines.
for lines in --lines ""; do
	in_ns left timeout 5 mcast send --quiet --iface veth0 --file /proc/self/mem \
		$lines $G >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 1 ] || fail "read error $lines: exit $rc, expected 1: $(cat "$T/err")"
	[ "$(cat "$T/err")" = "mcast send: reading /proc/self/mem: Input/output error" ] ||
		fail "read error $lines: message: $(cat "$T/err")"
done
exit 0
