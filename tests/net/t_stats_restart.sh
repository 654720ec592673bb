# A sender that restarts on the same address and port (--bind :1501) is a
# new session, not a sequence reset: the receiver lists two sessions, counts
# one restart, and finds no gap and no duplicates.  First with a clean stop
# (SIGINT: the sender still sends its end markers), then with a crash
# (SIGKILL: no end markers), where --until-end must still end the run at the
# new session's end, because the crashed session was replaced.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600

# start_recv ARGS...: stats receiver with interval reports, pid in $recv.
start_recv() {
	in_ns right mcast recv --iface veth0 --stats --format json --rcvbuf 4M --interval-report 0.1 "$@" $G \
		>"$T/out" 2>"$T/err" &
	recv=$!
	wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
}
# first_run SIGNAL: a long probe run from port 1501, stopped by SIGNAL once
# the receiver has reported probes; its session id in $sid1.
first_run() {
	in_ns left env --default-signal=INT,TERM mcast send --iface veth0 --bind :1501 --probe \
		--rate 500 --duration 20 $G 2>"$T/s1.err" &
	local s=$!
	wait_for "$T/out" '"type":"interval".*"received":[1-9]' 5 ||
		fail "first run: the receiver reported no probes: $(cat "$T/out")"
	kill -"$1" $s; wait $s 2>/dev/null
	sid1=$(sed -n 's/^probe session \([0-9a-f]*\),.*/\1/p' "$T/s1.err")
}
second_run() {
	in_ns left mcast send --iface veth0 --bind :1501 --probe --rate 500 --count 100 $G \
		2>"$T/s2.err" || fail "second run failed: $(cat "$T/s2.err")"
	sid2=$(sed -n 's/^probe session \([0-9a-f]*\),.*/\1/p' "$T/s2.err")
	[ -n "$sid1" ] && [ -n "$sid2" ] && [ "$sid1" != "$sid2" ] ||
		fail "the two runs did not announce two sessions: '$sid1' '$sid2'"
}
sum() { json_get "$T/out" "[r for r in d if r['type'] == 'summary'][0]$1"; }
# session SID KEYS: the listed fields of the session with id SID.
session() {
	json_get "$T/out" "[[s.get(k) for k in '$2'.split()] for s in
		[r for r in d if r['type'] == 'summary'][0]['sessions'] if s['session'] == '$1']"
}
check_totals() {
	[ "$(sum '["totals"]["sessions"]') $(sum '["totals"]["restarts"]')" = "2 1" ] ||
		fail "$1: totals sessions/restarts not 2 1: $(grep summary "$T/out")"
	[ "$(sum '["totals"]["lost"]') $(sum '["totals"]["duplicates"]') $(sum '["totals"]["reordered"]')" = "0 0 0" ] ||
		fail "$1: false loss, duplicates or reordering across the restart: $(grep summary "$T/out")"
	[ "$(session "$sid2" 'source_port first_seq max_seq received lost ended total_sent')" = \
		"[[1501, 0, 99, 100, 0, True, 100]]" ] ||
		fail "$1: second session wrong: $(session "$sid2" 'source_port first_seq max_seq received lost ended total_sent')"
}

# Clean stop: the first session ends with its total; the receiver runs to
# its timeout (--until-end would stop it after the first session), which
# must leave room for both runs under load (4 s did not).
start_recv --timeout 12
first_run INT
n1=$(sed -n 's/^sent \([0-9]*\) probes .*/\1/p' "$T/s1.err")
[ -n "$n1" ] || fail "SIGINT: the first run printed no 'sent N probes': $(cat "$T/s1.err")"
second_run
wait $recv || fail "SIGINT: receiver exit $?: $(cat "$T/err")"
[ "$(sum '["ended_by"]')" = timeout ] || fail "SIGINT: ended_by is not timeout: $(grep summary "$T/out")"
[ "$(session "$sid1" 'source_port first_seq max_seq received lost ended total_sent')" = \
	"[[1501, 0, $((n1 - 1)), $n1, 0, True, $n1]]" ] ||
	fail "SIGINT: first session ($n1 sent) wrong: $(session "$sid1" 'source_port first_seq max_seq received lost ended total_sent')"
[ "$(sum '["totals"]["received"]')" = $((n1 + 100)) ] || fail "SIGINT: totals received not $((n1 + 100))"
check_totals SIGINT

# Crash: no end markers from the first session.
start_recv --until-end --timeout 60
first_run KILL
second_run
wait $recv || fail "SIGKILL: receiver exit $?: $(cat "$T/err")"
[ "$(sum '["ended_by"]')" = "end of stream" ] ||
	fail "SIGKILL: --until-end did not end at the new session's end (ended_by $(sum '["ended_by"]'))"
[ "$(session "$sid1" 'source_port first_seq lost ended')" = "[[1501, 0, 0, False]]" ] ||
	fail "SIGKILL: first session wrong: $(session "$sid1" 'source_port first_seq lost ended')"
check_totals SIGKILL
exit 0
