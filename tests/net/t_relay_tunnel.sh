# mcast relay over unicast: two sites joined by a routed path whose middle
# host drops all multicast UDP (an nftables counter proves it).  The near
# relay carries IPv4 and IPv6, ASM and SSM groups to two tunnel listeners
# on the far relay, one over IPv4 and one over IPv6, each of which sends
# only the groups it names.  Probes arrive exactly; loss injected in the
# tunnel is counted exactly at the far end; tunnel datagrams from an
# address not --allow'ed are rejected and counted, and reach no one.
# Sealed over the same path, replayed and forged messages are rejected
# by reason and reach no one either.
. "$(dirname "$0")/lib.sh"
need_cmd nft nftables
for h in src ra mid rb dst; do new_host $h || skip "cannot create network namespaces"; done
# link NS1 IF1 NS2 IF2 NET: a veth between them, .1 and .2 of 10.NET/24 and
# fdNET::/64 ("9.1" gives 10.9.1.0/24 and fd09:1::/64).
link() {
	local v6=fd0${5/./:}
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" &&
		ip -n "$1" addr add "10.$5.1/24" dev "$2" &&
		ip -n "$1" addr add "$v6::1/64" dev "$2" nodad &&
		ip -n "$3" addr add "10.$5.2/24" dev "$4" &&
		ip -n "$3" addr add "$v6::2/64" dev "$4" nodad &&
		ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}
link src veth0 ra a0 0.1 && link ra u0 mid u0 9.1 && link rb v0 mid v0 9.2 &&
	link dst veth0 rb b0 0.2 || fail "cannot build the links"
for p in src:veth0 ra:a0 ra:u0 mid:u0 mid:v0 rb:v0 rb:b0 dst:veth0; do wait_up "${p%%:*}" "${p#*:}"; done
in_ns mid sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n ra route add default via 10.9.1.2 && ip -n ra -6 route add default via fd09:1::2 &&
	ip -n rb route add default via 10.9.2.2 && ip -n rb -6 route add default via fd09:2::2 ||
	fail "cannot add routes"
in_ns mid nft -f - <<-NFT || fail "cannot load the multicast drop"
	table inet nomc {
		counter mc { }
		chain pre { type filter hook prerouting priority 0; meta pkttype multicast meta l4proto { udp, igmp } counter name mc drop; }
	}
NFT

# The middle drops multicast that tries to pass.
in_ns ra mcast send --iface u0 --ttl 5 --count 3 --interval 0.01 239.1.2.3:1600 2>/dev/null
[ "$(nft_count mid nomc mc)" -ge 3 ] || fail "the middle host did not see and drop multicast"

# 0. A listener needs --key or --allow; the others are usage errors too.
in_ns rb mcast relay --tunnel-listen :7000 --to b0 2>"$T/u.err"
[ $? = 2 ] && grep -q 'refusing to listen without --key FILE or --allow ADDR' "$T/u.err" || fail "listener without --allow: $(cat "$T/u.err")"
in_ns rb mcast relay --tunnel-listen :7000 --from b0 --allow 10.9.1.1 2>/dev/null; [ $? = 2 ] || fail "--tunnel-listen --from"
in_ns ra mcast relay --from a0 --to u0 --peer 10.9.2.1:7000 239.1.2.3:1600 2>/dev/null; [ $? = 2 ] || fail "--peer --to"

V4="239.1.2.3:1600 10.0.1.1@232.1.2.3:1602"
V6="[ff15::1:2]:1600 fd00:1::1@[ff3e::1:2]:1601"
start_relay l4 rb --tunnel-listen 10.9.2.1:7000 --allow 10.9.1.1 --to b0 $V4
start_relay l6 rb --tunnel-listen '[fd09:2::1]:7001' --allow fd09:1::1 --to b0 $V6
# The port is taken now: exit 1.
in_ns rb mcast relay --tunnel-listen 10.9.2.1:7000 --allow 10.9.1.1 --to b0 2>"$T/u.err"
[ $? = 1 ] || fail "second listener on a used port: $(cat "$T/u.err")"
start_relay near ra --from a0 --peer 10.9.2.1:7000 --peer '[fd09:2::1]:7001' $V4 $V6
grep -q 'relayed through 2 tunnels$' "$T/near.err" || fail "near start line: $(cat "$T/near.err")"

