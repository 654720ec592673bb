# The man page's examples of the statistics are what recv prints: line by
# line, with every number, hex session id and run of spaces made alike,
# the text summary of a real run equals the man page's; and its JSON
# summary has the members the man page's JSON example has.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600
MAN=$MCAST_SRC/man/mcast.1

# The literal block of the Statistics section that begins with $1.
example() {
	awk -v first="$1" '/^\.Ss Statistics/ { in_sec = 1 }
		in_sec && /^\.Bd -literal/ { getline; if (index($0, first) == 1) on = 1 }
		on && /^\.Ed/ { exit }
		on { print }' "$MAN"
}
shape() { sed -E 's/[0-9a-f]{8,}/H/g; s/[0-9]+(\.[0-9]+)?/N/g; s/ +/ /g'; }

# run OUT [ARGS...]: recv --stats ARGS over a 200-probe stream, into OUT.
run() {
	local out=$1 recv
	shift
	in_ns right mcast recv --iface veth0 --stats --until-end --timeout 20 "$@" $G \
		>"$out" 2>"$T/err" &
	recv=$!
	wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
	in_ns left mcast send --iface veth0 --probe --count 200 --rate 1000 $G 2>/dev/null ||
		fail "sender failed"
	wait $recv || fail "receiver exit $?: $(cat "$T/err")"
}

run "$T/text"
example group >"$T/man.text"
[ -s "$T/man.text" ] || fail "no text example in the Statistics section of $MAN"
diff <(shape <"$T/man.text") <(shape <"$T/text") >"$T/diff" ||
	fail "the man page's text summary differs from recv's: $(cat "$T/diff")"

run "$T/json" --format json
example '{"type":"summary"' | tr -d '\n' >"$T/man.json"
python3 - "$T/man.json" "$T/json" <<'PY' || fail "the man page's JSON summary differs from recv's"
import json, sys
def keys(v, at=""):
    if isinstance(v, dict):
        return {at + "." + k for k in v} | set().union(*(keys(x, at + "." + k) for k, x in v.items()))
    if isinstance(v, list):
        return set().union(*(keys(x, at + "[]") for x in v)) if v else set()
    return set()
man = keys(json.load(open(sys.argv[1])))
got = keys(json.loads(open(sys.argv[2]).read()))
if man != got:
    print("only in the man page:", sorted(man - got), "only in recv's:", sorted(got - man), file=sys.stderr)
    sys.exit(1)
PY
exit 0
