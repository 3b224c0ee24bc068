#!/bin/sh
# Install the Debian packages kmem uses beyond gcc, make and cmake, if missing:
#   liblzma-dev, zlib1g-dev  compressed trace input for `kmem replay`
#   libdw-dev                elfutils' libdw: callers printed as the kernel
#                            does, function+0xoff/0xsize (kernel/kallsyms.c)
#   pkg-config               the installed kmem.pc
#   man-db                   `man`, to read (and test) the man pages
# Benchmark peers (libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev) and
# chromium and firefox-esr (the `kmem map` rendering tests) are installed by
# their own targets:
#   KMEM_DEPS_EXTRA=1 sh scripts/install-deps.sh
# and gnuplot-nox (the plots of `make bench`) by that target:
#   KMEM_DEPS_BENCH=1 sh scripts/install-deps.sh
# CI (.ci/run) adds clang (the clang -Werror build, libFuzzer, TSan),
# clang-format (make format-check) and gnuplot-nox (tests/cmd/bench_quick.sh
# draws make bench's plots):
#   KMEM_DEPS_CI=1 KMEM_DEPS_EXTRA=1 sh scripts/install-deps.sh
# Needs root (or sudo) only when something is missing; otherwise prints nothing.
# Exit status: 0 when everything is there (or was installed); 3 when some
# package is still missing (the build goes on without it, and `make` checks
# again next time); `make` runs it once per build directory otherwise.
set -e
need="liblzma-dev zlib1g-dev libdw-dev pkg-config man-db"
if [ "${KMEM_DEPS_BENCH:-0}" = 1 ]; then
	need="$need gnuplot-nox"
fi
if [ "${KMEM_DEPS_CI:-0}" = 1 ]; then
	need="$need clang clang-format gnuplot-nox"
fi
if [ "${KMEM_DEPS_EXTRA:-0}" = 1 ]; then
	need="$need libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev chromium firefox-esr"
fi
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "kmem: installing Debian packages:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
		echo "kmem: not root and no sudo: install$missing by hand, or build without them" >&2
		exit 3
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null || true
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
	echo "kmem: apt-get install$missing failed; continuing without them" >&2
	exit 3
}
echo "kmem: installed$missing"
