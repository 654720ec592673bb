# mcast doctor with nftables rules in the namespace.  A rule that drops UDP
# to the port is reported as "may drop" (firewall warn); the self-test's
# probes are looped back through the input hook, so the rule drops them too
# and the self-test fails (exit 1).  Rules that spare the port do not warn.
. "$(dirname "$0")/lib.sh"
need_cmd nft nftables
topo_pair left right || skip "cannot create network namespaces"
in_ns right nft add table inet t 2>/dev/null || skip "nftables not usable here"

doctor() { doctor_in right "$1" --iface veth0 "${@:2}"; }
chain() {	# chain SPEC: a fresh input chain `in` in table inet t
	in_ns right nft flush ruleset &&
		in_ns right nft add table inet t &&
		in_ns right nft add chain inet t in "{ type filter hook input priority 0; $1 }" ||
		fail "cannot create the chain"
}

chain ""
in_ns right nft add rule inet t in udp dport 5000 drop
doctor 1 239.1.2.3:5000
expect_check "$T/out" warn firewall "may drop UDP to port 5000: nftables inet t chain in \(hook input\): 'udp dport 5000 drop'.*nft insert rule inet t in udp dport 5000 accept\$"
expect_check "$T/out" fail self-test '0 of 3 probes .* came back'

# A port range and a set that hold the port.
chain ""
in_ns right nft add rule inet t in udp dport '{ 22, 4000-6000 }' counter reject
doctor 1 239.1.2.3:5000
expect_check "$T/out" warn firewall 'may drop UDP to port 5000'

# Another port, or TCP: no warning, and the self-test passes.
in_ns right nft add rule inet t in tcp dport 1600 drop
doctor 0 239.1.2.3:1600
expect_check "$T/out" ok firewall 'no input or prerouting rule found that drops UDP to port 1600'
expect_check "$T/out" ok self-test 'all came back'

# Policy drop: a warning, unless a rule accepts the port.
chain "policy drop;"
doctor 1 239.1.2.3:5000
expect_check "$T/out" warn firewall 'hook input with policy drop, and no rule there accepts the port'
in_ns right nft add rule inet t in udp dport 5000 accept
doctor 0 239.1.2.3:5000
expect_check "$T/out" ok firewall 'no input or prerouting rule'
expect_check "$T/out" ok self-test 'all came back'

# iptables-save's format, from a stand-in that prints fixed rules (the real
# one may not be installed): a DROP of the port in INPUT may drop.
in_ns right nft flush ruleset
mkdir "$T/fake" && cat >"$T/fake/iptables-save" <<'RULES' && chmod +x "$T/fake/iptables-save"
#!/bin/sh
printf '%s\n' '*filter' ':INPUT ACCEPT [0:0]' ':OUTPUT ACCEPT [0:0]' \
	'-A INPUT -p tcp -m tcp --dport 5000 -j DROP' \
	'-A INPUT -p udp -m multiport --dports 80,4000:6000 -j DROP' 'COMMIT'
RULES
PATH=$T/fake:$PATH doctor 0 --no-self-test 239.1.2.3:5000
expect_check "$T/out" warn firewall "may drop UDP to port 5000: iptables table filter: '-A INPUT -p udp -m multiport --dports 80,4000:6000 -j DROP' \(1 match; .*; allow it: iptables -t filter -I INPUT -p udp --dport 5000 -j ACCEPT$"
PATH=$T/fake:$PATH doctor 0 --no-self-test 239.1.2.3:7000
expect_check "$T/out" ok firewall 'no input or prerouting rule'
exit 0
