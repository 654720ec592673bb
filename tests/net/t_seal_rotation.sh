# Key rotation mid-stream, as docs/SECURITY.md tells it: the new key goes
# to the receiver's key file first, then to the sender's; both notice
# their file changed, and the stream switches key id without a loss.
. "$(dirname "$0")/lib.sh"
need_cmd python3 python3
topo_pair left right || skip "cannot create network namespaces"
G=239.1.2.3:1600
cd "$T" || fail "no work directory"
mcast keygen recv.key 2>/dev/null && install -m 600 recv.key send.key ||
	fail "cannot make the key files"

in_ns right mcast recv --iface veth0 --key recv.key --stats --format json \
	--until-end --timeout 20 $G >stats.out 2>stats.err &
stats=$!
in_ns right mcast recv --iface veth0 --key recv.key --format json \
	--count 4000 --timeout 20 $G >dgrams.out 2>dgrams.err &
dgrams=$!
wait_for stats.err '^joined ' 5 && wait_for dgrams.err '^joined ' 5 ||
	fail "receivers never joined"
in_ns left mcast send --iface veth0 --key send.key --probe --rate 1000 \
	--count 4000 $G 2>send.err &
send=$!
wait_for send.err '^probe session' 5 || fail "sender never started: $(cat send.err)"

# Step 1: a new key for the receivers; they accept 1 and 2 from now on.
mcast keygen recv.key 2>/dev/null || fail "keygen failed"
wait_for stats.err 'key file recv.key reloaded: 2 keys, newest id 2$' 5 ||
	fail "receiver did not reload its key file: $(cat stats.err)"
wait_for dgrams.err 'reloaded: 2 keys' 5 || fail "second receiver did not reload"
# Step 2: the senders get it, and seal with the newest from then on.
install -m 600 recv.key send.key.new && mv send.key.new send.key || fail "cannot copy"
wait_for send.err 'reloaded: 2 keys, newest id 2 \(sealing with it from now on\)' 5 ||
	fail "sender did not switch keys: $(cat send.err)"
wait $send || fail "sender exit $?: $(cat send.err)"
wait $stats || fail "receiver exit $?: $(cat stats.err)"
wait $dgrams || fail "datagram receiver exit $?: $(cat dgrams.err)"

one_session_intact stats.out 4000
[ "$(summary_get stats.out '["totals"]["lost"]')" = 0 ] || fail "lost probes across the rotation"
[ "$(summary_get stats.out '["totals"]["rejected"]["total"]')" = 0 ] ||
	fail "rejects across the rotation: $(cat stats.out)"
# Both keys carried part of the stream, in order: 1 then 2.
ids=$(json_get dgrams.out '[r["key_id"] for r in d if r["type"] == "datagram"]')
python3 - "$ids" <<'PY' || fail "key ids of the stream: not 1s then 2s"
import ast, sys
ids = ast.literal_eval(sys.argv[1])
assert len(ids) == 4000, len(ids)
k = ids.index(2)
assert k > 0 and set(ids[:k]) == {1} and set(ids[k:]) == {2}, (k,)
PY
exit 0
