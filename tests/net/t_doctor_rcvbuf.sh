# mcast doctor --rcvbuf above net.core.rmem_max without CAP_NET_ADMIN (in a
# user namespace SO_RCVBUFFORCE is refused): rcvbuf warns and names
# net.core.rmem_max with the command to raise it; a warning alone exits 0.
. "$(dirname "$0")/lib.sh"
need_cmd unshare util-linux
need_cmd ip iproute2
rmem_max=$(cat /proc/sys/net/core/rmem_max) || skip "cannot read net.core.rmem_max"
[ "$rmem_max" -lt $((1 << 30)) ] || skip "net.core.rmem_max is already 1G"
want=64M want_bytes=$((64 << 20))
[ "$rmem_max" -lt "$want_bytes" ] || want=1G want_bytes=$((1 << 30))


# A new user and network namespace: root there, but not CAP_NET_ADMIN
# over the host's sockets.  lo up so the self-test has an interface.
unshare -rn true 2>/dev/null || skip "cannot create a user namespace"
timeout 60 unshare -rn sh -c "ip link set lo up && exec mcast doctor --iface lo --rcvbuf $want" \
	>"$T/out" 2>&1
rc=$?
[ $rc = 0 ] || fail "rcvbuf warning: exit $rc, expected 0: $(cat "$T/out")"
expect_check "$T/out" warn rcvbuf "clamps a $want_bytes-byte receive buffer to net\.core\.rmem_max = $rmem_max.*CAP_NET_ADMIN.*; raise it \(a host-wide setting\): sysctl -w net\.core\.rmem_max=$want_bytes\$"
grep -qE '^verdict: warn: .*look at: rcvbuf' "$T/out" || fail "verdict: $(tail -1 "$T/out")"

# A buffer within the limit is fine there too.
timeout 60 unshare -rn sh -c "ip link set lo up && exec mcast doctor --iface lo --rcvbuf 64K --no-self-test" \
	>"$T/out" 2>&1
expect_check "$T/out" ok rcvbuf '65536 bytes asked and granted'
exit 0
