# recv asks for the receive buffer doctor recommends (4 MiB) unless told
# otherwise: the kernel grants it, or clamps it to net.core.rmem_max
# without CAP_NET_ADMIN, and the summary shows what was granted; a clamp
# is worth a warning only when --rcvbuf asked for the size.  And a
# receiver whose kernel dropped datagrams knows bytes are missing: it
# says so and exits 1.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"
need_cmd setpriv util-linux
G=239.1.2.3:1600
want=$((4 << 20))
rmem_max=$(cat /proc/sys/net/core/rmem_max) || skip "no /proc/sys/net/core/rmem_max"
capped=$((rmem_max < want ? rmem_max : want))
# Without CAP_NET_ADMIN, so that SO_RCVBUFFORCE is refused and the clamp
# applies (root's permitted set comes from the bounding set at exec).
printf '#!/bin/sh\nexec setpriv --inh-caps=-net_admin --bounding-set=-net_admin "$@"\n' \
	>"$T/bin/nocap" && chmod +x "$T/bin/nocap" || fail "cannot write $T/bin/nocap"

# rcvbuf_of ARGS...: the summary's receive buffer of a short recv --stats.
rcvbuf_of() {
	in_ns right "$@" --iface veth0 --stats --format json --timeout 0.3 $G \
		>"$T/rb.out" 2>"$T/rb.err"
	json_get "$T/rb.out" '[r for r in d if r["type"] == "summary"][0]["totals"]["rcvbuf"]'
}

# The kernel counts twice what it grants.
got=$(rcvbuf_of mcast recv) || fail "no summary: $(cat "$T/rb.out" "$T/rb.err")"
if in_ns right python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 33, 1 << 22)' 2>/dev/null; then	# SO_RCVBUFFORCE
	[ "$got" = $((2 * want)) ] || fail "default rcvbuf $got with CAP_NET_ADMIN, want $((2 * want))"
fi
grep -q 'clamped' "$T/rb.err" && fail "a clamp warning without --rcvbuf: $(cat "$T/rb.err")"
got=$(rcvbuf_of nocap mcast recv) || fail "no summary: $(cat "$T/rb.out" "$T/rb.err")"
[ "$got" = $((2 * capped)) ] ||
	fail "default rcvbuf $got without CAP_NET_ADMIN, want 2 x min(4 MiB, rmem_max $rmem_max) = $((2 * capped))"
grep -q 'clamped' "$T/rb.err" && fail "a clamp warning without --rcvbuf: $(cat "$T/rb.err")"
grep -qE "^receive buffer $got bytes" <(in_ns right nocap mcast recv --iface veth0 --stats \
	--timeout 0.3 $G 2>/dev/null) || fail "the text summary does not show the receive buffer"

# Asked for more than rmem_max: clamped, and said so.
ask=$((rmem_max * 2 > 1 << 30 ? 1 << 30 : rmem_max * 2))
got=$(rcvbuf_of nocap mcast recv --rcvbuf $ask) || fail "no summary: $(cat "$T/rb.err")"
[ "$got" = $((2 * rmem_max)) ] || fail "--rcvbuf $ask gave $got, want $((2 * rmem_max))"
grep -q "^mcast recv: warning: receive buffer clamped to $rmem_max bytes by net.core.rmem_max (asked for $ask)" \
	"$T/rb.err" || fail "no clamp warning with --rcvbuf: $(cat "$T/rb.err")"

# A tiny buffer, a fast sender and a stopped receiver: the kernel drops.
head -c 2000000 /dev/urandom >"$T/in"
in_ns right mcast recv --iface veth0 --format raw --rcvbuf 4K --timeout 4 $G \
	>"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
kill -STOP $recv
in_ns left mcast send --iface veth0 --file "$T/in" --interval 0 $G 2>"$T/send.err" ||
	fail "sender exit $?: $(cat "$T/send.err")"
kill -CONT $recv
wait $recv
rc=$?
[ $rc = 1 ] || fail "receiver exit $rc after kernel drops, want 1: $(cat "$T/err")"
grep -qE "^mcast recv: incomplete: this host's kernel dropped [0-9]+ datagrams because the receive buffer" \
	"$T/err" || fail "no message about the kernel's drops: $(cat "$T/err")"
exit 0