# run N: N probes to each of the four groups, received on dst (the SSM
# groups from the far relay's address: it is the source there).
run() {
	in_ns dst mcast recv --iface veth0 --stats --until-end --format json --timeout 20 \
		239.1.2.3:1600 10.0.2.2@232.1.2.3:1602 '[ff15::1:2]:1600' 'fd00:2::2@[ff3e::1:2]:1601' \
		>"$T/recv.out" 2>"$T/recv.err" &
	local recv=$!
	wait_for "$T/recv.err" '^joined ' 5 || fail "receiver never joined"
	in_ns src mcast send --probe --iface veth0 --ttl 5 --count "$1" --rate 2000 \
		239.1.2.3:1600 232.1.2.3:1602 '[ff15::1:2]:1600' '[ff3e::1:2]:1601' \
		2>"$T/send.err" || fail "sender failed: $(cat "$T/send.err")"
	wait $recv
}
run 200 || { stop_relay near; stop_relay l4; stop_relay l6; fail "receiver exited: $(cat "$T/recv.out" "$T"/near.* "$T"/l4.* "$T"/l6.*)"; }
[ "$(summary_get "$T/recv.out" '["totals"]["sessions"]') $(summary_get "$T/recv.out" '["totals"]["received"]') $(summary_get "$T/recv.out" '["totals"]["lost"]')" = "4 800 0" ] ||
	{ stop_relay near; stop_relay l4; stop_relay l6; fail "want 4 sessions, 800 received, 0 lost: $(cat "$T/recv.out" "$T"/near.* "$T"/l4.* "$T"/l6.*)"; }
[ "$(json_get "$T/recv.out" '[s["hops"] for r in d if r["type"] == "summary" for s in r["sessions"]]')" = "[1, 1, 1, 1]" ] ||
	fail "TTL not arrival - 1 at the far end: $(cat "$T/recv.out")"

# Every tenth tunnel message (type 5) to the IPv4 listener dropped on rb.
in_ns rb nft -f - <<-NFT || fail "cannot load the tunnel loss"
	table inet lossy {
		counter dropped { }
		chain input { type filter hook input priority 0; udp dport 7000 @th,104,8 5 numgen inc mod 10 0 counter name dropped drop; }
	}
NFT
run 100
dropped=$(nft_count rb lossy dropped)
[ "$dropped" -gt 0 ] || fail "nothing dropped"
in_ns rb nft delete table inet lossy

# A tunnel message from an address not allowed: rejected, sent nowhere.
forge() {
	in_ns mid python3 - "$@" <<-'PY'
	import socket, struct, sys
	body = struct.pack(">BBHHH", 4, 9, 1600, 1, 0) + socket.inet_aton("239.1.2.3") + bytes(12) + socket.inet_aton("10.0.1.1") + bytes(12) + b"forged"
	hdr = struct.pack(">IBBHI16sQQBBHQ", 0x4d435354, 2, 5, 0, 0, b"F" * 16, 0, 0, 64, 56, len(body), 0)
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	for i in range(5):
	    s.sendto(hdr + body, ("10.9.2.1", 7000))
	PY
}
in_ns dst mcast recv --iface veth0 --timeout 1 239.1.2.3:1600 >"$T/forged.out" 2>&1 &
recv=$!
wait_for "$T/forged.out" '^joined ' 5 || fail "receiver never joined"
forge
wait $recv && fail "a forged datagram reached the far LAN: $(cat "$T/forged.out")"

