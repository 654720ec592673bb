# tests/net/lib.sh: sourced by every tests/net/t_*.sh.
#
# The first time it is sourced it re-executes the calling script inside fresh
# network, mount and PID namespaces.  Nothing a test does can reach the host's
# interfaces: the script starts in a namespace with only a (down) `lo`, and the
# hosts it builds with topo_pair/topo_bridge are `ip netns` namespaces whose
# /run/netns lives on a private tmpfs.  When the script ends -- normally, by a
# signal, or killed by ctest's timeout -- the PID namespace dies, the kernel
# kills every process left in it, and with them go the namespaces and mounts.
#
# Exit 77 means skip (ctest SKIP_RETURN_CODE); 1 means the test failed.

set -u

skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

NET_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MCAST_SRC=${MCAST_SRC:-$(cd "$NET_DIR/../.." && pwd)}
MCAST=${MCAST:-$MCAST_SRC/build/mcast}

if [ -z "${MCAST_NET_INNER:-}" ]; then
	# A missing binary is a broken build, not an unsupported machine.
	[ -x "$MCAST" ] || fail "mcast binary not found or not executable: $MCAST"
	MCAST=$(cd "$(dirname "$MCAST")" && pwd)/$(basename "$MCAST")
	export MCAST MCAST_SRC MCAST_NET_INNER=1
	if [ "$(id -u)" = 0 ]; then ns_opts=-nm; else ns_opts=-rnm; fi
	# --kill-child: if ctest kills unshare, the script (PID 1 of the new
	# PID namespace) gets SIGKILL, and so does everything it started.
	# Without PID namespaces (old util-linux) only the trap cleans up.
	for opts in "$ns_opts --pid --fork --kill-child --mount-proc" "$ns_opts"; do
		if unshare $opts true 2>/dev/null; then
			exec unshare $opts bash "$0" "$@"
		fi
	done
	skip "cannot create network namespaces"	# never the host network
fi

# From here on we are inside the private namespaces.  Mounts must not
# propagate back to the host, or `ip netns add` would be seen there.
mount -n --make-rprivate / || fail "cannot make mounts private"
if [ -d /run/netns ]; then
	mount -n -t tmpfs -o mode=755 mcast-netns /run/netns
else	# creating /run/netns would change the host: hide all of /run instead
	mount -n -t tmpfs -o mode=755 mcast-run /run && mkdir /run/netns
fi || fail "cannot mount a private /run/netns"

T=$(mktemp -d "${TMPDIR:-/tmp}/mcast-net.XXXXXX") || fail "mktemp failed"
mount -n -t tmpfs -o size=256m mcast-work "$T" || fail "cannot mount tmpfs on $T"
# $T/bin: `mcast` is the binary under test, and `in_ns NS CMD...` runs CMD
# in host NS.  in_ns is a script, not a function, so that it execs all the
# way down: in `in_ns NS mcast recv ... &`, $! is mcast's own pid.
mkdir "$T/bin" && ln -s "$MCAST" "$T/bin/mcast" || fail "cannot populate $T/bin"
printf '#!/bin/sh\nns=$1; shift\nexec ip netns exec "$ns" "$@"\n' >"$T/bin/in_ns"
chmod +x "$T/bin/in_ns"
# A python3 that is a script (a pyenv shim runs a chain of shell scripts:
# 13 s a call at load 20 on 2 cores, against 2 s for the interpreter, and
# a test calls it dozens of times) is asked once for its interpreter.
py=$(command -v python3 2>/dev/null) && [ "$(head -c 4 "$py" 2>/dev/null)" != $'\x7fELF' ] &&
	py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) && [ -x "$py" ] &&
	ln -s "$py" "$T/bin/python3"
PATH=$T/bin:$PATH

cleanup() {
	local pids
	trap - EXIT INT TERM
	pids=$(jobs -p)
	if [ -n "$pids" ]; then
		kill $pids 2>/dev/null
		wait_until 2 _all_gone $pids || kill -KILL $pids 2>/dev/null
		wait 2>/dev/null
	fi
	ip -all netns delete 2>/dev/null
	cd / && { umount -n "$T" 2>/dev/null || umount -n -l "$T"; } && rmdir "$T"
}
_all_gone() { ! kill -0 "$@" 2>/dev/null; }
trap cleanup EXIT
trap 'exit 1' INT TERM	# as PID 1 we only receive signals we handle
trap 'exit 77' USR1	# need_cmd in a subshell: the whole test skips

