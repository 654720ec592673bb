# mcast doctor --listen: an IGMPv3 general query sent by the peer is heard
# (ok, naming the querier); with nobody querying, a warning that snooping
# switches forget memberships, pointing to --rejoin.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"

# The peer sends an IGMPv3 general query to 224.0.0.1 every 0.2 s until
# killed, and says when it has sent the first: doctor listens only then
# (under load, Python can take longer to start than doctor listens).
in_ns left python3 - <<'PY' 2>"$T/querier.err" &
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.0.0.1"))
q = bytearray(struct.pack("!BBHIBBH", 0x11, 100, 0, 0, 2, 125, 0))
c = sum(struct.unpack("!6H", bytes(q)))
c = (c & 0xffff) + (c >> 16)
struct.pack_into("!H", q, 2, ~c & 0xffff)
while True:
    s.sendto(bytes(q), ("224.0.0.1", 0))
    print("querying", file=sys.stderr, flush=True)
    time.sleep(0.2)
PY
querier=$!
wait_for "$T/querier.err" '^querying' 30 || fail "the querier did not start: $(cat "$T/querier.err")"

timeout 60 in_ns right mcast doctor --iface veth0 --listen 5 --no-self-test 239.1.2.3:1600 >"$T/out" 2>&1 ||
	fail "with a querier: exit $?: $(cat "$T/out")"
grep -qE '^ok    querier: IGMPv3 querier 10\.0\.0\.1 heard on veth0 after [0-9.]+ s$' "$T/out" ||
	fail "querier not heard: $(cat "$T/out")"
kill $querier 2>/dev/null
wait $querier 2>/dev/null

timeout 10 in_ns right mcast doctor --iface veth0 --listen 0.5 --no-self-test 239.1.2.3:1600 >"$T/out" 2>&1 ||
	fail "without a querier: exit $?: $(cat "$T/out")"
grep -qE '^warn  querier: no querier heard in 0\.5 s on veth0: .*260 s; use mcast recv --rejoin SECONDS or enable a querier' "$T/out" ||
	fail "no querier: $(cat "$T/out")"

# Without --listen the check is skipped with a hint.
timeout 10 in_ns right mcast doctor --iface veth0 --no-self-test 239.1.2.3:1600 >"$T/out" 2>&1
grep -qE '^skip  querier: .*--listen' "$T/out" || fail "no hint: $(cat "$T/out")"
exit 0
