# Two responders on one host: each is listed on its own, told apart by
# its source port and session id, in the text summary and in JSON (they
# were once two identical "10.0.0.1 multicast ..." lines).
. "$(dirname "$0")/lib.sh"
topo_pair responder pinger || skip "cannot create network namespaces"
G=239.1.2.3:1600

for k in 1 2; do
	in_ns responder mcast ping --respond --iface veth0 --duration 300 $G \
		>"$T/r$k.out" 2>"$T/r$k.err" &
	wait_for "$T/r$k.err" '^joined ' 5 || fail "responder $k never joined: $(cat "$T/r$k.err")"
done

in_ns pinger mcast ping --iface veth0 --count 5 --rate 50 --wait 0.5 -q $G \
	>"$T/out" 2>"$T/err" || fail "text: exit $?: $(cat "$T/err")"
# 10.0.0.1:PORT id HEX8, once per responder and path
lines=$(grep -E '^10\.0\.0\.1:[0-9]+ id [0-9a-f]{8} +(multicast|unicast) +5 replies' "$T/out" | sort -u | wc -l)
[ "$lines" = 4 ] || fail "text: want 4 distinct lines naming port and id: $(cat "$T/out")"
[ "$(grep -E '^10\.0\.0\.1' "$T/out" | cut -d' ' -f1-3 | sort -u | wc -l)" = 2 ] ||
	fail "text: the two responders are not told apart: $(cat "$T/out")"

in_ns pinger mcast ping --iface veth0 --count 5 --rate 50 --wait 0.5 -q --format json $G \
	>"$T/out" 2>"$T/err" || fail "json: exit $?: $(cat "$T/err")"
grep '"type":"ping_summary"' "$T/out" >"$T/sum" || fail "json: no summary: $(cat "$T/out")"
got=$(json_get "$T/sum" 'sorted((r["address"], r["multicast"]["replies"], r["unicast"]["replies"]) for r in d[0]["responders"])')
[ "$got" = "[('10.0.0.1', 5, 5), ('10.0.0.1', 5, 5)]" ] || fail "json: $got: $(cat "$T/sum")"
[ "$(json_get "$T/sum" 'len({r["session"] for r in d[0]["responders"]})')" = 2 ] ||
	fail "json: sessions not distinct: $(cat "$T/sum")"
[ "$(json_get "$T/sum" 'len({r[p]["source_port"] for r in d[0]["responders"] for p in ("multicast", "unicast")})')" = 2 ] ||
	fail "json: want one source port per responder: $(cat "$T/sum")"
exit 0
