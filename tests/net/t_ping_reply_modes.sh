# --reply picks the path of the pongs.  The pinger asks with flags in the
# ping; the responder answers only that way, so the pinger's summary has
# only that path's stats, and an observer on the group sees pongs on the
# group only when multicast replies were asked for.
. "$(dirname "$0")/lib.sh"
topo_bridge responder pinger observer || skip "cannot create network namespaces"
G=239.1.2.3:1600
# base64 of the first 6 header bytes "MCST" 2 TYPE: ping 3, pong 4.
PING='"data_base64":"TUNTVAID'
PONG='"data_base64":"TUNTVAIE'

start_responder responder

# run MODE: observer on the group, 10 pings with --reply MODE (none: the
# default); summary in $T/sum, everything the observer saw in $T/obs.
run() {
	local obs mode=()
	[ "$1" = none ] || mode=(--reply "$1")
	in_ns observer mcast recv --iface veth0 --format json --timeout 20 $G \
		>"$T/obs" 2>"$T/obs.err" &
	obs=$!
	wait_for "$T/obs.err" '^joined ' 5 || fail "observer never joined: $(cat "$T/obs.err")"
	in_ns pinger mcast ping --iface veth0 --count 10 --rate 50 --wait 0.5 \
		--responder 10.0.0.1 "${mode[@]}" --format json -q $G >"$T/out" 2>"$T/err" ||
		fail "--reply $1: pinger exit $?: $(cat "$T/err")"
	grep '"type":"ping_summary"' "$T/out" >"$T/sum" || fail "--reply $1: no summary: $(cat "$T/out")"
	wait_lines "$T/obs" "$PING" 10 5 || fail "--reply $1: observer saw $(count_in "$T/obs" "$PING") of 10 pings"
	# pongs on the group reached the pinger, so the observer has them too
	[ "$1" = unicast ] || wait_lines "$T/obs" "$PONG" 10 5
	kill -TERM $obs; wait $obs
}
paths() { json_get "$T/sum" 'sorted(k for k in d[0]["responders"][0] if k in ("multicast", "unicast"))'; }
replies() { json_get "$T/sum" "d[0]['responders'][0]['$1']['replies']"; }
responders() { json_get "$T/sum" 'len(d[0]["responders"])'; }

run unicast
[ "$(responders)" = 1 ] || fail "--reply unicast: not exactly one responder: $(cat "$T/sum")"
[ "$(paths)" = "['unicast']" ] || fail "--reply unicast: paths $(paths), expected ['unicast']: $(cat "$T/sum")"
[ "$(replies unicast)" = 10 ] || fail "--reply unicast: $(replies unicast) unicast replies, expected 10"
[ "$(count_in "$T/obs" "$PONG")" = 0 ] ||
	fail "--reply unicast: $(count_in "$T/obs" "$PONG") pongs were sent to the group"
grep -q '"path":"multicast"' "$T/out" && fail "--reply unicast: -q printed, or a multicast reply: $(cat "$T/out")"

run multicast
[ "$(responders)" = 1 ] || fail "--reply multicast: not exactly one responder: $(cat "$T/sum")"
[ "$(paths)" = "['multicast']" ] || fail "--reply multicast: paths $(paths), expected ['multicast']: $(cat "$T/sum")"
[ "$(replies multicast)" = 10 ] || fail "--reply multicast: $(replies multicast) multicast replies, expected 10"
[ "$(count_in "$T/obs" "$PONG")" = 10 ] ||
	fail "--reply multicast: observer saw $(count_in "$T/obs" "$PONG") pongs on the group, expected 10"

run both
[ "$(paths)" = "['multicast', 'unicast']" ] || fail "--reply both: paths $(paths): $(cat "$T/sum")"
[ "$(replies multicast) $(replies unicast)" = "10 10" ] || fail "--reply both: replies $(replies multicast) $(replies unicast)"
[ "$(count_in "$T/obs" "$PONG")" = 10 ] || fail "--reply both: $(count_in "$T/obs" "$PONG") pongs on the group, expected 10"

run none
[ "$(paths)" = "['multicast', 'unicast']" ] || fail "default: paths $(paths), expected both: $(cat "$T/sum")"

in_ns pinger mcast ping --iface veth0 --count 1 --reply sideways $G >/dev/null 2>"$T/err"
[ $? = 2 ] || fail "--reply sideways: exit status not 2 (misuse): $(cat "$T/err")"
exit 0
