#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/forgery.sh: a sealed receiver under a forgery flood (issue 14,
# point 3).  A valid sealed stream at a fixed rate and, beside it, a flood
# of forged datagrams naming the receiver's key id and a new session each
# (bench/forge.c), into one `mcast recv --key` over lo, in a private
# network namespace.  Each round runs the receiver twice, with and without
# the flood, and reports the valid datagrams lost and the receiver's CPU
# (utime + stime from /proc) per forgery it handled: (CPU with flood - CPU
# without) / forgeries rejected as bad tags (its socket may have dropped
# others; "bad tags / forged" shows how many).  Run on demand, not in CI; docs/BENCHMARKS.md has figures.
#
#   sudo bench/forgery.sh [--rounds N] [--rate PPS] [--flood PPS] [--seconds S]
#
# MCAST (default build/mcast) is measured; with MCAST_OLD set to another
# build's mcast, rounds alternate between the two (before/after figures,
# medians).  LIBMCAST (default build/libmcast.a) links the forger.
# Exit: 0 done, 1 a run failed, 2 misuse, 77 skipped (no namespace).

set -u

usage() {
	cat <<'EOF'
usage: bench/forgery.sh [--rounds N] [--rate PPS] [--flood PPS] [--seconds S]

  --rounds N     rounds, each binary with and without the flood (default 3)
  --rate PPS     valid sealed probes per second (default 10000)
  --flood PPS    forged datagrams per second (default 100000)
  --seconds S    length of each run (default 4)
  -h, --help     this help
Environment: MCAST, MCAST_OLD (optional), LIBMCAST.
EOF
}

ARGS=("$@")
ROUNDS=3 RATE=10000 FLOOD=100000 SECS=4
num() { [[ $2 =~ ^[1-9][0-9]{0,6}$ ]] || { echo "forgery.sh: $1 needs a number" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) num "$1" "${2:-}"; ROUNDS=$2; shift 2 ;;
	--rate) num "$1" "${2:-}"; RATE=$2; shift 2 ;;
	--flood) num "$1" "${2:-}"; FLOOD=$2; shift 2 ;;
	--seconds) num "$1" "${2:-}"; SECS=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [ -z "${MCAST_FORGERY_INNER:-}" ]; then
	MCAST=${MCAST:-$SRC/build/mcast}
	LIBMCAST=${LIBMCAST:-$SRC/build/libmcast.a}
	for b in "$MCAST" ${MCAST_OLD:+"$MCAST_OLD"}; do
		[ -x "$b" ] || { echo "forgery.sh: $b missing; build first" >&2; exit 1; }
	done
	W=$(mktemp -d "${TMPDIR:-/tmp}/mcast-forgery.XXXXXX") || exit 1
	trap 'rm -rf "$W"' EXIT
	cc -O2 -I "$SRC/include" -o "$W/forge" "$SRC/bench/forge.c" "$LIBMCAST" \
		-lcrypto || exit 1
	export MCAST MCAST_OLD="${MCAST_OLD:-}" MCAST_FORGERY_WORK=$W
	export MCAST_FORGERY_HOSTNS=$(readlink /proc/self/ns/net)
	export MCAST_FORGERY_INNER=1
	if [ "$(id -u)" = 0 ]; then ns=-nm; else ns=-rnm; fi
	if unshare $ns true 2>/dev/null; then
		unshare $ns bash "$0" "${ARGS[@]}"
		exit $?
	fi
	echo "forgery.sh: SKIP: cannot create a private network namespace; refusing to run on the host network" >&2
	exit 77
fi

# Inside the namespace from here on.
W=$MCAST_FORGERY_WORK
[ "$(readlink /proc/self/ns/net)" != "$MCAST_FORGERY_HOSTNS" ] ||
	{ echo "forgery.sh: SKIP: still in the host's namespace" >&2; exit 77; }
ip link set lo up || exit 1
ip route add 224.0.0.0/4 dev lo || exit 1
G=239.77.0.1 PORT=7700
cd "$W" || exit 1
"$MCAST" keygen k 2>/dev/null || exit 1

