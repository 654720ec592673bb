#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/monitor.sh: what `mcast monitor` costs at a site's scale, and how
# fast it reads one stream.  Two hosts on a veth pair in a private network
# namespace.
#
#  1. Many groups: the monitor joins GROUPS groups (default 1000, on four
#     ports) and one `mcast send --probe` sends RATE datagrams/s to each
#     (default 100) for SECONDS (default 10), exactly RATE * SECONDS to
#     each group.  Reported: the groups whose count is exact (every probe,
#     none lost), kernel drops, the monitor's CPU over the sending
#     (utime + stime of all its threads, % of one core), its resident
#     memory (VmHWM, the peak), and the time to fetch /metrics (curl,
#     five scrapes while the traffic flows: median and largest).
#  2. One stream at full speed (`send --probe --rate max`, 64 B) read by
#     `mcast recv --stats` and by `mcast monitor`, alternately for ROUNDS
#     rounds (default 5): the datagrams per second each took in, medians.
#
#   sudo bench/monitor.sh [--groups N] [--rate PPS] [--seconds S]
#                         [--rounds N] [--only many|one]
#
# Safety: everything runs in fresh network and mount namespaces
# (unshare); when they cannot be made the script exits 77 having sent
# nothing.  Every program is bounded by timeout(1) or its own --duration.
# Needs a built tree (with libmicrohttpd for the scrape times), python3,
# curl.  Exit: 0 done, 1 a run failed, 2 misuse, 77 skipped.
set -u
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MCAST=${MCAST:-$SRC/build/mcast}
NGROUPS=1000 RATE=100 SECS=10 ROUNDS=5 ONLY=
usage() {
	echo "usage: bench/monitor.sh [--groups N] [--rate PPS] [--seconds S] [--rounds N] [--only many|one]"
}
num() { # VALUE MIN MAX NAME
	[[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ] ||
		{ echo "monitor.sh: $4 must be $2-$3" >&2; exit 2; }
}
while [ $# -gt 0 ]; do
	case $1 in
	--groups) num "${2-}" 1 4096 --groups; NGROUPS=$2; shift 2 ;;
	--rate) num "${2-}" 1 10000 --rate; RATE=$2; shift 2 ;;
	--seconds) num "${2-}" 1 120 --seconds; SECS=$2; shift 2 ;;
	--rounds) num "${2-}" 1 99 --rounds; ROUNDS=$2; shift 2 ;;
	--only) [[ ${2-} =~ ^(many|one)$ ]] || { echo "monitor.sh: --only many or one" >&2; exit 2; }
		ONLY=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
if [ -z "${MCAST_MONBENCH_INNER:-}" ]; then
	[ -x "$MCAST" ] || { echo "monitor.sh: build first: $MCAST" >&2; exit 1; }
	for tool in python3 curl unshare timeout ip; do
		command -v $tool >/dev/null ||
			{ echo "monitor.sh: SKIP: $tool missing" >&2; exit 77; }
	done
	export MCAST MCAST_MONBENCH_INNER=1
	unshare -nm true 2>/dev/null || { echo "monitor.sh: SKIP: no namespaces" >&2; exit 77; }
	exec unshare -nm bash "$0" --groups "$NGROUPS" --rate "$RATE" \
		--seconds "$SECS" --rounds "$ROUNDS" ${ONLY:+--only $ONLY}
fi
mount -n --make-rprivate / && mount -n -t tmpfs monbench-netns /run || exit 1
mkdir -p /run/netns
W=$(mktemp -d) || exit 1
trap 'kill $(jobs -p) 2>/dev/null; wait; ip -all netns delete 2>/dev/null; rm -rf "$W"' EXIT
for h in s d; do ip netns add $h && ip -n $h link set lo up || exit 1; done
ip link add veth0 netns s type veth peer name veth0 netns d &&
	ip -n s addr add 10.0.0.1/24 dev veth0 && ip -n d addr add 10.0.0.2/24 dev veth0 &&
	ip -n s link set veth0 up && ip -n d link set veth0 up || exit 1
for _ in $(seq 100); do
	ip -n d -o link show veth0 | grep -q 'state UP' &&
		ip -n s -o link show veth0 | grep -q 'state UP' && break
	sleep 0.05
done
metrics=
"$MCAST" monitor --help | grep -q 'this build is without' ||
	metrics="--metrics 127.0.0.1:9613"
