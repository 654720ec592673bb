# contrib/ holds a site's set-up: the systemd unit, the Prometheus scrape
# configuration for a fleet of monitors, the alert rules and an example
# group file.  promtool accepts the configuration and the rules; the
# rules behave (promtool test rules: a silent group, loss above 0.1%, CC
# errors rising each fire, a healthy group does not); every metric they
# name is one the monitor serves; systemd-analyze verifies the unit
# (skipped without it); the unit's command line runs with the example
# group file.  Skipped (77) without promtool (Debian package prometheus).
. "$(dirname "$0")/lib.sh"
need_cmd promtool prometheus
C=$MCAST_SRC/contrib
for f in mcast-monitor.service prometheus.yml mcast-alerts.yml groups.example; do
	[ -r "$C/$f" ] || fail "contrib/$f missing"
done

cp "$C/prometheus.yml" "$C/mcast-alerts.yml" "$T/"
promtool check config "$T/prometheus.yml" >"$T/cfg.out" 2>&1 ||
	fail "promtool check config: $(cat "$T/cfg.out")"
promtool check rules "$T/mcast-alerts.yml" >"$T/rules.out" 2>&1 ||
	fail "promtool check rules: $(cat "$T/rules.out")"

# The rules over made-up series, one sample every 15 s: what fires when.
cat >"$T/test.yml" <<'EOF'
rule_files: [mcast-alerts.yml]
evaluation_interval: 15s
tests:
  - interval: 15s
    input_series:
      - series: 'mcast_up{job="mcast",instance="h:9611",group="239.1.1.1",port="5000",iface="eth1",name="news"}'
        values: '1 1 0 0 0 0'
      - series: 'mcast_up{job="mcast",instance="h:9611",group="239.1.1.2",port="5000",iface="eth1",name="ok"}'
        values: '1x40'
      # 1000 datagrams a second, 5 of them lost (0.5%) on "news".
      - series: 'mcast_datagrams_received_total{job="mcast",instance="h:9611",group="239.1.1.1",port="5000",iface="eth1",name="news"}'
        values: '0+14925x40'
      - series: 'mcast_datagrams_lost_total{job="mcast",instance="h:9611",group="239.1.1.1",port="5000",iface="eth1",name="news"}'
        values: '0+75x40'
      - series: 'mcast_datagrams_received_total{job="mcast",instance="h:9611",group="239.1.1.2",port="5000",iface="eth1",name="ok"}'
        values: '0+15000x40'
      - series: 'mcast_datagrams_lost_total{job="mcast",instance="h:9611",group="239.1.1.2",port="5000",iface="eth1",name="ok"}'
        values: '0x40'
      - series: 'mcast_ts_cc_errors_total{job="mcast",instance="h:9611",group="239.1.1.1",port="5000",iface="eth1",name="news",pid="256"}'
        values: '0+1x40'
      - series: 'mcast_ts_cc_errors_total{job="mcast",instance="h:9611",group="239.1.1.2",port="5000",iface="eth1",name="ok",pid="256"}'
        values: '3x40'
    alert_rule_test:
      - eval_time: 30s
        alertname: MulticastGroupSilent
        exp_alerts: []
      - eval_time: 75s
        alertname: MulticastGroupSilent
        exp_alerts:
          - exp_labels: {severity: critical, job: mcast, instance: 'h:9611', group: 239.1.1.1, port: '5000', iface: eth1, name: news}
            exp_annotations:
              summary: '239.1.1.1:5000 (news) silent on h:9611'
      - eval_time: 10m
        alertname: MulticastLoss
        exp_alerts:
          - exp_labels: {severity: warning, job: mcast, instance: 'h:9611', group: 239.1.1.1, port: '5000', iface: eth1, name: news}
            exp_annotations:
              summary: '239.1.1.1:5000 (news) loses 0.50% on h:9611'
      - eval_time: 10m
        alertname: MulticastTsCcErrors
        exp_alerts:
          - exp_labels: {severity: warning, job: mcast, instance: 'h:9611', group: 239.1.1.1, port: '5000', iface: eth1, name: news}
            exp_annotations:
              summary: '239.1.1.1:5000 (news): 20 CC errors in 5 min on h:9611'
EOF
(cd "$T" && promtool test rules test.yml) >"$T/test.out" 2>&1 ||
	fail "promtool test rules: $(cat "$T/test.out")"

# The unit: systemd's own check, with the binary where ExecStart says.
unit=$T/mcast-monitor.service
sed "s|/usr/local/bin/mcast|$MCAST|" "$C/mcast-monitor.service" >"$unit"
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify --man=no "$unit" >"$T/verify.out" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$T/verify.out")"
	[ ! -s "$T/verify.out" ] || fail "systemd-analyze verify warns: $(cat "$T/verify.out")"
else
	echo "systemd-analyze not installed: the unit's check is skipped" >&2
fi
grep -qx 'DynamicUser=yes' "$unit" && grep -qx 'CapabilityBoundingSet=' "$unit" &&
	grep -qx 'RestrictAddressFamilies=AF_INET AF_INET6 AF_NETLINK AF_UNIX' "$unit" ||
	fail "the unit lost its hardening"

# Its command line, on lo with the example groups, stopped as systemd
# does (SIGTERM); the metrics it serves name every metric the rules use.
cmd=$(sed -n 's/^ExecStart=//p' "$unit" | sed "s|/etc/mcast/groups|$C/groups.example|; s|127.0.0.1:9611|127.0.0.1:9612|")
mhd=yes
mcast monitor --help | grep -q 'this build is without' && mhd= && cmd=${cmd/--metrics 127.0.0.1:9612/}
ip link set lo up
ip -6 route add local ff00::/8 dev lo table local 2>/dev/null
$cmd --iface lo --duration 60 >"$T/mon.out" 2>"$T/mon.err" &
mon=$!
wait_for "$T/mon.err" '^monitoring 4 groups$' 5 || fail "the unit's command: $(cat "$T/mon.err")"
if [ -n "$mhd" ]; then
	need_cmd python3 python3
	_scrape() {
		python3 -c 'import urllib.request
print(urllib.request.urlopen("http://127.0.0.1:9612/metrics", timeout=5).read().decode(), end="")' >"$T/metrics" 2>/dev/null &&
			grep -q '^# TYPE mcast_up gauge' "$T/metrics"
	}
	wait_until 10 _scrape || fail "cannot scrape the unit's monitor: $(cat "$T/mon.err")"
	for name in $(grep -oE 'mcast_[a-z0-9_]+' "$C/mcast-alerts.yml" | sort -u); do
		grep -q "^# TYPE $name " "$T/metrics" || fail "the rules use $name, which the monitor does not serve"
	done
fi
kill -TERM $mon
wait $mon || fail "the unit's command exited $? on SIGTERM: $(cat "$T/mon.err")"
exit 0
