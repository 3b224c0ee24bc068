#!/bin/sh
# The machine and buddy chapters of `kmem tour` run and print measured figures.
set -eu
kmem=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$kmem" tour machine >"$out" 2>&1 || fail "tour machine exited $?"
grep -q "PAGE_OFFSET    0xc0000000" "$out" || fail "PAGE_OFFSET line"
grep -q "high_memory    0xca000000  (3G+160M)" "$out" || fail "high_memory of 160 MiB"
grep -q "VMALLOC_START  0xca800000  (3G+168M)  = high_memory + 8 MiB" "$out" || fail "8 MiB gap"
grep -Eq "> DMA +pfn +1- +4095" "$out" || fail "DMA zone"

"$kmem" tour pages >"$out" 2>&1 || fail "tour pages exited $?"
grep -Eq "alloc_pages\(GFP_DMA, 0\) +virt 0xc0[0-9a-f]{6} .*zone DMA" "$out" || fail "GFP_DMA page below 16 MiB"

"$kmem" tour fragment >"$out" 2>&1 || fail "tour fragment exited $?"
grep -Eq "alloc_pages\(GFP_KERNEL, 1\) with [0-9]{5,} kB free: NULL" "$out" || fail "order-1 failure with megabytes free"
grep -q "page allocation failure: order:1, mode:0x10cc0(GFP_KERNEL|__GFP_NORETRY), nodemask=(null)" "$out" ||
	fail "the failure report"

"$kmem" tour reserves >"$out" 2>&1 || fail "tour reserves exited $?"
grep -q "GFP_NOWAIT again:  NULL" "$out" || fail "GFP_NOWAIT fails"
grep -q "GFP_ATOMIC:        succeeded" "$out" || fail "GFP_ATOMIC succeeds"
echo "ok tour_machine"
