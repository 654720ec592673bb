# mcast doctor --format json: one object that python3 parses, with every
# check's name, status, detail and fix; the verdict and exit status agree
# with the checks - for a broken host (no route) and a healthy one.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"

# check_json FILE VERDICT: the object is well formed and says VERDICT.
check_json() {
	python3 - "$1" "$2" <<'PY' || fail "bad JSON for verdict $2: $(cat "$1")"
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert len(lines) == 1, "expected one line, got %d" % len(lines)
d = json.loads(lines[0])
assert d["type"] == "doctor", d["type"]
assert isinstance(d["group"], str) and isinstance(d["port"], int)
names = [c["name"] for c in d["checks"]]
assert len(names) == len(set(names)), names
want = {"route", "iface-up", "iface-multicast", "iface-address", "carrier",
        "rp_filter", "rcvbuf", "igmp-limits", "igmp-version", "memberships",
        "firewall", "querier", "self-test"}
assert want <= set(names), want - set(names)
for c in d["checks"]:
    assert set(c) == {"name", "status", "detail", "fix"}, c
    assert c["status"] in ("ok", "warn", "fail", "skip"), c
    assert isinstance(c["detail"], str) and c["detail"], c
    assert isinstance(c["fix"], str), c
    if c["status"] in ("warn", "fail"):
        assert c["fix"], "a %s without a fix: %r" % (c["status"], c)
st = [c["status"] for c in d["checks"]]
verdict = "fail" if "fail" in st else "warn" if "warn" in st else "ok"
assert d["verdict"] == verdict == sys.argv[2], (d["verdict"], verdict)
PY
}

# Broken: no route, no --iface (exit 1, iface null).
timeout 10 in_ns right mcast doctor --format json >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "json, no route: exit $rc, expected 1: $(cat "$T/out" "$T/err")"
check_json "$T/out" fail
[ "$(json_get "$T/out" 'd[0]["iface"]')" = None ] || fail "iface should be null: $(cat "$T/out")"
[ "$(json_get "$T/out" '[c["status"] for c in d[0]["checks"] if c["name"] == "route"][0]')" = fail ] ||
	fail "route should fail: $(cat "$T/out")"
[ "$(json_get "$T/out" 'd[0]["group"], d[0]["port"], d[0]["group_default"]')" = "('239.255.0.1', 5000, True)" ] ||
	fail "default group: $(cat "$T/out")"

# Healthy: exit 0, verdict ok, iface named.
timeout 10 in_ns right mcast doctor -F json --iface veth0 --rcvbuf 128K 239.1.2.3:1600 >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || fail "json, healthy: exit $rc, expected 0: $(cat "$T/out" "$T/err")"
check_json "$T/out" ok
[ "$(json_get "$T/out" 'd[0]["iface"]')" = veth0 ] || fail "iface: $(cat "$T/out")"
exit 0
