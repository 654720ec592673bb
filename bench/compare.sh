#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/compare.sh: mcast against iperf2, sockperf and the kernel's own
# ceiling (bench/ceiling.c), over lo inside a private network namespace.
# Run on demand, not in CI; docs/BENCHMARKS.md explains every row, and
# bench/compare_report.py turns the measurements into the report.
#
#   sudo bench/compare.sh [--rounds N] [--quick] [--markdown] [--sealed] [--relay]
#                         [--stream]
#
# Safety: everything that sends multicast runs in a fresh network (and
# mount, and PID where possible) namespace created by unshare; when none
# can be created the script exits 77 and sends nothing.  It never touches
# a sysctl.  Every program run is bounded by timeout(1).
#
# Needs: a built tree (cmake --preset default && cmake --build --preset
# default: build/mcast, build/libmcast.a and build/bench/bench_*),
# openssl, iperf (2.x), sockperf, python3, ip, unshare,
# timeout (--sealed and --stream need neither iperf nor sockperf); for the
# stream rows' peers tcpdump (or dumpcap), tshark and ffprobe, each row
# skipped with a message when its tool is missing.  Exit: 0 done, 1 a
# tool failed, 2 misuse, 77 skipped (no namespace, or a tool missing).

set -u

usage() {
	cat <<'EOF'
usage: bench/compare.sh [--rounds N] [--quick] [--markdown] [--sealed] [--relay] [--stream]

  --rounds N   rounds of every measurement, programs alternating (default 3)
  --quick      1 round of 1-second runs, to try the script
  --markdown   print the report as Markdown tables (for docs/BENCHMARKS.md)
  --sealed     only the sealed streams against their yardstick (2 minutes)
  --relay      only the relay rows: bench/relay.sh (about 80 s a round)
  --stream     only the stream analysis rows: its cost, allocations, memory,
               tshark and ffprobe for scale (5 minutes)
  -h, --help   this help
Environment: MCAST (default build/mcast), LIBMCAST (default build/libmcast.a).
EOF
}

ARGS=("$@")
ROUNDS=3 QUICK=0 MARKDOWN=0 SEALED_ONLY=0 RELAY_ONLY=0 STREAM_ONLY=0
while [ $# -gt 0 ]; do
	case $1 in
	--rounds)
		[ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]?$ ]] ||
			{ echo "compare.sh: --rounds needs a number 1-99" >&2; exit 2; }
		ROUNDS=$2
		shift 2 ;;
	--quick) QUICK=1; shift ;;
	--markdown) MARKDOWN=1; shift ;;
	--sealed) SEALED_ONLY=1; shift ;;
	--relay) RELAY_ONLY=1; shift ;;
	--stream) STREAM_ONLY=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# ------------------------------------------------------------------
# Relay rows (issue 18): mcast relay link to link beside socat and beside
# mcast bench, the sealed tunnel and AMT, in three namespaces of their own -
# bench/relay.sh builds them, alternates the programs within each round
# and prints medians with PASS/MISS.  Run after the other rows, or alone
# with --relay.
relay_rows() {	# SECONDS ROUNDS
	echo
	MCAST=${MCAST:-$SRC/build/mcast} bash "$SRC/bench/relay.sh" "$1" "$2"
}
if [ "$RELAY_ONLY" = 1 ] && [ -z "${MCAST_BENCH_INNER:-}" ]; then
	[ "$QUICK" = 1 ] && { relay_rows 1 1; exit $?; }
	relay_rows 3 "$ROUNDS"
	exit $?
fi

# ------------------------------------------------------------------
# Outside: build the helpers, then run this script again in namespaces.

