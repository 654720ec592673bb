# A real Prometheus server (Debian's prometheus, in the receiver's
# namespace, scraping every second, its storage in the test's tmpfs)
# scrapes a monitor while probes flow with every tenth dropped by
# nftables: the values read back through Prometheus' HTTP API
# (/api/v1/query) equal the monitor's own JSON records and nftables'
# drop counter.  Then a sender stops, and contrib/mcast-alerts.yml's
# MulticastGroupSilent fires (its "for" shortened to the test's scale).
# Skipped (77) without prometheus or a build without libmicrohttpd.
. "$(dirname "$0")/lib.sh"
mcast monitor --help | grep -q 'this build is without' &&
	skip "mcast was built without libmicrohttpd (--metrics)"
need_cmd prometheus prometheus
need_cmd python3 python3
need_cmd nft nftables
topo_pair left right || skip "cannot create network namespaces"

printf '%s\n' '239.1.8.1:1600 name=lossy' '239.1.8.2:1600 name=stops' >"$T/groups"
drop_probes right 'ip daddr 239.1.8.1 numgen inc mod 10 0'
in_ns right mcast monitor --iface veth0 --groups "$T/groups" --format json \
	--interval-report 0.5 --idle 1 --metrics 127.0.0.1:9615 >"$T/out" 2>"$T/err" &
mon=$!
wait_for "$T/err" '^monitoring 2 groups$' 5 || fail "monitor never joined: $(cat "$T/err")"

sed 's/^\( *for:\).*/\1 1s/' "$MCAST_SRC/contrib/mcast-alerts.yml" >"$T/alerts.yml"
cat >"$T/prom.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ['$T/alerts.yml']
scrape_configs:
  - job_name: mcast
    static_configs:
      - targets: ['127.0.0.1:9615']
EOF
in_ns right prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" \
	--storage.tsdb.retention.time=1h --web.listen-address=127.0.0.1:9616 \
	>"$T/prom.log" 2>&1 &
prom=$!

# api PATH: GET Prometheus' /api/v1/PATH; the "data" of a success, as JSON.
api() {
	in_ns right python3 -c 'import json, sys, urllib.request
r = json.load(urllib.request.urlopen("http://127.0.0.1:9616/api/v1/" + sys.argv[1], timeout=5))
assert r["status"] == "success", r
print(json.dumps(r["data"]))' "$1" 2>/dev/null
}
# query PROMQL: the value of the one sample PROMQL gives ("" when none).
query() {
	api "query?query=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1")" |
		python3 -c 'import json, sys
r = json.load(sys.stdin)["result"]
print(r[0]["value"][1] if len(r) == 1 else "")'
}
_scraped() { [ "$(query 'up{job="mcast"}')" = 1 ]; }
wait_until 60 _scraped || fail "Prometheus never scraped the monitor: $(tail -5 "$T/prom.log")"

in_ns left mcast send --probe --iface veth0 --rate 200 --count 300 239.1.8.1:1600 \
	2>"$T/a.err" &
a=$!
in_ns left mcast send --probe --iface veth0 --rate 100 --count 150 239.1.8.2:1600 \
	2>"$T/b.err" || fail "sender b: $(cat "$T/b.err")"
wait $a || fail "sender a: $(cat "$T/a.err")"
dropped=$(nft_count right lossy dropped)
[ "$dropped" = 30 ] || fail "nftables dropped $dropped, want 30"

# last GROUP KEY: KEY of GROUP's latest interval record.
last() { json_get "$T/out" "[r for r in d if r['type'] == 'interval' and r['group'] == '$1'][-1]['$2']"; }
L='name="lossy"'
_settled() {
	[ "$(last 239.1.8.1 sequenced)" = 270 ] && [ "$(last 239.1.8.2 sequenced)" = 150 ] &&
		[ "$(query "mcast_datagrams_lost_total{$L}")" = "$dropped" ] &&
		[ "$(query "mcast_datagrams_received_total{$L}")" = "$(last 239.1.8.1 datagrams)" ] &&
		[ "$(query 'mcast_datagrams_received_total{name="stops"}')" = "$(last 239.1.8.2 datagrams)" ]
}
wait_until 20 _settled || fail "Prometheus and the JSON differ:
lost $(query "mcast_datagrams_lost_total{$L}") (nftables $dropped),
received $(query "mcast_datagrams_received_total{$L}") / $(query 'mcast_datagrams_received_total{name="stops"}'),
JSON $(tail -3 "$T/out")"
for k in bytes lost duplicates reordered outages; do
	case $k in
	bytes) m=mcast_bytes_received_total ;;
	lost) m=mcast_datagrams_lost_total ;;
	duplicates) m=mcast_datagrams_duplicate_total ;;
	reordered) m=mcast_datagrams_reordered_total ;;
	outages) m=mcast_outages_total ;;
	esac
	for g in 239.1.8.1 239.1.8.2; do
		want=$(last $g $k)
		got=$(query "$m{group=\"$g\"}")
		[ "$got" = "$want" ] || fail "$m{group=\"$g\"}: Prometheus has $got, the JSON $want"
	done
done
got=$(query "mcast_sender_datagrams_lost_total{$L}")
[ "$got" = "$dropped" ] || fail "per-sender loss in Prometheus $got, nftables $dropped"
want=$(json_get "$T/out" "[r for r in d if r['type'] == 'sockets'][-1]['kernel_drops']")
got=$(query 'sum(mcast_kernel_drops_total)')
[ "$got" = "$want" ] || fail "kernel drops: Prometheus $got, JSON $want"
got=$(query "mcast_join_latency_seconds{$L}")
want=$(last 239.1.8.1 join_latency_s)
python3 -c 'import sys; sys.exit(abs(float(sys.argv[1]) - float(sys.argv[2])) > 1e-6)' "$got" "$want" ||
	fail "join latency: Prometheus $got, JSON $want"

# Both senders are done: after --idle the groups are silent, and the
# rule fires for each.
_firing() {
	api alerts | python3 -c 'import json, sys
a = json.load(sys.stdin)["alerts"]
names = sorted(x["labels"]["name"] for x in a if x["labels"]["alertname"] == "MulticastGroupSilent" and x["state"] == "firing")
sys.exit(names != ["lossy", "stops"])'
}
wait_until 20 _firing || fail "MulticastGroupSilent is not firing for both: $(api alerts)"
[ "$(query 'ALERTS{alertname="MulticastGroupSilent",alertstate="firing",name="stops"}')" = 1 ] ||
	fail "no ALERTS series for the silent group"

kill -TERM $prom $mon
wait $mon || fail "monitor exited $?: $(cat "$T/err")"
wait $prom
exit 0
