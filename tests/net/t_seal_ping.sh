# Sealed ping: a responder answers only pings sealed with one of its keys
# and seals its replies; the pinger accepts only replies it can open.  r1
# holds the pinger's key, r2 another key under the same id, r3 none.
. "$(dirname "$0")/lib.sh"
topo_bridge r1 r2 r3 pinger || skip "cannot create network namespaces"
G=239.1.2.3:1600
cd "$T" || fail "no work directory"
mcast keygen good.key 2>/dev/null && mcast keygen other.key 2>/dev/null ||
	fail "keygen failed"

in_ns r1 mcast ping --respond --iface veth0 --key good.key $G >r1.out 2>r1.err &
r1=$!
in_ns r2 mcast ping --respond --iface veth0 --key other.key $G >r2.out 2>r2.err &
r2=$!
in_ns r3 mcast ping --respond --iface veth0 $G >r3.out 2>r3.err &
r3=$!
for r in r1 r2 r3; do
	wait_for $r.err '^joined ' 5 || fail "responder $r never joined: $(cat $r.err)"
done

# Sealed pings: only r1 answers, by both paths, every time.
in_ns pinger mcast ping --iface veth0 --key good.key --count 20 --rate 50 --wait 1 \
	--responder 10.0.0.1 --format json $G >p.out 2>p.err ||
	fail "sealed ping exit $?: $(cat p.err)"
grep '"type":"ping_summary"' p.out >sum || fail "no summary: $(cat p.out)"
[ "$(json_get sum '[r["address"] for r in d[0]["responders"]]')" = "['10.0.0.1']" ] ||
	fail "responders other than r1 answered: $(cat sum)"
for path in multicast unicast; do
	[ "$(json_get sum "d[0]['responders'][0]['$path']['replies']")" = 20 ] ||
		fail "r1 did not answer all 20 by $path: $(cat sum)"
done
[ "$(json_get p.out 'sorted(set(r["bytes"] for r in d if r["type"] == "reply"))')" = "[104]" ] ||
	fail "sealed replies are not 104 bytes (header, pong, tag): $(cat p.out)"

# Unsealed pings: the sealed responders do not answer; r3 does.
in_ns pinger mcast ping --iface veth0 --count 10 --rate 50 --wait 1 --format json \
	$G >u.out 2>u.err || fail "unsealed ping exit $?: $(cat u.err)"
grep '"type":"ping_summary"' u.out >usum || fail "no summary: $(cat u.out)"
[ "$(json_get usum '[r["address"] for r in d[0]["responders"]]')" = "['10.0.0.3']" ] ||
	fail "a sealed responder answered unsealed pings: $(cat usum)"

kill -INT $r1 $r2 $r3
wait $r1 $r2 $r3
grep -q '^answered 20 pings$' r1.err || fail "r1: $(cat r1.err)"
# Unsealed: the 10 pings and r3's 10 multicast replies to them.
grep -q 'rejected 20 datagrams in all: 20 not sealed$' r1.err || fail "r1 rejects: $(cat r1.err)"
grep -q '^answered 0 pings$' r2.err || fail "r2 answered: $(cat r2.err)"
# r2 holds another key under id 1: the 20 sealed pings and r1's 20
# multicast replies fail the tag check.
grep -q 'rejected 60 datagrams in all: 40 bad tag, 20 not sealed$' r2.err ||
	fail "r2 rejects: $(cat r2.err)"
grep -q '^answered 10 pings$' r3.err || fail "r3: $(cat r3.err)"
exit 0
