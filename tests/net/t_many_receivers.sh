# Three receivers on one host, same group, same port: each gets every
# datagram (SO_REUSEADDR/SO_REUSEPORT must not load-balance multicast away).
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"

pids=
for i in 1 2 3; do
	in_ns right mcast recv --iface veth0 --count 5 --timeout 30 239.1.2.3:1600 \
		>"$T/out$i" 2>"$T/err$i" &
	pids="$pids $!"
done
for i in 1 2 3; do
	wait_for "$T/err$i" '^joined ' 5 || fail "receiver $i never joined: $(cat "$T/err$i")"
done

in_ns left mcast send --iface veth0 --count 5 --interval 0.02 239.1.2.3:1600 "to all" \
	2>"$T/send.err" || fail "sender failed: $(cat "$T/send.err")"

i=0
for pid in $pids; do
	i=$((i + 1))
	wait "$pid" || fail "receiver $i exited $? (missed datagrams?): $(cat "$T/err$i")"
	n=$(count_in "$T/out$i" ' 10\.0\.0\.1:[0-9]+ -> 239\.1\.2\.3:1600 .* to all$')
	[ "$n" = 5 ] || fail "receiver $i printed $n datagrams, not 5: $(cat "$T/out$i")"
done
exit 0
