# Tail loss: the last 10 of 100 probes never arrive.  No gap in seq shows
# it; only the end-of-stream markers, which carry the total sent, do.  With
# the markers the receiver counts 10 lost; with the markers dropped too it
# cannot know, counts 0 lost, and ends on its timeout with the session open.
. "$(dirname "$0")/lib.sh"
need_cmd nft nftables
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600

# drop RULES: the receiver's ruleset, one rule per line of RULES, each
# counting into "dropped".  Payload offsets: type byte 5 -> @th,104,8; the
# low 32 bits of seq, bytes 32..35 -> @th,320,32.
drop() {
	{
		echo 'flush ruleset'
		echo 'table inet lossy { counter dropped { }'
		echo 'chain input { type filter hook input priority 0; policy accept;'
		while read -r r; do echo "udp dport 1600 $r counter name dropped drop"; done <<<"$1"
		printf '}\n}\n'
	} | in_ns right nft -f - || fail "cannot load nftables rules: $1"
}
dropped() { nft_count right lossy dropped; }
# run RECV_OPTS...: 100 probes; json summary in $T/out.
run() {
	local recv
	in_ns right mcast recv --iface veth0 --stats --format json --rcvbuf 4M "$@" $G >"$T/out" 2>"$T/err" &
	recv=$!
	wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
	in_ns left mcast send --iface veth0 --probe --count 100 --rate 1000 $G 2>"$T/send.err" ||
		fail "sender failed: $(cat "$T/send.err")"
	wait $recv || fail "receiver exit $?: $(cat "$T/err")"
}
get() { json_get "$T/out" "(lambda s: $1)(d[0])"; }
S='s["sessions"][0]'

drop '@th,104,8 1 @th,320,32 >= 90'
run --until-end --timeout 10
[ "$(dropped)" = 10 ] || fail "nftables dropped $(dropped) probes, expected 10"
[ "$(get 's["ended_by"]')" = "end of stream" ] || fail "not ended by end of stream: $(cat "$T/out")"
[ "$(get "[${S}[k] for k in ('first_seq', 'max_seq', 'ended', 'total_sent')]")" = "[0, 89, True, 100]" ] ||
	fail "first_seq/max_seq/ended/total_sent not 0 89 True 100: $(cat "$T/out")"
[ "$(get "[${S}[k] for k in ('received', 'lost', 'loss_pct')]")" = "[90, 10, 10.0]" ] ||
	fail "tail loss: received/lost/loss_pct not 90 10 10.0: $(cat "$T/out")"
[ "$(get '[s["totals"][k] for k in ("received", "lost")]')" = "[90, 10]" ] ||
	fail "tail loss: totals not 90 received 10 lost: $(cat "$T/out")"

# Without the markers (type 2) the tail is invisible.
drop '@th,104,8 1 @th,320,32 >= 90
@th,104,8 2'
run --until-end --timeout 2
[ "$(dropped)" = 13 ] || fail "nftables dropped $(dropped), expected 10 probes and 3 markers"
[ "$(get 's["ended_by"]')" = timeout ] || fail "without markers: ended_by is not timeout: $(cat "$T/out")"
[ "$(get "[${S}[k] for k in ('max_seq', 'ended', 'received', 'lost')]")" = "[89, False, 90, 0]" ] ||
	fail "without markers: max_seq/ended/received/lost not 89 False 90 0: $(cat "$T/out")"
get "$S" | grep -q total_sent && fail "without markers: total_sent reported: $(cat "$T/out")"
exit 0