if [ -z "${MCAST_BENCH_INNER:-}" ]; then
	MCAST=${MCAST:-$SRC/build/mcast}
	LIBMCAST=${LIBMCAST:-$SRC/build/libmcast.a}
	if [ ! -x "$MCAST" ] || [ ! -f "$LIBMCAST" ]; then
		echo "compare.sh: $MCAST or $LIBMCAST missing; build first:" >&2
		echo "  cmake --preset default && cmake --build --preset default" >&2
		exit 1
	fi
	tools="openssl python3 ip unshare timeout"
	[ "$SEALED_ONLY$STREAM_ONLY" = 00 ] && tools="$tools iperf sockperf"
	for tool in $tools; do
		command -v "$tool" >/dev/null 2>&1 ||
			{ echo "compare.sh: SKIP: $tool not installed" >&2; exit 77; }
	done
	cache=$(dirname "$LIBMCAST")/CMakeCache.txt
	if grep -qE '^(MCAST_SANITIZE:BOOL=ON|CMAKE_BUILD_TYPE:STRING=Debug)' \
		"$cache" 2>/dev/null; then
		echo "compare.sh: warning: $(dirname "$LIBMCAST") is a Debug or sanitizer build; numbers will be low" >&2
	fi
	W=$(mktemp -d "${TMPDIR:-/tmp}/mcast-bench.XXXXXX") || exit 1
	trap 'rm -rf "$W"' EXIT
	# The helper programs are CMake targets (bench/CMakeLists.txt), built
	# with the project's warnings beside the library being measured.
	for prog in ceiling aead alloc_count stream_mem stream_cost; do
		bin=$(dirname "$LIBMCAST")/bench/bench_$prog
		[ -x "$bin" ] || {
			echo "compare.sh: $bin missing; build the tree first (cmake --build --preset default)" >&2
			exit 1
		}
		cp "$bin" "$W/$prog" || exit 1
	done
	MCAST=$(cd "$(dirname "$MCAST")" && pwd)/$(basename "$MCAST")
	MCAST_BENCH_HOSTNS=$(readlink /proc/self/ns/net)
	MCAST_BENCH_BUILD=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$cache" 2>/dev/null)
	export MCAST MCAST_BENCH_WORK=$W MCAST_BENCH_HOSTNS MCAST_BENCH_BUILD
	export MCAST_BENCH_INNER=1
	if [ "$(id -u)" = 0 ]; then ns=-nm; else ns=-rnm; fi
	# With a PID namespace, whatever is left when the script ends dies
	# with it; --mount-proc keeps /proc/PID right for the RSS readings.
	for opts in "$ns --pid --fork --kill-child --mount-proc" "$ns"; do
		if unshare $opts true 2>/dev/null; then
			unshare $opts bash "$0" "${ARGS[@]}"
			exit $?
		fi
	done
	echo "compare.sh: SKIP: cannot create a private network namespace (unshare $ns); refusing to run on the host network" >&2
	exit 77
fi

# ------------------------------------------------------------------
# Inside the namespaces from here on.

W=$MCAST_BENCH_WORK
LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$(readlink /proc/self/ns/net)" = "$MCAST_BENCH_HOSTNS" ]; then
	echo "compare.sh: SKIP: still in the host's network namespace; refusing to run" >&2
	exit 77
fi
ip link set lo up || exit 1
# Multicast on lo needs a route for senders that give no interface (iperf).
ip route add 224.0.0.0/4 dev lo || exit 1

if [ "$QUICK" = 1 ]; then
	ROUNDS=1 TD=1 ZD=1 LD=1 STREAM_ALLOC_N=100000
else
	STREAM_ALLOC_N=1000000
	TD=3 ZD=2 LD=3	# seconds: throughput, zero-loss step, latency runs
fi
SIZES="64 1400"
PING_SIZE=88		# mcast ping's smallest datagram (56 B header + 32)
PING_RATE=10000		# probes/s for both pingers
ZL_STEPS=6		# zero-loss search: steps of 5% ...
ZL_MORE=3		# ... then steps of 25%
R=$W/results.tsv
: >"$R"

