# mcast bench --duration bounds a paced run: at a low rate it lasts about
# its duration and sends no more than rate x duration.  It used to hand the
# kernel a whole batch of 1024 and then sleep until the batch was due:
# -D 0.5 -r 10 ran 102 s, -r 1000 -D 0.5 sent 1024.
. "$(dirname "$0")/lib.sh"
ip link set lo up || skip "cannot bring lo up"

for rate in 10 100 1000; do
	want=$((rate / 2))
	t0=$(_now_us)
	timeout 10 mcast bench --duration 0.5 --rate $rate --format json \
		>"$T/out" 2>"$T/err" || fail "bench -r $rate: exit $?: $(cat "$T/err")"
	ms=$((($(_now_us) - t0) / 1000))
	read -r sent dur received lost < <(json_get "$T/out" \
		'" ".join(str(d[0][k]) for k in ("sent", "duration", "received", "lost"))')
	echo "-r $rate -D 0.5: $ms ms, sent $sent, duration $dur"
	# Start-up and the receiver's wait for the last datagrams aside.
	[ "$ms" -lt 2000 ] || fail "bench -D 0.5 -r $rate ran $ms ms: $(cat "$T/out")"
	# Due at 0, 1/rate, ...: a late sender may send fewer, never more.
	[ "$sent" -le "$want" ] && [ "$sent" -ge $((want * 3 / 4)) ] ||
		fail "bench -D 0.5 -r $rate sent $sent, expected at most $want: $(cat "$T/out")"
	[[ $dur =~ ^0\.(4[5-9]|[56]) ]] ||
		fail "bench -D 0.5 -r $rate: duration $dur: $(cat "$T/out")"
	[ "$received $lost" = "$sent 0" ] || fail "bench -r $rate: loss: $(cat "$T/out")"
done
exit 0
