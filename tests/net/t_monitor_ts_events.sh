# mcast monitor's MPEG-TS and RTP view, from crafted senders whose every
# packet is known: a TS stream (PAT, PMT, one video PID with one
# continuity jump of 3, 40 more PIDs of one packet each, then the PAT
# missing for a second, then all of it stopping) and an RTP sender that
# changes its SSRC.  The JSON records count per PID (32 PIDs, the other
# 11 under "other", adding up to the group's TS packets) and TR 101 290
# priority 1 by indicator (the stopped stream's PAT, PMT and PID errors
# too), with a "pat_lost" event for each PAT error and one "ssrc_change"
# event; /metrics has the same figures
# as series with pid and indicator labels (when built with libmicrohttpd).
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"
metrics=
mcast monitor --help | grep -q 'this build is without' || metrics="--metrics 127.0.0.1:9613"

printf '%s\n' '239.1.6.1:5004 name=tv stream=ts' '239.1.6.2:5006 name=cam stream=rtp' >"$T/groups"
in_ns right mcast monitor --iface veth0 --groups "$T/groups" --format json \
	--interval-report 0.2 --idle 60 $metrics >"$T/out" 2>"$T/err" &
mon=$!
wait_for "$T/err" '^monitoring 2 groups$' 5 || fail "monitor never joined: $(cat "$T/err")"

cat >"$T/send.py" <<'PY'
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.0.0.1"))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)