BG=()
cleanup() {
	local p
	for p in "${BG[@]}"; do kill -KILL "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

say() { echo "compare.sh: $*" >&2; }

# wait_for FILE REGEX SECONDS, cpu_ticks PID
. "$SRC/bench/lib.sh"

# start OUT CMD...: run CMD in the background, its output in OUT; $PID.
# Not under timeout(1): stop() must reach the program itself.  Its life is
# bounded all the same: every server is stopped right after its client,
# which runs under timeout, and the PID namespace ends with the script.
start() {
	local out=$1
	shift
	"$@" >"$out" 2>&1 &
	PID=$!
	BG+=("$PID")
}

# stop PID: SIGINT (the peers print their totals on it), then SIGKILL.
stop() {
	local i
	kill -INT "$1" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.02
	done
	if kill -0 "$1" 2>/dev/null; then
		say "pid $1 ($2) ignored SIGINT for 2 s: SIGKILL"
		kill -KILL "$1" 2>/dev/null
	fi
	wait "$1" 2>/dev/null
}

# jnum FILE KEY: a number from the last JSON line of FILE holding KEY.
jnum() { grep -o "\"$2\":[-0-9.]*" "$1" | tail -1 | cut -d: -f2; }

# record KEY ROUND V1 V2 V3 V4
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$R"; }

# ---- the programs; each sets RATE LOST SENT DUP (RATE 0: failed run)

run_ceiling() {	# SIZE SECONDS PPS(0: full speed)
	RATE=0 LOST=-1 SENT=0 DUP=0
	timeout $(($2 + 10)) "$W/ceiling" -s "$1" -D "$2" -r "$3" -j \
		>"$W/out" 2>"$W/err" || { say "ceiling failed: $(cat "$W/err")"; return; }
	SENT=$(jnum "$W/out" sent) LOST=$(jnum "$W/out" lost)
	if [ "$3" = 0 ]; then RATE=$(jnum "$W/out" rx_pps)
	else RATE=$(jnum "$W/out" tx_pps); fi
}

run_mcast_bench() {	# SIZE SECONDS PPS MODE GRO(0/1) [SEAL-OPTIONS...]
	local a=(bench -s "$1" -D "$2" -m "$4" --rcvbuf 64M -F json)
	RATE=0 LOST=-1 SENT=0 DUP=0 CPU_RX=0 CPU_TX=0
	[ "$5" = 1 ] && a+=(--gro)
	a+=("${@:6}")
	[ "$3" != 0 ] && a+=(--rate "$3")
	timeout $(($2 + 10)) "$MCAST" "${a[@]}" >"$W/out" 2>"$W/err" ||
		{ say "mcast ${a[*]} failed: $(cat "$W/err")"; return; }
	SENT=$(jnum "$W/out" sent) LOST=$(jnum "$W/out" lost)
	DUP=$(jnum "$W/out" duplicates)
	CPU_RX=$(jnum "$W/out" cpu_rx_pct) CPU_TX=$(jnum "$W/out" cpu_tx_pct)
	if [ "$3" = 0 ]; then RATE=$(jnum "$W/out" rx_pps)
	else RATE=$(jnum "$W/out" tx_pps); fi
}

# The cipher alone on one core, as OpenSSL measures it: SIZE-byte buffers
# through EVP, as datagrams/s.
run_openssl_speed() {	# CIPHER SIZE SECONDS
	local out
	RATE=0 LOST=0 SENT=0 DUP=0
	out=$(timeout $(($3 + 20)) openssl speed -evp "$1" -bytes "$2" -seconds "$3" 2>/dev/null |
		tail -1)
	# The last line: NAME  BYTES_PER_S_IN_THOUSANDSk
	RATE=$(awk -v n="$2" '{ v = $NF; sub(/k$/, "", v); printf "%.0f", v * 1000 / n }' <<<"$out")
	[ "${RATE:-0}" -gt 0 ] 2>/dev/null || { say "openssl speed $1: no figure: $out"; RATE=0; }
}

# The cipher alone on one core, one datagram opened at a time, with the
# EVP calls libmcast makes (bench/aead.c -o): nonce, tag, header as AAD,
# payload, tag check.  `openssl speed` times a different loop per cipher
# (see aead.c).
run_aead() {	# CIPHER SIZE SECONDS
	RATE=0 LOST=0 SENT=0 DUP=0 CPU_NS=0
	timeout $(($3 + 10)) "$W/aead" -o -c "$1" -s "$2" -D "$3" -j >"$W/out" 2>"$W/err" ||
		{ say "aead $1 failed: $(cat "$W/err")"; return; }
	RATE=$(jnum "$W/out" per_s)
	RATE=${RATE%.*}
	CPU_NS=$(jnum "$W/out" cpu_ns_each)
}

IPERF_GROUP=239.255.1.1
run_iperf() {	# SIZE SECONDS
	RATE=0 LOST=-1 SENT=0 DUP=0
	start "$W/srv" \
		iperf -s -u -B $IPERF_GROUP -i 1 -l "$1" -w 4M
	local srv=$PID
	wait_for "$W/srv" 'UDP buffer size' 3 || { say "iperf server did not start"; stop $srv "${FUNCNAME[0]} server"; return; }
	sleep 0.2	# "buffer size" is printed just before the join
	timeout $(($2 + 10)) iperf -c $IPERF_GROUP -u -T 1 -l "$1" -w 4M \
		-b 10G -t "$2" -B 127.0.0.1 >"$W/cli" 2>&1
	wait_for "$W/srv" "0\.0+-[1-9][0-9.]* sec.*[0-9]+/[0-9]+ +\(" 3
	sleep 0.3
	stop $srv "${FUNCNAME[0]} server"
	# The server's last line starting at 0.0 is its summary of the run.
	read -r RATE LOST SENT < <(python3 - "$W/srv" <<'EOF'
import re, sys
best = None
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"(\d+\.\d+)-(\d+\.\d+) sec.* (-?\d+)/(\d+) +\(", line)
    if m and float(m.group(1)) == 0:
        best = m
if not best:
    print(0, -1, 0)
else:
    secs = float(best.group(2)); lost = int(best.group(3)); total = int(best.group(4))
    print(f"{(total - lost) / secs:.0f}", lost, total)
EOF
	)
	[ "$RATE" = 0 ] && say "iperf: no server report: $(tail -3 "$W/srv")"
}

