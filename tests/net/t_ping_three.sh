# Three responders and a pinger on one bridge.  The pinger names all three
# with --responder: every ping gets a multicast and a unicast reply from each,
# and the summary's round-trip percentiles agree with the per-reply times.
# Then one responder's bridge port goes down: it shows 100% loss on both
# paths, the pinger exits 1 and names it, the other two are unaffected.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_bridge r1 r2 r3 pinger || skip "cannot create network namespaces"
G=239.1.2.3:1600

for r in r1 r2 r3; do
	in_ns $r mcast ping --respond --iface veth0 $G \
		>"$T/$r.out" 2>"$T/$r.err" &
	wait_for "$T/$r.err" '^joined ' 5 || fail "responder $r never joined: $(cat "$T/$r.err")"
done

# ping ARGS...: 20 pings at 50/s naming the three responders; json in
# $T/out, stderr in $T/err, exit status in $rc.
run_ping() {
	in_ns pinger mcast ping --iface veth0 --count 20 --rate 50 --wait 1 \
		--responder 10.0.0.1 --responder 10.0.0.2 --responder 10.0.0.3 \
		--format json $G >"$T/out" 2>"$T/err"
	rc=$?
	grep -q '^joined ' "$T/err" || fail "pinger never said it joined: $(cat "$T/err")"
	grep '"type":"ping_summary"' "$T/out" >"$T/sum" || fail "no ping_summary: $(cat "$T/out")"
	[ "$(wc -l <"$T/sum")" = 1 ] || fail "more than one ping_summary line"
}
# path ADDR PATH FIELD: a field of one responder's multicast/unicast stats.
path() {
	json_get "$T/sum" "[r for r in d[0]['responders'] if r['address'] == '$1'][0]['$2']['$3']"
}

run_ping
[ $rc = 0 ] || fail "all three answering: exit $rc, expected 0: $(cat "$T/err")"
[ "$(json_get "$T/sum" 'd[0]["sent"]')" = 20 ] || fail "sent is not 20: $(cat "$T/sum")"
[ "$(json_get "$T/sum" 'sorted((r["address"], r["named"]) for r in d[0]["responders"])')" = \
	"[('10.0.0.1', True), ('10.0.0.2', True), ('10.0.0.3', True)]" ] ||
	fail "responders are not the three named ones: $(cat "$T/sum")"
for a in 10.0.0.1 10.0.0.2 10.0.0.3; do
	for p in multicast unicast; do
		v="$(path $a $p replies) $(path $a $p lost) $(path $a $p duplicates) $(path $a $p loss_pct)"
		[ "$v" = "20 0 0 0.0" ] ||
			fail "$a $p: replies/lost/duplicates/loss_pct = $v, expected 20 0 0 0.0"
	done
done
# 120 reply lines: 20 pings x 3 responders x 2 paths, each seq once per pair.
[ "$(json_get "$T/out" 'len({(r["responder"], r["path"], r["seq"]) for r in d if r["type"] == "reply"})')" = 120 ] ||
	fail "expected 120 distinct reply lines: $(grep -c '"reply"' "$T/out") lines"

# Percentiles within one histogram bucket (about 3%) of the exact order
# statistics of the 20 replies, and in order min <= p50 <= ... <= max.
python3 - "$T/out" <<'PY' || fail "rtt percentiles disagree with the replies"
import json, sys
d = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
summ = [r for r in d if r["type"] == "ping_summary"][0]
bad = 0
for resp in summ["responders"]:
    for path in ("multicast", "unicast"):
        v = sorted(r["rtt_ms"] for r in d if r["type"] == "reply"
                   and r["responder"] == resp["address"] and r["path"] == path)
        q = resp[path]["rtt_ms"]
        keys = ["min", "p50", "p90", "p99", "p999", "max"]
        if [q[k] for k in keys] != sorted(q[k] for k in keys):
            print(resp["address"], path, "percentiles out of order:", q); bad = 1
        if abs(q["min"] - v[0]) > 1e-4 or abs(q["max"] - v[-1]) > 1e-4:
            print(resp["address"], path, "min/max", q, "replies", v); bad = 1
        for k, f in (("p50", .5), ("p90", .9), ("p99", .99)):
            i = int(f * (len(v) - 1))
            lo, hi = v[i] * 0.96 - 1e-4, v[min(i + 1, len(v) - 1)] * 1.04 + 1e-4
            if not lo <= q[k] <= hi:
                print(resp["address"], path, k, q[k], "not in", [lo, hi], "replies", v); bad = 1
sys.exit(bad)
PY

# Responder 2 cut off at the switch.
ip -n switch link set p2 down || fail "cannot take p2 down"
run_ping
[ $rc = 1 ] || fail "responder 2 cut off: exit $rc, expected 1: $(cat "$T/err")"
grep -q '10\.0\.0\.2' "$T/err" || fail "the error does not name 10.0.0.2: $(cat "$T/err")"
for p in multicast unicast; do
	v="$(path 10.0.0.2 $p replies) $(path 10.0.0.2 $p lost) $(path 10.0.0.2 $p loss_pct)"
	[ "$v" = "0 20 100.0" ] || fail "10.0.0.2 $p: replies/lost/loss_pct = $v, expected 0 20 100.0"
	for a in 10.0.0.1 10.0.0.3; do
		[ "$(path $a $p replies)" = 20 ] || fail "$a $p lost replies while 10.0.0.2 was cut off"
	done
done
grep -E 'responder 10\.0\.0\.(1|3)' "$T/err" && fail "an answering responder is blamed: $(cat "$T/err")"
exit 0
