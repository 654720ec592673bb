# mcast monitor --metrics serves the Prometheus text format at /metrics:
# HELP and TYPE for every family, counters named *_total, label values
# escaped, the counts equal to the monitor's own JSON and the loss equal
# to what nftables dropped, kernel drops per socket, every metric issue
# 17 names, senders past 16 a group in one "other" series; promtool
# accepts it when installed.  A port already in use makes the monitor exit 1.
# Skipped (77) in a build without libmicrohttpd.
. "$(dirname "$0")/lib.sh"
mcast monitor --help | grep -q 'this build is without' &&
	skip "mcast was built without libmicrohttpd (--metrics)"
need_cmd python3 python3
need_cmd nft nftables
topo_pair left right || skip "cannot create network namespaces"

printf '%s\n' '239.1.3.1:1600 name=q"u\o' '[ff15::3]:1601 name=six' >"$T/groups"
drop_probes right 'numgen inc mod 7 0'
in_ns right mcast monitor --iface veth0 --groups "$T/groups" --format json \
	--interval-report 0.5 --idle 60 --metrics 127.0.0.1:9611 >"$T/out" 2>"$T/err" &
mon=$!
wait_for "$T/err" '^monitoring 2 groups$' 5 || fail "monitor never started: $(cat "$T/err")"

# scrape [PATH]: the body (or the HTTP status when not 200) in $T/metrics.
scrape() {
	in_ns right python3 -c 'import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen("http://127.0.0.1:9611" + sys.argv[1], timeout=5)
    sys.stdout.write(r.read().decode())
    print("# content-type", r.headers["Content-Type"])
except urllib.error.HTTPError as e:
    print("status", e.code)' "${1:-/metrics}" >"$T/metrics"
}
# value NAME LABELS: the sample NAME{LABELS...} (LABELS: a substring).
# (Through the environment: awk -v would undo the label's escapes.)
value() { scrape && N=$1 L=$2 awk 'index($0, ENVIRON["N"] "{") == 1 && index($0, ENVIRON["L"]) { print $NF }' "$T/metrics"; }

in_ns left mcast send --probe --iface veth0 --rate 500 --count 140 239.1.3.1:1600 \
	2>"$T/a.err" || fail "sender a: $(cat "$T/a.err")"
in_ns left mcast send --probe --iface veth0 --rate 500 --count 30 '[ff15::3]:1601' \
	2>"$T/b.err" || fail "sender b: $(cat "$T/b.err")"
dropped=$(nft_count right lossy dropped)
[ "$dropped" -gt 0 ] || fail "nftables dropped nothing"
A='group="239.1.3.1",port="1600",iface="veth0",name="q\"u\\o"'
is_lost() { [ "$(value mcast_datagrams_lost_total "$A")" = "$dropped" ]; }
wait_until 5 is_lost || fail "lost $(value mcast_datagrams_lost_total "$A"), nftables dropped $dropped:
$(grep -F "$A" "$T/metrics")"

# The same counts as the JSON records, once both have seen everything.
json_dgrams() { json_get "$T/out" "[r['datagrams'] for r in d if r['type'] == 'interval' and r['group'] == '$1'][-1]"; }
same_counts() {
	[ "$(value mcast_datagrams_received_total "$A")" = "$(json_dgrams 239.1.3.1)" ] &&
		[ "$(value mcast_datagrams_received_total 'group="ff15::3"')" = "$(json_dgrams ff15::3)" ]
}
wait_until 5 same_counts || fail "metrics and JSON differ: $(grep received_total "$T/metrics"); $(tail -4 "$T/out")"
[ "$(value mcast_datagrams_received_total 'group="ff15::3"')" -ge 30 ] || fail "six: too few datagrams"
[ "$(value mcast_up "$A")" = 1 ] || fail "mcast_up is not 1 for a receiving group"
value mcast_join_latency_seconds "$A" | grep -qE '^[0-9.e-]+$' || fail "no join latency for a"
[ "$(value mcast_sender_datagrams_lost_total "$A,source=\"10.0.0.1:")" = "$dropped" ] ||
	fail "per-sender loss: $(grep sender_datagrams_lost "$T/metrics")"
