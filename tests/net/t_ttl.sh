# The TTL the receiver reports (json "ttl") is what the sender set: 1 by
# default, 5 with --ttl 5.  A veth pair does not route, so nothing decrements.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"

# send_two SEND_OPTS...: A sends 2 datagrams with SEND_OPTS, B records them
# as json in $T/out.
send_two() {
	in_ns right mcast recv --iface veth0 --format json --count 2 --timeout 30 \
		239.1.2.3:1600 >"$T/out" 2>"$T/err" &
	local recv=$!
	wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
	in_ns left mcast send --iface veth0 --count 2 --interval 0.02 "$@" 239.1.2.3:1600 \
		2>"$T/send.err" || fail "sender $* failed: $(cat "$T/send.err")"
	wait $recv || fail "receiver exited $?: $(cat "$T/err")"
}
ttls_seen() { json_get "$T/out" 'sorted({r.get("ttl") for r in d}, key=str)'; }

send_two
[ "$(ttls_seen)" = "[1]" ] || fail "default: receiver reported ttls $(ttls_seen), expected [1]"
grep -q ' ttl 1$' "$T/send.err" || fail "sender did not announce ttl 1: $(cat "$T/send.err")"

send_two --ttl 5
[ "$(ttls_seen)" = "[5]" ] || fail "--ttl 5: receiver reported ttls $(ttls_seen), expected [5]"
grep -q ' ttl 5$' "$T/send.err" || fail "sender did not announce ttl 5: $(cat "$T/send.err")"

send_two -t 5
[ "$(ttls_seen)" = "[5]" ] || fail "-t 5: receiver reported ttls $(ttls_seen), expected [5]"
exit 0
