# mcast monitor watches three groups of a group file (two IPv4 groups on
# different ports, one IPv6), each fed by its own probe sender: every probe
# sent is counted, none lost; the join latency is measured against senders
# that start after the join; a group whose sender pauses goes silent and
# comes back (one outage, its length at least --idle and no longer than
# the pause the test made), and every line of the JSON output parses.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"

cat >"$T/groups" <<'GROUPS'
# the site's groups
239.1.1.1:1600 name=news   # comment after a group
239.1.1.2:1601 stream=mcast
[ff15::1]:1600 name=six stream=auto
GROUPS
IDLE=0.5
in_ns right mcast monitor --iface veth0 --groups "$T/groups" --format json \
	--interval-report 1 --idle $IDLE >"$T/out" 2>"$T/err" &
mon=$!
wait_for "$T/err" '^monitoring 3 groups$' 5 || fail "monitor never joined: $(cat "$T/err")"
t_joined=$EPOCHREALTIME
# Nothing sent yet: each group is said silent once --idle has passed.
wait_lines "$T/out" '"event":"silent"' 3 10 || fail "no silent events: $(cat "$T/out")"

send() { # NAME GROUP COUNT: probes at 200/s, the sender's summary in $T/NAME.err
	in_ns left mcast send --probe --iface veth0 --rate 200 --count "$3" "$2" \
		2>"$T/$1.err" || fail "sender $1 failed: $(cat "$T/$1.err")"
}
t_start=$EPOCHREALTIME
send a1 239.1.1.1:1600 60 &
send b 239.1.1.2:1601 40 &
send c '[ff15::1]:1600' 30 &
wait %2 %3 %4
# The first sender stops: its group goes silent, then comes back.
_silent_again() { [ "$(count_in "$T/out" '"event":"silent","group":"239.1.1.1"')" -ge 2 ]; }
wait_until 10 _silent_again || fail "news never went silent: $(cat "$T/out")"
send a2 239.1.1.1:1600 60
t_back=$EPOCHREALTIME
wait_for "$T/out" '"event":"back","group":"239.1.1.1"' 5 || fail "no back event: $(cat "$T/out")"
kill -INT $mon
wait $mon || fail "monitor exited $? after SIGINT: $(cat "$T/err")"

sent_a=$(( $(sent_probes "$T/a1.err") + $(sent_probes "$T/a2.err") ))
last() { json_get "$T/out" "[r for r in d if r['type'] == 'interval' and r['group'] == '$1'][-1]$2"; }
for g in "239.1.1.1 $sent_a news" "239.1.1.2 $(sent_probes "$T/b.err") " \
	"ff15::1 $(sent_probes "$T/c.err") six"; do
	set -- $g
	[ "$(last "$1" '["sequenced"]') $(last "$1" '["lost"]') $(last "$1" '["duplicates"]')" = "$2 0 0" ] ||
		fail "$1: want $2 probes, none lost: $(last "$1" '')"
	[ "$(last "$1" '["name"]')" = "${3:-}" ] || fail "$1: name $(last "$1" '["name"]')"
	[ "$(last "$1" '["iface"]')" = veth0 ] || fail "$1: iface $(last "$1" '["iface"]')"
	# Datagrams include each session's three end markers.
	[ "$(last "$1" "['datagrams'] >= $2")" = True ] || fail "$1: datagrams < probes"
	# Senders started after the silent events: at least --idle after the join.
	[ "$(last "$1" "['join_latency_s'] >= $IDLE")" = True ] ||
		fail "$1: join latency $(last "$1" '["join_latency_s"]') < $IDLE"
	[ "$(last "$1" "['join_latency_s'] <= $t_back - $t_joined")" = True ] ||
		fail "$1: join latency $(last "$1" '["join_latency_s"]') longer than the test"
done
[ "$(last 239.1.1.2 '["stream"]')" = mcast ] || fail "stream=mcast not kept"
# One pause, one outage (and the one under way at the end for the others).
# Its length lies between --idle and the whole pause, and agrees with the
# events: the last datagram was silent_s before the silent event, the
# first after it came at the back event.
out_s=$(json_get "$T/out" "[r['outage_s'] for r in d if r.get('event') == 'back'][0]")
[ "$(json_get "$T/out" "$IDLE <= $out_s <= $t_back - $t_start")" = True ] ||
	fail "outage of $out_s s: not between --idle and the pause ($t_start to $t_back)"
from_events=$(json_get "$T/out" "(lambda b: (lambda s: b['ts'] - s['ts'] + s['silent_s'])([r for r in d if r.get('event') == 'silent' and r['group'] == '239.1.1.1' and r['ts'] < b['ts']][-1]))([r for r in d if r.get('event') == 'back'][0])")
[ "$(json_get "$T/out" "abs($out_s - $from_events) < 0.02")" = True ] ||
	fail "outage of $out_s s, but the events say $from_events s"
[ "$(count_in "$T/out" '"event":"back"')" = 1 ] || fail "want one back event: $(grep event "$T/out")"
[ "$(json_get "$T/out" "len([r for r in d if r['type'] == 'sockets'][-1]['sockets'])")" = 3 ] ||
	fail "want 3 sockets (two ports, two families): $(grep sockets "$T/out" | tail -1)"
exit 0
