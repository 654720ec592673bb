# One sender to several groups, one receiver of more ports than the 16 it
# once allowed.  Plain: every group gets the MESSAGE.  --probe: each group
# is a session of its own, with its own sequence numbers, and --rate is
# the total of all of them.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"

# 20 groups, each on a port of its own: 20 sockets.
groups=$(for i in $(seq 0 19); do printf '239.2.0.%d:%d ' $((i + 1)) $((7000 + i)); done)

# shellcheck disable=SC2086
in_ns right mcast recv --iface veth0 --count 20 --timeout 10 --format json \
	$groups >"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
# shellcheck disable=SC2086
in_ns left mcast send --iface veth0 --count 1 $groups "to each group" 2>"$T/send.err" ||
	fail "sender failed: $(cat "$T/send.err")"
grep -q '^sending to 239\.2\.0\.1:7000 and 19 more groups from ' "$T/send.err" ||
	fail "unexpected start line: $(cat "$T/send.err")"
wait $recv || fail "receiver exited $? (fewer than 20?): $(cat "$T/err")"
[ "$(json_get "$T/out" 'sorted((r["port"], r["group"], r["data"]) for r in d) == [(7000 + i, "239.2.0.%d" % (i + 1), "to each group") for i in range(20)]')" = True ] ||
	fail "not one datagram per group: $(cat "$T/out")"

# Probes: 5 to each of the 20 groups at 200/s in all, so about half a
# second (at 200/s to each group it would take a fortieth of that).
# shellcheck disable=SC2086
in_ns right mcast recv --iface veth0 --stats --until-end --timeout 10 --format json \
	$groups >"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
# shellcheck disable=SC2086
in_ns left mcast send --iface veth0 --probe --count 5 --rate 200 $groups 2>"$T/send.err" ||
	fail "probe sender failed: $(cat "$T/send.err")"
wait $recv || fail "receiver exited $?: $(cat "$T/err")"
[ "$(sent_probes "$T/send.err")" = 100 ] || fail "not 100 probes: $(cat "$T/send.err")"
secs=$(sed -n 's/^sent .* in \([0-9.]*\) s:.*/\1/p' "$T/send.err")
python3 -c "import sys; sys.exit(not float('$secs') >= 0.4)" ||
	fail "100 probes at a total of 200/s took $secs s"
r=$(python3 - "$T/out" <<'PY'
import json, sys
s = [r for r in map(json.loads, open(sys.argv[1])) if r["type"] == "summary"][0]
ss = s["sessions"]
print(s["ended_by"], s["totals"]["sessions"], s["totals"]["lost"],
      len({x["session"] for x in ss}),
      sorted((x["group"], x["port"]) for x in ss) ==
      sorted(("239.2.0.%d" % (i + 1), 7000 + i) for i in range(20)),
      {(x["received"], x["total_sent"], x["first_seq"]) for x in ss})
PY
)
[ "$r" = "end of stream 20 0 20 True {(5, 5, 0)}" ] ||
	fail "want 20 sessions, one per group, each seq 0-4: $r"
exit 0
