#!/usr/bin/env bash
# The public header compiles alone, warning-free and pedantic, in every
# dialect a program may use: t_header.sh c (C99, C11, GNU11) or
# t_header.sh c++ (C++11, C++17, C++20; skipped without a C++ compiler).
# Every public struct is sized, so an incomplete member type fails here.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
src=${MCAST_SRC:?MCAST_SRC must name the source tree}
lang=${1:?usage: t_header.sh c|c++}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

structs=$(sed -n 's/^struct \(mcast_[a-z0-9_]*\) {$/\1/p' "$src/include/mcast.h")
[ -n "$structs" ] || fail "no public structs found in mcast.h"
{
	echo '#include <mcast.h>'
	echo 'int main(void)'
	echo '{'
	echo '	struct mcast_meta meta;'
	echo '	size_t total = 0;'
	for s in $structs; do echo "	total += sizeof(struct $s);"; done
	echo '	mcast_meta_init(&meta);'
	echo '	return meta.size == sizeof(meta) && total > 0 ? 0 : 1;'
	echo '}'
} >"$T/use.c"

case $lang in
c)
	cc=${CC:-cc}
	command -v "$cc" >/dev/null || fail "no C compiler ($cc)"
	stds="c99 c11 gnu11"
	file=$T/use.c
	;;
c++)
	cc=
	for c in ${CXX:-} c++ g++ clang++; do
		command -v "$c" >/dev/null && { cc=$c; break; }
	done
	[ -n "$cc" ] || { echo "SKIP: no C++ compiler (Debian package g++)"; exit 77; }
	stds="c++11 c++17 c++20"
	cp "$T/use.c" "$T/use.cc"
	file=$T/use.cc
	;;
*) fail "unknown language '$lang'" ;;
esac

for std in $stds; do
	"$cc" -std="$std" -pedantic -Wall -Wextra -Werror -I"$src/include" \
		-c "$file" -o "$T/use.o" 2>"$T/err" ||
		fail "mcast.h does not compile with $cc -std=$std:
$(head -n 20 "$T/err")"
	echo "ok: $cc -std=$std"
done