SOCKPERF_IF=(--mc-rx-if 127.0.0.1 --mc-tx-if 127.0.0.1)
run_sockperf_tp() {	# SIZE SECONDS
	RATE=0 LOST=-1 SENT=0 DUP=0
	start "$W/srv" sockperf server -i 239.255.1.2 \
		-p 11112 "${SOCKPERF_IF[@]}" --buffer-size 4194304
	local srv=$PID
	wait_for "$W/srv" 'using .* to block' 5 || { say "sockperf server did not start"; stop $srv "${FUNCNAME[0]} server"; return; }
	timeout $(($2 + 10)) sockperf tp -i 239.255.1.2 -p 11112 \
		"${SOCKPERF_IF[@]}" --buffer-size 4194304 -m "$1" -t "$2" \
		>"$W/cli" 2>&1
	sleep 0.3
	stop $srv "${FUNCNAME[0]} server"
	local got sent secs
	got=$(sed -n 's/.*Total \([0-9]*\) messages received.*/\1/p' "$W/srv" | tail -1)
	read -r sent secs < <(sed -n 's/.*Total of \([0-9]*\) messages sent in \([0-9.]*\) sec.*/\1 \2/p' "$W/cli" | tail -1)
	if [ -z "$got" ] || [ -z "${sent:-}" ]; then
		say "sockperf tp: no totals: $(tail -2 "$W/srv") / $(tail -2 "$W/cli")"
		return
	fi
	RATE=$(python3 -c "print(f'{$got / $secs:.0f}')")
	SENT=$sent LOST=$((sent > got ? sent - got : 0))
}

