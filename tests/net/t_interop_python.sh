# mcast talks to the tutorial's Python peers (tests/net/peers/): the Python
# server sends "Hello World" from port 1501 to 224.168.2.9:1600 and mcast
# recv gets it; mcast send talks to the Python client.  The peers join and
# send with INADDR_ANY, so the kernel picks the interface by route.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"
ip -n left route add 224.0.0.0/4 dev veth0 && ip -n right route add 224.0.0.0/4 dev veth0 ||
	fail "cannot add multicast routes"
peers=$NET_DIR/peers

# Python server -> mcast recv.  The timeouts only bound a failing run:
# under load, Python alone can take seconds to start.
in_ns right mcast recv --iface veth0 --count 3 --timeout 30 --format json 224.168.2.9:1600 \
	>"$T/out" 2>"$T/err" &
recv=$!
wait_for "$T/err" '^joined ' 5 || fail "receiver never joined: $(cat "$T/err")"
in_ns left python3 "$peers/mcast_server.py" 3 0.05 || fail "python server failed"
wait $recv || fail "mcast recv exited $? with the python server: $(cat "$T/err")"
[ "$(json_get "$T/out" '[(r["source"], r["source_port"], r["data"]) for r in d]')" = \
	"[('10.0.0.1', 1501, 'Hello World'), ('10.0.0.1', 1501, 'Hello World'), ('10.0.0.1', 1501, 'Hello World')]" ] ||
	fail "wrong datagrams from the python server: $(cat "$T/out")"
[ "$(json_get "$T/out" '{r.get("ttl") for r in d}')" = "{255}" ] ||
	fail "the python server sends with ttl 255: $(cat "$T/out")"

# mcast send -> Python client, sent from port 1501 as the tutorial does
in_ns right python3 "$peers/mcast_client.py" 3 30 >"$T/py.out" 2>"$T/py.err" &
client=$!
wait_for "$T/py.err" '^joined ' 30 || fail "python client never joined: $(cat "$T/py.err")"
in_ns left mcast send --iface veth0 --bind :1501 --count 3 --interval 0.05 224.168.2.9:1600 \
	2>"$T/send.err" || fail "mcast send failed: $(cat "$T/send.err")"
wait $client || fail "python client got fewer than 3: $(cat "$T/py.err")"
for line in 'We got data!' 'FROM: 10.0.0.1:1501' 'DATA: Hello World'; do
	[ "$(grep -cxF "$line" "$T/py.out")" = 3 ] ||
		fail "python client: '$line' not 3 times: $(cat "$T/py.out")"
done
exit 0
