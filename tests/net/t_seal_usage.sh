# Bad key files and bad --key usage: each exits 2 with one stderr line that
# says what is wrong and what to do; nothing is sent or printed.  Runs in a
# namespace with only a down `lo`, so a mistake cannot reach a network.
. "$(dirname "$0")/lib.sh"
G=239.1.2.3:1600
cd "$T" || fail "no work directory"
mcast keygen good.key 2>/dev/null || fail "keygen failed"
K=$(sed -n 's/^1 //p' good.key)
[ ${#K} = 64 ] || fail "keygen wrote no 64-digit key: $(cat good.key)"
printf '1 %s\n' "$K" >open.key && chmod 644 open.key
printf '1 %s\n' "$K" >group.key && chmod 640 group.key
printf '1 %s\n' "${K:0:62}" >short.key && chmod 600 short.key
printf '1 %sz\n' "${K:0:63}" >nothex.key && chmod 600 nothex.key
printf 'one %s\n' "$K" >badid.key && chmod 600 badid.key
printf '0 %s\n' "$K" >zeroid.key && chmod 600 zeroid.key
printf '# only a comment\n' >empty.key && chmod 600 empty.key
printf '1 %s\n1 %s\n' "$K" "$K" >dupid.key && chmod 600 dupid.key
mkdir dir.key

# expect_bad REGEX ARGS...: exit 2, one line on stderr matching REGEX,
# nothing on stdout.
expect_bad() {
	local re=$1 rc; shift
	timeout 5 mcast "$@" </dev/null >out 2>err
	rc=$?
	[ $rc = 2 ] || fail "mcast $*: exit $rc, expected 2: $(cat err)"
	[ ! -s out ] || fail "mcast $*: wrote to stdout: $(cat out)"
	[ "$(wc -l <err)" = 1 ] || fail "mcast $*: want one stderr line: $(cat err)"
	grep -qE -- "$re" err || fail "mcast $*: expected /$re/, got: $(cat err)"
}

for cmd in "send" "recv" "ping" "ping --respond" "bench"; do
	grp=$G
	[ "$cmd" = bench ] && grp=
	# shellcheck disable=SC2086
	{
		expect_bad 'missing.key.*(No such file|cannot).*make one with: mcast keygen FILE' \
			$cmd --key missing.key $grp
		expect_bad 'open.key has mode 0644.*chmod 600 open.key' $cmd --key open.key $grp
		expect_bad 'group.key has mode 0640.*chmod 600' $cmd -k group.key $grp
		expect_bad 'short.key.*line 1' $cmd --key short.key $grp
		expect_bad 'nothex.key.*line 1' $cmd --key nothex.key $grp
		expect_bad 'badid.key.*line 1' $cmd --key badid.key $grp
		expect_bad 'zeroid.key.*line 1' $cmd --key zeroid.key $grp
		expect_bad 'empty.key.*no key' $cmd --key empty.key $grp
		expect_bad 'dupid.key.*line 2' $cmd --key dupid.key $grp
		expect_bad 'dir.key is not a regular file' $cmd --key dir.key $grp
		expect_bad '--key: .*a key file' $cmd --key= $grp
		expect_bad "option '--key' needs a value" $cmd --key
	}
done
# Options of sealed streams without a key.
expect_bad '--cipher applies to sealed streams; give --key FILE too' send --cipher aes-256-gcm $G
expect_bad '--auth-only applies to sealed streams; give --key FILE too' send --auth-only $G
expect_bad '--replay-window applies to sealed streams' recv --replay-window 2048 $G
expect_bad '--max-age applies to sealed streams' recv --max-age 5 $G
expect_bad '--auth-only applies' ping --auth-only $G
expect_bad '--cipher applies' bench --cipher chacha20-poly1305
# Values out of range, and options of the other side.
expect_bad "'rot13' for --cipher.*aes-256-gcm or chacha20-poly1305" send --key good.key --cipher rot13 $G
expect_bad '--replay-window' recv --key good.key --replay-window 10 $G
expect_bad '--replay-window' recv --key good.key --replay-window 70000 $G
expect_bad '--max-age' recv --key good.key --max-age -1 $G
expect_bad '--max-age' recv --key good.key --max-age 1e9 $G
expect_bad "unknown option '--cipher'" recv --key good.key --cipher aes-256-gcm $G
expect_bad "unknown option '--auth-only'" recv --key good.key --auth-only $G
expect_bad "unknown option '--max-age'" send --key good.key --max-age 3 $G
expect_bad "unknown option '--replay-window'" bench --key good.key --replay-window 128
# Sizes that leave no room for the seal.
expect_bad '--size 72 leaves no room for data.*--size 73 or more' \
	send --key good.key --file good.key --size 72 $G
expect_bad 'too small for the 72-byte probe header and tag' send --key good.key --probe --size 60 $G
expect_bad 'does not fit in a --size 80 probe after its 72-byte header and tag' \
	send --key good.key --probe --size 80 $G "a message of some length"
expect_bad 'too small for the 56-byte header and 16-byte tag' bench --key good.key --size 60
exit 0
