# Command lines the man page rules out are refused, each with exit 2 and one
# stderr line that says what to give instead: numbers that are not plain
# decimals (hex, exponents, signs, blanks), an option that takes a value
# given twice, an input file that is a directory (before anything is sent).
# Range messages print plain numbers, and an IPv4 --size says its limit
# (send and ping).
. "$(dirname "$0")/lib.sh"
need_cmd ip iproute2
ip link set lo up || fail "cannot bring lo up"

G=239.1.2.3:1600
echo data >"$T/file"

# refused REGEX ARGS...: exit 2, nothing on stdout, one stderr line matching.
refused() {
	local re=$1; shift
	timeout 5 mcast "$@" </dev/null >"$T/out" 2>"$T/err"
	local rc=$?
	[ $rc = 2 ] || fail "mcast $*: exit $rc, expected 2; stderr: $(cat "$T/err")"
	[ ! -s "$T/out" ] || fail "mcast $*: wrote to stdout: $(cat "$T/out")"
	[ "$(wc -l <"$T/err")" = 1 ] || fail "mcast $*: expected one stderr line, got:
$(cat "$T/err")"
	grep -qE -- "$re" "$T/err" || fail "mcast $*: expected /$re/, got: $(cat "$T/err")"
}

# Decimal only.
refused "'0x10' for --interval" send --interval 0x10 $G
refused "'1e3' for --interval" send --interval 1e3 $G
refused "'inf' for --interval" send --interval inf $G
refused "' 1' for --interval" send --interval ' 1' $G
refused "'\+3' for --count" send --count +3 $G
refused "'1e3' for --rate" send --probe --rate 1e3 $G
refused "'0x1p4' for --bitrate" send --probe --bitrate 0x1p4 $G
refused "'1e2' for --timeout" recv --timeout 1e2 $G
refused "'1e1' for --max-loss" recv --max-loss 1e1 $G
refused "'0x1000' for --rcvbuf" recv --rcvbuf 0x1000 $G
refused "'1e0' for --wait" ping --wait 1e0 $G
refused "'1e0' for --duration" bench --duration 1e0
refused "'1e-1' for --interval" demo --interval 1e-1

# Plain numbers in range messages, never 1e+07.
refused 'from 0\.001 to 10000000 ' send --duration 20000000 $G
refused 'from 0\.001 to 1000000000 ' send --probe --rate 2000000000 $G
refused 'from 1 to 1000000000000 ' send --probe --bitrate 2000000000000 $G
grep -q 'e+' "$T/err" && fail "exponent in a range message: $(cat "$T/err")"

# --size beyond IPv4's limit: the limit and why, not "invalid value 'too large'".
refused '65508.*IPv4.*65507.*65535' send --size 65508 --file "$T/file" $G
# ping's too: IPv4's limit for an IPv4 group, IPv6's for an IPv6 one.
refused '65508.*IPv4.*65507.*65535' ping --size 65508 $G
refused 'from 88 to 65527' ping --size 65528 '[ff15::9]:5000'

# An input that cannot be read is bad input, found before anything is sent.
refused '/: it is a directory' send -i lo --file / $G
refused 'cannot open' send -i lo --file "$T/missing" $G

# A single-valued option given twice, in every subcommand that has one.
refused '--iface given more than once' send -i lo -i 1 $G
refused '--iface given more than once' send --iface=lo -i lo $G
refused '--cipher given more than once' send --key "$T/k" --cipher aes --cipher aes $G
refused '--count given more than once' recv -c 1 --count 2 $G
refused '--key given more than once' recv --key "$T/a" --key "$T/b" $G
refused '--count given more than once' ping -c 1 -c 2 $G
refused '--duration given more than once' bench -D 1 --duration 2
refused '--count given more than once' demo -c 1 -c 2
refused '--format given more than once' doctor -F text --format json $G

# What stays allowed: repeatable options, flags, and plain decimals.
accepted() {	# accepted ARGS...: not a usage error
	timeout 10 mcast "$@" </dev/null >"$T/out" 2>"$T/err"
	local rc=$?
	[ $rc != 2 ] || fail "mcast $*: refused: $(cat "$T/err")"
}
accepted recv -i lo -S 10.0.0.1 -S 10.0.0.2 --timeout 0.1 $G
grep -q '^joined 10.0.0.1,10.0.0.2@' "$T/err" || fail "two --source: not joined: $(cat "$T/err")"
accepted ping -i lo -P 127.0.0.2 -P 127.0.0.3 -c 1 --wait 0.1 $G
accepted send -i lo -q -q --loop --loop --count 1 --interval 0.5 $G
accepted send -i lo -q --probe --rate 1.5k --count 2 $G
accepted recv -i lo --rcvbuf 64K --timeout 0.05 $G
echo "strict usage ok"
