#!/bin/sh
# The Debian package (`make deb`, i.e. `cpack -G DEB` in the build directory):
# build it, check its control fields, unpack it into a clean directory tree
# (`dpkg -x`, as `apt install ./kmem_*.deb` would lay it out under /), and use
# it from there: every promised file is in it, a program builds against it
# with pkg-config and with find_package(kmem) and runs, and the command runs
# and finds its example data in the tree.
set -eu
kmem=$1
. "$(dirname "$0")/lib/common.sh"
command -v dpkg-deb >/dev/null 2>&1 || skip "dpkg-deb not installed (not a Debian system)"
command -v cpack >/dev/null 2>&1 || skip "cpack not installed"
command -v pkg-config >/dev/null 2>&1 || skip "pkg-config not installed"

(cd "$tmp" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/pkg") \
	>"$tmp/cpack.log" 2>&1 || { st=$?; cat "$tmp/cpack.log"; fail "cpack -G DEB exited $st"; }
deb=$(ls "$tmp"/pkg/kmem_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { cat "$tmp/cpack.log"; fail "no kmem_*.deb"; }
case "$(basename "$deb")" in
kmem_[0-9]*.[0-9]*.[0-9]*_*.deb) ;;
*) fail "package file name $(basename "$deb") is not kmem_VERSION_ARCH.deb" ;;
esac
dpkg-deb -f "$deb" Package Version Architecture Depends >"$tmp/control"
grep -qx "Package: kmem" "$tmp/control" || fail "Package field: $(cat "$tmp/control")"
grep -q "^Depends:.*libc6" "$tmp/control" || fail "Depends lacks libc6: $(cat "$tmp/control")"
grep -qx "Architecture: $(dpkg --print-architecture)" "$tmp/control" || fail "Architecture"

root=$tmp/root
dpkg-deb -x "$deb" "$root" || fail "dpkg -x"
for f in usr/bin/kmem usr/include/kmem-kernel/linux/slab.h usr/include/kmem-kernel/kmem/kmem.h \
	usr/share/man/man1/kmem.1 usr/share/man/man3/kmem.3 \
	usr/share/kmem/trace-ftrace.txt usr/share/kmem/linux-6.18-x86_64/slabinfo.txt; do
	[ -e "$root/$f" ] || fail "/$f is not in the package"
done
for f in libkmem.so.0 libkmem.so libkmem.a pkgconfig/kmem.pc cmake/kmem/kmemConfig.cmake \
	cmake/kmem/kmemConfigVersion.cmake cmake/kmem/kmemTargets.cmake; do
	[ -n "$(find "$root/usr/lib" -path "*/$f" | head -1)" ] || fail "lib/$f is not in the package"
done

# Debian's layout: the libraries, kmem.pc and the CMake package in the
# multiarch directory /usr/lib/<triplet>, nothing of them in /usr/lib itself.
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || cc -print-multiarch)
[ -n "$triplet" ] || fail "no multiarch triplet (dpkg-architecture, cc -print-multiarch)"
for f in libkmem.so.0 libkmem.so libkmem.a pkgconfig/kmem.pc cmake/kmem/kmemConfig.cmake \
	cmake/kmem/kmemTargets.cmake; do
	[ -e "$root/usr/lib/$triplet/$f" ] || fail "/usr/lib/$triplet/$f is not in the package"
	[ ! -e "$root/usr/lib/$f" ] || fail "/usr/lib/$f: the package installs to /usr/lib, not /usr/lib/$triplet"
done

cat >"$tmp/app.c" <<'APP'
#include <stdio.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <kmem/kmem.h>

int main(void)
{
	struct page *page = alloc_pages(GFP_KERNEL, 3);
	void *obj = kmalloc(200, GFP_KERNEL);

	if (!page || !obj || ksize(obj) != 256)
		return 1;
	__free_pages(page, 3);
	kfree(obj);
	return kmem_show("buddyinfo", stdout) || !kmem_check_invariants();
}
APP
mkdir "$tmp/run"
# pkg-config, with the unpacked tree's kmem.pc.
PKG_CONFIG_PATH=$(dirname "$(find "$root/usr/lib" -name kmem.pc)")
export PKG_CONFIG_PATH
# shellcheck disable=SC2046,SC2086
cc $extra -o "$tmp/app" "$tmp/app.c" $(pkg-config --cflags --libs kmem) 2>"$tmp/cc.log" ||
	{ cat "$tmp/cc.log"; fail "cc \$(pkg-config --cflags --libs kmem) against the package failed"; }
(cd "$tmp/run" && env -u LD_LIBRARY_PATH KMEM_QUIET=1 "$tmp/app") >"$tmp/app.out" 2>&1 ||
	{ st=$?; cat "$tmp/app.out"; fail "the pkg-config program exited $st"; }
grep -q "^Node 0, zone " "$tmp/app.out" || fail "the pkg-config program printed no buddyinfo"
ldd "$tmp/app" | grep -q "libkmem.so.0 => $root/" || fail "the program does not use the package's libkmem.so.0"

# find_package(kmem), with the unpacked tree as the prefix.
mkdir "$tmp/proj"
cp "$tmp/app.c" "$tmp/proj/"
cat >"$tmp/proj/CMakeLists.txt" <<'CML'
cmake_minimum_required(VERSION 3.18)
project(deb_user C)
find_package(kmem REQUIRED)
add_executable(app app.c)
target_link_libraries(app PRIVATE kmem::kmem_static)
CML
cmake -S "$tmp/proj" -B "$tmp/proj/b" -DCMAKE_PREFIX_PATH="$root/usr" -DCMAKE_C_FLAGS="$extra" \
	>"$tmp/proj.log" 2>&1 && cmake --build "$tmp/proj/b" >>"$tmp/proj.log" 2>&1 ||
	{ cat "$tmp/proj.log"; fail "find_package(kmem) against the package failed"; }
(cd "$tmp/run" && KMEM_QUIET=1 "$tmp/proj/b/app") >/dev/null 2>&1 || { st=$?; fail "the CMake program exited $st"; }

# The command, from another directory: its version, and the tour names the
# package's example data (tests/cmd/installed.sh runs such command lines).
(cd "$tmp/run" && "$root/usr/bin/kmem" --version) | grep -q "^kmem " || fail "kmem --version"
(cd "$tmp/run" && KMEM_QUIET=1 "$root/usr/bin/kmem" tour next) >"$tmp/next" 2>&1 || fail "kmem tour next"
grep -q "kmem replay $root/usr/share/kmem/trace-ftrace.txt$" "$tmp/next" ||
	{ cat "$tmp/next"; fail "the tour does not name the package's example data"; }
echo "ok deb: $(basename "$deb"), $(dpkg-deb -c "$deb" | wc -l) entries"
