# SIGINT and SIGTERM end every subcommand that can run long, within 2 s
# (the target is a tenth of that), with its summary printed and the exit
# status of a run that ended by itself (man page, EXIT STATUS).  A paced
# bench used to sleep through its whole batch (10 s at 100/s), and an
# interrupted doctor reported the querier it had no time to hear and
# failed the self-test it never ran; an interrupted demo exited 1.
. "$(dirname "$0")/lib.sh"
ip link set lo up || skip "cannot bring lo up"

G=239.1.2.3:5000 P=239.1.2.4:5001
mkfifo "$T/fifo" || fail "mkfifo failed"
exec 3<>"$T/fifo" # a file input that never ends nor delivers

# NAME|COMMAND|EXIT STATUS|REGEX the summary matches (in out or err).
# They start in this order and are signalled in the reverse one: the
# responder first up and last down, for the pingers' replies.
CASES=(
	"responder|mcast ping --respond -i lo -b 127.0.0.1 $P|0|^answered [1-9][0-9]* pings"
	"send|mcast send -i lo -b 127.0.0.1 $G|0|^sent [0-9]+ datagrams? "
	"send_interval|mcast send -i lo -b 127.0.0.1 -d 0.3 $G|0|^sent [0-9]+ datagrams "
	"send_probe|mcast send -i lo -b 127.0.0.1 -p -r 10 $G|0|^sent [0-9]+ probes "
	"send_probe_slow|mcast send -i lo -b 127.0.0.1 -p -r 0.1 -D 60 $G|0|^sent [0-9]+ probes? "
	"send_file|mcast send -i lo -b 127.0.0.1 -f $T/fifo $G|0|^sent 0 datagrams "
	"recv|mcast recv -i lo -F hex $G|0|^received [0-9]+ datagrams"
	"recv_stats|mcast recv -i lo --stats $G|0|^total: received [0-9]+"
	"recv_timeout|mcast recv -i lo --stats -w 60 -F json $G|0|\"ended_by\":\"interrupted\""
	"ping|mcast ping -i lo -b 127.0.0.1 -r 5 $P|0|mcast ping: [0-9]+ pings sent, 1 responder"
	"pingpong|mcast ping -i lo -b 127.0.0.1 --pingpong $P|0|mcast ping: [0-9]+ pings sent, 1 responder"
	"bench|mcast bench -r 100 -D 60|0|^delivered +[0-9]+ "
	"doctor|mcast doctor -i lo --listen 60 $G|0|^skip +querier: interrupted after.*^skip +self-test: not run \\(interrupted\\)"
	"demo|mcast demo -c 100 -d 0.3|0|^mcast demo: ([0-9]+) of \\1 datagrams arrived"
)

_running_for() { [ "$(ps -o etimes= -p "$1" 2>/dev/null)" -ge "$2" ] 2>/dev/null; }
_gone() { ! kill -0 "$1" 2>/dev/null; }

for sig in INT TERM; do
	# Something for the receivers to see, so that their summaries are
	# the full ones and they exit 0 like the rest.
	mcast send -q -i lo -b 127.0.0.1 -p -r 50 -D 30 $G 2>/dev/null &
	feed=$!
	pids=()
	for c in "${CASES[@]}"; do
		IFS='|' read -r name cmd _ _ <<<"$c"
		# shellcheck disable=SC2086
		$cmd >"$T/$name.out" 2>"$T/$name.err" &
		pids+=($!)
		[ "$name" != responder ] || wait_for "$T/responder.err" '^joined ' 5 ||
			fail "the responder never joined: $(cat "$T/responder.err")"
	done
	for p in "${pids[@]}"; do
		wait_until 5 _running_for "$p" 1 || fail "pid $p is not running"
	done
	for ((i = ${#CASES[@]} - 1; i >= 0; i--)); do
		IFS='|' read -r name _ rc want <<<"${CASES[i]}"
		p=${pids[i]}
		t0=$(_now_us)
		kill -"$sig" "$p" 2>/dev/null ||
			fail "$name ended before SIG$sig: $(cat "$T/$name.err")"
		wait_until 2 _gone "$p" || fail "$name still running 2 s after SIG$sig"
		ms=$((($(_now_us) - t0) / 1000))
		wait "$p"
		got=$?
		echo "SIG$sig $name: ended in $ms ms, exit $got"
		[ "$got" = "$rc" ] ||
			fail "$name after SIG$sig: exit $got, expected $rc: $(cat "$T/$name.err")"
		cat "$T/$name.out" "$T/$name.err" | grep -Pzq -- "(?ms)$want" ||
			fail "$name after SIG$sig: no summary /$want/: $(cat "$T/$name.out" "$T/$name.err")"
	done
	kill "$feed" 2>/dev/null
	wait "$feed"
done
exit 0
