#!/bin/sh
# kmem show slab_allocators: Linux 3.4's /proc/slab_allocators
# (CONFIG_DEBUG_SLAB_LEAK) on a SLAB machine with red zones and store-user
# (slab_debug=ZU): exit 0 and every line "<cache>: <count> <func+0xoff/0xsize>";
# the view is listed; on SLUB it says the file is SLAB's. The counts
# themselves are checked in tests/unit/slab_classic_debug.c.
set -eu
kmem=$1
src=$2
. "$src/tests/cmd/lib/common.sh"

"$kmem" show nosuchview >"$tmp/list" 2>&1 || true
grep -qx "  slab_allocators" "$tmp/list" || fail "the views do not list slab_allocators: $(cat "$tmp/list")"

KMEM_QUIET=1 KMEM_SLAB=slab KMEM_CMDLINE=slab_debug=ZU "$kmem" show slab_allocators >"$tmp/s" ||
	fail "KMEM_SLAB=slab show slab_allocators: exit $?"
if grep -Evq '^[^ ]+: [1-9][0-9]* [^ ]+$' "$tmp/s"; then
	fail "a line not in 3.4's format: $(grep -Ev '^[^ ]+: [1-9][0-9]* [^ ]+$' "$tmp/s" | head -3)"
fi
KMEM_QUIET=1 KMEM_SLAB=slab "$kmem" show /proc/slab_allocators >"$tmp/s" ||
	fail "show /proc/slab_allocators without debugging: exit $?"
[ ! -s "$tmp/s" ] || fail "no debug cache, yet: $(head -3 "$tmp/s")"

KMEM_QUIET=1 KMEM_SLAB=slub "$kmem" show slab_allocators >"$tmp/s" ||
	fail "KMEM_SLAB=slub show slab_allocators: exit $?"
grep -qx "# slab_allocators is SLAB's (CONFIG_DEBUG_SLAB_LEAK); this machine runs SLUB (KMEM_SLAB=slab)" "$tmp/s" ||
	fail "SLUB: $(cat "$tmp/s")"
exit 0
