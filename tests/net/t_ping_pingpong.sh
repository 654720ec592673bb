# --pingpong closes the loop: a ping waits for the replies to the one
# before (or --wait), so a lost reply holds the next ping back; without
# it the pings keep to their schedule.  nftables in the pinger's namespace
# drops every fifth multicast pong, so exactly 10 of 50 go unanswered in
# both modes, and only the closed loop pays --wait for each of them.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
need_cmd nft nftables
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600

start_responder left
resp=$!
# UDP payload byte 5 is the type; 4 is a pong.
in_ns right nft -f - <<-NFT || fail "cannot load the nftables rule"
	table inet lossy {
		counter dropped { }
		chain input {
			type filter hook input priority 0; policy accept;
			udp dport 1600 @th,104,8 4 numgen inc mod 5 0 counter name dropped drop
		}
	}
NFT
dropped() { nft_count right lossy dropped; }

# run NAME [OPTIONS]: 50 pings at 500/s, --wait 0.4; seconds it took in $T/NAME.secs
run() {
	local name=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	in_ns right mcast ping --iface veth0 --count 50 --rate 500 --wait 0.4 \
		--reply multicast --responder 10.0.0.1 -q --format json "$@" $G \
		>"$T/$name" 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
	t1=$(date +%s.%N)
	python3 -c "print(f'{$t1 - $t0:.2f}')" >"$T/$name.secs"
	grep -q '"type":"ping_summary"' "$T/$name" || fail "$name: no summary: $(cat "$T/$name.err")"
}
summary() { json_get "$T/$1" "[x for x in d if x['type'] == 'ping_summary'][0]$2"; }

run open
[ "$(dropped)" = 10 ] || fail "open loop: nftables dropped $(dropped) pongs, expected 10"
run closed --pingpong
[ "$(dropped)" = 20 ] || fail "closed loop: nftables dropped $(($(dropped) - 10)) pongs, expected 10"
[ "$(summary open '["pingpong"]') $(summary closed '["pingpong"]')" = "False True" ] ||
	fail "summary's pingpong: open $(summary open '["pingpong"]'), closed $(summary closed '["pingpong"]')"
for name in open closed; do
	[ "$(summary $name '["sent"]')" = 50 ] || fail "$name: sent $(summary $name '["sent"]'), expected 50"
	r="$(summary $name '["responders"][0]["multicast"]')"
	[ "$(summary $name '["responders"][0]["multicast"]["replies"]')" = 40 ] &&
		[ "$(summary $name '["responders"][0]["multicast"]["lost"]')" = 10 ] ||
		fail "$name: expected 40 replies and 10 lost: $r"
done
# Open: 0.1 s of pings and the final wait.  Closed: each of the 10 lost
# replies holds the next ping back for --wait (the last one's wait is the
# final wait, counted in both).  Load only adds time, to both and not
# equally (the times include starting the process), so each is judged
# on its own: open below what 9 extra waits would cost, closed at least
# about 9 waits long.
python3 - "$(cat "$T/open.secs")" "$(cat "$T/closed.secs")" <<'PY' || fail "timing: open $(cat "$T/open.secs") s, closed $(cat "$T/closed.secs") s"
import sys
o, c = map(float, sys.argv[1:])
sys.exit(0 if o < 3.0 and c >= 3.6 else 1)
PY
[ "$(cat "$T/open.rc")" = "$(cat "$T/closed.rc")" ] ||
	fail "exit status differs: open $(cat "$T/open.rc"), closed $(cat "$T/closed.rc")"

# A responder that goes away costs the closed loop MISS_LIMIT (3) waits,
# then the pings keep their schedule again: 1000 pings at 100/s, --wait
# 0.5, the responder killed after 10 replies.  The run is long so that the
# kill lands in it however slowly the test gets to it (with 60 pings, under
# load, all 60 were answered first).  About 10 s of pings and 2 s of
# waits; a --wait per lost ping would be 50 s or more.
in_ns right nft delete table inet lossy || fail "cannot remove the nftables rule"
t0=$(date +%s.%N)
in_ns right mcast ping --iface veth0 --count 1000 --rate 100 --wait 0.5 --pingpong --max-loss 10 \
	--reply multicast --format json $G >"$T/gone" 2>"$T/gone.err" &
pinger=$!
wait_lines "$T/gone" '"type":"reply"' 10 5 || fail "no replies before the responder went: $(cat "$T/gone.err")"
kill -KILL $resp
wait $pinger
rc=$?
secs=$(python3 -c "print(f'{$(date +%s.%N) - $t0:.2f}')")
replies=$(summary gone '["responders"][0]["multicast"]["replies"]')
[ "$rc" = 1 ] && [ "$(summary gone '["sent"]')" = 1000 ] && [ "$replies" -ge 10 ] && [ "$replies" -le 899 ] ||
	fail "responder gone: exit $rc, $(grep ping_summary "$T/gone")"
python3 -c "import sys; sys.exit(0 if 10 <= $secs < 40 else 1)" ||
	fail "responder gone: the pinger took $secs s (expected 10-40 s)"

# A pinger-only option, refused with --respond.
mcast ping --respond --pingpong $G 2>"$T/err"
[ $? = 2 ] || fail "--respond --pingpong: expected exit 2"
echo "open $(cat "$T/open.secs") s, closed $(cat "$T/closed.secs") s, responder gone $secs s" >&2
exit 0
