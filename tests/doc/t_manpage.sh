#!/usr/bin/env bash
# The man page documents what the program has: every command that
# `mcast --help` lists is in its SYNOPSIS and has a subsection
# (".Ss mcast CMD"); every long option that `mcast CMD --help` prints is in
# that subsection as "Fl -option" (or "Fl \-option"), and every option the
# subsection documents exists.  groff (and mandoc, when installed) must
# format the page without warnings.
#
# Environment: MCAST (the binary), MCAST_SRC (the project root), and
# MCAST_MAN to check another copy of the page.  Exit 0 pass, 1 fail,
# 77 skip (only when groff is missing; the other checks run first).

set -u

fail() { echo "FAIL: $*" >&2; exit 1; }

MCAST_SRC=${MCAST_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
MCAST=${MCAST:-$MCAST_SRC/build/mcast}
MAN=${MCAST_MAN:-$MCAST_SRC/man/mcast.1}

[ -x "$MCAST" ] || fail "mcast binary not found or not executable: $MCAST"
[ -r "$MAN" ] || fail "man page not found: $MAN"

T=$(mktemp -d "${TMPDIR:-/tmp}/mcast-doc.XXXXXX") || fail "mktemp failed"
trap 'rm -rf "$T"' EXIT

# The page with "\-" turned into "-", so both spellings of a flag match.
# "Fl -iface" is how mdoc writes --iface: Fl adds the first hyphen.
sed 's/\\-/-/g' "$MAN" >"$T/page"

# long_opts FILE: the distinct --options mentioned in FILE, one a line.
long_opts() { grep -oE -- '--[a-z0-9][a-z0-9-]*' "$1" | sort -u; }

# defined_opts FILE: the --options a usage text defines, i.e. those that
# start an option line ("  -c, --count N" or "      --lines"); an option
# merely mentioned in a description ("see mcast recv --stats") is not one.
defined_opts() {
	grep -oE -- '^ +(-[A-Za-z0-9], +)?--[a-z0-9][a-z0-9-]*' "$1" |
		grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u
}

# section NAME: the lines of the page from ".Sh NAME" to the next ".Sh".
section() { awk -v h=".Sh $1" '$0 == h { on = 1; next } /^\.Sh / { on = 0 } on' "$T/page"; }

# subsection CMD: from ".Ss mcast CMD" to the next ".Ss" or ".Sh".
subsection() {
	awk -v h=".Ss mcast $1" '$0 == h { on = 1; next } /^\.S[sh] / { on = 0 } on' "$T/page"
}

errors=0
problem() { echo "FAIL: $*" >&2; errors=$((errors + 1)); }

"$MCAST" --help >"$T/top" || fail "mcast --help exited $?"
cmds=$(awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' "$T/top")
[ -n "$cmds" ] || fail "no commands found in the output of mcast --help"

section SYNOPSIS >"$T/synopsis"
[ -s "$T/synopsis" ] || fail "no .Sh SYNOPSIS in $MAN"

# The top level's own options, anywhere in the page.
for opt in $(long_opts "$T/top"); do
	grep -qE -- "Fl ${opt#-}([^a-z0-9-]|\$)" "$T/page" ||
		problem "mcast --help prints $opt, the man page lacks 'Fl ${opt#-}'"
done

for cmd in $cmds; do
	grep -qE "^\.Cm $cmd\$" "$T/synopsis" ||
		problem "command $cmd is missing from the SYNOPSIS (.Cm $cmd)"
	"$MCAST" "$cmd" --help >"$T/help.$cmd" ||
		{ problem "mcast $cmd --help exited $?"; continue; }
	subsection "$cmd" >"$T/sub.$cmd"
	if ! [ -s "$T/sub.$cmd" ]; then
		problem "no subsection '.Ss mcast $cmd' in the man page"
		continue
	fi
	for opt in $(defined_opts "$T/help.$cmd"); do
		grep -qE -- "Fl ${opt#-}([^a-z0-9-]|\$)" "$T/sub.$cmd" ||
			problem "mcast $cmd --help prints $opt; '.Ss mcast $cmd' lacks 'Fl ${opt#-}'"
	done
	# The other way round: nothing documented that the program lacks.
	grep -oE -- 'Fl -[a-z0-9][a-z0-9-]*' "$T/sub.$cmd" | sed 's/^Fl /-/' |
		sort -u >"$T/doc.$cmd"
	while read -r opt; do
		defined_opts "$T/help.$cmd" | grep -qxF -- "$opt" ||
			problem "'.Ss mcast $cmd' documents $opt, which mcast $cmd --help does not list"
	done <"$T/doc.$cmd"
done

if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tlint -Wwarning "$MAN" >"$T/mandoc" 2>&1 ||
		problem "mandoc -Tlint -Wwarning reports: $(cat "$T/mandoc")"
fi

[ "$errors" -eq 0 ] || exit 1

command -v groff >/dev/null 2>&1 ||
	{ echo "SKIP: groff (Debian package groff-base) not installed" >&2; exit 77; }
groff -mandoc -Tutf8 -ww "$MAN" >/dev/null 2>"$T/groff" ||
	fail "groff exited $?: $(cat "$T/groff")"
[ ! -s "$T/groff" ] || fail "groff warns: $(cat "$T/groff")"
exit 0