def crc32(data):  # CRC-32/MPEG-2
    c = 0xFFFFFFFF
    for b in data:
        c ^= b << 24
        for _ in range(8):
            c = ((c << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if c & 0x80000000 else (c << 1) & 0xFFFFFFFF
    return c

def section(table_id, ext, body):
    n = 5 + len(body) + 4
    sec = bytes([table_id, 0xB0 | (n >> 8), n & 0xFF]) + struct.pack(">HBBB", ext, 0xC1, 0, 0) + body
    return sec + struct.pack(">I", crc32(sec))

PAT = section(0, 1, struct.pack(">HH", 1, 0xE000 | 0x100))
PMT = section(2, 1, struct.pack(">HH", 0xE000 | 0x101, 0xF000) + struct.pack(">BHH", 0x1B, 0xE000 | 0x101, 0xF000))
cc = {}

def pkt(pid, payload=b"", pusi=False, skip=0):
    cc[pid] = (cc.get(pid, -1) + 1 + skip) & 15
    hdr = bytes([0x47, (0x40 if pusi else 0) | (pid >> 8), pid & 0xFF, 0x10 | cc[pid]])
    body = (b"\x00" + payload) if pusi else payload
    return hdr + body + b"\xff" * (184 - len(body))

def tv(pat=True, skip=0):
    d = (pkt(0, PAT, True) if pat else b"") + pkt(0x100, PMT, True)
    d += pkt(0x101, skip=skip) + b"".join(pkt(0x101) for _ in range(4))
    s.sendto(d, ("239.1.6.1", 5004))
    time.sleep(0.01)

def rtp(ssrc, first):
    for n in range(30):
        s.sendto(struct.pack(">BBHII", 0x80, 96, first + n, n * 3000, ssrc) + b"\0" * 100,
                 ("239.1.6.2", 5006))
        time.sleep(0.005)

if sys.argv[1] == "tv":
    tv()
    extra = [pkt(0x200 + k) for k in range(40)]
    for k in range(0, 40, 7):
        s.sendto(b"".join(extra[k:k + 7]), ("239.1.6.1", 5004))
    for n in range(1, 40):
        tv(skip=3 if n == 20 else 0)
    for n in range(100):  # the PAT missing for a second
        tv(pat=False)
    for n in range(20):
        tv()
else:
    rtp(int(sys.argv[2], 16), int(sys.argv[3]))
PY
in_ns left python3 "$T/send.py" tv || fail "the TS sender failed"
in_ns left python3 "$T/send.py" rtp 1234abcd 100 || fail "the RTP sender failed"
# last GROUP EXPR: EXPR of GROUP's latest interval record.
last() { json_get "$T/out" "[r for r in d if r['type'] == 'interval' and r['group'] == '$1'][-1]$2"; }
# The monitor has read the first SSRC's entry before the second comes.
rtp_seen() { [ "$(last 239.1.6.2 "['sequenced']")" = 30 ]; }
wait_until 5 rtp_seen || fail "first RTP sender not counted: $(tail -2 "$T/out")"
in_ns left python3 "$T/send.py" rtp 5678ef01 7000 || fail "the RTP sender failed"
# 160 datagrams of TS with 7 packets, 100 of them 6, and the extra PIDs'.
ts_done() {
	[ "$(last 239.1.6.1 "['ts_packets']")" = $((60 * 7 + 100 * 6 + 40)) ] &&
		[ "$(last 239.1.6.2 "['sequenced']")" = 60 ]
}
wait_until 5 ts_done || fail "not every TS packet or RTP datagram counted: $(tail -3 "$T/out")"

# Then the stream stopped altogether: the monitor moves the tracker's
# clock, so the PAT and the PMT are overdue (0.5 s) and the video PID is
# gone (5 s), each counted once, without a datagram to notice it.
want="{'ts_sync_loss': 0, 'sync_byte_error': 0, 'pat_error': 2, 'continuity_count_error': 1, 'pmt_error': 1, 'pid_error': 1}"
_stopped() { [ "$(last 239.1.6.1 "['tr101290']")" = "$want" ]; }
wait_until 10 _stopped || fail "tr101290: got $(last 239.1.6.1 "['tr101290']"), want $want"
got=$(json_get "$T/out" "(lambda r: (len(r['pids']), r['pids_other'], [(p['pid'], p['packets'], p['lost'], p['cc_errors']) for p in r['pids'] if p['pid'] in (0, 256, 257, 'other')], sum(p['packets'] for p in r['pids']) == r['ts_packets']))([r for r in d if r['type'] == 'interval' and r['group'] == '239.1.6.1'][-1])")
want="(33, 11, [(0, 60, 0, 0), (256, 160, 0, 0), (257, 800, 3, 1), ('other', 11, 0, 0)], True)"
[ "$got" = "$want" ] || fail "pids: got $got, want $want"

events() { json_get "$T/out" "[(r['event'], r['name']) + tuple(r.get(k) for k in $1) for r in d if r['type'] == 'event' and r['event'] == '$2']"; }
got=$(events "('pat_errors',)" pat_lost)
[ "$got" = "[('pat_lost', 'tv', 1), ('pat_lost', 'tv', 2)]" ] || fail "pat_lost events: $got"
got=$(events "('sender', 'ssrc_old', 'ssrc', 'ssrc_changes')" ssrc_change)
[ "$got" = "[('ssrc_change', 'cam', '10.0.0.1', $((0x1234abcd)), $((0x5678ef01)), 1)]" ] ||
	fail "ssrc_change events: $got"
[ "$(last 239.1.6.2 "['ssrc_changes']")" = 1 ] || fail "no SSRC change counted: $(tail -3 "$T/out")"
# The new SSRC came from the second sender's port (a new socket).
got=$(json_get "$T/out" "[r['sender_port'] for r in d if r['type'] == 'event' and r['event'] == 'ssrc_change']")
want=$(last 239.1.6.2 "['senders'][1]['source_port']")
[ "$got" = "[$want]" ] || fail "ssrc_change's sender_port $got, the second sender's $want"

if [ -n "$metrics" ]; then
	in_ns right python3 -c 'import urllib.request
print(urllib.request.urlopen("http://127.0.0.1:9613/metrics", timeout=5).read().decode(), end="")' >"$T/metrics" ||
		fail "cannot scrape /metrics"
	TV='group="239.1.6.1",port="5004",iface="veth0",name="tv"'
	for want in \
		"mcast_ts_packets_received_total{$TV,pid=\"257\"} 800" \
		"mcast_ts_packets_lost_total{$TV,pid=\"257\"} 3" \
		"mcast_ts_cc_errors_total{$TV,pid=\"257\"} 1" \
		"mcast_ts_packets_received_total{$TV,pid=\"other\"} 11" \
		"mcast_ts_pids_overflow_total{$TV} 11" \
		"mcast_ts_tr101290_priority1_errors_total{$TV,indicator=\"pat_error\"} 2" \
		"mcast_ts_tr101290_priority1_errors_total{$TV,indicator=\"continuity_count_error\"} 1" \
		"mcast_ts_tr101290_priority1_errors_total{$TV,indicator=\"pmt_error\"} 1" \
		"mcast_ts_tr101290_priority1_errors_total{$TV,indicator=\"pid_error\"} 1" \
		"mcast_ts_tr101290_priority1_errors_total{$TV,indicator=\"ts_sync_loss\"} 0" \
		'mcast_rtp_ssrc_changes_total{group="239.1.6.2",port="5006",iface="veth0",name="cam"} 1'; do
		grep -qxF -- "$want" "$T/metrics" || fail "no '$want' in:
$(grep -E 'mcast_(ts|rtp)_' "$T/metrics")"
	done
	# Bounded: 32 PIDs and "other" per family, no more.
	n=$(grep -c "^mcast_ts_packets_received_total{$TV" "$T/metrics")
	[ "$n" = 33 ] || fail "$n PID series, want 33"
	# Only the TS group has TS series.
	! grep -q '^mcast_ts_.*group="239.1.6.2"' "$T/metrics" || fail "TS series for the RTP group"
	if command -v promtool >/dev/null; then
		promtool check metrics <"$T/metrics" || fail "promtool check metrics failed"
	fi
fi
kill -TERM $mon
wait $mon || fail "monitor exited $?: $(cat "$T/err")"
exit 0
