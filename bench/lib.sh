# SPDX-License-Identifier: MIT
# bench/lib.sh: sourced by the benchmark scripts (compare.sh, forgery.sh,
# monitor.sh) once they run inside their namespaces.

# wait_for FILE REGEX SECONDS: until FILE has a line matching REGEX (ERE);
# 1 after SECONDS.
wait_for() {
	local i
	for ((i = 0; i < $3 * 50; i++)); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.02
	done
	return 1
}

# cpu_ticks PID: utime + stime of every thread of PID, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
