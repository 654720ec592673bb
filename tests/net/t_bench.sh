# mcast bench runs every send path into both receive paths on lo and
# reports exact figures: paced well below what a loaded CI machine can do,
# nothing is lost, and the JSON carries the documented keys.
. "$(dirname "$0")/lib.sh"
ip link set lo up || skip "cannot bring lo up"

for mode in plain mmsg gso; do
	for gro in "" --gro; do
		mcast bench --duration 0.5 --mode $mode $gro --rate 20k --format json \
			>"$T/out" 2>"$T/err" || fail "bench --mode $mode $gro: exit $?: $(cat "$T/err")"
		keys=$(json_get "$T/out" 'sorted(k for k in ("tx_pps", "rx_pps", "rx_gbps", "lost", "sent", "received") if k in d[0])')
		[ "$keys" = "['lost', 'received', 'rx_gbps', 'rx_pps', 'sent', 'tx_pps']" ] ||
			fail "bench --mode $mode $gro: keys $keys: $(cat "$T/out")"
		[ "$(json_get "$T/out" '[d[0]["sealed"], d[0]["auth_only"]]')" = "[False, False]" ] ||
			fail "bench --mode $mode $gro: sealed is not false: $(cat "$T/out")"
		sent=$(json_get "$T/out" 'd[0]["sent"]')
		# How much gets sent depends on the CPU it is given (under load,
		# a sixth of the rate); the pacing never lets it exceed the rate
		# (and a batch of up to 1024).
		[ "$sent" -gt 0 ] && [ "$sent" -le $((10000 + 1024)) ] ||
			fail "bench --mode $mode $gro: sent $sent in 0.5 s at 20k/s: $(cat "$T/out")"
		[ "$(json_get "$T/out" 'd[0]["lost"]')" = 0 ] &&
			[ "$(json_get "$T/out" 'd[0]["received"]')" = "$sent" ] ||
			fail "bench --mode $mode $gro: loss at 20k/s: $(cat "$T/out")"
	done
done
# Sealed: each cipher, and authentication alone, through GSO and GRO;
# every datagram is opened (no rejects) and counted.
cd "$T" && mcast keygen k 2>/dev/null || fail "keygen failed"
for how in "" "--cipher chacha20-poly1305" "--auth-only"; do
	for mode in "mmsg" "gso --gro"; do
		# shellcheck disable=SC2086
		mcast bench --duration 0.5 --mode $mode --key k $how --size 1400 --rate 10k \
			--format json >out 2>err || fail "sealed bench $mode $how: exit $?: $(cat err)"
		want=$(case $how in --auth-only) echo "aes-256-gcm True" ;;
			--cipher*) echo "chacha20-poly1305 False" ;; *) echo "aes-256-gcm False" ;; esac)
		[ "$(json_get out 'd[0]["sealed"], d[0]["auth_only"]' | tr -d "(),'")" = "$want" ] ||
			fail "sealed bench $how: $(cat out)"
		sent=$(json_get out 'd[0]["sent"]')
		[ "$sent" -gt 0 ] && [ "$sent" -le $((5000 + 1024)) ] && [ "$(json_get out '[d[0]["lost"], d[0]["rejected"]]')" = "[0, 0]" ] &&
			[ "$(json_get out 'd[0]["received"]')" = "$sent" ] ||
			fail "sealed bench $mode $how: $(cat out)"
	done
done
mcast bench --mode warp >/dev/null 2>"$T/err"
[ $? = 2 ] || fail "bench --mode warp: expected exit 2"
exit 0