# need_cmd CMD DEBIAN_PACKAGE: skip the test when CMD is not installed.
# Called in a subshell (a helper inside $(...)), it makes the test itself
# skip, not just the subshell: the caller would otherwise go on with an
# empty answer and fail for want of a tool the README calls optional.
need_cmd() {
	command -v "$1" >/dev/null 2>&1 && return
	echo "SKIP: $1 (Debian package $2) not installed" >&2
	[ "$BASHPID" = "$$" ] || kill -USR1 "$$"
	exit 77
}

# A test that reads JSON or counters through the helpers below needs
# python3: it skips here, at its start, rather than from inside a $(...)
# later, where the USR1 trap's exit has crashed bash ("reader_loop: bad
# jump") when the skip came in the middle of a loop's substitution.
if grep -qE '\b(json_get|summary_get|relay_get|one_session_intact|event_ts|nft_count|switch_count)\b' "$0"; then
	need_cmd python3 python3
fi

# wait_until SECONDS CMD...: poll CMD until it succeeds; 1 after SECONDS
# (a whole number) have passed.
wait_until() {
	local deadline=$(($(_now_us) + $1 * 1000000)); shift
	until "$@"; do
		[ "$(_now_us)" -ge "$deadline" ] && return 1
		sleep 0.02
	done
}
_now_us() { local t=${EPOCHREALTIME/[.,]/}; echo "${t:-$((SECONDS * 1000000))}"; }

# wait_for FILE REGEX SECONDS: until FILE has a line matching REGEX (ERE).
wait_for() { wait_until "$3" grep -qE -- "$2" "$1" 2>/dev/null; }

# count_in FILE REGEX: number of lines of FILE matching REGEX.
count_in() { grep -cE -- "$2" "$1" 2>/dev/null; }

# wait_lines FILE REGEX N SECONDS: until N lines of FILE match REGEX.
wait_lines() { wait_until "$4" _has_lines "$1" "$2" "$3"; }
_has_lines() { [ "$(count_in "$1" "$2")" -ge "$3" ]; }

# wait_up NS IF: until the link reports `state UP` (carrier is asynchronous).
wait_up() { wait_until 5 _is_up "$1" "$2" || fail "$2 in $1 never came up"; }
_is_up() { ip -n "$1" -o link show dev "$2" 2>/dev/null | grep -q 'state UP'; }

# wait_joined NS IF GROUP: until some socket in NS has joined GROUP on IF,
# for peers (socat, python) that cannot tell us themselves.
wait_joined() { wait_until 5 _joined "$@"; }
_joined() { ip -n "$1" maddr show dev "$2" | grep -qw -- "$3"; }

# new_host NS: an empty namespace with lo up and no duplicate address
# detection (a tentative IPv6 address makes sends fail for ~1.5 s).
new_host() {
	need_cmd ip iproute2
	need_cmd sysctl procps
	ip netns add "$1" &&
		in_ns "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 &&
		ip -n "$1" link set lo up
}

# host_addr NS K: give NS's veth0 10.0.0.K/24 and fd00::K/64, bring it up.
host_addr() {
	ip -n "$1" addr add "10.0.0.$2/24" dev veth0 &&
		ip -n "$1" addr add "fd00::$2/64" dev veth0 nodad &&
		ip -n "$1" link set veth0 up
}

# topo_pair A B: A (10.0.0.1, fd00::1) and B (10.0.0.2, fd00::2), each
# with a veth0, the two ends of one veth pair.
topo_pair() {
	new_host "$1" && new_host "$2" &&
		ip link add veth0 netns "$1" type veth peer name veth0 netns "$2" &&
		host_addr "$1" 1 && host_addr "$2" 2 || return 1
	wait_up "$1" veth0
	wait_up "$2" veth0
}

# topo_bridge H1 H2 ...: host number K (10.0.0.K, fd00::K) on veth0, all
# plugged into bridge br0 of namespace `switch`.  Multicast snooping is off,
# so the bridge floods every group to every port.
topo_bridge() {
	local k=0 h
	need_cmd bridge iproute2
	new_host switch &&
		ip -n switch link add br0 type bridge mcast_snooping 0 &&
		ip -n switch link set br0 up || return 1
	for h in "$@"; do
		k=$((k + 1))
		new_host "$h" &&
			ip link add veth0 netns "$h" type veth \
				peer name "p$k" netns switch &&
			ip -n switch link set "p$k" master br0 up &&
			host_addr "$h" "$k" || return 1
	done
	k=0
	for h in "$@"; do
		k=$((k + 1))
		wait_up "$h" veth0
		wait_up switch "p$k"
		wait_until 5 _forwarding "p$k" ||
			fail "bridge port p$k never forwarding"
	done
	wait_up switch br0
}
_forwarding() { bridge -n switch link show dev "$1" | grep -q 'state forwarding'; }

