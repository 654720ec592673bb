# mcast relay link to link: sender -- relay -- receiver in a line, no
# multicast routing.  Probes sent on the first link arrive on the second
# exactly (also with loss injected on either side), with the TTL one less;
# datagrams arriving with TTL 1 are stopped, and carried with --ttl;
# nothing is relayed back, also with --both.
. "$(dirname "$0")/lib.sh"
topo_line src relay dst || skip "cannot create network namespaces"
G=239.1.2.3:1600

# run_probes N TTL: N probes from src at TTL, received on dst with --stats
# ($T/recv.out); the receiver stops at the end of the stream or after 5 s.
run_probes() {
	in_ns dst mcast recv --iface veth0 --stats --until-end --format json \
		--timeout "${3:-20}" $G >"$T/recv.out" 2>"$T/recv.err" &
	local recv=$!
	wait_for "$T/recv.err" '^joined ' 5 || fail "receiver never joined"
	in_ns src mcast send --probe --iface veth0 --ttl "$2" --count "$1" \
		--rate 2000 $G 2>"$T/send.err" || fail "sender failed: $(cat "$T/send.err")"
	wait $recv
}

# 0. Exit statuses: 2 for bad usage, 0 at the end of --duration.
usage() {
	in_ns relay mcast relay "$@" >"$T/u.out" 2>"$T/u.err"
	local rc=$?
	[ $rc = 2 ] || fail "relay $*: exit $rc, want 2: $(cat "$T/u.err")"
	[ "$(wc -l <"$T/u.err")" = 1 ] || fail "relay $*: not one line: $(cat "$T/u.err")"
}
usage --to b0 $G
usage --from a0 $G
usage --from a0 --to a0 $G
usage --from a0 --to nosuch $G
usage --from a0 --to b0 --ttl 0 $G
usage --from a0 --to b0
usage --from a0 --to b0 10.1.2.3:1600
in_ns relay mcast relay --from a0 --to b0 --duration 0.3 $G >"$T/u.out" 2>"$T/u.err" ||
	fail "relay --duration exited $?: $(cat "$T/u.err")"
grep -q '^a0 -> b0: relayed 0 datagrams' "$T/u.out" || fail "text summary: $(cat "$T/u.out")"

# 1. Exact delivery; the TTL is decreased by one (hops 1 at the receiver).
start_relay r relay --from a0 --to b0 $G
grep -q '^joined 239\.1\.2\.3:1600 on a0, relayed out of b0$' "$T/r.err" ||
	fail "join line: $(cat "$T/r.err")"
run_probes 500 5 || fail "receiver exited $?: $(cat "$T/recv.err")"
one_session_intact "$T/recv.out" 500
[ "$(summary_get "$T/recv.out" '["totals"]["lost"]')" = 0 ] || fail "loss: $(cat "$T/recv.out")"
[ "$(summary_get "$T/recv.out" '["sessions"][0]["hops"]')" = 1 ] ||
	fail "TTL not decreased by one: $(cat "$T/recv.out")"
grep -q '10\.0\.2\.2' "$T/recv.out" || fail "source downstream is not the relay's: $(cat "$T/recv.out")"

# 2. Every tenth probe dropped on the receiver's side: exact counts.
drop_probes dst 'numgen inc mod 10 0'
run_probes 500 5
one_session_intact "$T/recv.out" 500
[ "$(summary_get "$T/recv.out" '["totals"]["lost"]')" = 50 ] || fail "want 50 lost: $(cat "$T/recv.out")"
in_ns dst nft flush ruleset

# 3. The same on the relay's side (its input on link a0).
drop_probes relay 'numgen inc mod 10 0'
run_probes 500 5
one_session_intact "$T/recv.out" 500
[ "$(summary_get "$T/recv.out" '["totals"]["lost"]')" = 50 ] || fail "want 50 lost: $(cat "$T/recv.out")"
in_ns relay nft flush ruleset
stop_relay r
# 1500 probes sent, 50 dropped before the relay; 3 end markers each run.
[ "$(relay_get r 0 '["relayed"]')" = $((1450 + 9)) ] || fail "relayed: $(cat "$T/r.out")"
[ "$(relay_get r 0 '["dropped"]["ttl"]') $(relay_get r 0 '["dropped"]["seen"]')" = "0 0" ] ||
	fail "dropped: $(cat "$T/r.out")"

