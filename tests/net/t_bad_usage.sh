# Bad command lines: each exits 2, says so in exactly one stderr line that
# starts with "mcast", prints nothing on stdout, and never crashes.  Nothing
# here should reach the network; the namespace has only a down `lo` anyway.
. "$(dirname "$0")/lib.sh"

G=239.1.2.3:1600
bad=(
	"bogus"
	"recv --count abc $G"            "recv --count -1 $G"
	"recv --count 3x $G"             "recv --timeout xyz $G"
	"recv --timeout -1 $G"           "recv --rcvbuf 12Q $G"
	"recv --format xml $G"           "recv --bogus $G"
	"recv"                           "recv 10.0.0.1:1600"
	"recv 255.255.255.255:1600"      "recv 239.1.2.3"
	"recv 239.1.2.3:"                "recv 239.1.2.3:0"
	"recv 239.1.2.3:70000"           "recv 239.1.2.3:16a0"
	"recv 239.1.2.300:1600"          "recv [ff02::1]:5000"
	"recv [ff15::1:5000"             "recv [ff15::zz]:5000"
	"recv [fd00::1]:5000"            "recv --iface nosuch0 $G"
	"recv --source 300.1.1.1 $G"     "recv 10.0.0.1@$G@x"
	"recv --stream mpeg $G"          "recv --stream seq:10:3 $G"
	"recv --stream seq:10 $G"        "recv --stream seq:70000:8 $G"
	"recv --stream seq:10:8:xe $G"   "recv --stream rtp --stream ts $G"
	"recv --rtp-clock 0 $G"          "recv --rtp-clock 90k $G"
	"recv --stream ts --format raw $G"
	"send --ttl 256 $G"              "send --ttl -1 $G"
	"send --ttl abc $G"              "send --count 1x $G"
	"send --interval abc $G"         "send --interval -1 $G"
	"send --size abc $G"             "send --lines $G"
	"send --bind 10.0.0.999 $G"      "send --bind :99999 $G"
	"send --bind [::1:1501 $G"       "send --file /nonexistent/file $G"
	"send --format json $G"          "send"
	"send 224.0.0.0.1:1600"          "send 10.0.0.1:1600"
	"send [ff02::1]:5000"            "send --iface nosuch0 $G"
)
[ ${#bad[@]} -ge 25 ] || fail "only ${#bad[@]} cases"

for line in "${bad[@]}"; do
	read -ra args <<<"$line"
	timeout 5 mcast "${args[@]}" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -lt 128 ] && [ $rc != 124 ] || fail "mcast $line: crashed or hung (exit $rc): $(cat "$T/err")"
	[ $rc = 2 ] || fail "mcast $line: exit $rc, expected 2; stderr: $(cat "$T/err")"
	[ ! -s "$T/out" ] || fail "mcast $line: wrote to stdout: $(cat "$T/out")"
	[ "$(wc -l <"$T/err")" = 1 ] || fail "mcast $line: expected one stderr line, got:
$(cat "$T/err")"
	grep -q '^mcast' "$T/err" || fail "mcast $line: stderr does not start with mcast: $(cat "$T/err")"
done

# A few messages the spec spells out.
expect_msg() {	# expect_msg REGEX ARGS...
	local re=$1; shift
	mcast "$@" </dev/null >/dev/null 2>"$T/err"
	grep -qE -- "$re" "$T/err" || fail "mcast $*: expected /$re/, got: $(cat "$T/err")"
}
expect_msg "^mcast: unknown command 'bogus'; see mcast --help$" bogus
expect_msg '^mcast recv: 10\.0\.0\.1:1600 is not a multicast group.*224\.0\.0\.0/4.*ff00::/8' \
	recv 10.0.0.1:1600
expect_msg '^mcast send: 255\.255\.255\.255:1600 is not a multicast group' send 255.255.255.255:1600
expect_msg '^mcast send: .*(interface|iface)' send '[ff02::1]:5000'
expect_msg '^mcast recv: .*(interface|iface)' recv '[ff02::1]:5000'
expect_msg "^mcast recv: invalid value 'mpeg' for --stream: expected auto, mcast, rtp, ts, rtp-ts, none or seq:OFFSET:WIDTH" \
	recv --stream mpeg $G
expect_msg "^mcast recv: .*--rtp-clock.*1.*1000000000" recv --rtp-clock 0 $G

# No arguments: usage on stderr, exit 2 (several lines, so not in the list).
mcast >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] && [ ! -s "$T/out" ] && [ -s "$T/err" ] ||
	fail "mcast without arguments: exit $rc, expected 2 with usage on stderr only"
exit 0
