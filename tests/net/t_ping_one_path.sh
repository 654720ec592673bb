# The fault mcast ping exists to find: a responder that answers by unicast
# while its multicast replies never arrive.  nftables on the pinger's host
# drops every pong sent to the group; the responder is still found through
# its unicast replies, and the run fails naming the broken path, with no
# --max-loss needed.  The same holds the other way round, and when the
# pinger's own host refuses unicast the verdict says so.
. "$(dirname "$0")/lib.sh"
need_cmd nft nftables
topo_pair responder pinger || skip "cannot create network namespaces"
G=239.1.2.3:1600

start_responder responder

# drop_in MATCH: a fresh table on the pinger's host dropping what MATCH
# matches on input.
drop_in() {
	in_ns pinger nft -f - <<NFT || fail "cannot load the nftables rule"
flush ruleset
table inet t {
	chain in {
		type filter hook input priority 0;
		$1 counter drop
	}
}
NFT
}
# drop_pongs DADDR_MATCH: drop pongs (type byte 4) that match, e.g.
# "ip daddr 239.1.2.3" or "ip daddr 10.0.0.2".
drop_pongs() { drop_in "$1 udp sport != 1600 @th,104,8 4"; }

drop_pongs "ip daddr 239.1.2.3"
in_ns pinger mcast ping --iface veth0 --count 10 --rate 50 --wait 0.5 -q $G \
	>"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "multicast replies dropped: exit $rc, expected 1: $(cat "$T/err")"
grep -q '^mcast ping: 10.0.0.1 answered by unicast but never by multicast' "$T/err" ||
	fail "no message naming the broken multicast path: $(cat "$T/err")"
grep -qE '^10\.0\.0\.1 +unicast +10 replies' "$T/out" || fail "unicast replies missing: $(cat "$T/out")"

drop_pongs "ip daddr 10.0.0.2"
in_ns pinger mcast ping --iface veth0 --count 10 --rate 50 --wait 0.5 -q $G \
	>"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "unicast replies dropped: exit $rc, expected 1: $(cat "$T/err")"
grep -q '^mcast ping: 10.0.0.1 answered by multicast but never by unicast' "$T/err" ||
	fail "no message naming the broken unicast path: $(cat "$T/err")"

# The pinger's own host turns every unicast datagram to its socket away:
# the verdict blames this host, not routes and firewalls on the way back,
# and the pinger warned at the start.
drop_in "udp dport != 1600"
in_ns pinger mcast ping --iface veth0 --count 10 --rate 50 --wait 0.5 -q $G \
	>"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "unicast refused here: exit $rc, expected 1: $(cat "$T/err")"
grep -q '^mcast ping: warning: this host does not let a unicast datagram through to the pinger.s socket' "$T/err" ||
	fail "no warning that this host refuses unicast: $(cat "$T/err")"
grep -q '^mcast ping: 10.0.0.1 answered by multicast but never by unicast: this host turned unicast away' "$T/err" ||
	fail "verdict does not blame this host: $(cat "$T/err")"
grep -q 'check routes and firewalls on the way back' "$T/err" && fail "verdict blames the way back: $(cat "$T/err")"

in_ns pinger nft flush ruleset
in_ns pinger mcast ping --iface veth0 --count 10 --rate 50 --wait 0.5 -q $G \
	>"$T/out" 2>"$T/err" || fail "healthy paths: exit $?: $(cat "$T/err")"
grep -q 'does not let a unicast' "$T/err" && fail "healthy paths: unicast self-check failed: $(cat "$T/err")"
exit 0
