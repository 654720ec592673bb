# mcast relay --amt-listen and mcast recv --amt: an AMT relay and gateway
# (RFC 7450) across a link that drops all multicast (an nftables counter
# proves it).  Sender LAN -- relay host -- gateway host: probes to IPv4
# and IPv6, ASM and SSM groups arrive exactly, over an IPv4 and an IPv6
# tunnel (the relay answering from the address a gateway wrote to); a
# gateway answering with a wrong MAC or nonce is rejected and counted
# and gets nothing; when the gateway's address changes (a NAT
# rebinding) it is back within a query interval and tears down the old
# one.  tshark's AMT dissector reads all seven message types in the
# capture of the exchange, and the IGMP and MLD inside, without an error.
. "$(dirname "$0")/lib.sh"
need_cmd nft nftables
for h in src ra gw; do new_host $h || skip "cannot create network namespaces"; done
ip link add veth0 netns src type veth peer name a0 netns ra &&
	ip link add u0 netns ra type veth peer name u0 netns gw &&
	ip -n src addr add 10.0.1.1/24 dev veth0 && ip -n src addr add fd01::1/64 dev veth0 nodad &&
	ip -n ra addr add 10.0.1.2/24 dev a0 && ip -n ra addr add fd01::2/64 dev a0 nodad &&
	ip -n ra addr add 10.9.1.1/24 dev u0 && ip -n ra addr add fd09:1::1/64 dev u0 nodad &&
	ip -n ra addr add 10.9.1.9/24 dev u0 &&
	ip -n gw addr add 10.9.1.2/24 dev u0 && ip -n gw addr add fd09:1::2/64 dev u0 nodad &&
	ip -n src link set veth0 up && ip -n ra link set a0 up &&
	ip -n ra link set u0 up && ip -n gw link set u0 up || fail "cannot build the links"
for p in src:veth0 ra:a0 ra:u0 gw:u0; do wait_up "${p%%:*}" "${p#*:}"; done
in_ns gw nft -f - <<-NFT || fail "cannot load the multicast drop"
	table inet nomc {
		counter mc { }
		counter data { }
		chain pre { type filter hook prerouting priority 0; meta pkttype multicast meta l4proto { udp, igmp, ipv6-icmp } counter name mc drop; udp sport 2268 @th,64,8 6 counter name data; }
	}
NFT
in_ns ra mcast send --iface u0 --ttl 5 --count 3 --interval 0.01 239.1.2.3:1600 2>/dev/null
[ "$(nft_count gw nomc mc)" -ge 3 ] || fail "the gateway's link did not drop multicast"

# Usage: --amt-listen takes --from and no groups; recv --amt no --iface.
in_ns ra mcast relay --amt-listen :2268 --from a0 --to u0 2>/dev/null; [ $? = 2 ] || fail "--amt-listen --to"
in_ns ra mcast relay --amt-listen :2268 --from a0 239.1.2.3:1600 2>/dev/null; [ $? = 2 ] || fail "--amt-listen GROUP"
in_ns ra mcast relay --amt-query-interval 1 --from a0 --to u0 239.1.2.3:1600 2>/dev/null; [ $? = 2 ] || fail "--amt-query-interval alone"
in_ns gw mcast recv --amt 10.9.1.1 --iface u0 239.1.2.3:1600 2>/dev/null; [ $? = 2 ] || fail "--amt --iface"

# Without CAP_NET_RAW the relay cannot read the groups: exit 1, saying so.
if command -v setpriv >/dev/null; then
	in_ns ra setpriv --bounding-set=-net_raw --inh-caps=-net_raw \
		mcast relay --amt-listen :2268 --from a0 --duration 1 2>"$T/cap.err"
	[ $? = 1 ] && grep -q 'needs CAP_NET_RAW' "$T/cap.err" || fail "without CAP_NET_RAW: $(cat "$T/cap.err")"
fi

