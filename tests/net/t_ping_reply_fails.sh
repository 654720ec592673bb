# A responder whose multicast replies cannot be sent (nftables on its own
# host drops them on output, so each send fails with EPERM) still answers
# by unicast: each kind of reply is tried on its own (the multicast
# failure once returned before the unicast reply).  Its summary names the
# failing kind and the error, as text and as JSON.
. "$(dirname "$0")/lib.sh"
need_cmd nft nftables
topo_pair responder pinger || skip "cannot create network namespaces"
G=239.1.2.3:1600

in_ns responder nft -f - <<NFT || fail "cannot load the nftables rule"
table inet t {
	chain out {
		type filter hook output priority 0;
		ip daddr 239.1.2.3 counter drop
	}
}
NFT

in_ns responder mcast ping --respond --iface veth0 --count 5 --duration 60 --format json $G \
	>"$T/resp.out" 2>"$T/resp.err" &
resp=$!
wait_for "$T/resp.err" '^joined ' 5 || fail "responder never joined: $(cat "$T/resp.err")"

in_ns pinger mcast ping --iface veth0 --count 5 --rate 50 --wait 0.5 -q --format json $G \
	>"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "pinger exit $rc, expected 1 (no multicast replies): $(cat "$T/err")"
grep '"type":"ping_summary"' "$T/out" >"$T/sum" || fail "no summary: $(cat "$T/out")"
[ "$(json_get "$T/sum" '[(r["multicast"]["replies"], r["unicast"]["replies"]) for r in d[0]["responders"]]')" = "[(0, 5)]" ] ||
	fail "want 5 unicast replies and no multicast ones: $(cat "$T/sum")"

wait $resp || fail "responder exit $?: $(cat "$T/resp.err")"
grep -q '^answered 5 pings; 5 multicast replies could not be sent: Operation not permitted$' "$T/resp.err" ||
	fail "responder summary does not name the failing path and its error: $(cat "$T/resp.err")"
grep -q 'unicast repl' "$T/resp.err" && fail "unicast replies reported failing: $(cat "$T/resp.err")"
[ "$(json_get "$T/resp.out" '[(r["answered"], r["multicast"], r["unicast"]) for r in d if r["type"] == "respond_summary"]')" = \
	"[(5, {'sent': 0, 'failed': 5, 'error': 'Operation not permitted'}, {'sent': 5, 'failed': 0, 'error': None})]" ] ||
	fail "responder JSON summary: $(cat "$T/resp.out")"
exit 0