# ---- latency: each sets P50 P99 (µs) LOST COUNT

run_sockperf_pp() {	# SECONDS BUSY(0/1)
	local extra=()
	P50=0 P99=0 LOST=-1 COUNT=0
	[ "$2" = 1 ] && extra=(--nonblocked)
	start "$W/srv" sockperf server -i 239.255.1.3 \
		-p 11113 "${SOCKPERF_IF[@]}" "${extra[@]}"
	local srv=$PID
	wait_for "$W/srv" 'using .* to block' 5 || { say "sockperf server did not start"; stop $srv "${FUNCNAME[0]} server"; return; }
	timeout $(($1 + 10)) sockperf pp -i 239.255.1.3 -p 11113 \
		"${SOCKPERF_IF[@]}" -m $PING_SIZE -t "$1" --mps $PING_RATE \
		--full-rtt "${extra[@]}" >"$W/cli" 2>&1
	stop $srv "${FUNCNAME[0]} server"
	P50=$(sed -n 's/.*percentile 50.000 = *\([0-9.]*\).*/\1/p' "$W/cli")
	P99=$(sed -n 's/.*percentile 99.000 = *\([0-9.]*\).*/\1/p' "$W/cli")
	LOST=$(sed -n 's/.*# dropped messages = \([0-9]*\).*/\1/p' "$W/cli")
	COUNT=$(sed -n 's/.*Valid Duration.*ReceivedMessages=\([0-9]*\).*/\1/p' "$W/cli")
	if [ -z "$P50" ] || [ -z "$P99" ]; then
		say "sockperf pp: no percentiles: $(tail -3 "$W/cli")"
		P50=0 P99=0 LOST=-1 COUNT=0
	fi
}

run_mcast_ping() {	# SECONDS BUSY(0/1) LOOP(closed/open)
	local g=239.255.1.4:5004 extra=() loop=()
	P50=0 P99=0 LOST=-1 COUNT=0
	[ "$2" = 1 ] && extra=(--busy-poll)
	# sockperf pp is a closed loop (the next ping waits for the reply):
	# --pingpong compares like with like; the open loop is mcast's default.
	[ "$3" = closed ] && loop=(--pingpong)
		# -D: a busy-polling responder does not stop on SIGINT (see BENCHMARKS.md)
	start "$W/srv" "$MCAST" ping --respond -D $(($1 + 8)) \
		--bind 127.0.0.1 -i lo "${extra[@]}" $g
	local srv=$PID
	wait_for "$W/srv" '^joined' 5 || { say "mcast ping --respond did not join: $(cat "$W/srv")"; stop $srv "${FUNCNAME[0]} server"; return; }
	timeout $(($1 + 10)) "$MCAST" ping --reply multicast --rate $PING_RATE \
		-D "$1" -s $PING_SIZE --bind 127.0.0.1 -i lo -q -F json \
		"${extra[@]}" "${loop[@]}" $g >"$W/cli" 2>&1
	stop $srv "${FUNCNAME[0]} server"
	read -r P50 P99 LOST COUNT < <(python3 - "$W/cli" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    if '"ping_summary"' not in line:
        continue
    d = json.loads(line)
    r = d["responders"][0]["multicast"]
    print(f'{r["rtt_ms"]["p50"] * 1000:.3f} {r["rtt_ms"]["p99"] * 1000:.3f} {r["lost"]} {r["replies"]}')
    break
else:
    print("0 0 -1 0")
EOF
	)
	[ "$P50" = 0 ] && say "mcast ping: no summary: $(tail -3 "$W/cli")"
}

# ---- zero-loss search: from the full-speed delivered rate down

