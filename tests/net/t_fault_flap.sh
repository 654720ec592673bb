# A receiver's link flaps 20 times under a 500/s probe stream.  Linux keeps
# memberships across link down/up: after every up, the receiver's namespace
# lists 239.1.2.3 under the current veth0 index only, the receiver reports
# link_down, idle, link_up and traffic_back, and traffic is back within 3 s
# of the link being set up.  At the end nothing was counted twice and every
# probe sent is either received or counted lost.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600
FLAPS=20

in_ns right mcast recv --iface veth0 --stats --format json --idle 0.2 \
	--interval-report 0.5 --until-end --timeout 100 $G >"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
# SIGINT ends the stream with end markers (a background job ignores it).
in_ns left env --default-signal=INT,TERM mcast send --iface veth0 --probe \
	--rate 500 $G 2>"$T/send.err" &
send=$!
wait_for "$T/out" '"type":"interval".*"received":[1-9]' 5 ||
	fail "the receiver reported no probes: $(cat "$T/out")"

ev() { count_in "$T/out" "\"event\":\"$1\""; }
# The receiver's joins of 239.1.2.3, as "IFINDEX 239.1.2.3" lines.
joins() { igmp_joined right | grep ' 239\.1\.2\.3$'; }
[ "$(joins)" = "$(if_index right veth0) 239.1.2.3" ] ||
	fail "before the flaps: joins of 239.1.2.3 are '$(joins)'"

for k in $(seq $FLAPS); do
	down=$(ev link_down) idle=$(ev idle) up=$(ev link_up) back=$(ev traffic_back)
	ip -n right link set veth0 down || fail "flap $k: cannot set veth0 down"
	wait_lines "$T/out" '"event":"link_down"' $((down + 1)) 3 ||
		fail "flap $k: no link_down event: $(tail -5 "$T/out")"
	wait_lines "$T/out" '"event":"idle"' $((idle + 1)) 3 ||
		fail "flap $k: no idle event while the link was down: $(tail -5 "$T/out")"
	t_up=$EPOCHREALTIME
	ip -n right link set veth0 up || fail "flap $k: cannot set veth0 up"
	wait_lines "$T/out" '"event":"link_up"' $((up + 1)) 5 ||
		fail "flap $k: no link_up event within 5 s: $(tail -5 "$T/out")"
	wait_lines "$T/out" '"event":"traffic_back"' $((back + 1)) 5 ||
		fail "flap $k: no traffic_back event within 5 s of the link up: $(tail -5 "$T/out")"
	# Timestamps are the receiver's own (CLOCK_REALTIME, like $EPOCHREALTIME).
	t_link=$(event_ts "$T/out" link_up $((up + 1)))
	t_back=$(event_ts "$T/out" traffic_back $((back + 1)))
	python3 -c "import sys; u, l, b = map(float, sys.argv[1:])
sys.exit(not (u <= b <= u + 3 and u <= l <= u + 3))" "$t_up" "$t_link" "$t_back" ||
		fail "flap $k: link set up at $t_up, link_up event at $t_link, traffic_back at $t_back (want both within 3 s after)"
	[ "$(joins)" = "$(if_index right veth0) 239.1.2.3" ] ||
		fail "flap $k: joins of 239.1.2.3 are '$(joins)', want only on index $(if_index right veth0)"
done

kill -INT $send
wait $send || fail "sender exit $?: $(cat "$T/send.err")"
sent=$(sent_probes "$T/send.err") || exit 1
wait $recv || fail "receiver exit $?: $(cat "$T/err")"
grep -q '"event":"\(rejoin_failed\|link_gone\|events_lost\)"' "$T/out" &&
	fail "unexpected events: $(grep -E 'rejoin_failed|link_gone|events_lost' "$T/out")"

one_session_intact "$T/out" "$sent"
[ "$(summary_get "$T/out" '["totals"]["lost"]')" -gt 0 ] || fail "$FLAPS flaps lost nothing? $(grep summary "$T/out")"
exit 0