stop_relay near
stop_relay l4
stop_relay l6
# 200 + 100 probes and 2 x 3 end markers to each of four groups; each
# listener hears all four and sends its own two.
[ "$(relay_get near 0 '["relayed"]')" = $((4 * 306)) ] || fail "near: $(cat "$T/near.out")"
[ "$(relay_get l4 0 '["lost"]')" = "$dropped" ] || fail "l4 lost, want $dropped: $(cat "$T/l4.out")"
[ "$(relay_get l4 0 '["rejected"]["unallowed"]')" = 5 ] || fail "l4 unallowed: $(cat "$T/l4.out")"
[ "$(relay_get l6 0 '["lost"]') $(relay_get l6 0 '["rejected"]["unknown_group"]')" = "0 612" ] ||
	fail "l6: $(cat "$T/l6.out")"
[ "$(( $(relay_get l4 0 '["relayed"]') + $(relay_get l4 0 '["rejected"]["unknown_group"]') + dropped ))" = $((4 * 306)) ] ||
	fail "l4 relayed + unknown + dropped is not everything sent: $(cat "$T/l4.out")"

# A sealed tunnel over the same path: every message the middle forwards
# it also sends again (nftables dup: a replay), and a forger there sends
# messages with the key's id but no key.  Each is rejected by reason and
# none reaches the far LAN; the probes arrive once each.
mcast keygen "$T/k" 2>/dev/null || fail "keygen failed"
start_relay ls rb --tunnel-listen 10.9.2.1:7002 --key "$T/k" --to b0 239.1.2.3:1600
start_relay ns ra --from a0 --peer 10.9.2.1:7002 --key "$T/k" 239.1.2.3:1600
in_ns mid nft -f - <<-NFT || fail "cannot load the replay"
	table ip replay {
		chain again { type filter hook forward priority 0; ip daddr 10.9.2.1 udp dport 7002 dup to 10.9.2.1; }
	}
NFT
in_ns dst mcast recv --iface veth0 --stats --until-end --format json --timeout 20 \
	239.1.2.3:1600 >"$T/recv.out" 2>"$T/recv.err" &
recv=$!
wait_for "$T/recv.err" '^joined ' 5 || fail "receiver never joined"
in_ns src mcast send --probe --iface veth0 --ttl 5 --count 100 --rate 2000 \
	239.1.2.3:1600 2>"$T/send.err" || fail "sender failed: $(cat "$T/send.err")"
stop_relay ns
wait $recv || fail "sealed: receiver exited $?: $(cat "$T/recv.out" "$T"/ls.*)"
one_session_intact "$T/recv.out" 100
in_ns mid nft delete table ip replay
in_ns dst mcast recv --iface veth0 --timeout 1 239.1.2.3:1600 >"$T/forged.out" 2>&1 &
recv=$!
wait_for "$T/forged.out" '^joined ' 5 || fail "receiver never joined"
in_ns mid python3 - <<-'PY'
	import os, socket, struct
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	for i in range(7):
	    body = os.urandom(200)  # payload and a 16-byte tag
	    hdr = struct.pack(">IBBHI16sQQBBHQ", 0x4d435354, 2, 5, 0, 1, b"F" * 16, i, 0, 64, 56, len(body) - 16, 0)
	    s.sendto(hdr + body, ("10.9.2.1", 7002))
	PY
wait $recv && fail "a forged sealed message reached the far LAN: $(cat "$T/forged.out")"
stop_relay ls
# 100 probes and 3 end markers relayed; 3 tunnel end markers besides.
[ "$(relay_get ls 0 '["relayed"]') $(relay_get ls 0 '["sealing"]["accepted"]')" = "103 106" ] ||
	fail "sealed listener relayed/accepted: $(cat "$T/ls.out" "$T/ls.err")"
[ "$(relay_get ls 0 '["sealing"]["rejected"]["replayed"]')" = 106 ] || fail "replayed: $(cat "$T/ls.out")"
[ "$(relay_get ls 0 '["sealing"]["rejected"]["bad_tag"]')" = 7 ] || fail "forged: $(cat "$T/ls.out")"
exit 0
