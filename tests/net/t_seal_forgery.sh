# Forgery: 100,000 hostile datagrams from an independent sender
# (peers/attacker.py forge: random bytes, well-formed headers with random
# tags, captured sealed datagrams with one bit flipped in the header, the
# session id, the tag or the ciphertext, other key ids, key id 0, every
# truncation, extensions), paced so no socket overflows, alongside a valid
# sealed stream.  Nothing forged is accepted or printed, every forgery is
# counted by reason, and the valid stream loses nothing.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600
A=$NET_DIR/peers/attacker.py
TOTAL=100000
cd "$T" || fail "no work directory"
mcast keygen k 2>/dev/null || fail "keygen failed"

# Genuine material to forge from: a short sealed stream, captured by a
# peer on the receiving host before the receivers under test start.
in_ns right python3 "$A" capture --iface-addr 10.0.0.2 --count 100 --timeout 10 \
	239.1.2.3 1600 cap.bin 2>cap.err &
cap=$!
wait_for cap.err '^joined ' 5 || fail "capture never joined: $(cat cap.err)"
in_ns left mcast send --iface veth0 --key k --probe --rate 2000 --count 97 --size 300 \
	$G 2>/dev/null || fail "genuine sender failed"
wait $cap || fail "capture failed: $(cat cap.err)"

# A counting receiver and a printing one; both only ever see the valid
# stream's datagrams as accepted.
in_ns right mcast recv --iface veth0 --key k --stats --format json --rcvbuf 16M \
	--until-end --timeout 120 $G >stats.out 2>stats.err &
stats=$!
in_ns right mcast recv --iface veth0 --key k --format json --rcvbuf 16M \
	--timeout 120 $G >print.out 2>print.err &
printer=$!
wait_for stats.err '^joined ' 5 && wait_for print.err '^joined ' 5 ||
	fail "receivers never joined"
in_ns left mcast send --iface veth0 --key k --probe --rate 500 --size 200 \
	--duration 110 "$G" "valid payload" 2>valid.err &
valid=$!
wait_for valid.err '^probe session' 5 || fail "valid sender never started"
in_ns left python3 "$A" forge --iface-addr 10.0.0.1 --total $TOTAL --rate 10000 \
	cap.bin 239.1.2.3 1600 >forge.out 2>forge.err || fail "forger failed: $(cat forge.err)"
kill -INT $valid
wait $valid || fail "valid sender exit $?: $(cat valid.err)"
wait $stats || fail "counting receiver exit $?: $(cat stats.err)"
kill -INT $printer
wait $printer || fail "printing receiver exit $?: $(cat print.err)"

injected=$(json_get forge.out 'd[0]["injected"]')
[ "$injected" = $TOTAL ] || fail "the forger sent $injected, not $TOTAL: $(cat forge.out)"
kinds=$(json_get forge.out 'sorted(k for k, v in d[0]["by_kind"].items() if v > 0)')
for k in random random_hdr hdr_flip session_flip tag_flip ct_flip unknown_key \
	zero_key truncate extend; do
	case $kinds in *"'$k'"*) ;; *) fail "no forgery of kind $k: $kinds" ;; esac
done
sent=$(sent_probes valid.err)
one_session_intact stats.out "$sent"
[ "$(summary_get stats.out '["totals"]["lost"]')" = 0 ] ||
	fail "the valid stream lost probes under the flood: $(cat stats.out)"
drops=$(summary_get stats.out '["totals"]["kernel_drops"]')
rejected=$(summary_get stats.out '["totals"]["rejected"]["total"]')
[ "$drops" = 0 ] || fail "the receive buffer overflowed ($drops drops): pacing is wrong"
[ $((rejected + drops)) = "$TOTAL" ] ||
	fail "rejected $rejected + kernel drops $drops is not $TOTAL injected: $(cat stats.out)"
# Accepted: the valid probes and one to three end markers, nothing else.
ends=$(summary_get stats.out "[\"totals\"][\"accepted\"] - $sent")
[ "$ends" -ge 1 ] && [ "$ends" -le 3 ] ||
	fail "accepted is not the $sent valid probes and their end markers: $(cat stats.out)"
grep -q '^mcast recv: warning: rejected [0-9]* datagrams: ' stats.err ||
	fail "no reject line on stderr: $(cat stats.err)"
# At most one reject line a second: the flood lasted about 10 s.
lines=$(grep -c 'warning: rejected' stats.err)
[ "$lines" -le 15 ] || fail "$lines reject lines for a ~10 s flood"

# The printing receiver printed the valid payloads and nothing else.
json_get print.out '[r for r in d if r["type"] == "datagram"]' >/dev/null ||
	fail "printer output is not JSON lines"
[ "$(json_get print.out 'sum(1 for r in d if r["type"] == "datagram")')" = "$sent" ] ||
	fail "printed datagrams are not the $sent valid ones"
[ "$(json_get print.out 'sorted(set(r["data"].rstrip("\0") for r in d))')" = "['valid payload']" ] ||
	fail "something other than the valid payload was printed"
pr=$(grep -o 'rejected [0-9]* datagrams in all' print.err | grep -o '[0-9]*')
[ "$pr" = $TOTAL ] || fail "printing receiver rejected ${pr:-none} of $TOTAL: $(tail -3 print.err)"
exit 0
