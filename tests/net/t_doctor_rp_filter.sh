# mcast doctor --source with strict reverse-path filtering: the host hears
# the group on veth0, but the route back to the source goes via veth1, so
# the kernel drops the source's datagrams.  rp_filter fails with the fix;
# loose filtering passes; a source with no route at all is a warning.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"
# A second link: right's veth1 (10.1.0.2) to `far` (10.1.0.1).
new_host far &&
	ip link add veth1 netns right type veth peer name veth0 netns far &&
	ip -n right addr add 10.1.0.2/24 dev veth1 &&
	ip -n right link set veth1 up &&
	ip -n far addr add 10.1.0.1/24 dev veth0 &&
	ip -n far link set veth0 up || fail "cannot build the second link"

doctor() { doctor_in right "$@"; }

# Per-namespace sysctls, in `right` only.
in_ns right sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.veth0.rp_filter=1 ||
	fail "cannot set rp_filter"
doctor 1 --iface veth0 --source 10.1.0.1 239.1.2.3:1600
expect_check "$T/out" fail rp_filter 'drops datagrams from 10\.1\.0\.1 arriving on veth0 \(route back goes via veth1.*; set net\.ipv4\.conf\.veth0\.rp_filter=2 \(loose\) or 0, and net\.ipv4\.conf\.all\.rp_filter likewise$'
# The self-test still passes: its probes are sent from this host.
expect_check "$T/out" ok self-test 'joined source-specific on veth0'

# Strict, but the source sits behind veth0: fine.
doctor 0 --iface veth0 --source 10.0.0.1 239.1.2.3:1600
expect_check "$T/out" ok rp_filter 'strict reverse-path filtering on veth0, and the route back to 10\.0\.0\.1 goes via veth0'

# Strict without --source: a warning that asks for one.
doctor 0 --iface veth0 --no-self-test 239.1.2.3:1600
expect_check "$T/out" warn rp_filter 'strict reverse-path filtering on veth0.*--source ADDR'

# Loose: a route back via any interface will do; none at all is a warning.
in_ns right sysctl -qw net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.veth0.rp_filter=2
doctor 0 --iface veth0 --source 10.1.0.1 --no-self-test 239.1.2.3:1600
expect_check "$T/out" ok rp_filter 'loose reverse-path filtering on veth0: 10\.1\.0\.1 has a route back \(via veth1\)'
doctor 0 --iface veth0 --source 10.9.9.9 --no-self-test 239.1.2.3:1600
expect_check "$T/out" warn rp_filter 'no route back to 10\.9\.9\.9 at all.*; add a route to 10\.9\.9\.9'

# The kernel takes the larger of all and the interface: all=1 wins over 0.
in_ns right sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.veth0.rp_filter=0
doctor 1 --iface veth0 --source 10.1.0.1 --no-self-test 239.1.2.3:1600
expect_check "$T/out" fail rp_filter 'rp_filter all=1, veth0=0'

# SSM with IGMP forced to version 2: source-specific joins cannot work.
in_ns right sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.veth0.force_igmp_version=2
doctor 1 --iface veth0 --source 10.0.0.1 --no-self-test 232.1.2.3:1600
expect_check "$T/out" fail igmp-version 'source-specific joins need IGMPv3.*force_igmp_version=0'
exit 0
