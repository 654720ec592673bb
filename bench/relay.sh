#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/relay.sh: datagrams per second through `mcast relay` link to link,
# beside socat relaying the same group (target: at least 5x), beside
# `mcast bench` on the relay's link without a relay (target: at least
# 50%), beside the same sender and receiver on one link (direct), through
# a sealed tunnel (over the relay host's loopback, --key), and through an
# AMT relay (relay --amt-listen on the second link's address, the far
# host an AMT gateway, recv --amt: unicast on that link; no target, a
# row for scale).  Three hosts in a line (sender -- relay -- receiver,
# veth pairs) in a private network namespace; the sender sends probes as
# fast as it can for SECONDS, the receiver counts what arrives and what
# is lost (mcast recv --stats).  The programs alternate within each of
# ROUNDS rounds; the medians are compared with the targets (PASS/MISS).
# Run on demand, not in CI; bench/compare.sh --relay runs it.
#
#   sudo bench/relay.sh [SECONDS [ROUNDS]]      (default 3 3)
#
# Safety: everything runs in fresh network and mount namespaces (unshare);
# when they cannot be made the script exits 77 having sent nothing.  Every
# program is bounded by timeout(1).  Needs a built tree, socat, python3.
set -u
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MCAST=${MCAST:-$SRC/build/mcast}
SECS=${1:-3} ROUNDS=${2:-3}
[[ $SECS =~ ^[1-9][0-9]?$ ]] || { echo "relay.sh: SECONDS must be 1-99" >&2; exit 2; }
[[ $ROUNDS =~ ^[1-9][0-9]?$ ]] || { echo "relay.sh: ROUNDS must be 1-99" >&2; exit 2; }
if [ -z "${MCAST_RELAY_INNER:-}" ]; then
	[ -x "$MCAST" ] || { echo "relay.sh: build first: $MCAST" >&2; exit 1; }
	command -v socat >/dev/null || { echo "relay.sh: SKIP: socat missing" >&2; exit 77; }
	export MCAST MCAST_RELAY_INNER=1
	unshare -nm true 2>/dev/null || { echo "relay.sh: SKIP: no namespaces" >&2; exit 77; }
	exec unshare -nm bash "$0" "$@"
fi
mount -n --make-rprivate / && mount -n -t tmpfs relay-netns /run || exit 1
mkdir -p /run/netns
W=$(mktemp -d) || exit 1
trap 'ip -all netns delete 2>/dev/null; rm -rf "$W"' EXIT
for h in s r d; do ip netns add $h && ip -n $h link set lo up || exit 1; done
ip link add veth0 netns s type veth peer name a0 netns r &&
	ip link add name b0 netns r type veth peer name veth0 netns d &&
	ip -n s addr add 10.0.1.1/24 dev veth0 && ip -n r addr add 10.0.1.2/24 dev a0 &&
	ip -n r addr add 10.0.2.2/24 dev b0 && ip -n d addr add 10.0.2.3/24 dev veth0 || exit 1
for x in s:veth0 r:a0 r:b0 d:veth0; do ip -n "${x%%:*}" link set "${x#*:}" up || exit 1; done
for i in $(seq 100); do
	ip -n d -o link show veth0 | grep -q 'state UP' && ip -n s -o link show veth0 | grep -q 'state UP' && break
	sleep 0.05
done
G=239.1.2.3:1600

"$MCAST" keygen "$W/key" 2>/dev/null || exit 1
R=$W/results
: >"$R"