shark=false
if command -v tshark >/dev/null; then
	in_ns gw tshark -i u0 -w "$T/amt.pcap" -f 'udp port 2268' >"$T/shark.err" 2>&1 &
	shark_pid=$!
	wait_for "$T/shark.err" "Capturing on" 60 && shark=true || fail "tshark: $(cat "$T/shark.err")"
fi
start_relay r4 ra --amt-listen :2268 --from a0 --amt-query-interval 1
start_relay r6 ra --amt-listen '[fd09:1::1]:2268' --from a0 --amt-query-interval 1

# gateway NAME RELAY COUNT GROUPS...: recv --amt through RELAY, then COUNT
# probes to each group from src; the summary in $T/NAME.out.
gateway() {
	local name=$1 relay=$2 count=$3
	shift 3
	in_ns gw mcast recv --amt "$relay" --stats --until-end --format json --timeout 20 "$@" \
		>"$T/$name.out" 2>"$T/$name.err" &
	local recv=$!
	wait_for "$T/$name.err" '^joined ' 10 || fail "gateway $name never joined: $(cat "$T/$name.err" "$T"/r4.err)"
	local groups=() g
	for g in "$@"; do groups+=("${g#*@}"); done
	in_ns src mcast send --probe --iface veth0 --ttl 5 --count "$count" --rate 1000 "${groups[@]}" \
		2>"$T/send.err" || fail "sender failed: $(cat "$T/send.err")"
	wait $recv || fail "gateway $name exited $?: $(cat "$T/$name.err" "$T/$name.out")"
}
# Through the relay's second address: it must answer from that one.
gateway v4 10.9.1.9 200 239.1.2.3:1600 10.0.1.1@232.1.2.3:1602 '[ff15::1:2]:1600'
[ "$(summary_get "$T/v4.out" '["totals"]["sessions"]') $(summary_get "$T/v4.out" '["totals"]["received"]') $(summary_get "$T/v4.out" '["totals"]["lost"]')" = "3 600 0" ] ||
	fail "IPv4 tunnel: want 3 sessions, 600 received, 0 lost: $(cat "$T/v4.out" "$T/v4.err")"
grep -q '^joined 239.1.2.3:1600, 10.0.1.1@232.1.2.3:1602, \[ff15::1:2\]:1600 through AMT relay 10.9.1.9:2268$' "$T/v4.err" ||
	fail "gateway's joined line: $(cat "$T/v4.err")"
# Only IPv6 groups: the gateway asks for MLD queries, over IPv6.
gateway v6 fd09:1::1 200 '[ff15::1:2]:1600' 'fd01::1@[ff3e::1:2]:1601'
[ "$(summary_get "$T/v6.out" '["totals"]["sessions"]') $(summary_get "$T/v6.out" '["totals"]["received"]') $(summary_get "$T/v6.out" '["totals"]["lost"]')" = "2 400 0" ] ||
	fail "IPv6 tunnel: want 2 sessions, 400 received, 0 lost: $(cat "$T/v6.out" "$T/v6.err")"

# A gateway with the wrong MAC, then the wrong nonce: rejected, given
# nothing; the right ones get the data (so the check can fail).
forged() {
	in_ns gw python3 "$MCAST_SRC/tests/net/amt_gateway.py" 10.9.1.1 "$1" 2 >"$T/forged.out" 2>&1 &
	local py=$!
	wait_for "$T/forged.out" '^sent' 5 || fail "forged gateway ($1): $(cat "$T/forged.out")"
	in_ns src mcast send --iface veth0 --ttl 5 --count 50 --interval 0.01 239.1.2.3:1600 2>/dev/null
	wait $py || fail "forged gateway ($1) failed: $(cat "$T/forged.out")"
	tail -n 1 "$T/forged.out"
}
[ "$(forged mac)" = 0 ] || fail "a wrong MAC got data: $(cat "$T/forged.out")"
[ "$(forged nonce)" = 0 ] || fail "a wrong nonce got data: $(cat "$T/forged.out")"
[ "$(forged good)" -gt 0 ] || fail "the right MAC and nonce got nothing: $(cat "$T/forged.out")"

