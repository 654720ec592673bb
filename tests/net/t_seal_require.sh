# Receivers that require encryption: --require-cipher any takes both
# ciphers and refuses auth-only datagrams, --require-cipher NAME only that
# cipher; what is refused is counted as wrong_cipher, and each datagram's
# JSON line says what sealed it.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"
need_cmd python3 python3
G=239.1.2.3:1600
cd "$T" || fail "no work directory"
mcast keygen k 2>/dev/null || fail "keygen failed"

# One message of each kind of sender, the refused kinds first, so each
# receiver sees them before the --count of those it accepts ends it.
names="all any aes chacha"
for r in $names; do
	case $r in
	all) req="--count 3" ;;
	any) req="--require-cipher any --count 2" ;;
	aes) req="--require-cipher aes-256-gcm --count 1" ;;
	chacha) req="--require-cipher chacha20-poly1305 --count 1" ;;
	esac
	# shellcheck disable=SC2086
	in_ns right mcast recv --iface veth0 --key k $req --format json \
		--timeout 10 $G >$r.out 2>$r.err &
	eval "pid_$r=\$!"
	wait_for $r.err '^joined ' 5 || fail "$r receiver never joined: $(cat $r.err)"
done
for how in "--auth-only" "--cipher chacha20-poly1305" "--cipher aes-256-gcm"; do
	# shellcheck disable=SC2086
	in_ns left mcast send --iface veth0 --key k $how --count 1 $G "m $how" 2>>send.err ||
		fail "sender $how failed: $(cat send.err)"
done
for r in $names; do
	eval "wait \$pid_$r" || fail "$r receiver exit $?: $(cat $r.err)"
done

# kinds RECEIVER: the (sealed, auth_only) of each datagram it printed.
kinds() {
	python3 -c 'import json, sys
print(" ".join("%s/%s" % (d["sealed"], d["auth_only"])
	for d in map(json.loads, open(sys.argv[1])) if d.get("type") == "datagram"))' "$1"
}
[ "$(kinds all.out)" = "aes-256-gcm/True chacha20-poly1305/False aes-256-gcm/False" ] ||
	fail "receiver without --require-cipher: $(kinds all.out)"
[ "$(kinds any.out)" = "chacha20-poly1305/False aes-256-gcm/False" ] ||
	fail "--require-cipher any: $(kinds any.out)"
[ "$(kinds aes.out)" = "aes-256-gcm/False" ] || fail "--require-cipher aes-256-gcm: $(kinds aes.out)"
[ "$(kinds chacha.out)" = "chacha20-poly1305/False" ] ||
	fail "--require-cipher chacha20-poly1305: $(kinds chacha.out)"

# The refused ones are counted by reason, datagrams and end markers alike.
for r in any aes chacha; do
	grep -q 'wrong cipher' $r.err || fail "$r: no 'wrong cipher' rejects: $(cat $r.err)"
done
if grep -q 'wrong cipher' all.err; then
	fail "a receiver without --require-cipher rejected: $(cat all.err)"
fi

# Usage: a value it does not know, and the option without --key.
in_ns right mcast recv --key k --require-cipher des $G 2>use.err
[ $? = 2 ] || fail "--require-cipher des: not exit 2"
grep -q "invalid value 'des' for --require-cipher: expected any, aes-256-gcm or chacha20-poly1305" use.err ||
	fail "--require-cipher des: $(cat use.err)"
in_ns right mcast ping --require-cipher any $G 2>use.err
[ $? = 2 ] || fail "--require-cipher without --key: not exit 2"
grep -q -- "--require-cipher applies to sealed streams; give --key FILE too" use.err ||
	fail "--require-cipher without --key: $(cat use.err)"
exit 0
