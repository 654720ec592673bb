# mcast doctor's command line: bad usage exits 2 with one line on stderr
# and nothing on stdout; --help and `mcast help doctor` print the usage.
. "$(dirname "$0")/lib.sh"

bad=(
	"doctor 10.0.0.1:5000"             "doctor 239.1.2.3"
	"doctor 239.1.2.3:1600 extra"      "doctor --listen -1"
	"doctor --listen abc"              "doctor --listen 4000"
	"doctor --rcvbuf 12Q"              "doctor --rcvbuf 10"
	"doctor --format xml"              "doctor --iface nosuch0"
	"doctor --source 239.1.1.1"        "doctor --source fd00::1 239.1.2.3:1600"
	"doctor [ff02::1]:5000"            "doctor --bogus"
)
for line in "${bad[@]}"; do
	read -ra args <<<"$line"
	timeout 5 mcast "${args[@]}" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 2 ] || fail "mcast $line: exit $rc, expected 2: $(cat "$T/out" "$T/err")"
	[ ! -s "$T/out" ] || fail "mcast $line: wrote to stdout: $(cat "$T/out")"
	[ "$(wc -l <"$T/err")" = 1 ] || fail "mcast $line: expected one stderr line: $(cat "$T/err")"
	grep -q '^mcast doctor: ' "$T/err" || fail "mcast $line: prefix: $(cat "$T/err")"
done

mcast doctor --help >"$T/out" 2>&1 || fail "doctor --help: exit $?"
grep -q '^usage: mcast doctor \[OPTIONS\] \[GROUP:PORT\]' "$T/out" || fail "usage: $(cat "$T/out")"
mcast help doctor | cmp -s - "$T/out" || fail "mcast help doctor differs from --help"
mcast --help | grep -qE '^  doctor ' || fail "doctor missing from mcast --help"
exit 0