# zero_loss KEY ROUND SIZE START RUNNER ARGS...: RUNNER SIZE SECONDS PPS ARGS
zero_loss() {
	local key=$1 round=$2 size=$3 rate=${4%.*} fn=$5 i
	shift 5
	for ((i = 0; i < ZL_STEPS + ZL_MORE; i++)); do
		[ "$rate" -lt 1000 ] && break
		"$fn" "$size" "$ZD" "$rate" "$@"
		if [ "$LOST" = 0 ] && [ "${DUP:-0}" = 0 ] && [ "${SENT:-0}" -gt 0 ]; then
			record "$key" "$round" "$RATE" 0 "$SENT" "$((i + 1))"
			return
		fi
		if [ $i -lt $((ZL_STEPS - 1)) ]; then rate=$((rate * 95 / 100))
		else rate=$((rate * 75 / 100)); fi
	done
	say "$key: no zero-loss rate found down to $rate/s"
	record "$key" "$round" 0 -1 0 "$i"
}

# ---- one round

THROUGHPUT=(iperf sockperf ceiling mcast_gso mcast_gro mcast_mmsg)
LATENCY=(sockperf_block mcast_block sockperf_busy mcast_busy mcast_busy_open)

throughput_one() {	# NAME SIZE
	case $1 in
	iperf) run_iperf "$2" "$TD" ;;
	sockperf) run_sockperf_tp "$2" "$TD" ;;
	ceiling) run_ceiling "$2" "$TD" 0 ;;
	mcast_gso) run_mcast_bench "$2" "$TD" 0 gso 0 ;;
	mcast_gro) run_mcast_bench "$2" "$TD" 0 gso 1 ;;
	mcast_mmsg) run_mcast_bench "$2" "$TD" 0 mmsg 0 ;;
	esac
}

zero_loss_one() {	# NAME SIZE ROUND START
	case $1 in
	ceiling) zero_loss "zl.ceiling.$2" "$3" "$2" "$4" run_ceiling ;;
	mcast_gso) zero_loss "zl.mcast_gso.$2" "$3" "$2" "$4" run_mcast_bench gso 0 ;;
	mcast_gro) zero_loss "zl.mcast_gro.$2" "$3" "$2" "$4" run_mcast_bench gso 1 ;;
	mcast_mmsg) zero_loss "zl.mcast_mmsg.$2" "$3" "$2" "$4" run_mcast_bench mmsg 0 ;;
	esac
}

# Sealed streams, 1400 B: mcast bench with --key on the GRO and the
# recvmmsg receive paths, each path unsealed, and the cipher alone, all in
# the same rounds: the yardstick of a receiving core that opens what it
# receives is 1 / (1/unsealed + 1/aead) (compare_report.py).
SEALED=(openssl_aes aead_aes mcast_gro mcast_gro_aes mcast_gso mcast_gso_aes
	openssl_chacha aead_chacha mcast_gro_chacha mcast_gso_chacha)
sealed_one() {	# NAME
	local k=(--key "$W/bench.key") c=(--cipher chacha20-poly1305)
	case $1 in
	openssl_aes) run_openssl_speed aes-256-gcm 1400 "$TD" ;;
	openssl_chacha) run_openssl_speed chacha20-poly1305 1400 "$TD" ;;
	aead_aes) run_aead aes-256-gcm 1400 "$TD" ;;
	aead_chacha) run_aead chacha20-poly1305 1400 "$TD" ;;
	mcast_gro) run_mcast_bench 1400 "$TD" 0 gso 1 ;;
	mcast_gso) run_mcast_bench 1400 "$TD" 0 gso 0 ;;
	mcast_gro_aes) run_mcast_bench 1400 "$TD" 0 gso 1 "${k[@]}" ;;
	mcast_gso_aes) run_mcast_bench 1400 "$TD" 0 gso 0 "${k[@]}" ;;
	mcast_gro_chacha) run_mcast_bench 1400 "$TD" 0 gso 1 "${k[@]}" "${c[@]}" ;;
	mcast_gso_chacha) run_mcast_bench 1400 "$TD" 0 gso 0 "${k[@]}" "${c[@]}" ;;
	esac
}

