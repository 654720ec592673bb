#!/usr/bin/env bash
# The shared library exports what mcast.h declares with MCAST_API, and
# nothing else: an internal mc_* function that leaked into the dynamic
# symbol table would become ABI that programs can link against, and a
# public function without MCAST_API would be missing for them.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
src=${MCAST_SRC:?MCAST_SRC must name the source tree}
lib=${1:?usage: t_exports.sh LIBMCAST_SO}
command -v nm >/dev/null || { echo "SKIP: no nm (Debian package binutils)"; exit 77; }
[ -f "$lib" ] || fail "no shared library at $lib"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

nm -D --defined-only "$lib" | awk '$2 ~ /^[A-Za-z]$/ {print $3}' |
	sed 's/@.*//' | sort -u >"$T/exported" || fail "nm failed on $lib"
# A declaration starts in column 0 and names its function before the
# first "(" (it may wrap after that); every one must carry MCAST_API.
grep -E '^[A-Za-z_].*\bmcast_[a-z0-9_]+\(' "$src/include/mcast.h" |
	grep -vE '^(static|typedef|#)' >"$T/decls"
bare=$(grep -v '^MCAST_API ' "$T/decls" | grep -o 'mcast_[a-z0-9_]*(' | tr -d '(')
[ -z "$bare" ] || fail "declared in mcast.h without MCAST_API:" $bare
grep -o 'mcast_[a-z0-9_]*(' "$T/decls" | sed -n 's/($//p' | sort -u >"$T/declared"
[ -s "$T/declared" ] || fail "no MCAST_API declarations found in mcast.h"
extra=$(comm -23 "$T/exported" "$T/declared")
missing=$(comm -13 "$T/exported" "$T/declared")
[ -z "$extra" ] || fail "exported but not declared in mcast.h:" $extra
[ -z "$missing" ] || fail "declared in mcast.h but not exported:" $missing
echo "ok: $(wc -l <"$T/declared") functions exported, nothing else"