# NAT rebinding: 600 probes at 100/s; after 150 data messages the gateway's
# address changes.  Within a query interval (1 s, 100 probes) it is back.
in_ns gw sysctl -qw net.ipv4.conf.u0.promote_secondaries=1
in_ns gw mcast recv --amt 10.9.1.1 --stats --until-end --format json --timeout 20 239.1.2.3:1600 \
	>"$T/nat.out" 2>"$T/nat.err" &
recv=$!
wait_for "$T/nat.err" '^joined ' 10 || fail "gateway never joined: $(cat "$T/nat.err")"
in_ns src mcast send --probe --iface veth0 --ttl 5 --count 600 --rate 100 239.1.2.3:1600 2>"$T/send.err" &
send=$!
base=$(nft_count gw nomc data)
_data_past() { [ "$(nft_count gw nomc data)" -ge $((base + 150)) ]; }
wait_until 10 _data_past || fail "no data before the rebinding"
ip -n gw addr add 10.9.1.3/24 dev u0 && ip -n gw addr del 10.9.1.2/24 dev u0 || fail "cannot change the address"
wait $send || fail "sender failed: $(cat "$T/send.err")"
wait $recv || fail "gateway exited $?: $(cat "$T/nat.err" "$T/nat.out")"
received=$(summary_get "$T/nat.out" '["totals"]["received"]')
[ "$received" -ge 450 ] && [ "$received" -lt 600 ] ||
	fail "want 450-599 of 600 (an outage of at most 1.5 s): $received: $(cat "$T/nat.err")"
grep -q 'AMT relay now sees this gateway as 10.9.1.3:[0-9]*, not 10.9.1.2:[0-9]*: tore down the old one' "$T/nat.err" ||
	fail "gateway did not notice the rebinding: $(cat "$T/nat.err")"

stop_relay r4
stop_relay r6
amt() { json_get "$T/$1.out" "[r for r in d if r['type'] == 'relay_summary'][0]['amt']$2"; }
[ "$(amt r4 '["rejected"]["mac"]')" = 2 ] || fail "r4 did not count the wrong MAC and nonce: $(cat "$T/r4.out")"
[ "$(amt r4 '["teardowns"]')" = 1 ] || fail "r4 teardowns: $(cat "$T/r4.out")"
[ "$(amt r6 '["relayed"]')" -ge 400 ] || fail "r6 relayed: $(cat "$T/r6.out")"
[ "$(amt r4 '["rejected"]["malformed"]') $(amt r6 '["rejected"]["malformed"]')" = "0 0" ] ||
	fail "malformed: $(cat "$T/r4.out" "$T/r6.out")"

$shark || { echo "tshark not installed: the dissector check skipped" >&2; exit 0; }
kill -INT $shark_pid
wait $shark_pid
# (tshark says on stderr that it runs as root: only stdout is read.)
tshark -r "$T/amt.pcap" -Y amt -T fields -e amt.type -e igmp.type -e icmpv6.type \
	>"$T/fields" 2>/dev/null || fail "tshark cannot read the capture"
types=$(cut -f1 "$T/fields" | sort -un | tr '\n' ' ')
[ "$types" = "1 2 3 4 5 6 7 " ] || fail "AMT types in the capture: $types"
# Queries (4) and updates (5) carry IGMPv3 (0x11, 0x22) and MLDv2 (130, 143).
for want in '4	0x11	' '5	0x22	' '4		130' '5		143'; do
	grep -q "^$want\$" "$T/fields" || fail "no AMT $want in: $(sort -u "$T/fields")"
done
# Malformed packets are errors there, dissector complaints warnings.
tshark -r "$T/amt.pcap" -q -z expert,warn >"$T/expert" 2>/dev/null || fail "tshark -z expert failed"
! grep -qE '^(Errors|Warnings) ' "$T/expert" || fail "tshark expert: $(cat "$T/expert")"
exit 0