# 4. TTL 1 stops at the relay; --ttl carries it (and sets the TTL).
start_relay r relay --from a0 --to b0 $G
run_probes 100 1 3
[ "$(summary_get "$T/recv.out" '["totals"]["received"]')" = 0 ] || fail "TTL 1 relayed: $(cat "$T/recv.out")"
stop_relay r
[ "$(relay_get r 0 '["dropped"]["ttl"]')" = 103 ] || fail "ttl drops: $(cat "$T/r.out")"
[ "$(relay_get r 0 '["relayed"]')" = 0 ] || fail "relayed: $(cat "$T/r.out")"

start_relay r relay --from a0 --to b0 --ttl 7 $G
run_probes 100 1
one_session_intact "$T/recv.out" 100
# sent with TTL 1 (the header says so), arrived with 7: hops unknown (-1
# is omitted), not 1.
[ "$(summary_get "$T/recv.out" '["sessions"][0].get("hops")')" = None ] ||
	fail "--ttl 7 not applied: $(cat "$T/recv.out")"
stop_relay r

# 5. --both: the relay's own datagrams on b0 never come back to a0.
start_relay r relay --from a0 --to b0 --both $G
run_probes 200 5
one_session_intact "$T/recv.out" 200
stop_relay r
[ "$(relay_get r 0 '["relayed"]')" = 203 ] || fail "a -> b: $(cat "$T/r.out")"
[ "$(relay_get r 1 '["relayed"]')" = 0 ] || fail "relayed back b -> a: $(cat "$T/r.out")"
[ "$(relay_get r 1 '["name"]')" = "b0 -> a0" ] || fail "direction names: $(cat "$T/r.out")"

# 6. IPv6, any-source and source-specific: the relay joins the sender as
# the source; downstream the source is the relay, so an SSM receiver
# there names the relay's address.
G6=[ff15::1:2]:1600
start_relay r relay --from a0 --to b0 "$G6" "fd01::1@[ff3e::1:2]:1601"
grep -q '^joined \[ff15::1:2\]:1600 on a0, fd01::1@\[ff3e::1:2\]:1601 on a0, relayed out of b0$' "$T/r.err" ||
	fail "join line: $(cat "$T/r.err")"
in_ns dst mcast recv --iface veth0 --stats --format json --timeout 20 \
	--expect 400 --count 400 "$G6" "fd02::2@[ff3e::1:2]:1601" >"$T/recv.out" 2>"$T/recv.err" &
recv=$!
wait_for "$T/recv.err" '^joined ' 5 || fail "receiver never joined"
in_ns src mcast send --probe --iface veth0 --ttl 9 --count 200 --rate 2000 \
	"$G6" "[ff3e::1:2]:1601" 2>"$T/send.err" || fail "sender failed: $(cat "$T/send.err")"
wait $recv || fail "IPv6 receiver exited $?: $(cat "$T/recv.out") $(cat "$T/recv.err")"
[ "$(summary_get "$T/recv.out" '["totals"]["received"]')" = 400 ] || fail "IPv6: $(cat "$T/recv.out")"
[ "$(json_get "$T/recv.out" '[s["hops"] for r in d if r["type"] == "summary" for s in r["sessions"]]')" = "[1, 1]" ] ||
	fail "IPv6 hop limit not decreased by one: $(cat "$T/recv.out")"
stop_relay r

# 7. A range of 100 groups, both ways: each datagram's group is found
# among them (by hash), and nothing comes back from the relay's own 200
# senders.
start_relay r relay --from a0 --to b0 --both 239.2.0.1-239.2.0.100:1600
grep -q '^joined 239\.2\.0\.1:1600 on a0, .* and 92 more, relayed out of b0$' "$T/r.err" ||
	fail "range join line: $(cat "$T/r.err")"
R3="239.2.0.1:1600 239.2.0.57:1600 239.2.0.100:1600"
in_ns dst mcast recv --iface veth0 --stats --format json --timeout 20 \
	--expect 300 --count 300 $R3 >"$T/recv.out" 2>"$T/recv.err" &
recv=$!
wait_for "$T/recv.err" '^joined ' 5 || fail "receiver never joined"
in_ns src mcast send --probe --iface veth0 --ttl 5 --count 100 --rate 2000 \
	$R3 2>"$T/send.err" || fail "sender failed: $(cat "$T/send.err")"
wait $recv || fail "range receiver exited $?: $(cat "$T/recv.out") $(cat "$T/recv.err")"
[ "$(summary_get "$T/recv.out" '["totals"]["received"]')" = 300 ] || fail "range: $(cat "$T/recv.out")"
stop_relay r
[ "$(relay_get r 0 '["relayed"]') $(relay_get r 1 '["relayed"]')" = "309 0" ] ||
	fail "range relayed: $(cat "$T/r.out")"
exit 0
