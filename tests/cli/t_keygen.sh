#!/usr/bin/env bash
# mcast keygen: a new key file is private (0600) and gains keys with rising
# ids; a file others may read, or a malformed one, is refused with exit 2.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
M=${MCAST:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$M" keygen "$T/k" 2>"$T/err" || fail "keygen exit $?: $(cat "$T/err")"
grep -q '^mcast keygen: \|^added key 1 to ' "$T/err" || fail "no report: $(cat "$T/err")"
[ "$(stat -c %a "$T/k")" = 600 ] || fail "mode $(stat -c %a "$T/k"), expected 600"
"$M" keygen "$T/k" 2>/dev/null || fail "second keygen failed"
keys=$(grep -Ev '^(#|$)' "$T/k" | awk '{print $1}' | tr '\n' ' ')
[ "$keys" = "1 2 " ] || fail "key ids '$keys', expected '1 2 '"
grep -Ev '^(#|$)' "$T/k" | awk 'length($2) != 64 { bad = 1 } END { exit bad }' ||
	fail "a key is not 64 hex digits: $(cat "$T/k")"
[ "$(grep -Ev '^(#|$)' "$T/k" | awk '{print $2}' | sort -u | wc -l)" = 2 ] || fail "the two keys are equal"

chmod 644 "$T/k"
"$M" keygen "$T/k" 2>"$T/err"
[ $? = 2 ] || fail "group-readable key file: expected exit 2"
grep -q 'chmod 600' "$T/err" || fail "no chmod advice: $(cat "$T/err")"

printf '1 abcd\n' >"$T/bad" && chmod 600 "$T/bad"
"$M" keygen "$T/bad" 2>"$T/err"
[ $? = 2 ] || fail "malformed key file: expected exit 2"
grep -q 'line 1' "$T/err" || fail "the error does not name the line: $(cat "$T/err")"
echo "keygen ok"
