# mcast bench --stream: the sender fills datagrams with valid RTP, MPEG-TS
# or MPEG-TS over RTP, the receiver analyzes them; paced well below what a
# loaded machine does, nothing is lost, the continuity counters run on
# without an error, and each datagram of MPEG-TS holds 7 TS packets.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
ip link set lo up || skip "cannot bring lo up"

for s in rtp ts rtp-ts; do
	mcast bench --stream $s --duration 0.4 --rate 10k --format json \
		>"$T/out" 2>"$T/err" || fail "bench --stream $s: exit $?: $(cat "$T/err")"
	got=$(json_get "$T/out" '[d[0]["stream"], d[0]["lost"], d[0]["duplicates"], d[0]["received"] == d[0]["sent"] > 0]')
	[ "$got" = "['$s', 0, 0, True]" ] || fail "bench --stream $s: $got: $(cat "$T/out")"
	case $s in
	rtp) want="[1328, False]" ;;
	ts) want="[1316, True]" ;;
	rtp-ts) want="[1328, True]" ;;
	esac
	got=$(json_get "$T/out" '[d[0]["size"], d[0].get("ts_packets") == 7 * d[0]["received"] and d[0]["cc_errors"] == 0]')
	[ "$got" = "$want" ] || fail "bench --stream $s: size and TS: $got, expected $want: $(cat "$T/out")"
done
# --no-analysis: the same traffic counted as plain datagrams, the baseline
# of bench/compare.sh's analysis-cost rows.
for s in rtp ts rtp-ts; do
	mcast bench --stream $s --no-analysis --duration 0.4 --rate 10k \
		--format json >"$T/out" 2>"$T/err" ||
		fail "bench --stream $s --no-analysis: exit $?: $(cat "$T/err")"
	got=$(json_get "$T/out" '[d[0]["stream"], d[0]["analysis"], d[0]["lost"], d[0]["received"] == d[0]["sent"] > 0, "ts_packets" in d[0]]')
	[ "$got" = "['$s', False, 0, True, False]" ] ||
		fail "bench --stream $s --no-analysis: $got: $(cat "$T/out")"
done
mcast bench --no-analysis 2>"$T/err"
[ $? = 2 ] && grep -q 'no-analysis needs --stream' "$T/err" ||
	fail "--no-analysis without --stream: $(cat "$T/err")"
mcast bench --stream ts --size 1000 2>"$T/err"
[ $? = 2 ] && grep -q 'whole 188-byte TS packets; try 1316' "$T/err" ||
	fail "--size 1000 --stream ts: $(cat "$T/err")"
exit 0
