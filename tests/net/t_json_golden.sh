# Every JSON record mcast writes, byte for byte, against
# tests/net/golden/json.txt: datagrams (text, untrusted text, binary,
# framed, sealed), recv --stats' interval and summary (plain and sealed,
# with rejects), events, send --probe's send_summary, ping's replies and
# summary, the responder's respond_summary, monitor's events, intervals
# and sockets, bench and doctor.  What
# differs from run to run (times, rates, session ids, ephemeral ports) is
# replaced by its shape: N for the integer part, one d per decimal kept,
# so a changed precision, key, order or comma still shows; so are
# doctor's details and the receive buffers, which depend on the host and
# on privileges.  A run with
# MCAST_GOLDEN_UPDATE=FILE writes the normalised records to FILE instead.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair a b || skip "cannot create network namespaces"
cd "$T" || fail "no work directory"
G=239.1.2.3:1600
mcast keygen k.key 2>/dev/null || fail "keygen failed"

# recv_run NAME ARGS...: a receiver in b, its records into NAME.out, its
# pid in $p once it has joined.
recv_run() {
	local name=$1
	shift
	in_ns b mcast recv --iface veth0 "$@" >"$name.out" 2>"$name.err" &
	p=$!
	wait_for "$name.err" '^joined ' 5 || fail "$name: never joined: $(cat "$name.err")"
}
send() { in_ns a mcast send --iface veth0 --bind :1501 --quiet "$@" 2>>send.err; }

# Datagrams: plain text, text that must be escaped, bytes that are not
# UTF-8, a framed one (seq and key id).
recv_run dgram --format json --count 4 $G
send --count 1 $G 'Hello "World" \ tab	end'
send --count 1 $G "$(printf 'C1 \302\233 bidi \342\200\256 ls \342\200\250 esc \033[31m')"
printf '\377\000\001binary' >payload.bin
send --file payload.bin $G
send --framed --count 1 $G framed
wait $p || fail "dgram: recv failed: $(cat dgram.err)"

recv_run sealed --format json --key k.key --count 1 $G
send --key k.key --count 1 $G sealed
wait $p || fail "sealed: recv failed: $(cat sealed.err)"

# Statistics: intervals and the summary, then the same sealed, with one
# datagram rejected for not being sealed.
recv_run stats --stats --format json --interval-report 0.2 --until-end $G
in_ns a mcast send --iface veth0 --bind :1501 --probe --count 20 --rate 100 \
	--format json $G >probe.out 2>>send.err || fail "probe send failed"
wait $p || fail "stats: recv failed: $(cat stats.err)"
recv_run stats_sealed --stats --format json --until-end --key k.key $G
send --count 1 $G unsealed
send --probe --count 5 --rate 100 --key k.key $G >/dev/null
wait $p || fail "stats_sealed: recv failed: $(cat stats_sealed.err)"

# Events: the receiver's interface goes down and up.
recv_run events --format json $G
ip -n b link set veth0 down
wait_for events.out '"link_down"' 5 || fail "no link_down: $(cat events.out events.err)"
ip -n b link set veth0 up
wait_for events.out '"link_up"' 5 || fail "no link_up: $(cat events.out events.err)"
kill -TERM $p
wait $p

# Ping: a responder in b, three pings from a.
in_ns b mcast ping --respond --iface veth0 --format json $G >resp.out 2>resp.err &
r=$!
wait_for resp.err '^joined ' 5 || fail "responder never joined: $(cat resp.err)"
in_ns a mcast ping --iface veth0 --count 3 --rate 50 --wait 0.5 --format json \
	$G >ping.out 2>ping.err || fail "ping failed: $(cat ping.err)"
kill -TERM $r
wait $r

# Monitor: one group, 20 probes; its events and its last records.
in_ns b mcast monitor --iface veth0 --format json --interval-report 0.2 \
	--idle 60 $G >monitor.out 2>monitor.err &
m=$!
wait_for monitor.err '^monitoring 1 group$' 5 || fail "monitor never joined: $(cat monitor.err)"
send --probe --count 20 --rate 100 $G >/dev/null
wait_for monitor.out '"sequenced":20,' 5 || fail "monitor: not all probes: $(tail -2 monitor.out)"
n=$(wc -l <monitor.out)
_monitor_more() { [ "$(wc -l <monitor.out)" -gt $((n + 2)) ]; }
wait_until 5 _monitor_more || fail "monitor: no more records"
kill -INT $m
wait $m || fail "monitor failed: $(cat monitor.err)"

in_ns a mcast bench --duration 0.2 --format json >bench.out 2>bench.err ||
	fail "bench failed: $(cat bench.err)"
in_ns b mcast doctor --iface veth0 --format json $G >doctor.out 2>doctor.err

python3 - dgram sealed stats stats_sealed probe events ping resp monitor bench doctor \
	>all.txt <<'PY' || fail "cannot normalise"
import re, sys
# Keys whose numbers change from run to run.
vary = {"ts", "from", "to", "duration", "rate_pps", "rate_bps", "min", "p50",
        "p90", "p99", "p999", "max", "jitter_ns", "rtt_ms", "seconds",
        "source_port", "tx_pps", "rx_pps", "tx_gbps", "rx_gbps", "cpu_tx_pct",
        "cpu_rx_pct", "sent", "received", "bytes", "lost",
        "rcvbuf",       # what the kernel grants depends on privileges
        "join_latency_s", "bitrate", "datagrams_per_s", "jitter_ms"}
num = re.compile(r'"([a-z_0-9]+)":(-?\d+)(\.\d+)?')
def shape(m):
    if m.group(1) not in vary:
        return m.group(0)
    return '"%s":N%s' % (m.group(1), "." + "d" * (len(m.group(3)) - 1) if m.group(3) else "")
intervals = 0
for name in sys.argv[1:]:
    lines = open(name + ".out", encoding="utf-8", errors="strict").readlines()
    if name == "ping":
        lines.sort()    # which path's reply comes first varies
    if name == "monitor":   # its events, and the last of its other records
        last = {}
        for line in lines:
            last[line.split(",")[0]] = line
        lines = [l for l in lines if l.startswith('{"type":"event"')] + \
            [last[k] for k in sorted(last) if k != '{"type":"event"']
    for line in lines:
        if line.startswith('{"type":"interval"') and name != "monitor":
            intervals += 1
            if intervals > 1:
                continue    # how many there are depends on timing
        if name == "events" and '"addr_' in line:
            continue    # which addresses come and go is up to the kernel
        if name == "ping" and line.startswith('{"type":"reply"'):
            line = re.sub(r'"port":\d+', '"port":N', line)   # ephemeral
        line = re.sub(r'"[0-9a-f]{32}"', '"SESSION"', line)
        if name == "doctor":    # what it finds depends on the host
            line = re.sub(r'"detail":"(?:[^"\\]|\\.)*"', '"detail":"D"', line)
        line = num.sub(shape, line)
        print(name + ": " + line, end="")
PY
if [ -n "${MCAST_GOLDEN_UPDATE:-}" ]; then
	cp all.txt "$MCAST_GOLDEN_UPDATE"
	exit 0
fi
diff -u "$MCAST_SRC/tests/net/golden/json.txt" all.txt >diff.txt ||
	fail "JSON differs from tests/net/golden/json.txt: $(cat diff.txt)"
exit 0
