#!/usr/bin/env bash
# One letter, one meaning: across the --help of every subcommand that
# `mcast --help` lists, a short option names one long option, a long option
# has one short letter everywhere (or none anywhere), and it takes one kind
# of value (its metavariable, "SECONDS", the same wherever it appears;
# "PPS|max" counts as "PPS").  Later subcommands are held to the same.
#
# Environment: MCAST (the binary), MCAST_SRC (the project root).
# Exit 0 pass, 1 fail.

set -u

fail() { echo "FAIL: $*" >&2; exit 1; }

MCAST_SRC=${MCAST_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
MCAST=${MCAST:-$MCAST_SRC/build/mcast}
[ -x "$MCAST" ] || fail "mcast binary not found or not executable: $MCAST"

T=$(mktemp -d "${TMPDIR:-/tmp}/mcast-letters.XXXXXX") || fail "mktemp failed"
trap 'rm -rf "$T"' EXIT

"$MCAST" --help >"$T/top" || fail "mcast --help exited $?"
cmds=$(awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' "$T/top")
[ -n "$cmds" ] || fail "no commands found in the output of mcast --help"

# One line per option a usage text defines: "CMD LETTER LONG VALUE", with
# "-" for no letter and no value.
for cmd in $cmds; do
	"$MCAST" "$cmd" --help >"$T/help" || fail "mcast $cmd --help exited $?"
	sed -nE 's/^  (-([A-Za-z0-9]), |    )--([a-z0-9][a-z0-9-]*)( ([^ ]+))?( .*)?$/\2\t\3\t\5/p' \
		"$T/help" | awk -F '\t' -v cmd="$cmd" '{
			v = $3 == "" ? "-" : $3; sub(/\|.*/, "", v)
			print cmd, ($1 == "" ? "-" : $1), $2, v }' >>"$T/opts"
	[ -s "$T/opts" ] || fail "no options found in mcast $cmd --help"
done
grep -q '^send i iface IF$' "$T/opts" || fail "the option lines were not read: $(head -3 "$T/opts")"

# One line per conflict, naming the subcommands on each side.
awk '
function note(kind, key, val, cmd) {
	k = kind SUBSEP key
	if (!(k in first)) { first[k] = val; where[k] = cmd; return }
	if (first[k] != val)
		print kind " " key ": " first[k] " in " where[k] ", " val " in " cmd
}
{
	# Flag letters are case-sensitive: -r and -R are two letters.
	if ($2 != "-") note("letter", "-" $2, "--" $3, $1)
	note("long", "--" $3, ($2 == "-" ? "no letter" : "-" $2), $1)
	note("value", "--" $3, $4, $1)
}' "$T/opts" | sort -u >"$T/conflicts"

if [ -s "$T/conflicts" ]; then
	echo "FAIL: options that mean two things:" >&2
	cat "$T/conflicts" >&2
	exit 1
fi
exit 0