in_d() { ip netns exec d "$@"; }
# wait_for FILE REGEX SECONDS, cpu_ticks PID
. "$SRC/bench/lib.sh"
median() { python3 -c 'import statistics, sys; print(statistics.median(map(float, sys.argv[1:])))' "$@"; }

# ------------------------------------------------------------------
many() {
	local per=$(((NGROUPS + 3) / 4)) ranges count=$((RATE * SECS)) mon t0 t1 c0 c1 ms=()
	ranges=$(python3 - "$NGROUPS" "$per" "$W/groups" <<'PY'
import ipaddress, sys
n, per, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
first = ipaddress.ip_address("239.3.0.1")
with open(path, "w") as f:
    for i in range(n):
        print(f"{first + i}:{6000 + i // per}", file=f)
print(" ".join(f"{first + i}-{first + min(i + per, n) - 1}:{6000 + i // per}"
               for i in range(0, n, per)))
PY
	)
	# shellcheck disable=SC2086
	ip netns exec d "$MCAST" monitor --iface veth0 --groups "$W/groups" --format json \
		--interval-report 3600 --idle 60 --duration $((SECS + 60)) $metrics \
		>"$W/mon.out" 2>"$W/mon.err" &
	mon=$!
	wait_for "$W/mon.err" "^monitoring $NGROUPS groups" 30 ||
		{ echo "monitor never joined: $(tail -3 "$W/mon.err")" >&2; return 1; }
	c0=$(cpu_ticks $mon) t0=$(date +%s.%N)
	# shellcheck disable=SC2086
	ip netns exec s timeout $((SECS + 30)) "$MCAST" send --probe --iface veth0 \
		--rate $((RATE * NGROUPS)) --burst 10 --count $count $ranges 2>"$W/send.err" &
	local send=$!
	if [ -n "$metrics" ]; then
		sleep $(((SECS + 1) / 2))
		for _ in 1 2 3 4 5; do
			ms+=("$(in_d curl -s -o "$W/metrics" -w '%{time_total}' \
				http://127.0.0.1:9613/metrics)")
			sleep 0.2
		done
	fi
	wait $send || { echo "sender failed: $(tail -3 "$W/send.err")" >&2; return 1; }
	c1=$(cpu_ticks $mon) t1=$(date +%s.%N)
	local hwm rss
	hwm=$(awk '/^VmHWM/ { print $2 }' /proc/$mon/status)
	rss=$(awk '/^VmRSS/ { print $2 }' /proc/$mon/status)
	sleep 1 # the last datagrams read
	kill -INT $mon
	wait $mon || { echo "monitor exited $?: $(tail -3 "$W/mon.err")" >&2; return 1; }
	python3 - "$W/mon.out" "$NGROUPS" "$RATE" "$count" "$c0" "$c1" "$t0" "$t1" \
		"$(getconf CLK_TCK)" "$hwm" "$rss" "$(sed -n 's/^sent \([0-9]*\) probes.*/\1/p' "$W/send.err")" \
		"$(wc -c <"$W/metrics" 2>/dev/null || echo 0)" "${ms[@]}" <<'PY'
import json, statistics, sys
out, n, rate, count, c0, c1, t0, t1, tck, hwm, rss, sent, size, *ms = sys.argv[1:]
n, rate, count, tck, sent = int(n), int(rate), int(count), int(tck), int(sent)
last, drops, socks = {}, 0, 0
for r in map(json.loads, open(out)):
    if r["type"] == "interval":
        last[(r["group"], r["port"])] = r
    elif r["type"] == "sockets":
        drops, socks = r["kernel_drops"], len(r["sockets"])
exact = sum(1 for r in last.values() if r["sequenced"] == count and r["lost"] == 0)
lost = sum(r["lost"] for r in last.values())
wall = float(t1) - float(t0)
cpu_s = (int(c1) - int(c0)) / tck
print(f"{n} groups, {count} probes each at {sent / n / wall:.0f}/s (asked {rate}/s): "
      f"{sent} in {wall:.1f} s over {socks} sockets")
print(f"  exact counts: {exact} of {len(last)} groups; lost {lost}, kernel drops {drops}")
# The per-second work (metrics, silence checks) is in the per-datagram
# figure too, so the projection errs high.
per = cpu_s / sent * 1e6
print(f"  monitor CPU: {cpu_s / wall * 100:.1f}% of one core at {sent / wall:.0f} datagrams/s; "
      f"{per:.2f} us a datagram, {per * n * rate / 1e4:.1f}% at {n * rate}/s (target < 25%)")
print(f"  monitor memory: peak {int(hwm) / 1024:.1f} MiB resident, "
      f"{int(rss) / 1024:.1f} MiB at the end (target < 64 MiB)")
if ms:
    v = [float(x) * 1000 for x in ms]
    print(f"  /metrics ({int(size) / 1e6:.1f} MB): median {statistics.median(v):.1f} ms, "
          f"largest {max(v):.1f} ms of {len(v)} scrapes (target < 100 ms)")
else:
    print("  /metrics: not measured (built without libmicrohttpd)")
PY
}

