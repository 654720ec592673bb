# mcast monitor rides out its interface as recv does (t_fault_flap.sh,
# t_fault_recreate.sh), under one probe sender to an IPv4 and an IPv6
# group.  The link flaps FLAPS times: each time both groups go silent and
# come back, on the same index.  Then the veth pair is deleted and made
# again ROUNDS times, more than igmp_max_memberships (20): each time the
# monitor leaves the stale memberships, joins on the new index ("rejoined"
# event) and both groups come back.  Every outage is counted, and at the
# end every probe sent is either received or counted lost, none twice.
# Last, --rejoin 0.5 reports the memberships again every half second
# (IGMP reports on the wire, counted by nftables), and without it the
# monitor sends none after its join.
. "$(dirname "$0")/lib.sh"
need_cmd nft nftables
topo_pair left right || skip "cannot create network namespaces"
in_ns right sysctl -qw net.ipv4.igmp_max_memberships=20 || skip "cannot set igmp_max_memberships"
FLAPS=4 ROUNDS=21 OUTAGES=$((4 + 21))
printf '%s\n' '239.1.5.1:1600 name=four' '[ff15::5]:1600 name=six' >"$T/groups"

in_ns right mcast monitor --iface veth0 --groups "$T/groups" --format json \
	--idle 0.4 --interval-report 0.5 >"$T/out" 2>"$T/err" &
mon=$!
wait_for "$T/err" '^monitoring 2 groups$' 5 || fail "monitor never started: $(cat "$T/err")"
# SIGINT ends the stream with end markers (a background job ignores it).
in_ns left env --default-signal=INT,TERM mcast send --iface veth0 --probe \
	--rate 400 239.1.5.1:1600 '[ff15::5]:1600' 2>"$T/send.err" &
send=$!

ev() { count_in "$T/out" "\"event\":\"$1\""; }
# back_both N: both groups have said "back" (or "receiving", the first
# time) N times in all.
back_both() {
	[ "$(count_in "$T/out" '"event":"(back|receiving)","group":"239\.1\.5\.1"')" -ge "$1" ] &&
		[ "$(count_in "$T/out" '"event":"(back|receiving)","group":"ff15::5"')" -ge "$1" ]
}
# silent_both N: both groups have gone silent N times since they were
# first heard (a slow start may make them silent before that).
silent4() { count_in "$T/out" '"event":"silent","group":"239\.1\.5\.1"'; }
silent6() { count_in "$T/out" '"event":"silent","group":"ff15::5"'; }
silent_both() {
	[ "$(silent4)" -ge $((before4 + $1)) ] && [ "$(silent6)" -ge $((before6 + $1)) ]
}
wait_until 5 back_both 1 || fail "the monitor heard no probes: $(tail -3 "$T/out")"
before4=$(silent4) before6=$(silent6)
joins() { igmp_joined right | grep ' 239\.1\.5\.1$'; }
k=1
for i in $(seq $FLAPS); do
	ip -n right link set veth0 down || fail "flap $i: cannot set veth0 down"
	wait_until 5 silent_both $k || fail "flap $i: not silent: $(tail -4 "$T/out")"
	ip -n right link set veth0 up || fail "flap $i: cannot set veth0 up"
	k=$((k + 1))
	wait_until 5 back_both $k || fail "flap $i: not back within 5 s: $(tail -4 "$T/out")"
	[ "$(joins)" = "$(if_index right veth0) 239.1.5.1" ] ||
		fail "flap $i: joins of 239.1.5.1 are '$(joins)'"
