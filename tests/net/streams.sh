# Helpers of the t_stream_*.sh tests (sourced after lib.sh): a real sender
# (ffmpeg) in `snd`, the receiver in `rcv`, both on bridge br0 of `switch`
# (topo_bridge), where nftables' bridge family drops and its netdev family
# duplicates datagrams on the way, so that a capture on rcv's veth0 holds
# exactly what arrived.

# need_tool CMD: skip (exit 77) naming the Debian package when CMD is missing.
need_tool() {
	command -v "$1" >/dev/null 2>&1 ||
		skip "$1 not installed (Debian: apt-get install $2)"
}

# need_stream_tools [tshark]: python3, ffmpeg, dumpcap and capinfos (and
# tshark itself when asked), or skip.
need_stream_tools() {
	need_cmd python3 python3
	need_tool ffmpeg ffmpeg
	need_tool dumpcap wireshark-common
	need_tool capinfos wireshark-common
	[ -z "${1:-}" ] || need_tool tshark tshark
}

# stream_topo: snd (10.0.0.1) and rcv (10.0.0.2) on the bridge.  ffmpeg
# names no interface for multicast: in snd, the route to 224.0.0.0/4
# decides, and it leads to veth0, inside the namespace.
stream_topo() {
	topo_bridge snd rcv || skip "cannot create network namespaces"
	ip -n snd route add 224.0.0.0/4 dev veth0 || fail "cannot add the multicast route"
}

# switch_rules MATCH_DROP [MATCH_DUP]: on the bridge, datagrams to port
# 5004 matching MATCH_DROP are dropped (counter "dropped" of bridge table
# "net"), the others counted as "passed"; with MATCH_DUP, those entering
# from snd's port p1 that match it are also sent straight out of p2 a
# second time (counter "duped" of netdev table "dupper").
switch_rules() {
	in_ns switch nft -f - <<-NFT || fail "cannot load the switch's rules"
		table bridge net {
			counter dropped { }
			counter passed { }
			chain forward {
				type filter hook forward priority 0; policy accept;
				udp dport 5004 $1 counter name dropped drop
				udp dport 5004 counter name passed
			}
		}
	NFT
	[ -n "${2:-}" ] || return 0
	in_ns switch nft -f - <<-NFT || fail "cannot load the duplicating rule"
		table netdev dupper {
			counter duped { }
			chain in {
				type filter hook ingress device "p1" priority 0;
				udp dport 5004 $2 counter name duped dup to "p2"
			}
		}
	NFT
}

# switch_count FAMILY TABLE COUNTER: packets of a counter of the switch.
switch_count() {
	in_ns switch nft -j list counter "$1" "$2" "$3" |
		python3 -c 'import json, sys
print([o["counter"]["packets"] for o in json.load(sys.stdin)["nftables"] if "counter" in o][0])'
}

# capture_start: dumpcap on rcv's veth0, port 5004, into $T/cap.pcapng.
capture_start() {
	in_ns rcv dumpcap -q -i veth0 -f "udp port 5004" -w "$T/cap.pcapng" \
		2>"$T/cap.err" &
	cap=$!
	wait_for "$T/cap.err" 'Capturing on' 5 || fail "capture never started: $(cat "$T/cap.err")"
}

# recv_start ARGS...: mcast recv --stats on rcv's veth0 with interval
# reports in JSON into $T/recv.out (so that the test can tell when it has
# seen everything), its pid in $recv.
recv_start() {
	in_ns rcv mcast recv --iface veth0 --format json --interval-report 0.1 \
		"$@" >"$T/recv.out" 2>"$T/recv.err" &
	recv=$!
	wait_for "$T/recv.err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/recv.err")"
}

# _seen N: the interval reports so far count N datagrams (distinct and
# duplicates).
_seen() {
	python3 - "$T/recv.out" "$1" <<-'PY'
		import json, sys
		n = 0
		for line in open(sys.argv[1]):
		    try:
		        r = json.loads(line)
		    except ValueError:
		        continue
		    if r.get("type") == "interval":
		        n += r["received"] + r["duplicates"]
		sys.exit(0 if n >= int(sys.argv[2]) else 1)
	PY
}
_captured() { [ "$(capinfos -Mc "$T/cap.pcapng" 2>/dev/null | awk '/Number of packets/ {print $NF}')" -ge "$1" ]; }

# stream_finish: once the sender is done, wait until the receiver and the
# capture have every datagram the switch let through (or duplicated),
# then stop both; the summary is the last line of $T/recv.out.
stream_finish() {
	local n
	n=$(($(switch_count bridge net passed) + ${dups:-0}))
	wait_until 10 _seen "$n" || fail "the receiver did not see $n datagrams: $(tail -3 "$T/recv.out")"
	wait_until 10 _captured "$n" || fail "the capture does not hold $n datagrams"
	kill -INT "$recv"
	wait "$recv"
	rc=$?
	kill -TERM "$cap"
	wait "$cap"
	delivered=$n
}

# summary EXPR: a Python expression over the summary `s` (its first
# session is S).
summary() {
	json_get "$T/recv.out" "(lambda s: (lambda S: $1)(s['sessions'][0] if s['sessions'] else None))(d[-1])"
}

# expect WHAT EXPR VALUE
expect() {
	local got
	got=$(summary "$2") || fail "$1: cannot evaluate $2"
	[ "$got" = "$3" ] || fail "$1: got $got, expected $3; summary: $(tail -1 "$T/recv.out")"
}
