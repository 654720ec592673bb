# mcast monitor --max-loss: a group that lost more than that makes the run
# exit 1 naming it, one that lost less does not; the text output off a
# terminal is one line per group per interval with the same loss.
. "$(dirname "$0")/lib.sh"
need_cmd nft nftables
topo_pair left right || skip "cannot create network namespaces"

# Every fifth probe to port 1600 dropped: 20% loss; port 1601 untouched.
drop_probes right 'numgen inc mod 5 0'
run() { # MAX_LOSS: the monitor over two groups, each fed 100 probes
	in_ns right mcast monitor --iface veth0 --interval-report 0.2 \
		--max-loss "$1" 239.1.4.1:1600 239.1.4.2:1601 >"$T/out" 2>"$T/err" &
	mon=$!
	wait_for "$T/err" '^monitoring 2 groups$' 5 || fail "monitor never joined: $(cat "$T/err")"
	for g in 239.1.4.1:1600 239.1.4.2:1601; do
		in_ns left mcast send --probe --iface veth0 --rate 1000 --count 100 $g \
			2>"$T/send.err" || fail "sender to $g: $(cat "$T/send.err")"
	done
	wait_until 5 _both_done || fail "the lines never showed all probes: $(tail -2 "$T/out")"
	kill -INT $mon
	wait $mon
}
_both_done() {
	tail -2 "$T/out" | grep -q '^[0-9.-]*s 239.1.4.1:1600 receiving .* lost 20 ' &&
		tail -2 "$T/out" | grep -q '^[0-9.-]*s 239.1.4.2:1601 receiving .* lost 0 '
}

run 25
rc=$?
[ $rc = 0 ] || fail "20% loss under --max-loss 25: exit $rc: $(cat "$T/err")"
run 10
rc=$?
[ $rc = 1 ] || fail "20% loss over --max-loss 10: exit $rc, want 1: $(cat "$T/err")"
grep -q '^mcast monitor: 239.1.4.1:1600: loss 20.000% (20 datagrams) exceeds --max-loss 10%$' "$T/err" ||
	fail "no verdict line: $(cat "$T/err")"
! grep -q '239.1.4.2:1601: loss' "$T/err" || fail "the clean group was blamed: $(cat "$T/err")"
exit 0