# ------------------------------------------------------------------
# one_run recv|monitor: datagrams/s the reader took in from a full-speed
# sender over 3 s (received probes / the sender's time), and its loss.
one_run() {
	local who=$1 rd
	if [ "$who" = recv ]; then
		in_d timeout 30 "$MCAST" recv --iface veth0 --stats --format json \
			--rcvbuf 4M --until-end --timeout 20 239.3.100.1:7000 >"$W/one.out" 2>"$W/one.err" &
		rd=$!
		wait_for "$W/one.err" '^joined' 10 || return 1
	else
		ip netns exec d "$MCAST" monitor --iface veth0 --format json --rcvbuf 4M \
			--interval-report 3600 --duration 30 239.3.100.1:7000 \
			>"$W/one.out" 2>"$W/one.err" &
		rd=$!
		wait_for "$W/one.err" '^monitoring' 10 || return 1
	fi
	ip netns exec s timeout 20 "$MCAST" send --probe --iface veth0 --rate max --gso --burst 32 \
		--duration 3 239.3.100.1:7000 2>"$W/one.send" || return 1
	if [ "$who" = monitor ]; then
		sleep 0.5
		kill -INT $rd
	fi
	wait $rd
	python3 - "$who" "$W/one.out" "$W/one.send" <<'PY'
import json, re, sys
who, out, send = sys.argv[1:]
d = [json.loads(l) for l in open(out) if l.startswith("{")]
m = re.search(r"^sent (\d+) probes \([^)]*\) in ([\d.]+) s", open(send).read(), re.M)
sent, secs = int(m.group(1)), float(m.group(2))
if who == "recv":
    got = [r for r in d if r["type"] == "summary"][0]["totals"]["received"]
else:
    got = [r for r in d if r["type"] == "interval"][-1]["sequenced"]
print(f"{got / secs:.0f} {sent / secs:.0f}")
PY
}

one() {
	local k who r rates_recv=() rates_mon=()
	echo "one stream at full speed, 64 B, 3 s a run, $ROUNDS rounds alternating:"
	for ((k = 1; k <= ROUNDS; k++)); do
		# Which goes first alternates, so that neither always has
		# the quieter half of a round.
		order="recv monitor"
		[ $((k % 2)) = 0 ] && order="monitor recv"
		for who in $order; do
			r=$(one_run "$who") || { echo "$who run failed: $(tail -3 "$W/one.err")" >&2; return 1; }
			set -- $r
			printf '  round %d %-7s %8d/s taken in (sender %d/s)\n' "$k" "$who" "$1" "$2"
			if [ "$who" = recv ]; then rates_recv+=("$1"); else rates_mon+=("$1"); fi
		done
	done
	python3 - "$(median "${rates_recv[@]}")" "$(median "${rates_mon[@]}")" \
		"${rates_recv[*]}" "${rates_mon[*]}" <<'PY'
import sys
r, m = float(sys.argv[1]), float(sys.argv[2])
rr = [float(x) for x in sys.argv[3].split()]
mm = [float(x) for x in sys.argv[4].split()]
print(f"  medians: recv --stats {r:.0f}/s, monitor {m:.0f}/s: monitor/recv {m / r * 100:.0f}% "
      f"(target >= 85%)")
spread = max(max(rr) / min(rr), max(mm) / min(mm))
print(f"  spread within one reader's rounds: {spread:.2f}x"
      + ("; the difference is inside that noise" if abs(m / r - 1) < spread - 1 else ""))
PY
}

status=0
[ "$ONLY" = one ] || many || status=1
[ "$ONLY" = many ] || one || status=1
exit $status
