#!/usr/bin/env bash
# Install as a user would and use what was installed, as README.md says:
#   t_install.sh pkgconfig   into a DESTDIR and into a prefix outside the
#                            system's (cmake --install --prefix), then
#                            build a program with pkg-config and run it
#                            with an rpath and with LD_LIBRARY_PATH
#   t_install.sh cmake       build a program with find_package(mcast)
#   t_install.sh cli-shared  configure with MCAST_CLI_SHARED=ON: the
#                            installed mcast finds libmcast.so by itself,
#                            also once the prefix is moved
# The installed mcast runs in every case without LD_LIBRARY_PATH.
set -eu
fail() { echo "FAIL: $*" >&2; exit 1; }
build=${MCAST_BUILD:?MCAST_BUILD must name the build directory}
src=${MCAST_SRC:?MCAST_SRC must name the source tree}
mode=${1:?usage: t_install.sh pkgconfig|cmake|cli-shared}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
unset LD_LIBRARY_PATH
version=$(sed -n 's/^#define MCAST_VERSION[ \t]*"\([0-9.]*\)".*/\1/p' "$src/include/mcast.h")
[ -n "$version" ] || fail "no MCAST_VERSION in mcast.h"
san=
case "${MCAST_SANITIZE:-OFF}" in ON|1|TRUE|true) san=-fsanitize=address,undefined ;; esac

cat >"$T/use.c" <<'C'
#include <mcast.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
	struct sockaddr_storage g;
	char text[MCAST_ADDRSTRLEN];
	if (mcast_addr_parse("239.1.2.3:1600", MCAST_PARSE_GROUP | MCAST_PARSE_PORT, &g) < 0)
		return 1;
	if (strcmp(mcast_version(), MCAST_VERSION) != 0 ||
	    mcast_version_number() != MCAST_VERSION_NUMBER)
		return 2;
	mcast_addr_format((struct sockaddr *)&g, MCAST_FMT_PORT, text, sizeof(text));
	printf("%s %s %s\n", mcast_version(), text, mcast_strerror(MCAST_ENOTMCAST));
	return 0;
}
C
want="$version 239.1.2.3:1600 not a multicast group address"

# runs WHAT PROGRAM: the program starts and prints what it should.
runs() {
	local out
	out=$("$2" 2>&1) || fail "$1: exit $?: $out"
	[ "$out" = "$want" ] || fail "$1: got '$out', expected '$want'"
}
# mcast_runs PREFIX: the installed program starts on its own.
mcast_runs() {
	local out
	out=$("$1/bin/mcast" --version 2>&1) || fail "installed mcast in $1 does not start: $out"
	[ "$out" = "mcast $version" ] || fail "installed mcast --version: '$out'"
}
# installed PREFIX: everything README.md lists is there.
installed() {
	for f in bin/mcast include/mcast.h share/man/man1/mcast.1 \
		lib/cmake/mcast/mcastConfig.cmake lib/cmake/mcast/mcastConfigVersion.cmake; do
		find "$1" -path "*/$f" | grep -q . || fail "$f not installed in $1"
	done
	find "$1" -name mcast.pc | grep -q . || fail "no mcast.pc installed in $1"
	find "$1" -name libmcast.a | grep -q . || fail "static library not installed in $1"
	find "$1" -name "libmcast.so.$version" | grep -q . || fail "libmcast.so.$version not installed in $1"
	# Before 1.0 the soname names the minor release: 0.x minors break the ABI.
	local so soname=libmcast.so.${version%.*}
	so=$(find "$1" -name "libmcast.so.$version" | head -n 1)
	case $version in [1-9]*) soname=libmcast.so.${version%%.*} ;; esac
	if command -v readelf >/dev/null; then
		readelf -d "$so" | grep -q "SONAME.*\[$soname\]" ||
			fail "soname of $so is not $soname: $(readelf -d "$so" | grep SONAME)"
	fi
}

