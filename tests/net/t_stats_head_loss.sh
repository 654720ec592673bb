# Loss at the head of a stream (issue 13.2).  A receiver listening before
# the session began counts from sequence number 0: nftables in its
# namespace drops the first 99 of 100 probes and it reports lost 99 (it
# used to say received 1, lost 0, and --max-loss 0 passed), the first 5
# gives lost 5, and a head and a tail loss in one stream add up.  A
# receiver that joins a running session counts nothing sent before it
# joined as lost, and says it missed the head, and how much (first_seq).
. "$(dirname "$0")/lib.sh"
need_cmd nft nftables
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600

# The low 32 bits of a probe's seq (bytes 32..35) are @th,320,32.
dropped() { nft_count right lossy dropped; }
# run FMT: 100 probes to a receiver listening before they start; its
# summary in $T/out, its exit status in $rc.
run() {
	local recv
	in_ns right mcast recv --iface veth0 --stats --format "$1" --until-end --timeout 10 \
		--max-loss 0 $G >"$T/out" 2>"$T/err" &
	recv=$!
	wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
	in_ns left mcast send --iface veth0 --probe --count 100 --rate 1000 $G 2>"$T/send.err" ||
		fail "sender failed: $(cat "$T/send.err")"
	wait $recv; rc=$?
}
S='d[0]["sessions"][0]'
# check WHAT WANT_DROPPED WANT: "[received, lost, first_seq, total_sent, head]".
check() {
	[ "$(dropped)" = "$2" ] || fail "$1: nftables dropped $(dropped), expected $2"
	[ "$(json_get "$T/out" "[$S[k] for k in ('received', 'lost', 'first_seq', 'total_sent', 'head')]")" = "$3" ] ||
		fail "$1: received/lost/first_seq/total_sent/head not $3: $(cat "$T/out")"
	[ "$(json_get "$T/out" 'd[0]["totals"]["lost"]')" = "$(json_get "$T/out" "$S['lost']")" ] ||
		fail "$1: totals disagree: $(cat "$T/out")"
	[ $rc = 1 ] || fail "$1: --max-loss 0 with loss, but exit $rc: $(cat "$T/err")"
}

drop_probes right '@th,320,32 < 99'
run json
check "first 99 of 100" 99 "[1, 99, 99, 100, 'from_start']"

drop_probes right '@th,320,32 < 5'
run json
check "first 5" 5 "[95, 5, 5, 100, 'from_start']"
[ "$(json_get "$T/out" "$S['head_missed']")" = 0 ] || fail "from the start, yet a missed head: $(cat "$T/out")"

drop_probes right '@th,320,32 < 5 counter name dropped drop
		udp dport 1600 @th,104,8 1 @th,320,32 >= 95'
run json
check "head and tail" 10 "[90, 10, 5, 100, 'from_start']"

# The same in text: the total line says it.
drop_probes right '@th,320,32 < 99'
run text
grep -q '^total: received 1, lost 99 (99.00%)' "$T/out" || fail "text: want received 1, lost 99: $(cat "$T/out")"
[ $rc = 1 ] || fail "text: exit $rc, want 1"

# Joining a running session: a first receiver proves the stream runs, then
# a second one joins; nothing is dropped.
in_ns right nft flush ruleset
in_ns right mcast recv --iface veth0 --stats --format json --interval-report 0.1 \
	--until-end --timeout 20 $G >"$T/first.out" 2>"$T/first.err" &
first=$!
wait_for "$T/first.err" '^joined ' 5 || fail "first receiver never joined: $(cat "$T/first.err")"
in_ns left mcast send --iface veth0 --probe --count 600 --rate 200 $G 2>"$T/send.err" &
send=$!
wait_for "$T/first.out" '"type":"interval".*"received":[1-9]' 5 ||
	fail "the first receiver reported no probes: $(cat "$T/first.out")"
in_ns right mcast recv --iface veth0 --stats --format json --until-end --timeout 20 \
	--max-loss 0 $G >"$T/out" 2>"$T/err" &
late=$!
wait $send || fail "sender failed: $(cat "$T/send.err")"
wait $late || fail "late receiver exit $? (nothing was lost after it joined): $(cat "$T/out") $(cat "$T/err")"
wait $first || fail "first receiver exit $?: $(cat "$T/first.err")"
[ "$(json_get "$T/first.out" '[r["sessions"][0]["head"] for r in d if r["type"] == "summary"][0]')" = from_start ] ||
	fail "the first receiver was there from the start: $(grep summary "$T/first.out")"
got=$(json_get "$T/out" "[$S[k] for k in ('head', 'lost', 'total_sent')]")
[ "$got" = "['joined_late', 0, 600]" ] || fail "late receiver: head/lost/total_sent $got: $(cat "$T/out")"
missed=$(json_get "$T/out" "$S['head_missed']")
[ "$missed" -gt 0 ] && [ "$missed" = "$(json_get "$T/out" "$S['first_seq']")" ] &&
	[ "$(json_get "$T/out" "$S['received'] + $missed")" = 600 ] &&
	[ "$(json_get "$T/out" 'd[0]["totals"]["head_missed"]')" = "$missed" ] ||
	fail "late receiver: head_missed $missed is not first_seq, or received + missed != 600: $(cat "$T/out")"
exit 0
