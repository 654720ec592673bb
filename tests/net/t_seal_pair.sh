# Sealed streams between two hosts: with the right key everything arrives
# and is opened (AES-256-GCM, ChaCha20-Poly1305, auth-only; probes, plain
# messages and a file); a receiver with another key accepts nothing, and
# one without --key says the stream is sealed.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600
cd "$T" || fail "no work directory"
mcast keygen good.key 2>/dev/null || fail "keygen failed"
mcast keygen other.key 2>/dev/null || fail "keygen failed"

# The receiver with the right key, one with another key, one with none.
start_receivers() {
	in_ns right mcast recv --iface veth0 --key good.key --stats --format json \
		--until-end --timeout 10 $G >good.out 2>good.err &
	good=$!
	# It can open nothing, so only its timeout ends it: as long as the
	# others', or under load it gave up before the sender was done.
	in_ns right mcast recv --iface veth0 --key other.key --stats --format json \
		--until-end --timeout 10 $G >other.out 2>other.err &
	other=$!
	in_ns right mcast recv --iface veth0 --stats --format json \
		--until-end --timeout 10 $G >none.out 2>none.err &
	none=$!
	for f in good other none; do
		wait_for $f.err '^joined ' 5 || fail "$f receiver never joined: $(cat $f.err)"
	done
}

for how in "" "--cipher chacha20-poly1305" "--auth-only"; do
	start_receivers
	# shellcheck disable=SC2086
	in_ns left mcast send --iface veth0 --key good.key $how --probe --rate 2000 \
		--count 1000 --size 200 $G 2>send.err || fail "sender ($how) failed: $(cat send.err)"
	grep -qE "(sealed|authenticated) with key id 1 \(" send.err ||
		fail "sender ($how) did not say it seals: $(cat send.err)"
	wait $good || fail "receiver with the key ($how) exit $?: $(cat good.err)"
	one_session_intact good.out 1000
	[ "$(summary_get good.out '["totals"]["received"]')" = 1000 ] ||
		fail "$how: not all 1000 probes opened: $(cat good.out)"
	[ "$(summary_get good.out '["totals"]["rejected"]["total"]')" = 0 ] ||
		fail "$how: rejects on a clean link: $(cat good.out)"
	# 1000 probes and the end-of-stream markers (--until-end stops at
	# the first of three), all verified.
	ends=$(summary_get good.out '["totals"]["accepted"] - 1000')
	[ "$ends" -ge 1 ] && [ "$ends" -le 3 ] ||
		fail "$how: accepted is not 1000 probes and 1-3 end markers: $(cat good.out)"

	wait $other && fail "receiver with another key ($how) exit 0: $(cat other.err)"
	[ "$(summary_get other.out '["totals"]["received"]')" = 0 ] ||
		fail "$how: a receiver with another key accepted probes: $(cat other.out)"
	[ "$(summary_get other.out '["totals"]["accepted"]')" = 0 ] ||
		fail "$how: a receiver with another key accepted something"
	# Both files hold a key 1: a different key under the same id fails
	# the tag check.
	[ "$(summary_get other.out '["totals"]["rejected"]["bad_tag"]')" = 1003 ] ||
		fail "$how: want 1003 bad-tag rejects: $(cat other.out)"
	grep -q 'rejected .* bad tag' other.err ||
		fail "$how: no reject line on stderr: $(cat other.err)"

	# Without a key the header is readable, so loss is still measured,
	# but the receiver says the stream is sealed and unverified.
	wait $none || fail "receiver without a key ($how) exit $?: $(cat none.err)"
	[ "$(summary_get none.out '["totals"]["received"]')" = 1000 ] ||
		fail "$how: keyless receiver did not count the probes: $(cat none.out)"
	grep -q 'sealed datagrams (key id 1) arrive from 10.0.0.1' none.err ||
		fail "$how: keyless receiver did not warn: $(cat none.err)"
	[ "$(grep -c 'sealed datagrams' none.err)" = 1 ] || fail "$how: warned more than once"
done

# Plain messages: the payload is printed, opened; the key id and sequence
# number are shown; on the wire the message is not readable.
in_ns right mcast recv --iface veth0 --key good.key --count 3 --timeout 30 $G \
	>msg.out 2>msg.err &
r=$!
in_ns right mcast recv --iface veth0 --format hex --count 3 --timeout 30 $G \
	>wire.out 2>wire.err &
w=$!
wait_for msg.err '^joined ' 5 && wait_for wire.err '^joined ' 5 || fail "receivers never joined"
in_ns left mcast send --iface veth0 --key good.key --count 3 --interval 0.01 $G \
	"Hello sealed World" 2>send.err || fail "sender failed: $(cat send.err)"
wait $r || fail "sealed message receiver exit $?: $(cat msg.err)"
wait $w || fail "wire receiver exit $?"
[ "$(grep -c ' key=1 seq=[012] Hello sealed World$' msg.out)" = 3 ] ||
	fail "messages not printed opened: $(cat msg.out)"
grep -q 'len=90 ' msg.out || fail "want 90 bytes on the wire (56 + 18 + 16): $(cat msg.out)"
grep -q 'Hello' wire.out && fail "the message is readable on the wire: $(cat wire.out)"

# IPv6, lines from standard input, ChaCha20-Poly1305: each line opened.
in_ns right mcast recv --iface veth0 --key good.key --count 3 --timeout 30 --format json \
	'[ff15::1]:5000' >v6.out 2>v6.err &
r=$!
wait_for v6.err '^joined ' 5 || fail "IPv6 receiver never joined: $(cat v6.err)"
printf 'one\ntwo\nthree\n' | in_ns left mcast send --iface veth0 --key good.key \
	--cipher chacha20-poly1305 --file - --lines --size 100 '[ff15::1]:5000' 2>send.err ||
	fail "IPv6 line sender failed: $(cat send.err)"
wait $r || fail "IPv6 receiver exit $?: $(cat v6.err)"
[ "$(json_get v6.out '[(r["data"], r["source"], r["key_id"]) for r in d]')" = \
	"[('one', 'fd00::1', 1), ('two', 'fd00::1', 1), ('three', 'fd00::1', 1)]" ] ||
	fail "IPv6 sealed lines: $(cat v6.out)"

# A file in sealed chunks of --size bytes on the wire, put back together.
head -c 100000 /dev/urandom >in.bin
in_ns right mcast recv --iface veth0 --key good.key --format raw --rcvbuf 4M \
	--count 100 --timeout 10 $G >file.out 2>file.err &
r=$!
wait_for file.err '^joined ' 5 || fail "file receiver never joined"
in_ns left mcast send --iface veth0 --key good.key --file in.bin --size 1072 \
	--interval 0.0005 $G 2>send.err || fail "file sender failed: $(cat send.err)"
wait $r || fail "file receiver exit $?: $(cat file.err)"
cmp -s in.bin file.out || fail "the file did not come through intact ($(wc -c <file.out) bytes)"
exit 0
