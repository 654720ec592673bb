#!/usr/bin/env bash
# The man page as a reader sees it: every single quote it opens closes
# before the next one opens (a misplaced .Ql once printed ping's JSON
# paths as "(‘multicast or ‘unicast’’)"), and every JSON example in it
# parses.  Formats with mandoc, else groff; exit 77 without either.
#
# Environment: MCAST_SRC (the project root), MCAST_MAN for another copy.

set -u

fail() { echo "FAIL: $*" >&2; exit 1; }

MCAST_SRC=${MCAST_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
MAN=${MCAST_MAN:-$MCAST_SRC/man/mcast.1}
[ -r "$MAN" ] || fail "man page not found: $MAN"
command -v python3 >/dev/null || { echo "SKIP: no python3" >&2; exit 77; }

if command -v mandoc >/dev/null; then
	text=$(MANWIDTH=200 mandoc -Tutf8 "$MAN" 2>/dev/null)
elif command -v groff >/dev/null; then
	text=$(groff -mdoc -Tutf8 -rLL=200n "$MAN" 2>/dev/null)
else
	echo "SKIP: neither mandoc nor groff" >&2
	exit 77
fi
[ -n "$text" ] || fail "the page formats to nothing"

printf '%s\n' "$text" | sed 's/.\x08//g' | python3 -c '
import json, sys
text = sys.stdin.read()
bad = []
for para in text.split("\n\n"):
    depth = 0
    for ch in para:
        if ch == "\u2018":
            depth += 1
            if depth > 1:
                break
        elif ch == "\u2019" and depth:	# else an apostrophe
            depth -= 1
    if depth:
        bad.append("quotes: " + " ".join(para.split())[:160])
lines = text.split("\n")
i = n = 0
while i < len(lines):
    if not lines[i].strip().startswith("{\""):
        i += 1
        continue
    # an example may wrap: join lines until it parses or the block ends
    buf, j = lines[i].strip(), i + 1
    while True:
        try:
            json.loads(buf)
            n += 1
            break
        except ValueError:
            pass
        if j >= len(lines) or not lines[j].strip():
            bad.append("json: " + buf[:160])
            break
        buf += lines[j].strip()
        j += 1
    i = j
if n == 0:
    bad.append("json: no JSON example found")
for b in bad:
    print("FAIL:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
'
