# One receiver of 2048 IPv4 groups (mcjoin's most) on four ports, and one
# of 512 IPv6 groups on two, each given as ranges; one sender to all of
# them.  Every group arrives exactly once, reported as its own group: the
# kernel lets one socket join only igmp_max_memberships (20) groups, so
# the receiver must spread them over sockets of the same port.  Joining
# and leaving them all takes well under a second (allowed here: 5 s).
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"

# heard FIRST N PER PORT0: "ok" when $T/out holds one record for each of
# the N groups from FIRST on, PER to a port from PORT0 on, else what is
# wrong.  (One python run: on a loaded machine each costs seconds.)
heard() {
	python3 - "$T/out" "$@" <<'PY'
import ipaddress, json, sys
out, first, n, per, port0 = sys.argv[1:]
n, per, port0 = int(n), int(per), int(port0)
got = [(r["group"], r["port"]) for r in map(json.loads, open(out)) if r]
want = {(str(ipaddress.ip_address(first) + i), port0 + i // per)
        for i in range(n)}
if len(got) != n:
    print(f"{len(got)} records, not {n}")
elif len(set(got)) != n:
    print("some group came twice, or as another group")
elif set(got) != want:
    print(f"groups heard but not joined: {sorted(set(got) - want)[:5]}")
else:
    print("ok")
PY
}

# run_case WHAT N RANGE... : right joins every group of the ranges, left
# sends one datagram to each.
run_case() {
	local what=$1 n=$2; shift 2
	: >"$T/out"; : >"$T/err"
	in_ns right mcast recv --iface veth0 --count "$n" --timeout 20 --format json \
		"$@" >"$T/out" 2>"$T/err" &
	local recv=$!
	wait_for "$T/err" '^joined ' 10 || fail "$what: receiver never joined: $(cat "$T/err")"
	grep -q "^joined $n groups, .* on veth0 ([0-9]* sockets)\$" "$T/err" ||
		fail "$what: unexpected join line: $(grep '^joined' "$T/err")"
	in_ns left mcast send --iface veth0 --count 1 "$@" "to each" \
		2>"$T/send.err" || fail "$what: sender failed: $(cat "$T/send.err")"
	grep -q "^sent $n datagrams" "$T/send.err" ||
		fail "$what: sender did not send $n: $(cat "$T/send.err")"
	wait $recv || fail "$what: receiver exited $? (fewer than $n datagrams?): $(tail -3 "$T/err")"
}

# Four ports of 512 groups: 26 sockets each at igmp_max_memberships 20.
v4="239.1.0.1-239.1.2.0:5000 239.1.2.1-239.1.4.0:5001 239.1.4.1-239.1.6.0:5002 239.1.6.1-239.1.8.0:5003"
# shellcheck disable=SC2086
run_case IPv4 2048 $v4
r=$(heard 239.1.0.1 2048 512 5000); [ "$r" = ok ] || fail "IPv4: $r"
grep -q '(104 sockets)$' "$T/err" || fail "IPv4: not 104 sockets: $(grep '^joined' "$T/err")"

run_case IPv6 512 '[ff15::1-ff15::100]:6000' '[ff15::101-ff15::200]:6001'
r=$(heard ff15::1 512 256 6000); [ "$r" = ok ] || fail "IPv6: $r"

# The interface deleted and created again (a new index): every group is
# left on the old index and joined on the new one, each on its own
# socket, none of which may refuse it; then all of them are heard again.
: >"$T/out"
# shellcheck disable=SC2086
in_ns right mcast recv --iface veth0 --count 2048 --timeout 30 --format json $v4 \
	>"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 10 || fail "recreate: receiver never joined"
ip -n right link del veth0 || fail "cannot delete veth0"
ip link add veth0 netns left type veth peer name veth0 netns right &&
	host_addr left 1 && host_addr right 2 || fail "cannot recreate the pair"
wait_up left veth0
wait_up right veth0
wait_for "$T/out" '"event":"rejoined"' 10 ||
	fail "recreate: no rejoined event: $(tail -3 "$T/out") $(tail -3 "$T/err")"
grep -q 'joined 2048 groups again' "$T/out" ||
	fail "recreate: not all rejoined: $(grep rejoin "$T/out")"
n=$(ip -n right maddr show dev veth0 | grep -cE 'inet +239\.1\.')
[ "$n" = 2048 ] || fail "recreate: $n memberships on the new veth0, not 2048"
# shellcheck disable=SC2086
in_ns left mcast send --iface veth0 --count 1 $v4 "again" 2>"$T/send.err" ||
	fail "recreate: sender failed: $(cat "$T/send.err")"
wait $recv || fail "recreate: receiver exited $?: $(tail -3 "$T/err")"
grep -v '"event"' "$T/out" >"$T/out.data" && mv "$T/out.data" "$T/out"
r=$(heard 239.1.0.1 2048 512 5000); [ "$r" = ok ] || fail "recreate: $r"

# Join and leave all 2048: the kernel holds every membership meanwhile.
# shellcheck disable=SC2086
in_ns right mcast recv --iface veth0 --timeout 5 $v4 >/dev/null 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 10 || fail "second receiver never joined"
n=$(ip -n right maddr show dev veth0 | grep -cE 'inet +239\.1\.')
[ "$n" = 2048 ] || fail "the kernel holds $n memberships on veth0, not 2048"
kill $recv; wait $recv
start=$(_now_us)
# shellcheck disable=SC2086
in_ns right mcast recv --iface veth0 --timeout 0.001 $v4 >/dev/null 2>"$T/err"
[ $? = 1 ] || fail "join and leave run: $(cat "$T/err")"
ms=$((($(_now_us) - start) / 1000))
echo "joining and leaving 2048 groups: $ms ms"
[ "$ms" -lt 5000 ] || fail "joining and leaving 2048 groups took $ms ms"
exit 0