# start_responder NS: `mcast ping --respond` on NS's veth0 for the group
# $G, in the background (output in $T/resp.out and $T/resp.err), once it
# has joined.  It answers until the test kills it or ends: a lifetime of
# its own (the SECONDS some callers still pass, ignored) ran out under load
# before the test had sent its last ping.
start_responder() {
	in_ns "$1" mcast ping --respond --iface veth0 $G \
		>"$T/resp.out" 2>"$T/resp.err" &
	wait_for "$T/resp.err" '^joined ' 5 || fail "responder never joined: $(cat "$T/resp.err")"
}

# drop_probes NS MATCH: NS's nftables ruleset becomes one that drops the
# data probes to port 1600 (UDP payload byte 5, the type, == 1) for which
# MATCH holds, counted in counter "dropped" of table "lossy" (read it with
# nft_count NS lossy dropped); end markers (type 2) pass.
drop_probes() {
	in_ns "$1" nft -f - <<-NFT || fail "cannot load the nftables rule ($2)"
		flush ruleset
		table inet lossy {
			counter dropped { }
			chain input {
				type filter hook input priority 0; policy accept;
				udp dport 1600 @th,104,8 1 $2 counter name dropped drop
			}
		}
	NFT
}

# nft_count NS TABLE COUNTER: packets of the named counter in inet TABLE.
nft_count() {
	need_cmd python3 python3
	in_ns "$1" nft -j list counter inet "$2" "$3" |
		python3 -c 'import json, sys
print([o["counter"]["packets"] for o in json.load(sys.stdin)["nftables"] if "counter" in o][0])'
}


# expect_check FILE VERDICT CHECK REGEX: doctor's text output in FILE has
# the line "VERDICT CHECK: ...REGEX".
expect_check() {
	grep -qE -- "^$2 +$3: .*$4" "$1" ||
		fail "expected '$2 $3: ...$4...' in:
$(cat "$1")"
}

# doctor_in NS WANT ARGS...: run `mcast doctor ARGS` in NS, its output
# in $T/out; fail unless it exits WANT.
doctor_in() {
	local ns=$1 want=$2 rc
	shift 2
	timeout 10 in_ns "$ns" mcast doctor "$@" >"$T/out" 2>&1
	rc=$?
	[ $rc = "$want" ] || fail "doctor $*: exit $rc, expected $want: $(cat "$T/out")"
}
# json_get FILE EXPR: evaluate the Python expression EXPR over the list `d`
# of JSON records in FILE (one per line) and print the result.
json_get() {
	need_cmd python3 python3
	python3 -c 'import json, sys
d = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(eval(sys.argv[2]))' "$1" "$2"
}

# if_index NS IF: the current index of interface IF in NS.
if_index() { ip -n "$1" -o link show dev "$2" 2>/dev/null | cut -d: -f1; }

# igmp_joined NS: one "IFINDEX GROUP" line per IPv4 group joined in NS, as
# the kernel lists them in the namespace's own /proc/net/igmp (groups are
# printed as host-order hex: 030201EF is 239.1.2.3 on a little-endian host).
igmp_joined() {
	local idx= a
	in_ns "$1" cat /proc/net/igmp | while read -r a _; do
		if [[ $a =~ ^[0-9A-F]{8}$ ]]; then
			printf '%s %d.%d.%d.%d\n' "$idx" 0x${a:6:2} 0x${a:4:2} \
				0x${a:2:2} 0x${a:0:2}
		elif [[ $a =~ ^[0-9]+$ ]]; then
			idx=$a
		fi
	done
}

# event_ts FILE NAME N: the "ts" of the Nth JSON event NAME in FILE.
event_ts() {
	json_get "$1" "[r['ts'] for r in d if r.get('event') == '$2'][$3 - 1]"
}

