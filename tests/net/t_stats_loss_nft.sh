# Loss the receiver can count exactly: nftables in the receiver's namespace
# drops data probes (UDP payload byte 5, the type, == 1) and counts what it
# dropped.  mcast recv --stats must report exactly that many lost, the
# kernel must have dropped nothing else, and --max-loss / --expect judge it.
. "$(dirname "$0")/lib.sh"
need_cmd nft nftables
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600

dropped() { nft_count right lossy dropped; }
# UDP datagrams the kernel itself dropped in the receiver's namespace.
kernel_drops() {
	in_ns right awk '$1 == "Udp:" && $2 !~ /^[0-9]/ { for (i = 2; i <= NF; i++) k[i] = $i; next }
		$1 == "Udp:" { for (i = 2; i <= NF; i++) if (k[i] ~ /^(RcvbufErrors|InErrors)$/) n += $i }
		END { print n + 0 }' /proc/net/snmp
}
# run RECV_OPTS...: 1000 probes at 2000/s; the receiver's json summary in
# $T/out, stderr in $T/err, exit status in $rc.
run() {
	local recv k0
	k0=$(kernel_drops)
	in_ns right mcast recv --iface veth0 --stats --format json --until-end --timeout 10 --rcvbuf 4M "$@" $G \
		>"$T/out" 2>"$T/err" &
	recv=$!
	wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
	in_ns left mcast send --iface veth0 --probe --count 1000 --rate 2000 $G 2>"$T/send.err" ||
		fail "sender failed: $(cat "$T/send.err")"
	wait $recv; rc=$?
	[ "$(kernel_drops)" = "$k0" ] || fail "the kernel dropped datagrams: $k0 -> $(kernel_drops)"
	[ "$(json_get "$T/out" 'd[0]["ended_by"]')" = "end of stream" ] ||
		fail "$*: not ended by end of stream: $(cat "$T/out") $(cat "$T/err")"
}
tot() { json_get "$T/out" "d[0]['totals']['$1']"; }

# Every tenth probe (the 6th, 16th, ...): seqs 5, 15, ..., 995.
drop_probes right 'numgen inc mod 10 5'
run
[ $rc = 0 ] || fail "every tenth: exit $rc without a verdict option: $(cat "$T/err")"
[ "$(dropped)" = 100 ] || fail "every tenth: nftables dropped $(dropped), expected 100"
[ "$(tot received) $(tot lost) $(tot loss_pct)" = "900 100 10.0" ] ||
	fail "every tenth: received/lost/loss_pct $(tot received) $(tot lost) $(tot loss_pct), expected 900 100 10.0"
[ "$(tot duplicates) $(tot reordered) $(tot late) $(tot sessions)" = "0 0 0 1" ] ||
	fail "every tenth: duplicates/reordered/late/sessions not 0 0 0 1: $(cat "$T/out")"
[ "$(json_get "$T/out" '[d[0]["sessions"][0][k] for k in ("first_seq", "max_seq", "total_sent")]')" = "[0, 999, 1000]" ] ||
	fail "every tenth: first_seq/max_seq/total_sent: $(cat "$T/out")"

# Random loss of about 7%, wherever it falls (the last probes too) but on
# probe 0: a receiver counts from the first sequence number it sees (it
# cannot tell a lost first probe from having joined mid-stream; see
# docs/PROTOCOL.md), so losing probe 0 is not loss it can report.  The low
# 32 bits of the sequence number sit at UDP payload bytes 32..35.
drop_probes right '@th,320,32 != 0 numgen random mod 100 < 7'
run
n=$(dropped)
[ "$(tot lost)" = "$n" ] || fail "random: lost $(tot lost), nftables dropped $n"
[ "$(tot received)" = $((1000 - n)) ] || fail "random: received $(tot received), expected $((1000 - n))"

# Verdicts on the every-tenth stream: 10% loss.
drop_probes right 'numgen inc mod 10 5'
run --max-loss 5
[ $rc = 1 ] || fail "--max-loss 5 at 10% loss: exit $rc, expected 1: $(cat "$T/err")"
grep -qE 'loss 10\.0+% \(100 datagrams\) exceeds --max-loss 5% by 5\.0+ points' "$T/err" ||
	fail "--max-loss 5: message does not say by how much: $(cat "$T/err")"
run --max-loss 20
[ $rc = 0 ] || fail "--max-loss 20 at 10% loss: exit $rc, expected 0: $(cat "$T/err")"
grep -q 'max-loss' "$T/err" && fail "--max-loss 20: a verdict message: $(cat "$T/err")"
run --expect 1000
[ $rc = 1 ] || fail "--expect 1000 with 900 received: exit $rc, expected 1: $(cat "$T/err")"
grep -q 'expected 1000 datagrams, received 900 (100 short)' "$T/err" ||
	fail "--expect 1000: no 'short' message: $(cat "$T/err")"
run --expect 900
[ $rc = 0 ] || fail "--expect 900 with 900 received: exit $rc, expected 0: $(cat "$T/err")"
exit 0
