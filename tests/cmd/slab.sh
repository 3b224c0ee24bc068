#!/bin/sh
# kmem show slabinfo: the slabinfo 2.1 format with the snapshot's header, the
# boot caches and the kmalloc families with the real kernel's geometry (2 CPUs),
# newest cache first; meminfo's Slab lines; the slab tour chapters run.
set -eu
kmem=$1
src=$2
. "$src/tests/cmd/lib/common.sh"
out=$tmp

KMEM_QUIET=1 KMEM_CPUS=2 "$kmem" show slabinfo >"$out/s" || fail "kmem show slabinfo exited $?"
[ "$(sed -n 1p "$out/s")" = "slabinfo - version: 2.1" ] || fail "slabinfo version line"
snap="$src/tests/data/linux-6.18-x86_64/slabinfo.txt"
[ -f "$snap" ] || fail "no slabinfo snapshot at $snap"
[ "$(sed -n 2p "$out/s")" = "$(sed -n 2p "$snap")" ] ||
	fail "slabinfo header differs from the snapshot's: $(sed -n 2p "$out/s")"
grep -Eq '^kmalloc-8k +[0-9]+ +[0-9]+ +8192 +4 +8 : tunables +0 +0 +0 : slabdata +[0-9]+ +[0-9]+ +0$' "$out/s" ||
	fail "kmalloc-8k line: $(grep kmalloc-8k "$out/s")"
grep -Eq '^kmalloc-96 +[0-9]+ +[0-9]+ +96 +42 +1 ' "$out/s" || fail "kmalloc-96 line"
grep -Eq '^dma-kmalloc-192 +[0-9]+ +[0-9]+ +192 +21 +1 ' "$out/s" || fail "dma-kmalloc-192 line"
[ "$(grep -c '^kmalloc-rcl-' "$out/s")" -eq 13 ] || fail "13 kmalloc-rcl caches"
[ "$(grep -c '^kmalloc-cg-' "$out/s")" -eq 13 ] || fail "13 kmalloc-cg caches"
# newest first: the cg family (created last) before the normal one
cg=$(grep -n '^kmalloc-cg-8k ' "$out/s" | cut -d: -f1)
normal=$(grep -n '^kmalloc-8k ' "$out/s" | cut -d: -f1)
[ "$cg" -lt "$normal" ] || fail "newest cache first"
[ "$(tail -1 "$out/s" | cut -d' ' -f1)" = "kmem_cache" ] || fail "kmem_cache is the oldest"

KMEM_QUIET=1 "$kmem" show meminfo >"$out/m" || fail "meminfo"
slab=$(awk '/^Slab:/{print $2}' "$out/m")
rcl=$(awk '/^SReclaimable:/{print $2}' "$out/m")
unrcl=$(awk '/^SUnreclaim:/{print $2}' "$out/m")
[ "$slab" -gt 0 ] || fail "Slab is 0 kB after boot"
[ "$slab" -eq $((rcl + unrcl)) ] || fail "Slab != SReclaimable + SUnreclaim"

"$kmem" tour slab >"$out/t1" 2>&1 || fail "tour slab: $(tail -5 "$out/t1")"
grep -q "task_struct .* 5888    5    8 " "$out/t1" || fail "tour task_struct line"
# The three allocators side by side, read through kmem_cache_get_info():
# slab geometry, and the freed objects SLUB's sheaves and barn and SLAB's
# array caches keep.
grep -Eq "objects/pages per slab +5/8 +1/2 +no slabs" "$out/t1" ||
	fail "tour slab: objects/pages per slab"
grep -Eq "objects still cached above +400 +265 +0" "$out/t1" ||
	fail "tour slab: objects still cached"
"$kmem" tour kmalloc >"$out/t2" 2>&1 || fail "tour kmalloc: $(tail -5 "$out/t2")"
grep -q "kmalloc(100) = .* in cache kmalloc-128" "$out/t2" || fail "tour kmalloc(100)"
grep -q "kmalloc(8 MiB) = (nil)" "$out/t2" || fail "tour kmalloc(8 MiB)"
echo ok
