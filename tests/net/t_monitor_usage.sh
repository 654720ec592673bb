# mcast monitor refuses what it cannot run, before joining anything: a bad
# group file (exit 2 naming the line and the reason), no groups at all, a
# stream type the tracker does not read, a malformed seq: spec, a group
# given twice, a bad --metrics address; with no group joined at all it
# exits 1; and --metrics in a build without libmicrohttpd says what to
# install (exit 2), while a build with it does not say so.
. "$(dirname "$0")/lib.sh"
need_cmd ip iproute2
ip link set lo up || fail "cannot bring lo up"

# refused REGEX ARGS...: exit 2, nothing on stdout, one stderr line matching.
refused() {
	local re=$1; shift
	timeout 5 mcast monitor "$@" </dev/null >"$T/out" 2>"$T/err"
	local rc=$?
	[ $rc = 2 ] || fail "monitor $*: exit $rc, expected 2; stderr: $(cat "$T/err")"
	[ ! -s "$T/out" ] || fail "monitor $*: wrote to stdout: $(cat "$T/out")"
	[ "$(wc -l <"$T/err")" = 1 ] || fail "monitor $*: expected one stderr line, got:
$(cat "$T/err")"
	grep -qE -- "$re" "$T/err" || fail "monitor $*: expected /$re/, got: $(cat "$T/err")"
}
file() { printf '%s\n' "$@" >"$T/groups"; }

refused 'no groups: give GROUP:PORT or --groups FILE' -i lo
file '# nothing but a comment' ''
refused 'names no group' -i lo --groups "$T/groups"
file '239.1.1.1:5000' 'bogus:5000 name=x'
refused 'groups: line 2: .bogus:5000. is not GROUP:PORT' -i lo --groups "$T/groups"
file '239.1.1.1:5000 stream=mpeg'
refused 'line 1: stream=mpeg: want auto, mcast, rtp, ts, rtp-ts, none or seq:' -i lo --groups "$T/groups"
file '239.1.1.1:5000 stream=seq:10:3'
refused 'line 1: stream=seq:10:3: want seq:OFFSET:WIDTH' -i lo --groups "$T/groups"
file '239.1.1.1:5000 colour=red'
refused "line 1: 'colour=red' is neither name=LABEL nor stream=TYPE" -i lo --groups "$T/groups"
file '239.1.1.1:5000 name=a' '# again, spelled differently' '239.1.1.1:5000 name=b'
refused 'line 3: 239.1.1.1:5000 is listed already \(line 1\)' -i lo --groups "$T/groups"
file '10.0.0.1@[ff15::1]:5000'
refused 'line 1: .*both be IPv4 or both IPv6' -i lo --groups "$T/groups"
file '239.1.1.1:5000'
refused '239.1.1.1:5000 is given twice' -i lo --groups "$T/groups" 239.1.1.1:5000
refused 'groups.absent: No such file' -i lo --groups "$T/groups.absent"
refused "'239.1.1.1' for GROUP:PORT|is not GROUP:PORT|needs a port|port" -i lo 239.1.1.1
refused "'fast' for --idle" -i lo --idle fast 239.1.1.1:5000
refused "'sometimes' for --format|text or json" -i lo --format sometimes 239.1.1.1:5000

# Runs, but cannot join: no route for multicast here and no --iface.
timeout 5 mcast monitor --duration 1 239.1.1.1:5000 '[ff15::1]:5000' >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "monitor without any join: exit $rc, want 1: $(cat "$T/err")"
grep -q '^mcast monitor: no group could be joined$' "$T/err" || fail "no reason: $(cat "$T/err")"
[ "$(grep -c '^mcast monitor: warning: cannot join .*try --iface' "$T/err")" = 2 ] ||
	fail "each failed join should be named, with advice: $(cat "$T/err")"

if mcast monitor --help | grep -q 'this build is without'; then
	refused '^mcast monitor: built without libmicrohttpd: install libmicrohttpd-dev and rebuild$' \
		-i lo --metrics :9611 239.1.1.1:5000
else
	refused "'nowhere:x' for --metrics" -i lo --metrics nowhere:x 239.1.1.1:5000
	# With the library, --metrics is no usage error: it runs.
	timeout 5 mcast monitor -i lo --metrics 127.0.0.1:9611 --duration 0.2 \
		239.1.1.1:5000 >"$T/out" 2>"$T/err" ||
		fail "monitor --metrics exited $?: $(cat "$T/err")"
	! grep -q 'built without' "$T/err" || fail "a build with libmicrohttpd said: $(cat "$T/err")"
fi
exit 0
