# SIGHUP makes mcast monitor read its group file again: a group taken out
# is left (the kernel's membership goes), a new one joined, and one that
# stays keeps its counters under its new name.  A file that has become bad
# changes nothing: the running set stays joined and stderr says why.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"

printf '239.1.2.1:1600 name=a\n239.1.2.2:1600 name=b\n' >"$T/groups"
in_ns right mcast monitor --iface veth0 --groups "$T/groups" --format json \
	--interval-report 0.2 >"$T/out" 2>"$T/err" &
mon=$!
wait_for "$T/err" '^monitoring 2 groups$' 5 || fail "monitor never joined: $(cat "$T/err")"

# joined: the IPv4 groups the kernel has joined in right, sorted, one line.
joined() { igmp_joined right | awk '$2 ~ /^239\.1\.2\./ { print $2 }' | sort | xargs; }
[ "$(joined)" = "239.1.2.1 239.1.2.2" ] || fail "joined: $(joined)"

send() { # GROUP COUNT
	in_ns left mcast send --probe --iface veth0 --rate 500 --count "$2" "$1" \
		2>"$T/send.err" || fail "sender to $1 failed: $(cat "$T/send.err")"
}
# probes GROUP: the probes in GROUP's latest interval record.
probes() { json_get "$T/out" "([r['sequenced'] for r in d if r['type'] == 'interval' and r['group'] == '$1'] or [-1])[-1]"; }
is_probes() { [ "$(probes "$1")" = "$2" ]; }

send 239.1.2.2:1600 20
wait_until 5 is_probes 239.1.2.2 20 || fail "b: $(probes 239.1.2.2) probes, want 20"

printf '# a is gone\n239.1.2.2:1600 name=bee\n239.1.2.3:1601 name=c\n' >"$T/groups"
kill -HUP $mon
wait_for "$T/err" '^groups: 1 joined, 1 left, 1 kept$' 5 || fail "no reload line: $(cat "$T/err")"
[ "$(joined)" = "239.1.2.2 239.1.2.3" ] || fail "joined after the reload: $(joined)"

send 239.1.2.2:1600 10
send 239.1.2.3:1601 15
wait_until 5 is_probes 239.1.2.2 30 || fail "b kept no counters: $(probes 239.1.2.2) probes, want 30"
wait_until 5 is_probes 239.1.2.3 15 || fail "c: $(probes 239.1.2.3) probes, want 15"
name=$(json_get "$T/out" "[r['name'] for r in d if r['type'] == 'interval' and r['group'] == '239.1.2.2'][-1]")
[ "$name" = bee ] || fail "b is named '$name', not bee"

# A bad file: nothing changes, and stderr says why.
printf '239.1.2.2:1600\n239.1.2.4:99999\n' >"$T/groups"
kill -HUP $mon
wait_for "$T/err" 'SIGHUP: .*groups: line 2: .*keeping the 2 groups joined' 5 ||
	fail "no complaint about the bad file: $(cat "$T/err")"
[ "$(joined)" = "239.1.2.2 239.1.2.3" ] || fail "joined after a bad file: $(joined)"
kill -0 $mon 2>/dev/null || fail "monitor died on a bad file: $(cat "$T/err")"

# The groups of the last records are those of the running set.
n=$(wc -l <"$T/out")
_more_records() { [ "$(wc -l <"$T/out")" -gt $((n + 2)) ]; }
wait_until 5 _more_records || fail "no records after the bad file"
kill -INT $mon
wait $mon || fail "monitor exited $? after SIGINT: $(cat "$T/err")"
last=$(json_get "$T/out" "sorted({r['group'] for r in d[-4:] if r['type'] == 'interval'})")
[ "$last" = "['239.1.2.2', '239.1.2.3']" ] || fail "last records for $last"
exit 0
