# Two hosts on one veth pair, IPv6: a site-local scope group [ff15::1]:5000,
# then a link-local scope group given with its zone, [ff02::1234%veth0]:5000.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"

# run_case GROUP_ARG RECV_OPTS... : B receives 3 datagrams sent by A
run_case() {
	local group=$1; shift
	: >"$T/out"; : >"$T/err"
	in_ns right mcast recv "$@" --count 3 --timeout 30 --format json "$group" \
		>"$T/out" 2>"$T/err" &
	local recv=$!
	wait_for "$T/err" '^joined ' 5 || fail "$group: receiver never joined: $(cat "$T/err")"
	in_ns left mcast send "$@" --count 3 --interval 0.05 "$group" "Hello World" \
		2>"$T/send.err" || fail "$group: sender failed: $(cat "$T/send.err")"
	wait $recv || fail "$group: receiver exited $?: $(cat "$T/err")"
	[ "$(json_get "$T/out" 'len(d)')" = 3 ] ||
		fail "$group: expected 3 records: $(cat "$T/out")"
	[ "$(json_get "$T/out" 'all(r["data"] == "Hello World" for r in d)')" = True ] ||
		fail "$group: wrong payload: $(cat "$T/out")"
}

# Site-local scope: the source is A's global address.
run_case '[ff15::1]:5000' --iface veth0
grep -q '^joined \[ff15::1\]:5000 on veth0$' "$T/err" ||
	fail "unexpected join line: $(grep '^joined' "$T/err")"
[ "$(json_get "$T/out" '{(r["group"], r["port"], r["source"], r["iface"]) for r in d}')" = \
	"{('ff15::1', 5000, 'fd00::1', 'veth0')}" ] || fail "wrong json fields: $(cat "$T/out")"

# Link-local scope: no --iface, the zone in the address names the interface;
# the kernel picks A's link-local address as the source.
run_case '[ff02::1234%veth0]:5000'
[ "$(json_get "$T/out" 'all(r["group"].startswith("ff02::1234") and r["port"] == 5000 for r in d)')" = True ] ||
	fail "wrong group in json: $(cat "$T/out")"
[ "$(json_get "$T/out" 'all(r["source"].startswith("fe80:") for r in d)')" = True ] ||
	fail "link-local group should arrive from A's fe80:: address: $(cat "$T/out")"
exit 0
