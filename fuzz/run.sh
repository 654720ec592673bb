#!/usr/bin/env bash
# Build the libFuzzer targets with clang (build-fuzz/, MCAST_FUZZ=ON) and
# run each for N seconds (default 60), one after another on one core.
# Prints each target's executions per second and time taken; a crash,
# leak or timeout input is copied to fuzz/regress/<target>/ (where ctest
# re-runs it from then on) and the script exits 1.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#   fuzz/run.sh --list    (the targets it runs by default; .ci/run shares
#                          its fuzzing time among them)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=$src/build-fuzz
list=false
[ "${1:-}" = --list ] && { list=true; shift; }
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-fuzz_wire fuzz_unseal fuzz_addr fuzz_keyfile fuzz_tracker fuzz_rtp fuzz_ts fuzz_seq fuzz_replay_state fuzz_tunnel fuzz_groupfile fuzz_amt}
$list && { echo "$targets"; exit 0; }

command -v clang >/dev/null || { echo "run.sh: clang not found" >&2; exit 2; }
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DMCAST_FUZZ=ON >/dev/null
# shellcheck disable=SC2086
cmake --build "$build" --target $targets >/dev/null

failed=0
printf '%-14s %12s %12s %8s %s\n' target execs exec/s seconds result
for t in $targets; do
	work=$build/corpus/$t
	art=$build/artifacts/$t
	log=$build/$t.log
	mkdir -p "$work" "$art"
	start=$(date +%s.%N)
	rc=0
	# Seeds are read from the source tree, new inputs go to $work.
	"$build/fuzz/$t" -max_total_time="$secs" -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$art/" \
		"$work" "$here/corpus/$t" >"$log" 2>&1 || rc=$?
	end=$(date +%s.%N)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	execs=${execs:-0}
	took=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
	rate=$(awk -v n="$execs" -v s="$took" 'BEGIN { printf "%.0f", (s > 0) ? n / s : 0 }')
	result=ok
	found=$(find "$art" -type f \( -name 'crash-*' -o -name 'leak-*' \
		-o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null)
	if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
		result="FAILED (exit $rc, log $log)"
		mkdir -p "$here/regress/$t"
		for f in $found; do
			cp "$f" "$here/regress/$t/"
			result="$result; saved regress/$t/$(basename "$f")"
		done
		failed=1
	fi
	printf '%-14s %12s %12s %8s %s\n' "$t" "$execs" "$rate" "$took" "$result"
done
exit $failed
