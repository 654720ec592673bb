# send --file --framed marks the end of a file: recv --format raw writes
# exactly the file's bytes and stops at the end marker (well inside its
# --timeout), exit 0.  With every tenth datagram dropped by nftables in
# the receiver's namespace - the last chunk among them, which only the end
# marker's total reveals - recv exits 1 and says how many are missing.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"
need_cmd nft nftables
G=239.1.2.3:1600

# 1 MB at full speed: 745 chunks of 1344 bytes (the last of 64) (1400 on the wire).
head -c 1000000 /dev/urandom >"$T/in"
in_ns right mcast recv --iface veth0 --format raw --timeout 30 $G \
	>"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
start=$(_now_us)
in_ns left mcast send --iface veth0 --file "$T/in" --framed --interval 0 $G \
	2>"$T/send.err" || fail "sender exit $?: $(cat "$T/send.err")"
wait $recv || fail "receiver exit $?: $(cat "$T/err")"
took=$((($(_now_us) - start) / 1000))
[ $took -lt 10000 ] || fail "the receiver took $took ms: it did not stop at the end marker"
cmp "$T/in" "$T/out" || fail "file changed in transit ($(wc -c <"$T/out") bytes)"
grep -q '^sent 745 datagrams (1000000 bytes) and the end-of-stream markers$' "$T/send.err" ||
	fail "sender summary: $(cat "$T/send.err")"
grep -qE '^received 745 datagrams \(1000000 bytes\) from 1 source$' "$T/err" ||
	fail "receiver summary: $(cat "$T/err")"

# Lines, framed: each shown without its header, and the end ends the run.
in_ns right mcast recv --iface veth0 --format json --timeout 30 $G \
	>"$T/lines" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "lines: receiver never joined: $(cat "$T/err")"
printf 'alpha\nbeta\n' | in_ns left mcast send --iface veth0 --file - --lines --framed \
	--interval 0.01 $G 2>"$T/send.err" || fail "lines: sender exit $?: $(cat "$T/send.err")"
wait $recv || fail "lines: receiver exit $?: $(cat "$T/err")"
[ "$(json_get "$T/lines" '[(r["data"], r["seq"]) for r in d]')" = "[('alpha', 0), ('beta', 1)]" ] ||
	fail "lines: got $(cat "$T/lines")"
in_ns left mcast send --iface veth0 --framed --probe $G 2>"$T/send.err"
[ $? = 2 ] || fail "--framed --probe is not a usage error: $(cat "$T/send.err")"

# Every tenth datagram to the port dropped, from the sixth: 106 chunks
# (105 of 944 bytes and one of 500) lose numbers 5, 15, ..., 105 - eleven,
# the last chunk among them.
in_ns right nft -f - <<'NFT' || fail "cannot load the nftables rule"
table inet loss {
	chain input {
		type filter hook input priority 0;
		udp dport 1600 numgen inc mod 10 5 counter name dropped drop
	}
	counter dropped {}
}
NFT
head -c 99620 /dev/urandom >"$T/in"
in_ns right mcast recv --iface veth0 --format raw --timeout 30 $G \
	>"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "lossy receiver never joined: $(cat "$T/err")"
in_ns left mcast send --iface veth0 --file "$T/in" --framed --size 1000 \
	--interval 0.0005 $G 2>"$T/send.err" || fail "lossy sender exit $?: $(cat "$T/send.err")"
wait $recv
rc=$?
[ $rc = 1 ] || fail "lossy receiver exit $rc, want 1: $(cat "$T/err")"
grep -q '^mcast recv: incomplete: 11 of 106 framed datagrams are missing (at most 10384 bytes)$' "$T/err" ||
	fail "lossy receiver message: $(cat "$T/err")"
[ "$(wc -c <"$T/out")" = $((95 * 944)) ] || fail "lossy receiver wrote $(wc -c <"$T/out") bytes"
exit 0
