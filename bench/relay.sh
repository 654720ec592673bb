#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/relay.sh: datagrams per second through `mcast relay` link to link,
# beside socat relaying the same group and beside the same sender and
# receiver on one link without a relay.  Three hosts in a line (sender --
# relay -- receiver, veth pairs) in a private network namespace; the
# sender sends probes as fast as it can for SECONDS, the receiver counts
# what arrives (mcast recv --stats).  Run on demand, not in CI.
#
#   sudo bench/relay.sh [SECONDS]      (default 3)
#
# Safety: everything runs in fresh network and mount namespaces (unshare);
# when they cannot be made the script exits 77 having sent nothing.  Every
# program is bounded by timeout(1).  Needs a built tree, socat, python3.
set -u
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MCAST=${MCAST:-$SRC/build/mcast}
SECS=${1:-3}
[[ $SECS =~ ^[1-9][0-9]?$ ]] || { echo "relay.sh: SECONDS must be 1-99" >&2; exit 2; }
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

# measure NAME SIZE RECV-NS RECV-IF [RELAY-CMD...]: the receiver's rate.
measure() {
	local name=$1 size=$2 rns=$3 rif=$4 rp=
	shift 4
	if [ $# -gt 0 ]; then
		ip netns exec r timeout $((SECS + 20)) "$@" >"$W/relay" 2>&1 &
		rp=$!
		sleep 0.5
	fi
	ip netns exec "$rns" timeout $((SECS + 20)) "$MCAST" recv --iface "$rif" --stats \
		--format json --rcvbuf 8M --timeout $((SECS + 3)) $G >"$W/recv" 2>&1 &
	local recv=$!
	sleep 0.5
	ip netns exec s timeout $((SECS + 10)) "$MCAST" send --probe --iface veth0 --ttl 5 \
		--rate max --duration "$SECS" -s "$size" -q $G >/dev/null 2>&1
	wait $recv
	[ -n "$rp" ] && { kill -INT $rp; wait $rp; }
	python3 - "$name" "$size" "$W/recv" <<'PY'
import json, sys
name, size, path = sys.argv[1:]
try:
    d = [json.loads(l) for l in open(path) if l.startswith("{")]
    s = [r for r in d if r["type"] == "summary"][0]
    ses = s["sessions"][0] if s["sessions"] else {}
    t = s["totals"]
    print(f"{name:10} {size:>5} B  {ses.get('rate_pps', 0):>10.0f} datagrams/s received"
          f"  ({t['received']} received, {t['lost']} lost)")
except Exception as e:
    print(f"{name:10} {size:>5} B  failed: {e}")
PY
}
for size in 64 1316; do
	measure direct "$size" r a0
	measure relay "$size" d veth0 "$MCAST" relay --from a0 --to b0 $G
	measure socat "$size" d veth0 socat -u \
		UDP4-RECV:1600,ip-add-membership=239.1.2.3:a0,reuseaddr \
		UDP4-SENDTO:239.1.2.3:1600,ip-multicast-if=10.0.2.2,ip-multicast-ttl=4
done
