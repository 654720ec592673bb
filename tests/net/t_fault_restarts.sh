# A probe sender restarted 20 times on the same address and port (--bind
# :1501), 50 probes at 500/s each run: every run is a new session, not a
# sequence reset, so the receiver lists 20 sessions of 50 probes, counts 19
# restarts, and finds no loss, duplicates or reordering.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600
RUNS=20

# --until-end would stop at the first run's end: count all the probes instead.
in_ns right mcast recv --iface veth0 --stats --format json --count $((RUNS * 50)) \
	--timeout 60 $G >"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"

for k in $(seq $RUNS); do
	in_ns left mcast send --iface veth0 --bind :1501 --probe --count 50 --rate 500 $G \
		2>"$T/s$k.err" || fail "run $k: sender exit $?: $(cat "$T/s$k.err")"
	sed -n 's/^probe session \([0-9a-f]*\),.*/\1/p' "$T/s$k.err" >>"$T/sids"
	grep -q '^sent 50 probes ' "$T/s$k.err" || fail "run $k: not 50 probes sent: $(cat "$T/s$k.err")"
done
[ "$(sort -u "$T/sids" | grep -c .)" = $RUNS ] || fail "the runs did not announce $RUNS sessions: $(cat "$T/sids")"

wait $recv || fail "receiver exit $? (fewer than $((RUNS * 50)) probes?): $(cat "$T/err")"
sum() { json_get "$T/out" "[r for r in d if r['type'] == 'summary'][0]$1"; }
[ "$(sum '["ended_by"]')" = count ] || fail "ended_by is not count: $(grep summary "$T/out")"
totals=$(json_get "$T/out" '[[r["totals"][k] for k in "received sessions restarts lost duplicates reordered".split()]
	for r in d if r["type"] == "summary"][0]')
[ "$totals" = "[$((RUNS * 50)), $RUNS, $((RUNS - 1)), 0, 0, 0]" ] ||
	fail "totals received sessions restarts lost duplicates reordered: want [$((RUNS * 50)), $RUNS, $((RUNS - 1)), 0, 0, 0], got $totals"
# Every session: announced by a run, from port 1501, probes 0..49, no loss.
rows=$(json_get "$T/out" '"\n".join("%s %s %s %s %s %s" % (s["session"], s["source_port"], s["first_seq"],
	s["max_seq"], s["received"], s["lost"]) for r in d if r["type"] == "summary" for s in r["sessions"])')
[ "$(echo "$rows" | grep -c .)" = $RUNS ] || fail "want $RUNS session rows, got: $rows"
echo "$rows" | while read -r sid rest; do
	grep -qx "$sid" "$T/sids" || fail "session $sid was not announced by any run"
	[ "$rest" = "1501 0 49 50 0" ] || fail "session $sid: port first max received lost = $rest"
done || exit 1
exit 0
