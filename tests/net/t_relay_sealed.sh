# A sealed relay tunnel (--key): the near relay and the listener share a
# key file and a tunnel id; probes arrive exactly.  A near relay bound to
# another tunnel id, or one that does not seal, is rejected by reason
# (bad tag, not sealed) and nothing of it reaches the far link; every
# message replayed (nftables duplicates each) is rejected as replayed
# and delivered once.  Both
# ends run on the relay host here, the tunnel over its loopback: the
# listener binds 127.0.0.1, a unicast address no group is routed from.
. "$(dirname "$0")/lib.sh"
topo_line src relay dst || skip "cannot create network namespaces"
G=239.1.2.3:1600
mcast keygen "$T/k" 2>/dev/null || fail "keygen failed"

in_ns relay mcast relay --tunnel-listen 127.0.0.1:7000 --to b0 2>"$T/u.err"
[ $? = 2 ] && grep -q 'without --key FILE or --allow ADDR' "$T/u.err" || fail "listener without --key or --allow: $(cat "$T/u.err")"
in_ns relay mcast relay --from a0 --to b0 --key "$T/k" $G 2>/dev/null
[ $? = 2 ] || fail "--key without a tunnel was accepted"

start_relay far relay --tunnel-listen 127.0.0.1:7000 --key "$T/k" --tunnel-id 7 --to b0 $G

# probes N: N probes from src; dst's summary in $T/recv.out.
probes() {
	in_ns dst mcast recv --iface veth0 --stats --until-end --format json \
		--timeout "$2" $G >"$T/recv.out" 2>"$T/recv.err" &
	local recv=$!
	wait_for "$T/recv.err" '^joined ' 5 || fail "receiver never joined"
	in_ns src mcast send --probe --iface veth0 --ttl 5 --count "$1" \
		--rate 1000 $G 2>"$T/send.err" || fail "sender failed: $(cat "$T/send.err")"
	wait $recv
}

# Every tunnel message is sent twice (nftables dup): each copy is a replay.
in_ns relay nft -f - <<-NFT || fail "cannot load the duplication"
	table ip replay {
		chain out { type filter hook output priority 0; udp dport 7000 dup to 127.0.0.1; }
	}
NFT
start_relay near relay --from a0 --peer 127.0.0.1:7000 --key "$T/k" --tunnel-id 7 $G
probes 200 20 || fail "sealed tunnel: receiver exited $?: $(cat "$T/recv.out")"
one_session_intact "$T/recv.out" 200
stop_relay near
in_ns relay nft delete table ip replay

start_relay wrongid relay --from a0 --peer 127.0.0.1:7000 --key "$T/k" --tunnel-id 8 $G
probes 50 2 && fail "a tunnel bound to another id reached the far link: $(cat "$T/recv.out")"
stop_relay wrongid
start_relay bare relay --from a0 --peer 127.0.0.1:7000 $G
probes 50 2 && fail "an unsealed tunnel reached the far link: $(cat "$T/recv.out")"
stop_relay bare
stop_relay far

[ "$(relay_get far 0 '["relayed"]')" = 203 ] || fail "far relayed: $(cat "$T/far.out")"
[ "$(relay_get far 0 '["lost"]')" = 0 ] || fail "far lost: $(cat "$T/far.out")"
[ "$(relay_get far 0 '["sealing"]["accepted"]')" = 206 ] || fail "accepted: $(cat "$T/far.out")"
[ "$(relay_get far 0 '["sealing"]["rejected"]["bad_tag"]')" = 56 ] || fail "bad tag: $(cat "$T/far.out")"
[ "$(relay_get far 0 '["sealing"]["rejected"]["unsealed"]')" = 56 ] || fail "unsealed: $(cat "$T/far.out")"
[ "$(relay_get far 0 '["sealing"]["rejected"]["replayed"]')" = 206 ] || fail "replayed: $(cat "$T/far.out")"
exit 0
