# Only real changes are events.  A receiver started while an IPv6 address
# is still in duplicate address detection, on an interface whose address
# lifetimes are then renewed, hears the kernel announce those known
# addresses again: none of that is an "addr_added".  An address really
# added and removed afterwards is reported, by name, once each - on JSON
# standard output and in the text lines on standard error alike.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600

# An address in duplicate address detection when the receivers start.
in_ns right sysctl -qw net.ipv6.conf.veth0.accept_dad=1 net.ipv6.conf.veth0.dad_transmits=1 ||
	fail "cannot enable duplicate address detection"
ip -n right addr add fd00::77/64 dev veth0 || fail "cannot add fd00::77"
tentative() { ip -n right -6 addr show dev veth0 tentative | grep -q 'fd00::77'; }
tentative || skip "fd00::77 was never tentative: no duplicate address detection here"

in_ns right mcast recv --iface veth0 --format json --timeout 30 $G >"$T/json" 2>"$T/json.err" &
rj=$!
in_ns right mcast recv --iface veth0 --timeout 30 $G >"$T/text" 2>"$T/text.err" &
rt=$!
wait_for "$T/json.err" '^joined ' 5 || fail "JSON receiver never joined: $(cat "$T/json.err")"
wait_for "$T/text.err" '^joined ' 5 || fail "text receiver never joined: $(cat "$T/text.err")"
tentative || skip "duplicate address detection ended before the receivers started"

wait_until 10 eval '! tentative' || fail "fd00::77 stayed tentative"
# Lifetimes renewed, as a router advertisement or DHCP renewal does.
ip -n right addr change 10.0.0.2/24 dev veth0 valid_lft 3600 preferred_lft 3600 ||
	fail "cannot renew 10.0.0.2"
ip -n right addr change fd00::2/64 dev veth0 valid_lft 3600 preferred_lft 3600 ||
	fail "cannot renew fd00::2"
# Then a real change, each way.
ip -n right addr add 10.0.0.99/24 dev veth0 || fail "cannot add 10.0.0.99"
wait_for "$T/json" '"event":"addr_added"' 5 || fail "no addr_added event: $(cat "$T/json")"
ip -n right addr del 10.0.0.99/24 dev veth0 || fail "cannot delete 10.0.0.99"
wait_for "$T/json" '"event":"addr_removed"' 5 || fail "no addr_removed event: $(cat "$T/json")"
wait_for "$T/text.err" 'event: addr_removed' 5 || fail "no addr_removed line: $(cat "$T/text.err")"
kill -INT $rj $rt
wait $rj
wait $rt

idx=$(if_index right veth0)
got=$(json_get "$T/json" '[(r["event"], r["detail"]) for r in d if r["type"] == "event"]')
want="[('addr_added', '10.0.0.99/24 on index $idx; memberships kept'), ('addr_removed', '10.0.0.99/24 on index $idx; memberships kept')]"
[ "$got" = "$want" ] || fail "JSON events: $got, want $want"
got=$(grep 'event:' "$T/text.err")
want="mcast recv: event: addr_added veth0: 10.0.0.99/24 on index $idx; memberships kept
mcast recv: event: addr_removed veth0: 10.0.0.99/24 on index $idx; memberships kept"
[ "$got" = "$want" ] || fail "text events: $got"
exit 0
