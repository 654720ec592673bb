# A sender whose datagrams the kernel does not take (issues 13.3, 14.1):
# sealed and unsealed, send --probe --burst 64 at 5000/s rides out an
# nftables output rule dropping 1 in 1000 of its datagrams (each refused
# with EPERM, or part of a burst taken), and sealed also three flaps of
# its link.
# A sequence number is spent when its probe is sealed: what was not sent
# is never sealed again (a sealed sender used to die at the first partial
# send with "sequence number would reuse a nonce"), is reported as
# not_sent by the sender (text and JSON) and by the receiver (from the
# end-of-stream marker), and counts as lost; no datagram is opened twice.
. "$(dirname "$0")/lib.sh"
need_cmd nft nftables
topo_bridge src dst || skip "cannot create network namespaces"
G=239.1.2.3:1600
cd "$T" || fail "no work directory"
mcast keygen good.key 2>/dev/null || fail "keygen failed"

in_ns src nft -f - <<-NFT || fail "cannot load the sender's output rule"
	table inet out {
		counter dropped { }
		chain output {
			type filter hook output priority 0; policy accept;
			udp dport 1600 numgen random mod 1000 0 counter name dropped drop
		}
	}
NFT

# run HOW SECONDS FLAPS: a receiver, and a sender for SECONDS whose link
# goes down and up FLAPS times; JSON in recv.out and send.out.
run() {
	local recv send k
	in_ns src nft reset counters >/dev/null
	# shellcheck disable=SC2086
	in_ns dst mcast recv --iface veth0 $1 --stats --format json --rcvbuf 4M \
		--until-end --timeout 30 $G >recv.out 2>recv.err &
	recv=$!
	wait_for recv.err '^joined ' 5 || fail "receiver ($1) never joined: $(cat recv.err)"
	# shellcheck disable=SC2086
	in_ns src mcast send --iface veth0 $1 --probe --rate 5000 --burst 64 \
		--duration "$2" --format json $G >send.out 2>send.err &
	send=$!
	wait_for send.err '^probe session ' 5 || fail "$1: the sender did not start: $(cat send.err)"
	for k in $(seq "$3"); do
		ip -n src link set veth0 down || fail "cannot set the sender's link down"
		wait_lines send.out '"event":"send_failed"' "$k" 3 ||
			fail "$1: flap $k: the sender reported no send_failed: $(cat send.out send.err)"
		ip -n src link set veth0 up || fail "cannot set the sender's link up"
		wait_lines send.out '"event":"send_resumed"' "$k" 3 ||
			fail "$1: flap $k: the sender did not resume: $(cat send.out send.err)"
	done
	wait $send || fail "$1: sender exit $?: $(cat send.err)"
	wait $recv || fail "$1: receiver exit $?: $(cat recv.err)"
	grep -qi nonce send.err send.out && fail "$1: a nonce was to be reused: $(cat send.err)"
	[ "$(count_in send.out '"event":"send_failed"') $(count_in send.out '"event":"send_resumed"')" = "$3 $3" ] ||
		fail "$1: want $3 send_failed and send_resumed events: $(cat send.out)"
	read -r total not_sent sent <<<"$(json_get send.out "' '.join(str(r[k]) for r in d if r['type'] == 'send_summary' for k in ('total', 'not_sent', 'sent'))")"
	dropped=$(nft_count src out dropped)
	[ "$((sent + not_sent))" = "$total" ] ||
		fail "$1: the sender's sent + not_sent is not its total: $(cat send.out)"
	[ "$(summary_get recv.out '["sessions"][0]["not_sent"]')" = "$not_sent" ] ||
		fail "$1: the sender did not send $not_sent, the receiver says: $(grep summary recv.out)"
	one_session_intact recv.out "$total"
	[ "$(summary_get recv.out '["totals"]["lost"]')" -ge "$not_sent" ] ||
		fail "$1: lost must include the $not_sent not sent: $(grep summary recv.out)"
	if [ -n "$1" ]; then
		[ "$(summary_get recv.out '["totals"]["rejected"]["total"]')" = 0 ] ||
			fail "sealed: rejects (replays?) at the receiver: $(grep summary recv.out)"
		[ "$(summary_get recv.out '["totals"]["accepted"]')" -gt "$(summary_get recv.out '["totals"]["received"]')" ] ||
			fail "sealed: the end markers were not opened: $(grep summary recv.out)"
	fi
}

for how in "--key good.key" ""; do
	# Only the output rule: each datagram it dropped is one not sent.
	run "$how" 2 0
	[ "$dropped" -gt 0 ] && [ "$not_sent" = "$dropped" ] ||
		fail "$how: nftables dropped $dropped, the sender says $not_sent not sent: $(cat send.out)"
done
# And three flaps on top, sealed (t_fault_sender has an unsealed outage).
run "--key good.key" 4 3
[ "$not_sent" -gt "$dropped" ] ||
	fail "$dropped dropped by nftables, $not_sent not sent with three flaps: $(cat send.out)"
exit 0
