# mcast doctor's checks come from one table: --help lists them in order,
# a run reports each of them once in that order (text and JSON), the man
# page describes every one, and no help line is wider than 80 columns.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
new_host h || skip "cannot create network namespaces"
cd "$T" || fail "no work directory"

mcast doctor --help >help.txt || fail "doctor --help: exit $?"
sed -n '/^checks:$/,$p' help.txt | sed -n 's/^  \([a-z_-]*\)  .*/\1/p' >names.txt
[ "$(wc -l <names.txt)" -ge 13 ] || fail "--help lists no checks: $(cat help.txt)"
! awk 'length > 80' help.txt | grep . || fail "help lines wider than 80 columns"

# No route in h: the route fails and most checks skip, but each reports.
timeout 10 in_ns h mcast doctor --no-self-test --format json 239.1.2.3:1600 >out.json
json_get out.json '"\n".join(c["name"] for c in d[0]["checks"])' >json_names.txt
diff names.txt json_names.txt >diff.txt || fail "JSON checks differ from --help: $(cat diff.txt)"
timeout 10 in_ns h mcast doctor --no-self-test 239.1.2.3:1600 >out.txt
sed -nE 's/^(ok|warn|fail|skip) +([a-z_-]+): .*/\2/p' out.txt >text_names.txt
diff names.txt text_names.txt >diff.txt || fail "text checks differ from --help: $(cat diff.txt)"

# The man page's list of checks, by name.
sed -n '/^\.Ss mcast doctor/,/^\.Ss /p' "$MCAST_SRC/man/mcast.1" |
	sed -n 's/^\.It Cm //p' | tr -d ',' | tr ' ' '\n' | grep . >man_names.txt
while read -r n; do
	grep -qx -- "$n" man_names.txt || fail "check $n is not in man/mcast.1"
done <names.txt
exit 0
