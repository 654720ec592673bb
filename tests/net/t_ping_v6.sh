# mcast ping over IPv6: a site scope group with --iface, a link-local scope
# group named by its zone, and pings from a --bind address, each with
# unicast, multicast and both kinds of reply.  Unicast replies once never
# came back over IPv6: the pinger's socket kept the group as its peer and
# its host refused every reply with ICMPv6 port unreachable.  Pings of
# the largest IPv6 size get through.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair responder pinger || skip "cannot create network namespaces"

in_ns responder mcast ping --respond --iface veth0 --duration 300 '[ff15::9]:5000' \
	>"$T/site.out" 2>"$T/site.err" &
in_ns responder mcast ping --respond --duration 300 '[ff02::9%veth0]:5001' \
	>"$T/link.out" 2>"$T/link.err" &
wait_for "$T/site.err" '^joined ' 5 || fail "site responder never joined: $(cat "$T/site.err")"
wait_for "$T/link.err" '^joined ' 5 || fail "link-local responder never joined: $(cat "$T/link.err")"

# run NAME MODE MSRC USRC PING_ARGS...: 5 pings asking for MODE replies;
# every one is answered on each path asked for by one responder, its
# multicast replies from an address starting with MSRC, its unicast ones
# from USRC, and the pinger exits 0.
run() {
	local name=$1 mode=$2 msrc=$3 usrc=$4 paths got want
	shift 4
	in_ns pinger mcast ping --count 5 --rate 50 --wait 0.5 --reply "$mode" \
		--format json -q "$@" >"$T/out" 2>"$T/err" ||
		fail "$name --reply $mode: exit $?: $(cat "$T/err") $(cat "$T/out")"
	grep '"type":"ping_summary"' "$T/out" >"$T/sum" || fail "$name: no summary: $(cat "$T/out")"
	case $mode in
	both) paths="['multicast', 'unicast']" ;;
	*) paths="['$mode']" ;;
	esac
	# one responder, 5 replies on each path asked for, each from its source
	got=$(json_get "$T/sum" "[[(p, r[p]['replies'], r[p]['source'][:len({'multicast': '$msrc', 'unicast': '$usrc'}[p])]) for p in $paths] for r in d[0]['responders']]")
	want=$(python3 -c "print([[(p, 5, {'multicast': '$msrc', 'unicast': '$usrc'}[p]) for p in $paths]])")
	[ "$got" = "$want" ] ||
		fail "$name --reply $mode: want $want, got $got: $(cat "$T/sum") $(cat "$T/err")"
}

for mode in unicast multicast both; do
	run site "$mode" fd00::1 fd00::1 --iface veth0 '[ff15::9]:5000'
	run link-local "$mode" fe80: fe80: '[ff02::9%veth0]:5001'
done
run site+bind both fd00::1 fd00::1 --iface veth0 --bind fd00::2 '[ff15::9]:5000'
# The largest IPv6 UDP payload, 20 bytes more than IPv4's (ping once
# capped both families at IPv4's), fragmented over veth and answered.
run site+largest both fd00::1 fd00::1 --iface veth0 --size 65527 '[ff15::9]:5000'
# A link-local group's replies leave from the responder's link-local
# address, its unicast replies to a global --bind address from a global
# one: still one responder, told by its session id.
run link-local+bind both fe80: fd00::1 --bind '[fd00::2]:7000' '[ff02::9%veth0]:5001'
exit 0