latency_one() {	# NAME
	case $1 in
	sockperf_block) run_sockperf_pp "$LD" 0 ;;
	sockperf_busy) run_sockperf_pp "$LD" 1 ;;
	mcast_block) run_mcast_ping "$LD" 0 closed ;;
	mcast_busy) run_mcast_ping "$LD" 1 closed ;;
	mcast_busy_open) run_mcast_ping "$LD" 1 open ;;
	esac
}

# The stream analysis rows (issue #16): bench/compare_stream.sh.
. "$SRC/bench/compare_stream.sh"
STREAMS=1
[ "$SEALED_ONLY" = 1 ] && STREAMS=0

declare -A FULL
"$MCAST" keygen "$W/bench.key" 2>/dev/null || { say "mcast keygen failed"; exit 1; }
[ "$SEALED_ONLY" = 1 ] && SIZES= LATENCY=()
[ "$STREAM_ONLY" = 1 ] && SIZES= LATENCY=() SEALED=()
for ((round = 1; round <= ROUNDS; round++)); do
	for size in $SIZES; do
		n=${#THROUGHPUT[@]}
		for ((k = 0; k < n; k++)); do
			p=${THROUGHPUT[$(((k + round - 1) % n))]}
			say "round $round/$ROUNDS: $p $size B, full speed"
			throughput_one "$p" "$size"
			record "tp.$p.$size" "$round" "$RATE" "$LOST" "$SENT" "${DUP:-0}"
			FULL[$p]=$RATE
			# A full-speed run that lost nothing is its own zero-loss rate.
			[ "$LOST" = 0 ] && [ "${DUP:-0}" = 0 ] && FULL[$p]=ok:$RATE
		done
		for ((k = 0; k < n; k++)); do
			p=${THROUGHPUT[$(((k + round - 1) % n))]}
			case $p in iperf | sockperf) continue ;; esac
			if [ "${FULL[$p]#ok:}" != "${FULL[$p]}" ]; then
				record "zl.$p.$size" "$round" "${FULL[$p]#ok:}" 0 1 0
			elif [ "${FULL[$p]%.*}" -gt 0 ]; then
				say "round $round/$ROUNDS: $p $size B, zero-loss search from ${FULL[$p]}/s"
				zero_loss_one "$p" "$size" "$round" "${FULL[$p]}"
			else
				record "zl.$p.$size" "$round" 0 -1 0 0
			fi
		done
	done
	n=${#SEALED[@]}
	for ((k = 0; k < n; k++)); do
		p=${SEALED[$(((k + round - 1) % n))]}
		say "round $round/$ROUNDS: $p 1400 B, full speed"
		CPU_RX=0 CPU_TX=0 CPU_NS=0
		sealed_one "$p"
		record "seal.$p" "$round" "$RATE" "$LOST" "$SENT" "${DUP:-0}"
		# Each thread's CPU (%), and bench/aead's CPU ns per datagram.
		record "cpu.$p" "$round" "$CPU_RX" "$CPU_TX" "$CPU_NS" 0
	done
	n=${#LATENCY[@]}
	for ((k = 0; k < n; k++)); do
		p=${LATENCY[$(((k + round - 1) % n))]}
		say "round $round/$ROUNDS: $p round trip"
		latency_one "$p"
		record "lat.$p" "$round" "$P50" "$P99" "$LOST" "$COUNT"
	done
	[ "$STREAMS" = 1 ] && stream_round "$round"
done

# ---- allocations and resident memory (once)

: >"$W/alloc.json"
for a in "" "-g -G"; do
	[ "$SEALED_ONLY$STREAM_ONLY" != 00 ] && break
	say "allocation count ${a:-(recvmmsg, sendmmsg)}"
	if timeout 120 "$W/alloc_count" -j $a >"$W/out" 2>"$W/err"; then
		cat "$W/out" >>"$W/alloc.json"
	else
		say "alloc_count $a: exit $?: $(cat "$W/err") $(cat "$W/out")"
		cat "$W/out" >>"$W/alloc.json"
	fi
done

rss_one() {	# NAME SEND-OPTIONS...
	local name=$1 g=239.255.1.5:5005 hwm=0 rss=0 s v
	shift
	start "$W/rsrv" "$MCAST" recv --stats --rcvbuf 8M -w 50 \
		-i lo $g
	local rcv=$PID
	wait_for "$W/rsrv" '^joined' 5 || { say "mcast recv did not join"; stop $rcv "mcast recv"; return; }
	timeout 40 "$MCAST" send --probe --rate max --count 1000000 \
		--bind 127.0.0.1 --iface lo -q "$@" $g >"$W/sout" 2>&1 ||
		say "mcast send $*: exit $?: $(cat "$W/sout")"
	sleep 0.3	# the receiver drains its buffer
	s=/proc/$rcv/status
	hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "$s")
	rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "$s")
	stop $rcv "mcast recv"
	v=$(sed -n 's/^total: received \([0-9]*\), lost \([0-9]*\).*/\1 \2/p' "$W/rsrv")
	record "rss.$name" 1 "${rss:-0}" "${hwm:-0}" "${v% *}" "${v#* }"
}
: >"$W/stream.json"
if [ "$STREAMS" = 1 ]; then
	stream_alloc_mem "$W/stream.json"
	stream_peers