grep -q '^mcast_kernel_drops_total{iface="veth0",port="1600",family="ipv4",socket="0"} 0$' "$T/metrics" ||
	fail "no kernel drops of socket 0: $(grep kernel_drops "$T/metrics")"
grep -q '^# content-type text/plain; version=0.0.4' "$T/metrics" || fail "content type: $(tail -1 "$T/metrics")"

# Every family has its HELP and TYPE before its samples; counters end in _total.
python3 - "$T/metrics" <<'PY' || fail "exposition format: $(cat "$T/metrics")"
import re, sys
help_, type_ = set(), {}
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("# content-type"):
        continue
    if line.startswith("# HELP "):
        help_.add(line.split()[2]); continue
    if line.startswith("# TYPE "):
        _, _, name, t = line.split(); type_[name] = t; continue
    m = re.match(r'^(mcast_[a-z_]+)(\{(?:[a-z_]+="(?:[^"\\\n]|\\.)*",?)*\})? (\S+)$', line)
    assert m, "bad line: " + line
    name = m.group(1)
    assert name in help_ and name in type_, "no HELP/TYPE for " + name
    assert (type_[name] == "counter") == name.endswith("_total"), name
    float(m.group(3))
# What issue 17 names, with the type it must have.
for name, t in [("mcast_up", "gauge"), ("mcast_datagrams_received_total", "counter"),
                ("mcast_bytes_received_total", "counter"), ("mcast_datagrams_lost_total", "counter"),
                ("mcast_datagrams_duplicate_total", "counter"), ("mcast_kernel_drops_total", "counter"),
                ("mcast_outages_total", "counter"), ("mcast_outage_seconds_total", "counter"),
                ("mcast_join_latency_seconds", "gauge"), ("mcast_jitter_seconds", "gauge"),
                ("mcast_ts_cc_errors_total", "counter"),
                ("mcast_ts_tr101290_priority1_errors_total", "counter")]:
    assert type_.get(name) == t and name in help_, "missing or mistyped: " + name
PY
if command -v promtool >/dev/null; then
	sed '/^# content-type/d' "$T/metrics" | promtool check metrics ||
		fail "promtool check metrics failed"
else
	echo "promtool (Debian package prometheus) not installed: its check is skipped" >&2
fi
# Made-up senders cannot grow the labels: 20 more sources (ports) than
# the probe sender, 16 kept apart, the other 5 one "other" series.
in_ns left python3 -c 'import socket
for n in range(20):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.0.0.1"))
    s.sendto(b"x", ("239.1.3.1", 1600))
    s.close()' || fail "the many senders failed"
_capped() { [ "$(value mcast_senders_overflow_total "$A")" = 5 ]; }
wait_until 5 _capped || fail "senders overflow: $(grep -F "$A" "$T/metrics" | grep senders)"
n=$(grep -cF "mcast_sender_datagrams_received_total{$A" "$T/metrics")
[ "$n" = 17 ] || fail "$n sender series, want 16 and other"
[ "$(value mcast_sender_datagrams_received_total "$A,source=\"other\"")" = 5 ] ||
	fail "other: $(grep -F 'source="other"' "$T/metrics")"
scrape /other
[ "$(cat "$T/metrics")" = "status 404" ] || fail "/other: $(cat "$T/metrics")"

# The port is taken: a second monitor cannot serve, and says so.
timeout 5 in_ns right mcast monitor --iface veth0 --metrics 127.0.0.1:9611 \
	239.1.3.9:1600 >"$T/out2" 2>"$T/err2"
rc=$?
[ $rc = 1 ] || fail "second monitor on a used port: exit $rc, want 1: $(cat "$T/err2")"
grep -q -- '--metrics 127.0.0.1:9611: Address already in use' "$T/err2" ||
	fail "no reason given: $(cat "$T/err2")"

kill -TERM $mon
wait $mon || fail "monitor exited $? after SIGTERM: $(cat "$T/err")"
exit 0