case $mode in
pkgconfig)
	command -v pkg-config >/dev/null || { echo "SKIP: pkg-config (Debian package pkg-config) not installed"; exit 77; }
	# A package build: DESTDIR, with mcast.pc naming the configured prefix.
	DESTDIR=$T/root cmake --install "$build" >"$T/install.log"
	installed "$T/root"
	pc=$(find "$T/root" -name mcast.pc | head -n 1)
	PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$T/root \
		cc -Wall -Werror $san "$T/use.c" -o "$T/use" \
		$(PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$T/root pkg-config --cflags --libs mcast)
	LD_LIBRARY_PATH=$(dirname "$(find "$T/root" -name libmcast.so | head -n 1)") runs "DESTDIR build" "$T/use"

	# A prefix of one's own: mcast.pc names it, not the configured one.
	cmake --install "$build" --prefix "$T/pfx" >"$T/install.log"
	installed "$T/pfx"
	mcast_runs "$T/pfx"
	export PKG_CONFIG_PATH=$(dirname "$(find "$T/pfx" -name mcast.pc)")
	[ "$(pkg-config --variable=prefix mcast)" = "$T/pfx" ] ||
		fail "mcast.pc names prefix $(pkg-config --variable=prefix mcast), not $T/pfx"
	[ "$(pkg-config --modversion mcast)" = "$version" ] ||
		fail "mcast.pc says version $(pkg-config --modversion mcast), not $version"
	libdir=$(pkg-config --variable=libdir mcast)
	cc -Wall -Werror $san "$T/use.c" -o "$T/use" $(pkg-config --cflags --libs mcast)
	# Outside the loader's directories a program needs a way to the
	# library; README.md gives both.
	LD_LIBRARY_PATH=$libdir runs "pkg-config build, LD_LIBRARY_PATH" "$T/use"
	cc -Wall -Werror $san "$T/use.c" -o "$T/use-rpath" $(pkg-config --cflags --libs mcast) \
		-Wl,-rpath,"$libdir"
	runs "pkg-config build with -Wl,-rpath" "$T/use-rpath"
	;;
cmake)
	cmake --install "$build" --prefix "$T/pfx" >"$T/install.log"
	installed "$T/pfx"
	mcast_runs "$T/pfx"
	mkdir "$T/proj"
	cp "$T/use.c" "$T/proj/"
	cat >"$T/proj/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.16)
project(use LANGUAGES C)
find_package(mcast $(echo "$version" | cut -d. -f1,2) REQUIRED)
add_executable(use use.c)
target_link_libraries(use PRIVATE mcast::mcast)
target_compile_options(use PRIVATE -Wall -Werror $san)
target_link_options(use PRIVATE $san)
CM
	cmake -S "$T/proj" -B "$T/proj/build" -DCMAKE_PREFIX_PATH="$T/pfx" >"$T/cmake.log" 2>&1 ||
		fail "find_package(mcast) failed: $(tail -n 20 "$T/cmake.log")"
	cmake --build "$T/proj/build" >"$T/build.log" 2>&1 ||
		fail "building against mcast::mcast failed: $(tail -n 20 "$T/build.log")"
	# CMake gives a build-tree program the library's directory as rpath.
	runs "find_package(mcast) build" "$T/proj/build/use"
	# The version file refuses what this release does not promise.
	for bad in 0.1 1.0 9; do
		sed -i "s/^find_package(mcast [0-9.]*/find_package(mcast $bad/" "$T/proj/CMakeLists.txt"
		if cmake -S "$T/proj" -B "$T/proj/build-$bad" -DCMAKE_PREFIX_PATH="$T/pfx" >"$T/cmake.log" 2>&1; then
			fail "find_package(mcast $bad) accepted version $version"
		fi
	done
	;;
cli-shared)
	command -v ninja >/dev/null && gen=(-G Ninja) || gen=()
	cmake -S "$src" -B "$T/b" "${gen[@]}" -DMCAST_CLI_SHARED=ON -DBUILD_TESTING=OFF \
		-DCMAKE_BUILD_TYPE= >"$T/cmake.log" 2>&1 || fail "configure: $(tail -n 20 "$T/cmake.log")"
	cmake --build "$T/b" -j 2 >"$T/build.log" 2>&1 || fail "build: $(tail -n 20 "$T/build.log")"
	cmake --install "$T/b" --prefix "$T/pfx" >"$T/install.log"
	installed "$T/pfx"
	command -v readelf >/dev/null &&
		{ readelf -d "$T/pfx/bin/mcast" | grep -q 'NEEDED.*libmcast\.so' ||
			fail "mcast is not linked to libmcast.so: $(readelf -d "$T/pfx/bin/mcast")"; }
	mcast_runs "$T/pfx"
	mv "$T/pfx" "$T/moved"
	mcast_runs "$T/moved"
	;;
*) fail "unknown mode '$mode'" ;;
esac
echo "install ($mode) works"
