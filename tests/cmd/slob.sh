#!/bin/sh
# kmem show slabinfo on SLOB (KMEM_SLAB=slob): as in the kernel, SLOB has no
# per-cache slabs and so no /proc/slabinfo data: the view prints the 2.1
# header and says so, with no cache line; the boot banner and `kmem show
# cmdline` name SLOB.
set -eu
kmem=$1
src=$2
. "$src/tests/cmd/lib/common.sh"

KMEM_QUIET=1 KMEM_SLAB=slob "$kmem" show slabinfo >"$tmp/s" || fail "show slabinfo: exit $?"
[ "$(sed -n 1p "$tmp/s")" = "slabinfo - version: 2.1" ] || fail "version line: $(sed -n 1p "$tmp/s")"
[ "$(sed -n 3p "$tmp/s")" = "# SLOB keeps no per-cache slabs: no /proc/slabinfo" ] ||
	fail "SLOB's note: $(cat "$tmp/s")"
[ "$(wc -l <"$tmp/s")" -eq 3 ] || fail "cache lines on SLOB: $(cat "$tmp/s")"
KMEM_QUIET=1 KMEM_SLAB=slob "$kmem" show cmdline >"$tmp/c" || fail "show cmdline: exit $?"
grep -q "slab_allocator=slob" "$tmp/c" || fail "cmdline: $(cat "$tmp/c")"
KMEM_SLAB=slob "$kmem" show cmdline 2>&1 | grep -q "SLOB" || fail "the banner does not name SLOB"
exit 0
