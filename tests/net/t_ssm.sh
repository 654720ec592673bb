# Source-specific multicast: A (10.0.0.1) and C (10.0.0.3) both send to
# 232.1.1.1:5000 over a bridge; B joins with source A only.  C sends first,
# so a receiver that let C through would be filled with C's datagrams.
. "$(dirname "$0")/lib.sh"
topo_bridge a b c || skip "cannot create network namespaces"

# ssm_case GROUP TARGET WANT_SOURCE RECV_ARGS...: B receives TARGET with
# RECV_ARGS; C then A send 3 datagrams each; B must see A's 3 only.
ssm_case() {
	local group=$1 target=$2 want=$3; shift 3
	: >"$T/out"; : >"$T/err"
	in_ns b mcast recv --iface veth0 --count 3 --timeout 30 --format json "$@" \
		>"$T/out" 2>"$T/err" &
	local recv=$!
	wait_for "$T/err" '^joined ' 5 || fail "$*: receiver never joined: $(cat "$T/err")"
	in_ns c mcast send --iface veth0 --count 3 --interval 0.02 "$target" "from C" 2>/dev/null ||
		fail "$*: sender C failed"
	in_ns a mcast send --iface veth0 --count 3 --interval 0.02 "$target" "from A" 2>/dev/null ||
		fail "$*: sender A failed"
	wait $recv || fail "$*: receiver exited $?: $(cat "$T/err")"
	[ "$(json_get "$T/out" '[(r["source"], r["data"]) for r in d]')" = \
		"[('$want', 'from A'), ('$want', 'from A'), ('$want', 'from A')]" ] ||
		fail "$*: expected 3 datagrams from $want only, got: $(cat "$T/out")"
	[ "$(json_get "$T/out" '{(r["group"], r["port"]) for r in d}')" = "{('$group', 5000)}" ] ||
		fail "$*: wrong group/port in json: $(cat "$T/out")"
	! grep -q 'warning:' "$T/err" || fail "$*: warning despite a source: $(cat "$T/err")"
}

ssm_case 232.1.1.1 232.1.1.1:5000 10.0.0.1 --source 10.0.0.1 232.1.1.1:5000
ssm_case 232.1.1.1 232.1.1.1:5000 10.0.0.1 10.0.0.1@232.1.1.1:5000
grep -q '^joined 10\.0\.0\.1@232\.1\.1\.1:5000 on veth0$' "$T/err" ||
	fail "unexpected join line: $(grep '^joined' "$T/err")"
ssm_case ff35::1 '[ff35::1]:5000' fd00::1 --source fd00::1 '[ff35::1]:5000'
ssm_case ff35::1 '[ff35::1]:5000' fd00::1 'fd00::1@[ff35::1]:5000'

# An SSM group without a source: a warning, but the receiver still runs
# (and here times out with nothing, exit 1).
in_ns b mcast recv --iface veth0 --timeout 0.3 232.1.1.1:5000 >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "SSM group without source, nothing sent: expected exit 1, got $rc: $(cat "$T/err")"
grep 'warning:' "$T/err" | grep -q 'source-specific' ||
	fail "no source-specific warning: $(cat "$T/err")"
grep -q '^joined ' "$T/err" || fail "warning stopped the receiver: $(cat "$T/err")"
exit 0