# sent_probes ERRFILE: the probes the sender numbered, from its summary on
# stderr: N of "sent N probes" plus K of "not sent K of M probes" (what
# the kernel did not take during an outage: their numbers are spent, so
# receivers count them lost).  Fails the test when the summary is missing.
sent_probes() {
	local n k
	n=$(sed -n 's/^sent \([0-9]*\) probes .*/\1/p' "$1")
	[ -n "$n" ] || fail "the sender printed no 'sent N probes': $(cat "$1")"
	k=$(not_sent_probes "$1")
	echo $((n + k))
}
# not_sent_probes ERRFILE: K of the sender's "not sent K of M probes", or 0.
not_sent_probes() {
	local k
	k=$(sed -n 's/^not sent \([0-9]*\) of [0-9]* probes .*/\1/p' "$1")
	echo "${k:-0}"
}
# summary_get OUT EXPR: EXPR applied to the receiver's json summary.
summary_get() { json_get "$1" "[r for r in d if r['type'] == 'summary'][0]$2"; }
# one_session_intact OUT SENT: the run ended by end of stream with one
# session and no duplicate, and every probe sent is either received or
# counted lost: nothing was counted twice or missed by the accounting.
one_session_intact() {
	local got
	[ "$(summary_get "$1" '["ended_by"]')" = "end of stream" ] ||
		fail "ended_by is not end of stream: $(grep summary "$1")"
	[ "$(summary_get "$1" '["totals"]["sessions"]') $(summary_get "$1" '["totals"]["duplicates"]')" = "1 0" ] ||
		fail "want 1 session and 0 duplicates: $(grep summary "$1")"
	got=$(json_get "$1" '[s["received"] + s["lost"] for r in d if r["type"] == "summary" for s in r["sessions"]]')
	[ "$got" = "[$2]" ] && [ "$(summary_get "$1" '["sessions"][0]["total_sent"]')" = "$2" ] ||
		fail "sent $2, but received + lost = $got: $(grep summary "$1")"
}

# topo_line A R B: three hosts in a line, two links and no multicast
# routing between them.  A's veth0 (10.0.1.1, fd01::1) meets R's `a0`
# (10.0.1.2, fd01::2); R's `b0` (10.0.2.2, fd02::2) meets B's veth0
# (10.0.2.3, fd02::3).  Only a relay on R carries multicast across.
topo_line() {
	new_host "$1" && new_host "$2" && new_host "$3" &&
		ip link add veth0 netns "$1" type veth peer name a0 netns "$2" &&
		ip link add name b0 netns "$2" type veth peer name veth0 netns "$3" &&
		ip -n "$1" addr add 10.0.1.1/24 dev veth0 &&
		ip -n "$1" addr add fd01::1/64 dev veth0 nodad &&
		ip -n "$2" addr add 10.0.1.2/24 dev a0 &&
		ip -n "$2" addr add fd01::2/64 dev a0 nodad &&
		ip -n "$2" addr add 10.0.2.2/24 dev b0 &&
		ip -n "$2" addr add fd02::2/64 dev b0 nodad &&
		ip -n "$3" addr add 10.0.2.3/24 dev veth0 &&
		ip -n "$3" addr add fd02::3/64 dev veth0 nodad &&
		ip -n "$1" link set veth0 up && ip -n "$2" link set a0 up &&
		ip -n "$2" link set b0 up && ip -n "$3" link set veth0 up ||
		return 1
	wait_up "$1" veth0
	wait_up "$2" a0
	wait_up "$2" b0
	wait_up "$3" veth0
}

# start_relay NAME NS ARGS...: `mcast relay ARGS --format json` in NS in
# the background ($T/NAME.out, $T/NAME.err), once it has joined; its pid
# in $relay_pid.  stop_relay NAME ends it and checks it exits 0.
start_relay() {
	local name=$1 ns=$2
	shift 2
	in_ns "$ns" mcast relay --format json "$@" >"$T/$name.out" 2>"$T/$name.err" &
	relay_pid=$!
	eval "relay_pid_$name=$relay_pid"
	wait_for "$T/$name.err" "^(joined|listening) " 5 || fail "relay $name never started: $(cat "$T/$name.err")"
}
stop_relay() {
	local pid
	eval "pid=\$relay_pid_$1"
	kill -INT "$pid"
	wait "$pid" || fail "relay $1 exited $? after SIGINT: $(cat "$T/$1.err")"
}
# relay_get NAME DIR EXPR: EXPR applied to direction DIR (0 or 1) of relay
# NAME's JSON summary, e.g. relay_get r 0 '["dropped"]["ttl"]'.
relay_get() {
	json_get "$T/$1.out" "[r for r in d if r['type'] == 'relay_summary'][0]['directions'][$2]$3"
}
# bridge_fwd SWITCH PORT: PORT of SWITCH's bridge is forwarding.
bridge_fwd() { bridge -n "$1" link show dev "$2" | grep -q 'state forwarding'; }