done
for i in $(seq $ROUNDS); do
	ip -n right link del veth0 || fail "round $i: cannot delete veth0"
	wait_until 5 silent_both $k || fail "round $i: not silent: $(tail -4 "$T/out")"
	ip link add veth0 netns left type veth peer name veth0 netns right &&
		host_addr left 1 && host_addr right 2 || fail "round $i: cannot recreate the pair"
	new=$(if_index right veth0)
	wait_lines "$T/out" '"event":"rejoined"' "$i" 5 ||
		fail "round $i: no rejoined event: $(tail -4 "$T/out")"
	grep '"event":"rejoined"' "$T/out" | sed -n "${i}p" |
		grep -q "recreated as index $new (was [0-9]*): left the stale memberships, joined 2 groups again" ||
		fail "round $i: $(grep '"event":"rejoined"' "$T/out" | sed -n "${i}p")"
	k=$((k + 1))
	wait_until 5 back_both $k || fail "round $i: not back within 5 s: $(tail -4 "$T/out")"
	[ "$(joins)" = "$new 239.1.5.1" ] || fail "round $i: joins of 239.1.5.1 are '$(joins)', want index $new"
done
kill -INT $send
wait $send || fail "sender exit $?: $(cat "$T/send.err")"
sent=$(sent_probes "$T/send.err") || exit 1
# Each group's end markers: then every probe sent is accounted for.
ended() { [ "$(json_get "$T/out" "sum(r['sequenced'] + r['lost'] for r in [[x for x in d if x['type'] == 'interval' and x['group'] == g][-1] for g in ('239.1.5.1', 'ff15::5')])")" = "$sent" ]; }
wait_until 5 ended || fail "sent $sent, monitor: $(tail -3 "$T/out")"
kill -INT $mon
wait $mon || fail "monitor exit $?: $(cat "$T/err")"
grep -q '"event":"\(rejoin_failed\|events_lost\)"' "$T/out" &&
	fail "unexpected events: $(grep -E 'rejoin_failed|events_lost' "$T/out")"
# outages_ok G: G's outages are its silences after its first datagram
# (each counted once; a loaded machine may add one), at least OUTAGES, and
# it has a time; nothing came twice, and the outages lost probes.
outages_ok() {
	python3 - "$T/out" "$1" "$OUTAGES" <<-'PY'
	import json, sys
	out, g, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
	d = [r for r in map(json.loads, open(out)) if r.get("group") == g]
	first = next(i for i, r in enumerate(d) if r.get("event") == "receiving")
	silences = sum(1 for r in d[first:] if r.get("event") == "silent")
	last = [r for r in d if r["type"] == "interval"][-1]
	got = (last["outages"], last["duplicates"], last["lost"] > 0, last["outage_s"] > 0)
	if got != (silences, 0, True, True) or silences < want:
	    print(f"{g}: (outages, duplicates, lost, outage time) = {got}; "
	          f"{silences} silences after the first datagram, want >= {want}")
	PY
}
for g in 239.1.5.1 ff15::5; do
	r=$(outages_ok $g)
	[ -z "$r" ] || fail "$r"
done

# --rejoin: IGMP reports sent by the monitor's host, counted by nftables
# from 1 s after the join (the join's own reports are over by then).
in_ns right nft -f - <<-'NFT' || fail "cannot load the nftables counter"
	table ip rejoins {
		counter reports { }
		chain output {
			type filter hook output priority 0; policy accept;
			ip protocol igmp counter name reports
		}
	}
NFT
reports() { in_ns right nft list counter ip rejoins reports | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
# rejoin_run [--rejoin SECONDS]: $n, the reports of a 4 s monitor.
rejoin_run() {
	local r0 rc
	r0=$(reports)
	in_ns right mcast monitor --iface veth0 "$@" --duration 4 \
		239.1.5.9:1600 >/dev/null 2>"$T/err.rejoin"
	rc=$?
	[ $rc = 0 ] || fail "monitor $*: exit $rc: $(cat "$T/err.rejoin")"
	n=$(($(reports) - r0))
}
rejoin_run
plain=$n
rejoin_run --rejoin 0.5
echo "IGMP reports of a 4 s monitor: $plain without --rejoin, $n with --rejoin 0.5"
# Seven or eight rejoins, each a leave and a join.
[ "$n" -ge $((plain + 7)) ] || fail "--rejoin 0.5: $n IGMP reports, without it $plain"
exit 0
