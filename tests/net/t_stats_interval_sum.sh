# Interval reports cover the whole run: the last, partial interval is
# reported too, so the intervals add up to the summary's totals (160
# probes over 1.6 s with one report a second: 1.0 s and 0.6 s).
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600

in_ns right mcast recv --iface veth0 --interval-report 1 --until-end --format json \
	--timeout 20 $G >"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
in_ns left mcast send --iface veth0 --probe --count 160 --rate 100 $G 2>"$T/send.err" ||
	fail "sender exit $?: $(cat "$T/send.err")"
wait $recv || fail "receiver exit $?: $(cat "$T/err")"

sum=$(json_get "$T/out" 'sum(r["received"] for r in d if r["type"] == "interval")')
total=$(json_get "$T/out" '[r for r in d if r["type"] == "summary"][0]["totals"]["received"]')
[ "$total" -ge 150 ] || fail "only $total of 160 probes arrived: $(cat "$T/out")"
[ "$sum" = "$total" ] || fail "the intervals sum to $sum, the total is $total: $(cat "$T/out")"
# The intervals follow each other, the last one up to the end of the run.
json_get "$T/out" 'all(a["to"] == b["from"] for a, b in zip(
	[r for r in d if r["type"] == "interval"],
	[r for r in d if r["type"] == "interval"][1:]))' | grep -qx True ||
	fail "the intervals do not follow each other: $(cat "$T/out")"
last_to=$(json_get "$T/out" '[r for r in d if r["type"] == "interval"][-1]["to"]')
dur=$(json_get "$T/out" '[r for r in d if r["type"] == "summary"][0]["duration"]')
python3 -c "import sys; sys.exit(abs($last_to - $dur) > 0.01)" ||
	fail "the last interval ends at $last_to, the run at $dur"
exit 0
