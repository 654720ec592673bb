# mcast monitor reads each group as its stream=TYPE says, through the
# tracker's analyzers: a sequence-field feed (64-bit big-endian number at
# offset 0) with five numbers missing and one repeated, and an RTP stream
# with two sequence numbers missing, each from a small Python sender; the
# records count exactly that, and name the sender's stream type.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"

printf '%s\n' '239.1.5.1:1700 name=feed stream=seq:0:8:be' \
	'239.1.5.2:1701 name=cam stream=rtp' >"$T/groups"
in_ns right mcast monitor --iface veth0 --groups "$T/groups" --format json \
	--interval-report 0.2 --idle 60 >"$T/out" 2>"$T/err" &
mon=$!
wait_for "$T/err" '^monitoring 2 groups$' 5 || fail "monitor never joined: $(cat "$T/err")"

in_ns left python3 - <<'PY' || fail "the Python senders failed"
import socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.0.0.1"))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
# The feed: 0..99 without 10..14, with 20 twice.
for n in [n for n in range(100) if not 10 <= n <= 14] + [20]:
    s.sendto(struct.pack(">Q", n) + b"x" * 24, ("239.1.5.1", 1700))
    time.sleep(0.001)
# RTP, payload type 33 (MPEG-TS, 90 kHz): 0..59 without 7 and 8.
for n in range(60):
    if n in (7, 8):
        continue
    hdr = struct.pack(">BBHII", 0x80, 33, n, n * 900, 0x1234ABCD)
    s.sendto(hdr + b"\x00" * 188, ("239.1.5.2", 1701))
    time.sleep(0.002)
PY
# summary GROUP: what GROUP's latest interval record counted, and the types.
summary() {
	json_get "$T/out" "(lambda r: (r['sequenced'], r['lost'], r['duplicates'], r['stream'], r['senders'][0]['stream']))([r for r in d if r['type'] == 'interval' and r['group'] == '$1'][-1])"
}
# last GROUP EXPR: EXPR of GROUP's latest interval record.
last() { json_get "$T/out" "[r for r in d if r['type'] == 'interval' and r['group'] == '$1'][-1]$2"; }
feed_done() { [ "$(last 239.1.5.1 "['datagrams']")" = 96 ] && [ "$(last 239.1.5.2 "['datagrams']")" = 58 ]; }
wait_until 5 feed_done || fail "not every datagram counted: $(tail -2 "$T/out")"
n=$(wc -l <"$T/out")
_more() { [ "$(wc -l <"$T/out")" -gt $((n + 2)) ]; }
wait_until 5 _more || fail "no more records"
kill -INT $mon
wait $mon || fail "monitor exited $?: $(cat "$T/err")"

got=$(summary 239.1.5.1)
[ "$got" = "(95, 5, 1, 'seq', 'seq')" ] || fail "feed: got $got, want (95, 5, 1, 'seq', 'seq')"
got=$(summary 239.1.5.2)
[ "$got" = "(58, 2, 0, 'rtp', 'rtp')" ] || fail "rtp: got $got, want (58, 2, 0, 'rtp', 'rtp')"
exit 0
