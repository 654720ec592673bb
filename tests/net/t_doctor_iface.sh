# mcast doctor on a broken interface: MULTICAST flag off, link down, no
# IPv4 address.  Each is a failed check naming the fix, exit 1.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"

_no_carrier() { ip -n right link show dev veth0 | grep -q NO-CARRIER; }
doctor() { doctor_in right 1 "$@"; }

ip -n right link set veth0 multicast off
doctor --iface veth0 239.1.2.3:1600
expect_check "$T/out" fail iface-multicast 'veth0 lacks the MULTICAST flag.*; ip link set veth0 multicast on$'
expect_check "$T/out" ok iface-up 'veth0 is up'
ip -n right link set veth0 multicast on

ip -n right link set veth0 down
doctor --iface veth0 239.1.2.3:1600
expect_check "$T/out" fail iface-up 'veth0 is down.*; ip link set veth0 up$'
expect_check "$T/out" skip carrier 'down'
expect_check "$T/out" fail self-test 'interface is down.*; ip link set veth0 up$'
ip -n right link set veth0 up
wait_up right veth0

ip -n right addr flush dev veth0
doctor --iface veth0 239.1.2.3:1600
expect_check "$T/out" fail iface-address 'veth0 has no IPv4 address: a sender would send from 0\.0\.0\.0 and receivers drop it'

# The same interface with the other end gone: up, but no carrier (warn).
ip -n right addr add 10.0.0.2/24 dev veth0
ip -n left link set veth0 down
wait_until 5 _no_carrier || fail "veth0 in right never lost its carrier"
timeout 10 in_ns right mcast doctor --iface veth0 --no-self-test 239.1.2.3:1600 >"$T/out" 2>&1
expect_check "$T/out" warn carrier 'no carrier'
exit 0
