# An MPEG-TS feed (peers/ts_feed.py: PAT, PMT, video, audio) that stops
# altogether after half a second.  The TR 101 290 checks that depend on
# time are evaluated by the receiver's clock, not only when datagrams
# come: two seconds of silence are one PAT_error and one PMT_error
# (0.5 s), and no PID_error yet (5 s).  The same run checks what the
# summary says besides: the totals count the TS session, every session
# says its stream type, and the kernel drops are per socket - one for
# each port joined - and in the totals.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"

in_ns right mcast recv --iface veth0 --stats --format json --timeout 2.5 \
	239.1.2.3:5004 239.1.2.4:5006 >"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
in_ns left python3 "$NET_DIR/peers/ts_feed.py" --iface-addr 10.0.0.1 \
	--bind-port 4000 --count 5 --gap 0.1 239.1.2.3 5004 2>"$T/feed.err" ||
	fail "feed failed: $(cat "$T/feed.err")"
wait $recv || fail "receiver exit $?: $(cat "$T/err")"

expect() {
	local got
	got=$(summary_get "$T/out" "$2") || fail "$1: cannot evaluate $2"
	[ "$got" = "$3" ] || fail "$1: got $got, expected $3; summary: $(cat "$T/out")"
}
expect "a ts session" '["sessions"][0]["stream"]' ts
expect "all arrived" '["sessions"][0]["ts_packets"]' 20
expect "TR 101 290 after the stream stopped" \
	'["sessions"][0]["tr101290"]' \
	"{'ts_sync_loss': 0, 'sync_byte_error': 0, 'pat_error': 1, 'continuity_count_error': 0, 'pmt_error': 1, 'pid_error': 0}"
expect "sessions in the totals" '["totals"]["sessions"]' 1
expect "PID table overflow, counted" '["totals"]["pid_overflow"]' 0
expect "PIDs named, not tracked" '["totals"]["ref_overflow"]' 0
expect "and per session" '["sessions"][0]["ref_overflow"]' 0
# socks EXPR: EXPR over each socket s of the summary, as a list.
socks() { json_get "$T/out" "[$1 for s in [r for r in d if r['type'] == 'summary'][0]['sockets']]"; }
[ "$(socks '(s["socket"], s["family"], s["bound"], s["port"], s["iface"], s["groups"])')" = \
	"[(0, 'ipv4', '0.0.0.0', 5004, 'veth0', 1), (1, 'ipv4', '0.0.0.0', 5006, 'veth0', 1)]" ] ||
	fail "not one socket per port: $(cat "$T/out")"
[ "$(socks 's["kernel_drops"]')" = "[0, 0]" ] && expect "no drops" '["totals"]["kernel_drops"]' 0 ||
	fail "drops per socket: $(cat "$T/out")"
exit 0
