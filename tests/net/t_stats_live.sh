# recv --stats on a terminal keeps one status line up to date on standard
# error (rewritten in place about once a second) and clears it before the
# summary; with standard error not a terminal it prints no such line.
# script(1) gives the receiver a pseudo-terminal.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
need_cmd script bsdutils
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600
cd "$T" || fail "no work directory"
script -qec true /dev/null </dev/null >/dev/null 2>&1 || skip "script(1) cannot open a pseudo-terminal"

script -qefc "in_ns right mcast recv --iface veth0 --stats --until-end --timeout 15 $G >stats.out" \
	tty.log </dev/null >/dev/null 2>&1 &
recv=$!
wait_for tty.log '^joined ' 5 || fail "receiver never joined: $(cat tty.log)"
in_ns right mcast recv --iface veth0 --stats --until-end --timeout 15 $G >plain.out 2>plain.err &
plain=$!
wait_for plain.err '^joined ' 5 || fail "second receiver never joined"
in_ns left mcast send --iface veth0 --probe --rate 1000 --count 3500 $G 2>send.err ||
	fail "sender failed: $(cat send.err)"
wait $recv || fail "receiver on a terminal exit $?: $(cat tty.log)"
wait $plain || fail "receiver exit $?: $(cat plain.err)"

# The status lines: carriage return, erase line, then the counters.
python3 - tty.log <<'PY' || fail "status lines on the terminal: $(cat -v tty.log)"
import re, sys
t = open(sys.argv[1], "rb").read().decode()
lines = re.findall(r"\r\x1b\[K *([0-9.]+)s  received (\d+)  lost (\d+)", t)
assert len(lines) >= 2, lines
got = [int(r) for _, r, _ in lines]
assert got == sorted(got) and got[-1] > got[0], got
assert all(l == "0" for _, _, l in lines), lines
# The last thing written is a cleared line, then the closing messages.
last = t.rfind("\r\x1b[K")
assert not re.match(r" *[0-9.]+s  received", t[last + 4:]), t[last:]
PY
grep -q '^total: received 3500, lost 0 ' stats.out || fail "no summary on standard output: $(cat stats.out)"
grep -q $'\033' stats.out && fail "escape sequences in the summary"
grep -q $'\033' plain.err && fail "status line written to a non-terminal: $(cat -v plain.err)"
grep -q '^total: received 3500, lost 0 ' plain.out || fail "second receiver: $(cat plain.out)"
exit 0
