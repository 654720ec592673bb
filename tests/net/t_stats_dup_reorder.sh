# Exact duplicate, reordering, late and loss counts from a hand-made session
# (peers/inject.py), sent in this order:
#   0-39  41 40            40 after 41: reordered, displaced 1
#   42-50  10 20 30        3 duplicates of old probes (not reordering)
#   51-59  61-65 60        60 after 5 higher ones: reordered and late
#   66-69  71 72 70        displaced 2: reordered, not late
#   73-79  81 82 83 80     displaced 3: reordered and late (>= 3)
#   84  87-97  97          85 and 86 never sent; 97 twice: 1 duplicate
#   bad                    a type-9 datagram: malformed, nothing else
#   end:100 (3 copies)     98 and 99 were never sent: tail loss
# received 96 distinct, lost 4 (85 86 98 99), duplicates 4, reordered 4,
# late 2.  The end markers are neither duplicates nor data.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600
SID=00112233445566778899aabbccddeeff

in_ns right mcast recv --iface veth0 --stats --format json --rcvbuf 4M --until-end --timeout 30 $G \
	>"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
in_ns left python3 "$NET_DIR/peers/inject.py" --iface-addr 10.0.0.1 --bind-port 1501 \
	--session $SID --size 100 239.1.2.3 1600 \
	0-39 41 40 42-50 10 20 30 51-59 61-65 60 66-69 71 72 70 73-79 81 82 83 80 \
	84 87-97 97 bad end:100 2>"$T/inject.err" || fail "injector failed: $(cat "$T/inject.err")"
wait $recv || fail "receiver exit $?: $(cat "$T/err")"
[ "$(grep -c '"type":"summary"' "$T/out")" = 1 ] || fail "not one summary line: $(cat "$T/out")"
[ "$(wc -l <"$T/out")" = 1 ] || fail "--stats printed more than the summary: $(cat "$T/out")"

# expect WHAT PYTHON_EXPR VALUE: EXPR over the summary `s` prints VALUE.
expect() {
	local got
	got=$(json_get "$T/out" "(lambda s: $2)(d[0])") || fail "$1: cannot evaluate $2"
	[ "$got" = "$3" ] || fail "$1: got $got, expected $3; summary: $(cat "$T/out")"
}
expect "ended by" 's["ended_by"]' "end of stream"
expect "one session" 'len(s["sessions"])' 1
S='s["sessions"][0]'
expect "session identity" "[${S}[k] for k in ('source', 'source_port', 'probe', 'session')]" \
	"['10.0.0.1', 1501, True, '$SID']"
expect "seq range and end" "[${S}[k] for k in ('first_seq', 'max_seq', 'ended', 'total_sent')]" \
	"[0, 97, True, 100]"
expect "counters" "[${S}[k] for k in ('received', 'lost', 'duplicates', 'reordered', 'late')]" \
	"[96, 4, 4, 4, 2]"
expect "bytes (distinct probes x 100)" "${S}['bytes']" 9600
expect "loss_pct" "${S}['loss_pct']" 4.0
expect "totals" "[s['totals'][k] for k in ('received', 'lost', 'duplicates', 'reordered', 'late', 'bytes')]" \
	"[96, 4, 4, 4, 2, 9600]"
expect "sessions, restarts, malformed" \
	"[s['totals'][k] for k in ('sessions', 'restarts', 'malformed')]" "[1, 0, 1]"
expect "hops on one link" "$S.get('hops')" 0
exit 0