# measure NAME SIZE RECV-NS RECV-OPT [RELAY-CMD...]: the receiver's rate,
# received and lost, appended to $R as "NAME SIZE RATE RECEIVED LOST".
# RECV-OPT is --iface=IF, or --amt=RELAY for a gateway: then the sender
# waits (at most 5 s) until the relay has joined for it.  A relay command
# may hold `;;`: what follows it is a second relay process (a tunnel's
# near end).
measure() {
	local name=$1 size=$2 rns=$3 ropt=$4 rp=() a=() rate
	shift 4
	while [ $# -gt 0 ]; do
		if [ "$1" = ";;" ] || { [ $# = 1 ] && a+=("$1"); }; then
			ip netns exec r timeout $((SECS + 20)) "${a[@]}" >"$W/relay${#rp[@]}" 2>&1 &
			rp+=($!)
			a=()
			sleep 0.5
		else
			a+=("$1")
		fi
		shift
	done
	ip netns exec "$rns" timeout $((SECS + 20)) "$MCAST" recv "$ropt" --stats \
		--format json --rcvbuf 8M --timeout $((SECS + 3)) $G >"$W/recv" 2>&1 &
	local recv=$!
	sleep 0.5
	case $ropt in --amt=*)
		for _ in $(seq 50); do
			grep -q 'for AMT gateways$' "$W/relay0" && break
			sleep 0.1
		done ;;
	esac
	ip netns exec s timeout $((SECS + 10)) "$MCAST" send --probe --iface veth0 --ttl 5 \
		--rate max --duration "$SECS" -s "$size" -q $G >/dev/null 2>&1
	wait $recv
	for p in "${rp[@]}"; do kill -INT "$p"; wait "$p"; done
	rate=$(python3 - "$W/recv" <<'PY'
import json, sys
try:
    d = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
    s = [r for r in d if r["type"] == "summary"][0]
    x = s["sessions"][0]
    print(int(x["rate_pps"]), x["received"], x["lost"])
except Exception:
    print(0, 0, 0)
PY
)
	echo "$name $size $rate" >>"$R"
}
# bench SIZE: `mcast bench` on the relay's a0, sender and receiver in one
# process: what the link's host delivers without a relay.
bench() {
	local rate
	rate=$(ip netns exec r timeout $((SECS + 20)) "$MCAST" bench -i a0 -D "$SECS" \
		-s "$1" -F json 2>/dev/null | sed -n 's/.*"rx_pps":\([0-9]*\).*/\1/p')
	echo "bench $1 ${rate:-0}" >>"$R"
}
one() {	# NAME SIZE
	case $1 in
	direct) measure direct "$2" r --iface=a0 ;;
	bench) bench "$2" ;;
	relay) measure relay "$2" d --iface=veth0 "$MCAST" relay --from a0 --to b0 $G ;;
	socat) measure socat "$2" d --iface=veth0 socat -u \
		UDP4-RECV:1600,ip-add-membership=239.1.2.3:a0,reuseaddr \
		UDP4-SENDTO:239.1.2.3:1600,ip-multicast-if=10.0.2.2,ip-multicast-ttl=4 ;;
	sealed) measure sealed "$2" d --iface=veth0 "$MCAST" relay --tunnel-listen 127.0.0.1:7000 \
		--key "$W/key" --to b0 $G ";;" "$MCAST" relay --from a0 \
		--peer 127.0.0.1:7000 --key "$W/key" $G ;;
	amt) measure amt "$2" d --amt=10.0.2.2 "$MCAST" relay --amt-listen 10.0.2.2:2268 \
		--from a0 ;;
	esac
}
NAMES=(relay socat bench direct sealed amt)
for ((round = 1; round <= ROUNDS; round++)); do
	for size in 64 1316; do
		for ((k = 0; k < ${#NAMES[@]}; k++)); do
			p=${NAMES[$(((k + round - 1) % ${#NAMES[@]}))]}
			echo "relay.sh: round $round/$ROUNDS: $p $size B" >&2
			one "$p" "$size"
		done
	done
done
python3 - "$R" "$ROUNDS" "$SECS" <<'PY'
import statistics, sys
rows, lost = {}, {}
for line in open(sys.argv[1]):
    name, size, rate, *rl = line.split()
    rows.setdefault((name, int(size)), []).append(int(rate))
    if rl:  # received, lost: what the receiver's --stats counted
        got, miss = map(int, rl)
        lost.setdefault((name, int(size)), []).append(
            100 * miss / (got + miss) if got + miss else 100)
print(f"relay rows: medians of {sys.argv[2]} alternated rounds of {sys.argv[3]} s"
      " (datagrams/s received)")
for size in (64, 1316):
    med = {n: statistics.median(rows.get((n, size), [0])) for n in
           ("relay", "socat", "bench", "direct", "sealed", "amt")}
    for n, v in med.items():
        r = rows.get((n, size), [0])
        spread = max(r) / min(r) if min(r) > 0 else float("inf")
        note = "  (rounds spread > 2x: noise)" if spread > 2 else ""
        ls = lost.get((n, size))
        loss = f"  lost {statistics.median(ls):5.1f}%" if ls else " " * 14
        print(f"  {size:>5} B  {n:7} {v:>10.0f}{loss}   rounds {r}{note}")
    for what, ref, target in (("socat", "socat", 5.0), ("mcast bench", "bench", 0.5)):
        if med[ref] <= 0 or med["relay"] <= 0:
            print(f"  {size:>5} B  relay vs {what}: no figure (a run failed)")
            continue
        ratio = med["relay"] / med[ref]
        verdict = "PASS" if ratio >= target else "MISS"
        noise = "; inside the 2x noise" if target / 2 <= ratio <= target * 2 else ""
        print(f"  {size:>5} B  relay vs {what}: {ratio:.2f}x, target >= {target:g}x: {verdict}{noise}")
    if med["relay"] > 0:
        print(f"  {size:>5} B  sealed tunnel vs relay: {med['sealed'] / med['relay']:.2f}x")
    # No target for AMT (issue 18 sets none): the ratios give it scale.
    if med["relay"] > 0 and med["bench"] > 0:
        print(f"  {size:>5} B  AMT vs relay: {med['amt'] / med['relay']:.2f}x,"
              f" vs mcast bench: {med['amt'] / med['bench']:.2f}x (no target)")
PY
