# Text from outside reaches no terminal and no JSON decoder unescaped.
# B's interface gets a name with ESC, a quote and a backslash (anyone with
# CAP_NET_ADMIN may choose one), A sends payloads with a C1 CSI (U+009B), a
# right-to-left override (U+202E), a line separator (U+2028) and a byte
# that is not UTF-8.  Nothing mcast writes - datagram lines in text and
# JSON, messages, doctor's report - holds ESC, a raw C1 control, U+202E or
# U+2028, and every JSON line decodes.
. "$(dirname "$0")/lib.sh"
topo_pair left right || skip "cannot create network namespaces"

BAD=$'e\x1b[31m"\\'
ip -n right link set veth0 down &&
	ip -n right link set veth0 name "$BAD" &&
	ip -n right link set "$BAD" up || skip "cannot rename an interface"
wait_up right "$BAD"
idx=$(if_index right "$BAD")
G=239.1.2.3:1600

for fmt in text json; do
	in_ns right mcast recv --iface "$BAD" --count 2 --timeout 10 \
		--format "$fmt" $G >"$T/$fmt.out" 2>"$T/$fmt.err" &
	eval "recv_$fmt=\$!"
	wait_for "$T/$fmt.err" '^joined ' 5 || fail "$fmt receiver never joined: $(cat -v "$T/$fmt.err")"
done

in_ns left mcast send --iface veth0 --count 1 $G \
	$'csi\xc2\x9b31m rlo\xe2\x80\xaeoll ls\xe2\x80\xa8end' 2>>"$T/send.err" ||
	fail "sender failed: $(cat "$T/send.err")"
printf 'not utf-8 \xff\xfe' | in_ns left mcast send --iface veth0 --file - $G \
	2>>"$T/send.err" || fail "file sender failed: $(cat "$T/send.err")"
wait $recv_text || fail "text receiver exit $?: $(cat -v "$T/text.err")"
wait $recv_json || fail "json receiver exit $?: $(cat -v "$T/json.err")"

in_ns right mcast doctor --iface "$BAD" --no-self-test $G >"$T/doctor.out" 2>&1
in_ns right mcast doctor --iface "$BAD" --no-self-test --format json $G >"$T/doctor.json" 2>>"$T/doctor.out"

# The byte sequences a terminal or a JavaScript decoder would act on.
for f in text.out text.err json.out json.err doctor.out doctor.json send.err; do
	if LC_ALL=C grep -q $'\x1b' "$T/$f"; then
		fail "$f holds ESC: $(cat -v "$T/$f")"
	fi
	for seq in $'\xc2\x9b' $'\xe2\x80\xae' $'\xe2\x80\xa8'; do
		if LC_ALL=C grep -qF "$seq" "$T/$f"; then
			fail "$f holds $(printf %s "$seq" | od -An -tx1): $(cat -v "$T/$f")"
		fi
	done
done

# Text: the name is shown as the interface's index; the payload escaped.
grep -qE " -> 239\.1\.2\.3:1600 $idx ttl=1 len=[0-9]+ csi\\\\xc2\\\\x9b31m" "$T/text.out" ||
	fail "text line without the index or the escaped payload: $(cat -v "$T/text.out")"
grep -q 'joined 239.1.2.3:1600 on e\\x1b\[31m"\\' "$T/text.err" ||
	fail "the join message does not escape the name: $(cat -v "$T/text.err")"

command -v python3 >/dev/null || exit 0
python3 - "$T/json.out" "$T/doctor.json" "$idx" <<'EOF' || fail "JSON check failed"
import json, sys
lines = [l for f in sys.argv[1:3] for l in open(f, 'rb') if l.strip()]
docs = [json.loads(l.decode('utf-8')) for l in lines]   # strict UTF-8
dg = [d for d in docs if d.get('type') == 'datagram']
assert len(dg) == 2, dg
assert dg[0]['data'] == 'csi\u009b31m rlo\u202eoll ls\u2028end', dg[0]
assert dg[0]['iface'] == sys.argv[3], dg[0]['iface']
assert 'data_base64' in dg[1], dg[1]
doc = [d for d in docs if d.get('type') == 'doctor'][0]
assert doc['iface'] == 'e\x1b[31m"\\', doc['iface']
raw = b''.join(lines)
for esc in (b'\\u009b', b'\\u202e', b'\\u2028', b'\\u001b'):
    assert esc in raw, esc
EOF
exit 0
