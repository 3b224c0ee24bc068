#!/bin/sh
# find_package(kmem) from an outside project: `cmake --install` into a
# temporary prefix, then configure, build and run a small CMake project that
# links kmem::kmem (shared) and kmem::kmem_static, as a user's project would.
# Also: the version file refuses an incompatible version, and the installed
# command runs from any directory.
set -eu
kmem=$1
. "$(dirname "$0")/lib/common.sh"

install_prefix "$tmp/prefix"
cfg=$(find "$tmp/prefix" -name kmemConfig.cmake)
[ -n "$cfg" ] || fail "kmemConfig.cmake not installed"
[ -f "$(dirname "$cfg")/kmemConfigVersion.cmake" ] || fail "kmemConfigVersion.cmake not installed"


mkdir -p "$tmp/app"
cat >"$tmp/app/CMakeLists.txt" <<'CML'
cmake_minimum_required(VERSION 3.18)
project(kmem_user C)
find_package(kmem 0.1 REQUIRED)
add_executable(app_shared app.c)
target_link_libraries(app_shared PRIVATE kmem::kmem)
add_executable(app_static app.c)
target_link_libraries(app_static PRIVATE kmem::kmem_static)
CML
cat >"$tmp/app/app.c" <<'APP'
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <kmem/kmem.h>

int main(void)
{
	char *k = kmalloc(100, GFP_KERNEL);
	char *v = vmalloc(1 << 20);

	if (!k || !v || ksize(k) != 128)
		return 1;
	v[(1 << 20) - 1] = 1;
	/* The fork handlers (init/fork.c) are reached only through their
	 * constructor: without them the child would write to the parent's
	 * RAM. */
	k[0] = 'p';
	pid_t pid = fork();
	if (pid == 0) {
		k[0] = 'c';
		_exit(0);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    k[0] != 'p')
		return 4;
	kfree(k);
	vfree(v);
	/* slabinfo comes from a file the application never references: the
	 * static library must bring it along. */
	if (kmem_show("slabinfo", stdout))
		return 2;
	return kmem_check_invariants() ? 0 : 3;
}
APP
cmake -S "$tmp/app" -B "$tmp/app/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
	-DCMAKE_C_FLAGS="$extra" >"$tmp/configure.log" 2>&1 ||
	{ cat "$tmp/configure.log"; fail "configuring a project with find_package(kmem) failed"; }
cmake --build "$tmp/app/build" >"$tmp/build.log" 2>&1 ||
	{ cat "$tmp/build.log"; fail "building against kmem::kmem and kmem::kmem_static failed"; }
# Run from another directory, with no LD_LIBRARY_PATH: CMake's build rpath
# names the prefix's library directory.
mkdir "$tmp/elsewhere"
for app in app_shared app_static; do
	(cd "$tmp/elsewhere" && env -u LD_LIBRARY_PATH KMEM_QUIET=1 "$tmp/app/build/$app") \
		>"$tmp/$app.out" 2>&1 || { st=$?; cat "$tmp/$app.out"; fail "$app exited $st"; }
	grep -q "^kmalloc-128 " "$tmp/$app.out" || fail "$app: no slabinfo"
done
ldd "$tmp/app/build/app_shared" | grep -q "libkmem.so.0 => $tmp/prefix/" ||
	fail "app_shared does not load the installed libkmem.so.0: $(ldd "$tmp/app/build/app_shared")"
if ldd "$tmp/app/build/app_static" | grep -q libkmem; then
	fail "app_static depends on libkmem.so"
fi

# An incompatible version is refused by kmemConfigVersion.cmake.
sed -i 's/find_package(kmem 0.1 REQUIRED)/find_package(kmem 7.0 REQUIRED)/' "$tmp/app/CMakeLists.txt"
if cmake -S "$tmp/app" -B "$tmp/app/build7" -DCMAKE_PREFIX_PATH="$tmp/prefix" >"$tmp/v7.log" 2>&1; then
	fail "find_package(kmem 7.0) accepted version 0.x"
fi
grep -q "version: 0\.1" "$tmp/v7.log" || { cat "$tmp/v7.log"; fail "no version message"; }

# The installed command, from an unrelated directory.
(cd "$tmp/elsewhere" && "$tmp/prefix/bin/kmem" --version) | grep -Eq '^kmem [0-9]+\.[0-9]+\.[0-9]+$' ||
	fail "installed kmem --version"
echo "ok cmake_package"
