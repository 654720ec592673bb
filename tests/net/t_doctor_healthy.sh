# mcast doctor on a healthy veth host: a route for 224.0.0.0/4 via veth0,
# no --iface.  Every check is ok (the querier check skips without --listen),
# the verdict is ok, exit 0 - for IPv4, source-specific IPv4 under strict
# rp_filter, and IPv6.  The self-test's probes (TTL 0) never reach the peer.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"
ip -n right route add 224.0.0.0/4 dev veth0 || fail "cannot add the route"

# Without nft and iptables-save (optional: the README's four packages have
# neither) the firewall check cannot read the rules and says so: a skip,
# not a failure.  doctor looks for them in PATH, /usr/sbin and /sbin.
fw_skip='^$'
fw_tools=$(PATH=$PATH:/usr/sbin:/sbin command -v nft iptables-save ip6tables-save)
[ -n "$fw_tools" ] || fw_skip='^skip  firewall: neither nft nor ip6?tables-save is installed'

# healthy ARGS...: run doctor on `right`; all ok but the querier (and
# rp_filter for IPv6, and the firewall without its tools), which skip; exit 0.
healthy() {
	timeout 10 in_ns right mcast doctor "$@" >"$T/out" 2>"$T/err"
	local rc=$?
	[ $rc = 0 ] || fail "doctor $*: exit $rc, expected 0: $(cat "$T/out" "$T/err")"
	[ ! -s "$T/err" ] || fail "doctor $*: wrote to stderr: $(cat "$T/err")"
	grep -vE '^(checking |verdict: )' "$T/out" | grep -vE '^ok    [a-z_-]+: ' |
		grep -vE '^skip  (querier: |rp_filter: IPv6 has no)' | grep -vE "$fw_skip" >"$T/bad"
	[ ! -s "$T/bad" ] || fail "doctor $*: not ok:
$(cat "$T/bad")"
	grep -qE '^verdict: ok: 1[0-3] ok, 0 warn, 0 fail, [1-3] skipped; multicast to this group should arrive here$' "$T/out" ||
		fail "doctor $*: verdict: $(tail -1 "$T/out")"
	for name in route iface-up iface-multicast iface-address carrier rp_filter \
		rcvbuf igmp-limits igmp-version memberships firewall querier self-test; do
		grep -qE "^[a-z]+ +$name: " "$T/out" || fail "doctor $*: no $name line"
	done
}

# The peer listens on the group while the self-test runs: nothing may come.
in_ns left mcast recv --iface veth0 --timeout 3 239.1.2.3:1600 >"$T/peer" 2>"$T/peer.err" &
peer=$!
wait_for "$T/peer.err" '^joined ' 5 || fail "peer never joined: $(cat "$T/peer.err")"

healthy --rcvbuf 128K 239.1.2.3:1600
grep -qE '^ok    route: the route for 239\.1\.2\.3 goes via veth0' "$T/out" || fail "route line: $(cat "$T/out")"
grep -qE '^ok    self-test: joined on veth0 and sent 3 probes from 10\.0\.0\.2 with TTL 0: all came back' "$T/out" ||
	fail "self-test line: $(cat "$T/out")"
grep -qE '^ok    memberships: 239\.1\.2\.3 is not joined on veth0 yet' "$T/out" || fail "memberships line: $(cat "$T/out")"

wait $peer && fail "the peer received the self-test's probes: $(cat "$T/peer")"
grep -q 'no datagram arrived' "$T/peer.err" || fail "peer: $(cat "$T/peer.err")"

# Source-specific from the peer, under strict reverse-path filtering: the
# route back to 10.0.0.1 goes via veth0, so nothing is dropped.
in_ns right sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.veth0.rp_filter=1
healthy --rcvbuf 128K --source 10.0.0.1 232.1.2.3:1600
grep -qE '^ok    self-test: joined source-specific on veth0' "$T/out" || fail "SSM self-test: $(cat "$T/out")"
in_ns right sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.veth0.rp_filter=0

# A group this host already receives is reported as such.  The receiver
# stays until doctor is done (under load, 5 s of its own were too few).
in_ns right mcast recv --iface veth0 --timeout 120 239.1.2.9:1600 >/dev/null 2>"$T/recv.err" &
local_recv=$!
wait_for "$T/recv.err" '^joined ' 5 || fail "local receiver never joined"
healthy --rcvbuf 128K 239.1.2.9:1600
grep -qE '^ok    memberships: 239\.1\.2\.9 is already joined on veth0 by 1 socket' "$T/out" ||
	fail "memberships of a joined group: $(cat "$T/out")"
kill $local_recv

# IPv6: the kernel's ff00::/8 route on veth0.
healthy --rcvbuf 128K --iface veth0 '[ff15::1]:5000'
grep -qE '^ok    iface-address: veth0 has fd00::2' "$T/out" || fail "IPv6 address line: $(cat "$T/out")"
exit 0