fi

if [ "$SEALED_ONLY$STREAM_ONLY" = 00 ]; then
	say "receiver memory: mcast recv against mcast send --probe --rate max"
	rss_one plain
	rss_one gso --gso
fi

# ---- report

export ROUNDS TD ZD LD PING_SIZE PING_RATE MARKDOWN QUICK SEALED_ONLY STREAM_ONLY
MACHINE_NPROC=$(nproc)
MACHINE_CPU=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
# Virtual machines often hide the model behind a generic name; family and
# model tell two hosts apart (the ratios moved 2x between two of them).
MACHINE_CPU="$MACHINE_CPU (family $(sed -n 's/^cpu family[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1), model $(sed -n 's/^model[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1))"
MACHINE_KERNEL=$(uname -r)
MACHINE_MEM=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
MACHINE_RMEM=$(cat /proc/sys/net/core/rmem_max)
MCAST_COMMIT=$(git -C "$SRC" describe --always --dirty 2>/dev/null || echo unknown)
IPERF_VERSION=$(iperf --version 2>&1 | head -1)
SOCKPERF_VERSION=$(sockperf --version 2>&1 | sed -n 's/.*version \([^ ]*\).*/\1/p' | head -1)
OPENSSL_VERSION=$(openssl version 2>/dev/null)
CAPS=$([ "$(id -u)" = 0 ] && echo root || echo "user namespace")
export MACHINE_NPROC MACHINE_CPU MACHINE_KERNEL MACHINE_MEM MACHINE_RMEM MCAST_COMMIT IPERF_VERSION SOCKPERF_VERSION OPENSSL_VERSION CAPS
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
TSHARK_VERSION=$(tshark --version 2>/dev/null | head -1)
FFPROBE_VERSION=$(ffprobe -version 2>/dev/null | head -1 | cut -d' ' -f1-3)
export LOADAVG LOADAVG_START TSHARK_VERSION FFPROBE_VERSION
python3 "$SRC/bench/compare_report.py" "$R" "$W/alloc.json" "$W/stream.json" || exit $?
if [ "$SEALED_ONLY$STREAM_ONLY" = 00 ]; then
	relay_rows "$TD" "$ROUNDS"
fi