# wait_for FILE REGEX SECONDS, cpu_ticks PID
. "$SRC/bench/lib.sh"

# run BIN FLOOD: one run; prints "lost received bad_tag cpu_ticks forged"
run() {
	local bin=$1 flood=$2 rx c0 c1 fp=
	# No timeout(1) around it: /proc/$rx must be the receiver's own.
	"$bin" recv --iface lo --key k --stats --format json \
		--rcvbuf 4M --timeout $((SECS + 15)) $G:$PORT >rx.out 2>rx.err &
	rx=$!
	wait_for rx.err '^joined ' 5 || { echo "forgery.sh: receiver never joined: $(cat rx.err)" >&2; exit 1; }
	c0=$(cpu_ticks $rx)
	echo '{"forged": 0}' >forge.out
	if [ "$flood" -gt 0 ]; then
		timeout $((SECS + 10)) "$W/forge" -g $G -p $PORT -r "$flood" \
			-n $((flood * SECS)) -s 172 >forge.out &
		fp=$!
	fi
	timeout $((SECS + 10)) "$bin" send --iface lo --key k --probe --rate "$RATE" \
		--count $((RATE * SECS)) --size 172 $G:$PORT 2>tx.err ||
		{ echo "forgery.sh: sender failed: $(cat tx.err)" >&2; exit 1; }
	[ -z "$fp" ] || wait "$fp" || { echo "forgery.sh: forger failed" >&2; exit 1; }
	sleep 0.3	# the last datagrams drain
	c1=$(cpu_ticks $rx)
	kill -INT $rx
	wait $rx
	python3 - "$((c1 - c0))" <<'EOF'
import json, sys
d = [json.loads(l) for l in open("rx.out") if l.startswith("{")]
t = [r for r in d if r["type"] == "summary"][0]["totals"]
f = json.load(open("forge.out"))["forged"]
print(t["lost"], t["received"], t["rejected"]["bad_tag"], sys.argv[1], f)
EOF
}

TICK=$(getconf CLK_TCK)
BINS=("$MCAST")
[ -n "$MCAST_OLD" ] && BINS=("$MCAST_OLD" "$MCAST")
: >rows
echo "forgery.sh: $ROUNDS rounds, valid $RATE/s, flood $FLOOD/s, ${SECS}s each, 172-byte datagrams" >&2
for ((r = 1; r <= ROUNDS; r++)); do
	for b in "${BINS[@]}"; do
		read -r l0 n0 x0 c0 f0 < <(run "$b" 0)
		read -r l1 n1 x1 c1 f1 < <(run "$b" "$FLOOD")
		echo "$b $r $l0 $c0 $l1 $n1 $x1 $c1 $f1" >>rows
		echo "forgery.sh: $b round $r: lost $l0 without the flood, $l1 with it ($n1 received, $x1 bad tags of $f1 forged); receiver CPU $c0 / $c1 ticks" >&2
	done
done
python3 - "$TICK" <<'EOF'
import statistics, sys
tick = int(sys.argv[1])
rows = {}
for line in open("rows"):
    b, r, l0, c0, l1, n1, x1, c1, f1 = line.split()
    rows.setdefault(b, []).append(tuple(map(int, (l0, c0, l1, n1, x1, c1, f1))))
print("| binary | valid lost, no flood | valid lost, flood | bad tags / forged | rx CPU no flood (s) | rx CPU flood (s) | rx CPU per forgery (us) |")
print("|---|---:|---:|---:|---:|---:|---:|")
for b, rs in rows.items():
    med = lambda i: statistics.median(x[i] for x in rs)
    # per forgery the receiver handled (the kernel may drop some)
    per = statistics.median((x[5] - x[1]) / tick / max(x[4], 1) * 1e6 for x in rs)
    print(f"| {b} | {med(0):.0f} | {med(2):.0f} | {med(4):.0f} / {med(6):.0f} | "
          f"{med(1) / tick:.2f} | {med(5) / tick:.2f} | {per:.2f} |")
EOF
