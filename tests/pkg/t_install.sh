#!/usr/bin/env bash
# Install into a DESTDIR, then build and run a program against the
# installed header and shared library found through pkg-config.
set -eu
build=${MCAST_BUILD:?MCAST_BUILD must name the build directory}
command -v pkg-config >/dev/null || { echo "SKIP: pkg-config (Debian package pkg-config) not installed"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

DESTDIR=$T/root cmake --install "$build" >"$T/install.log"
pc=$(find "$T/root" -name mcast.pc | head -n 1)
[ -n "$pc" ] || { echo "FAIL: no mcast.pc installed"; exit 1; }
for f in bin/mcast include/mcast.h share/man/man1/mcast.1; do
	find "$T/root" -path "*/$f" | grep -q . || { echo "FAIL: $f not installed"; exit 1; }
done
find "$T/root" -name 'libmcast.a' | grep -q . || { echo "FAIL: static library not installed"; exit 1; }
find "$T/root" -name 'libmcast.so*' | grep -q . || { echo "FAIL: shared library not installed"; exit 1; }

cat >"$T/use.c" <<'C'
#include <mcast.h>
#include <stdio.h>
int main(void)
{
	struct sockaddr_storage g;
	char text[MCAST_ADDRSTRLEN];
	if (mcast_addr_parse("239.1.2.3:1600", MCAST_PARSE_GROUP | MCAST_PARSE_PORT, &g) < 0)
		return 1;
	mcast_addr_format((struct sockaddr *)&g, MCAST_FMT_PORT, text, sizeof(text));
	printf("%s %s\n", text, mcast_strerror(MCAST_ENOTMCAST));
	return 0;
}
C
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$T/root
san=
case "${MCAST_SANITIZE:-OFF}" in ON|1|TRUE|true) san=-fsanitize=address,undefined ;; esac
cc -Wall -Werror $san "$T/use.c" -o "$T/use" $(pkg-config --cflags --libs mcast)
libdir=$(dirname "$(find "$T/root" -name 'libmcast.so' | head -n 1)")
out=$(LD_LIBRARY_PATH=$libdir "$T/use")
[ "$out" = "239.1.2.3:1600 not a multicast group address" ] || { echo "FAIL: got '$out'"; exit 1; }
echo "installed tree works: $out"
