#!/bin/sh
# kmem tour slab: the chapter ends with the same program on SLUB, SLAB and
# SLOB side by side (three boots). SLAB's and SLOB's columns are their own
# rules' numbers: task_struct (5840 bytes, align 64) is 5888 bytes, 1 per
# 2-page slab on SLAB (order 1 is the first that holds one, and slab_max_order
# stops there), its own 5840-byte block on SLOB; SLOB caches nothing and
# gives every page back once all is freed; kmalloc(100)'s ksize is 128 on
# SLUB and SLAB, 100 on SLOB.
set -eu
kmem=$1
src=$2
. "$src/tests/cmd/lib/common.sh"

"$kmem" tour slab >"$tmp/t" 2>&1 || fail "tour slab: exit $?: $(tail -5 "$tmp/t")"
grep -q "\[a fresh machine: x86-64, 256 MiB RAM, 2 CPUs, SLAB\]" "$tmp/t" || fail "no SLAB boot"
grep -q "\[a fresh machine: x86-64, 256 MiB RAM, 2 CPUs, SLOB\]" "$tmp/t" || fail "no SLOB boot"
row() { # row LABEL: the row's three cells
	grep -E "^  > +$1 " "$tmp/t" | sed -E "s|^  > +$1 +||" | tr -s ' '
}
[ "$(grep -Ec '^  > +SLUB +SLAB +SLOB$' "$tmp/t")" = 1 ] || fail "no SLUB SLAB SLOB header"
[ "$(row 'task_struct: bytes per object')" = "5888 5888 5840" ] ||
	fail "task_struct bytes: $(row 'task_struct: bytes per object')"
[ "$(row 'objects/pages per slab')" = "5/8 1/2 no slabs" ] ||
	fail "objects/pages per slab: $(row 'objects/pages per slab')"
[ "$(row 'kmalloc\(100\): ksize')" = "128 128 100" ] ||
	fail "kmalloc(100) ksize: $(row 'kmalloc\(100\): ksize')"
# demo-512 (512-byte objects, 8 per page on SLAB with off-slab management):
# 400 of them take 50 pages on SLAB plus the management's kmalloc pages.
set -- $(row 'demo-512: pages, 400 allocated')
[ "$2" -ge 50 ] && [ "$3" -ge 50 ] || fail "demo-512 at peak: $*"
set -- $(row 'all freed')
[ "$3" = 0 ] || fail "SLOB keeps pages after all is freed: $*"
set -- $(row 'objects still cached above')
[ "$2" -gt 0 ] && [ "$3" = 0 ] || fail "cached objects: SLAB's arrays keep some, SLOB none: $*"
set -- $(row 'after kmem_cache_shrink\(\)')
[ "$3" = 0 ] || fail "after shrink: $*"
# What the chapter says about the map is true: the lists are SLAB's, seen
# through a replay on a SLAB machine.
tr -s ' \n' '  ' <"$tmp/t" | grep -q "KMEM_SLAB=slab kmem replay TRACE --map FILE.html colours SLAB's full, partial and free slabs" ||
	fail "the chapter does not say how to see SLAB's lists"
exit 0
