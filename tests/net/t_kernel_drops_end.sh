# A dropped end-of-stream marker is not a dropped probe.  A stopped
# receiver's tiny buffer overflows with 100 probes and then the first end
# marker; once it has drained, the second marker arrives.  Every probe it
# lacks was dropped by this host's kernel, which also dropped the marker:
# the summary sets the marker apart, so the data drops equal the loss and
# none of it is the network's.  (The datagrams are made by hand, so that
# the marker falls into the overflow on every run.)
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600

# probes FIRST LAST [END_SEQ]: probes FIRST..LAST of one session, 50 ms
# apart when FIRST is 0, else back to back; or the END copy END_SEQ.
cat >"$T/probes.py" <<'PY'
import socket, struct, sys, time
first, last = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.1", 40000))	# one source: one session
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.0.0.1"))
session = bytes(range(1, 17))
def hdr(kind, seq, plen):
    return struct.pack("!4sBBHI16sQQBBH", b"MCST", 1, kind, 0, 0, session,
                       seq, time.time_ns(), 1, 48, plen)
if len(sys.argv) > 3:
    s.sendto(hdr(2, int(sys.argv[3]), 8) + struct.pack("!Q", last + 1), ("239.1.2.3", 1600))
    sys.exit(0)
for seq in range(first, last + 1):
    s.sendto(hdr(1, seq, 952) + bytes(952), ("239.1.2.3", 1600))
    if first == 0:
        time.sleep(0.05)
PY
in_ns right mcast recv --iface veth0 --stats --until-end --interval-report 0.05 \
	--format json --rcvbuf 1K --timeout 30 $G >"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
arrived() {
	[ "$(json_get "$T/out" 'sum(r["received"] for r in d if r["type"] == "interval")')" = "$1" ]
}
in_ns left python3 "$T/probes.py" 0 4 || fail "cannot send the first probes"
wait_until 10 arrived 5 || fail "the first 5 probes never arrived: $(cat "$T/out")"

kill -STOP $recv
in_ns left python3 "$T/probes.py" 5 104 || fail "cannot send probes 5-104"
in_ns left python3 "$T/probes.py" 0 104 0 || fail "cannot send END copy 0"
kill -CONT $recv
drained() { in_ns right ss -uanH 'sport = :1600' | awk '$2 != 0 { bad = 1 } END { exit bad }'; }
wait_until 5 drained || fail "the receiver never drained its buffer"
in_ns left python3 "$T/probes.py" 0 104 1 || fail "cannot send END copy 1"
wait $recv || fail "receiver exit $?: $(cat "$T/err")"

summary=$(grep '"type":"summary"' "$T/out")
tot() { json_get "$T/out" "[r for r in d if r[\"type\"] == \"summary\"][0][\"totals\"][\"$1\"]"; }
lost=$(tot lost) drops=$(tot kernel_drops)
[ "$lost" -ge 90 ] || fail "expected most of probes 5-104 lost, lost $lost: $summary"
[ "$drops" = $((lost + 1)) ] ||
	fail "kernel drops $drops, want the $lost probes and the marker: $summary"
[ "$(tot kernel_drops_data)" = "$lost" ] ||
	fail "kernel_drops_data $(tot kernel_drops_data), want $lost: $summary"
[ "$(tot network_lost)" = 0 ] || fail "network_lost $(tot network_lost), want 0"
exit 0
