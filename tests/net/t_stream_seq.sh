# A feed with its own sequence numbers (64-bit big-endian at offset 10,
# peers/seqfeed.py), read with --stream seq:10:8: loss, duplicates and
# reordering exact, in JSON and in the text table.  Sent in this order:
#   1000-1009  1012-1019     1010 and 1011 never sent: lost 2
#   1020 1020  1021-1029     1020 twice: 1 duplicate
#   1030-1039  1041 1040     1040 after 1041: reordered 1
#   1042-1098  1030  1099    1030 again, long after: 1 duplicate
# 98 distinct numbers arrive (--count 98 ends the run), 2 duplicates.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1700

# run FORMAT [ARGS...]: the receiver in `right`, the feed from `left`;
# the receiver's exit status in $rc.
run() {
	local f=$1
	shift
	in_ns right mcast recv --iface veth0 --stream seq:10:8 --format "$f" \
		--count 98 --timeout 20 "$@" $G >"$T/$f.out" 2>"$T/$f.err" &
	recv=$!
	wait_for "$T/$f.err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/$f.err")"
	in_ns left python3 "$NET_DIR/peers/seqfeed.py" --iface-addr 10.0.0.1 \
		--bind-port 1701 239.1.2.3 1700 1000-1009 1012-1019 1020 1020 \
		1021-1039 1041 1040 1042-1098 1030 1099 2>"$T/feed.err" ||
		fail "feed failed: $(cat "$T/feed.err")"
	wait $recv
	rc=$?
}
run json
[ $rc = 0 ] || fail "receiver exit $rc: $(cat "$T/json.err")"
expect() {
	local got
	got=$(json_get "$T/json.out" "(lambda s: $2)(d[-1])") || fail "$1: cannot evaluate $2"
	[ "$got" = "$3" ] || fail "$1: got $got, expected $3; summary: $(cat "$T/json.out")"
}
S='s["sessions"][0]'
expect "one session" 'len(s["sessions"])' 1
expect "identity" "[${S}[k] for k in ('source', 'source_port', 'probe', 'stream')]" \
	"['10.0.0.1', 1701, False, 'seq']"
expect "numbers" "[${S}[k] for k in ('first_seq', 'max_seq')]" "[1000, 1099]"
expect "counters" "[${S}[k] for k in ('received', 'lost', 'duplicates', 'reordered', 'late')]" \
	"[98, 2, 2, 1, 0]"
expect "loss_pct" "${S}['loss_pct']" 2.0
expect "totals" "[s['totals'][k] for k in ('received', 'lost', 'duplicates', 'reordered', 'sessions')]" \
	"[98, 2, 2, 1, 1]"

# --max-loss and --expect judge the feed's numbers: 2 of 100 lost.
run text --max-loss 1.5 --expect 99
[ $rc = 1 ] || fail "receiver exit $rc with --max-loss 1.5 --expect 99, expected 1: $(cat "$T/text.err")"
grep -q 'loss 2\.000% (2 datagrams) exceeds --max-loss 1\.5% by 0\.500 points$' "$T/text.err" ||
	fail "no --max-loss verdict: $(cat "$T/text.err")"
grep -q 'expected 99 datagrams, received 98 (1 short)$' "$T/text.err" ||
	fail "no --expect verdict: $(cat "$T/text.err")"
grep -q '^seq 10.0.0.1:1701 -> 239.1.2.3:1700: seq 1000..1099, received 98, lost 2 (2.00%), duplicates 2, reordered 1, late 0$' \
	"$T/text.out" || fail "no seq line in the text summary: $(cat "$T/text.out")"
grep -q '^total: received 98, lost 2 (2.00%), duplicates 2, reordered 1,' "$T/text.out" ||
	fail "totals: $(cat "$T/text.out")"
exit 0
