#!/bin/sh
# `cmake --install` into a temporary prefix, then build and run an application
# against it with `cc app.c $(pkg-config --cflags --libs kmem)`, as the README
# says. The application uses the kernel-compatible headers and kmem's API.
set -eu
kmem=$1
. "$(dirname "$0")/lib/common.sh"
command -v pkg-config >/dev/null 2>&1 || { echo "SKIP: no pkg-config"; exit 77; }

install_prefix "$tmp/prefix"
pc=$(find "$tmp/prefix" -name kmem.pc | head -1)
[ -n "$pc" ] || fail "kmem.pc not installed"
[ -x "$tmp/prefix/bin/kmem" ] || fail "the kmem command not installed"
[ -f "$tmp/prefix/include/kmem-kernel/linux/gfp.h" ] || fail "headers not installed"
libdir=$(dirname "$(dirname "$pc")")

cat >"$tmp/app.c" <<'APP'
#include <stdio.h>
#include <string.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <kmem/kmem.h>

int main(void)
{
	struct page *page = alloc_pages(GFP_KERNEL, 2);
	char *addr;
	size_t mark;

	if (!page)
		return 1;
	addr = page_address(page);
	memset(addr, 0x5a, 4 * PAGE_SIZE);
	if (virt_to_page(addr) != page || virt_to_phys(addr) != page_to_phys(page))
		return 2;
	printf("order-2 block at phys 0x%llx\n", (unsigned long long)page_to_phys(page));
	__free_pages(page, 2);
	kmem_log_set_console(NULL);
	mark = kmem_log_mark();
	__free_pages(page, 2); /* a double free is reported, not fatal */
	if (!kmem_log_contains(mark, "BUG: Bad page state"))
		return 3;
	if (kmem_show("buddyinfo", stdout))
		return 4;
	return kmem_check_invariants() ? 0 : 5;
}
APP

# A sanitizer build's library needs the application linked with the same
# sanitizer (KMEM_SANITIZE: ON/address is ASan+UBSan, thread is TSan).
PKG_CONFIG_PATH="$libdir/pkgconfig"
export PKG_CONFIG_PATH
# shellcheck disable=SC2046
cc $extra -o "$tmp/app" "$tmp/app.c" $(pkg-config --cflags --libs kmem) ||
	fail "cc app.c \$(pkg-config --cflags --libs kmem) failed"
# No LD_LIBRARY_PATH: kmem.pc's Libs carry the rpath (README, "Usage").
(cd / && env -u LD_LIBRARY_PATH KMEM_QUIET=1 "$tmp/app") >"$tmp/out" 2>&1 ||
	{ cat "$tmp/out"; fail "the application exited $?"; }
grep -q "^order-2 block at phys 0x" "$tmp/out" || fail "application output"
grep -Eq "^Node 0, zone    DMA32( +[0-9]+){11} $" "$tmp/out" || fail "buddyinfo from the application"

# The same application linked statically against libkmem.a: every layer's
# views and initcalls must come along (KMEM_LINK_ANCHOR), although the
# application references none of them directly.
# shellcheck disable=SC2046
cc $extra -o "$tmp/app-static" "$tmp/app.c" $(pkg-config --cflags kmem) \
	"$libdir/libkmem.a" $(pkg-config --static --libs kmem | sed 's/-lkmem//') 2>"$tmp/static.log" ||
	{ cat "$tmp/static.log"; fail "static link against libkmem.a failed"; }
KMEM_QUIET=1 "$tmp/app-static" >"$tmp/out-static" 2>&1 ||
	{ cat "$tmp/out-static"; fail "the static application exited $?"; }
grep -Eq "^Node 0, zone    DMA32( +[0-9]+){11} $" "$tmp/out-static" || fail "buddyinfo from the static application"
echo "ok install"
