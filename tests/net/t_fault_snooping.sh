# An IGMP snooping bridge forgets a member that stops reporting.  The bridge
# (snooping, its own querier, memberships held 3 s) floods no unregistered
# multicast to the receiver's port, and the receiver's host drops every
# IGMP query (nftables), as if there were no querier: it reports only when
# it joins.  Without --rejoin the bridge expires the membership and the
# stream stops reaching the receiver (--idle reports "idle"); with
# --rejoin 1 the receiver reports every second and the stream never stops.
. "$(dirname "$0")/lib.sh"
need_cmd nft nftables
topo_bridge src dst || skip "cannot create network namespaces"
G=239.1.2.3:1600

# The receiver's host must never see a query: one IGMPv2 query (the bridge's
# querier speaks v2) puts it in v2 compatibility for minutes, where the
# join's second report comes up to 10 s later and re-registers it after the
# bridge forgot it.  So the filter comes before the querier.
in_ns dst nft add table ip fault &&
	in_ns dst nft add chain ip fault input '{ type filter hook input priority 0; }' &&
	in_ns dst nft add rule ip fault input ip protocol igmp counter drop ||
	skip "nftables cannot filter in a network namespace here"
# Intervals first: enabling the querier arms a delay of one response interval.
ip -n switch link set br0 type bridge mcast_membership_interval 300 \
	mcast_query_interval 100 mcast_query_response_interval 50 \
	mcast_startup_query_interval 100 mcast_last_member_interval 100 &&
	ip -n switch link set br0 type bridge mcast_snooping 1 mcast_querier 1 &&
	bridge -n switch link set dev p2 mcast_flood off ||
	fail "cannot configure snooping on br0"

in_ns src mcast send --iface veth0 --probe --rate 200 --duration 60 $G 2>"$T/send.err" &
send=$!
wait_for "$T/send.err" '^probe session ' 5 || fail "sender did not start: $(cat "$T/send.err")"

# recv_run NAME ARGS...: a receiver with --idle 0.5 and interval reports into
# $T/NAME; returns once datagrams have arrived, its pid in $recv.
recv_run() {
	local out=$T/$1; shift
	in_ns dst env --default-signal=INT,TERM mcast recv --iface veth0 --stats --format json \
		--idle 0.5 --interval-report 0.5 "$@" $G >"$out" 2>"$out.err" &
	recv=$!
	wait_for "$out.err" '^joined ' 5 || fail "receiver never joined: $(cat "$out.err")"
	wait_for "$out" '"type":"interval".*"received":[1-9]' 5 ||
		fail "no datagram reached the receiver ($*): $(cat "$out")"
}
mdb_has_group() { bridge -n switch mdb show | grep -q 'port p2 grp 239\.1\.2\.3'; }

# Without --rejoin: the join's reports register the receiver, then nothing.
recv_run plain --timeout 30
mdb_has_group || fail "the bridge never registered the receiver: $(bridge -n switch mdb show)"
line=$(grep -nE '"type":"interval".*"received":[1-9]' "$T/plain" | head -1)
idle_after() { tail -n +"${line%%:*}" "$T/plain" | grep -q '"event":"idle"'; }
wait_until 12 idle_after ||
	fail "without --rejoin the stream never stopped: $(bridge -n switch mdb show; tail -3 "$T/plain")"
# A stall of sender or receiver under load (CI runs tests side by side) can
# make an idle moment of its own before the membership ages out, so the
# proof is the order: the bridge forgets the receiver, and from then on
# nothing arrives.
mdb_gone() { ! mdb_has_group; }
wait_until 6 mdb_gone ||
	fail "idle, but the bridge still lists the receiver: $(bridge -n switch mdb show)"
# received_so_far: datagrams in all interval reports so far, and their count.
received_so_far() {
	grep '"type":"interval"' "$T/plain" |
		sed -n 's/.*"received":\([0-9]*\).*/\1/p' | awk '{ s += $1; n++ } END { print s + 0, n + 0 }'
}
# What was forwarded before the expiry may still sit in a loaded host's
# queues, or in a receiver that has not reported it yet: give it a second.
sleep 1
read -r rx1 n1 < <(received_so_far)
sleep 1.6
read -r rx2 n2 < <(received_so_far)
[ $((n2 - n1)) -ge 2 ] || fail "no interval reports after the expiry: $(tail -3 "$T/plain")"
[ "$rx2" = "$rx1" ] ||
	fail "the bridge forgot the receiver, but $((rx2 - rx1)) datagrams arrived 1-2.6 s later: $(bridge -n switch mdb show; tail -n 6 "$T/plain" | tr '\n' ' ')"
[ "$(igmp_joined dst | grep ' 239\.1\.2\.3$')" = "$(if_index dst veth0) 239.1.2.3" ] ||
	fail "the receiver's host left the group: $(igmp_joined dst)"
kill -INT $recv; wait $recv
dropped=$(in_ns dst nft list table ip fault | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
[ "${dropped:-0}" -gt 0 ] || fail "no IGMP query reached the receiver's host to be dropped"

# With --rejoin 1: reports every second keep the bridge forwarding; 8 s of
# stream after the first datagram, and not one idle moment.
recv_run rejoin --rejoin 1 --timeout 30
line=$(grep -nE '"type":"interval".*"received":[1-9]' "$T/rejoin" | head -1)
sleep 8	# the run under test: more than twice the membership interval
tail -n +"${line%%:*}" "$T/rejoin" | grep -E '"event":"(idle|rejoin_failed)"' &&
	fail "with --rejoin 1 the stream stopped: $(bridge -n switch mdb show)"
zero=$(tail -n +"${line%%:*}" "$T/rejoin" | grep -cE '"type":"interval".*"received":0,')
[ "$zero" = 0 ] || fail "with --rejoin 1, $zero half-second intervals without a datagram"
kill -INT $recv; wait $recv || fail "receiver exit $?: $(cat "$T/rejoin.err")"
exit 0
