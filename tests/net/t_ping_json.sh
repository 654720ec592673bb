# Every line mcast ping writes with --format json is one JSON object, on
# every path: replies and the summary (IPv4 and IPv6, unicast and
# multicast replies, a named responder that never answers, sealed pings),
# runs nobody answers, and the responder's own summary.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair responder pinger || skip "cannot create network namespaces"
G=239.1.2.3:1600
L='[ff02::9%veth0]:1600'
cd "$T" || fail "no work directory"
mcast keygen k.key 2>/dev/null || fail "keygen failed"

in_ns responder mcast ping --respond --iface veth0 --duration 300 --format json $G \
	>r4.out 2>r4.err &
r4=$!
in_ns responder mcast ping --respond --duration 300 --format json "$L" >r6.out 2>r6.err &
r6=$!
in_ns responder mcast ping --respond --iface veth0 --duration 300 --format json \
	--key k.key '239.1.2.4:1600' >rk.out 2>rk.err &
rk=$!
for r in r4 r6 rk; do
	wait_for $r.err '^joined ' 5 || fail "responder $r never joined: $(cat $r.err)"
done

# all_json FILE WHAT: every line of FILE parses as a JSON object
all_json() {
	python3 -c 'import json, sys
n = 0
for i, l in enumerate(open(sys.argv[1]), 1):
    try:
        o = json.loads(l)
    except ValueError as e:
        sys.exit("line %d: %s: %r" % (i, e, l))
    if not isinstance(o, dict):
        sys.exit("line %d: not an object: %r" % (i, l))
    n += 1
if n == 0:
    sys.exit("no lines")' "$1" || fail "$2: not all JSON: $(cat "$1")"
}

# ping NAME ARGS...: a pinger run; its standard output must be all JSON
# and end with the summary.
ping() {
	local name=$1
	shift
	in_ns pinger mcast ping --count 3 --rate 50 --wait 0.5 --format json "$@" \
		>p.out 2>p.err
	all_json p.out "$name"
	tail -n 1 p.out | grep -q '^{"type":"ping_summary"' || fail "$name: no summary last: $(cat p.out)"
}

ping ipv4 --iface veth0 $G
ping "ipv4, named absent" --iface veth0 --responder 10.0.0.9 --responder 10.0.0.1 $G
ping "ipv4 unicast" --iface veth0 --reply unicast $G
ping "ipv4 multicast" --iface veth0 --reply multicast $G
ping ipv6 "$L"
ping "ipv6, named absent" --responder fe80::9 "$L"
ping sealed --iface veth0 --key k.key '239.1.2.4:1600'
ping "nobody" --iface veth0 '239.1.2.5:1600'
ping "pingpong" --iface veth0 --pingpong $G

kill -TERM $r4 $r6 $rk
wait $r4 $r6 $rk
for r in r4 r6 rk; do
	all_json $r.out "responder $r"
	grep -q '^{"type":"respond_summary"' $r.out || fail "responder $r: no summary: $(cat $r.out)"
done
exit 0
