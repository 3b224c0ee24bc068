#!/bin/sh
# kmem map on a SLAB machine (KMEM_SLAB=slab): every slab class names its
# list (full, partial or free: SLAB's slabs_full, slabs_partial, slabs_free),
# the page colours by it, and the classes of a slab agree with its objects;
# a trace made here leaves size-2048 with slabs on all three lists, each
# coloured; on SLUB no class carries a list.
set -eu
kmem=$1
src=$2
. "$src/tests/cmd/lib/common.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed to parse the page"
check=$src/tests/cmd/map_check.py

# The lists of a snapshot: every slab block's class must name the list its
# objects put it on; prints the states seen as "cache:state" lines.
lists() {
	python3 - "$1" <<'PY'
import json, re, sys
d = json.loads(re.search(r'<script id="kmem-data" type="application/json">(.*?)</script>',
                         open(sys.argv[1]).read(), re.S).group(1))
cls = d["classes"]
blocks = d["blocks"]
seen = set()
for i in range(0, len(blocks), 5):
    pfn, order, c, inuse, objects = blocks[i:i + 5]
    k = cls[c]
    if k["kind"] != "slab" or "cache" not in k:
        continue
    want = "full" if inuse == objects else "partial" if inuse else "free"
    assert k.get("slab_state") == want, (k, inuse, objects)
    assert k["label"].endswith("(%s slab)" % want), k["label"]
    seen.add("%s:%s" % (k["cache"], want))
for s in sorted(seen):
    print(s)
PY
}

# The example trace: full and partial slabs.
KMEM_SLAB=slab KMEM_QUIET=1 "$kmem" replay --map "$tmp/slab.html" \
	"$src/tests/data/trace-ftrace.txt" >"$tmp/r" ||
	fail "KMEM_SLAB=slab replay --map: exit $?"
python3 "$check" "$tmp/slab.html" || fail "the SLAB page"
grep -q "c.slab_state" "$src/tools/kmem/map.html" || fail "the page does not colour by list"
grep -q "{ full: hsl(.*), partial: hsl(.*), free: hsl(.*) }\[c.slab_state\]" "$tmp/slab.html" ||
	fail "the page has no colour for each of the three lists"
lists "$tmp/slab.html" >"$tmp/states" || fail "SLAB's lists in the snapshot"
grep -q ":full$" "$tmp/states" || fail "no full slab: $(cat "$tmp/states")"
grep -q ":partial$" "$tmp/states" || fail "no partial slab: $(cat "$tmp/states")"

# A trace of 200 kmalloc(2048) (size-2048: 2 objects a page; limit 24,
# batchcount 12, no shared array on one CPU; free_limit 2 * 12 + 2 = 26)
# and the kfree of all but every tenth: the array overflows into
# free_block, which files pairs it empties on slabs_free while the node
# keeps at most 26 free objects and gives the other empty slabs back; a
# pair with one object back is partial, a pair kept or cached is full.
awk 'BEGIN {
	print "# tracer: nop"
	for (i = 0; i < 200; i++)
		printf "            bash-2460    [000] .....   300.%06d: kmalloc: call_site=map_test+0x10/0x40 ptr=%016x bytes_req=2048 bytes_alloc=2048 gfp_flags=GFP_KERNEL node=-1 accounted=false\n", ++t, 4096 + 16 * i
	for (i = 0; i < 200; i++)
		if (i % 10 != 9)
			printf "            bash-2460    [000] .....   300.%06d: kfree: call_site=map_test+0x20/0x40 ptr=%016x\n", ++t, 4096 + 16 * i
}' >"$tmp/lists.txt"
KMEM_SLAB=slab KMEM_QUIET=1 "$kmem" replay --map "$tmp/lists.html" "$tmp/lists.txt" >"$tmp/r" ||
	fail "KMEM_SLAB=slab replay --map of the lists trace: exit $?"
grep -q "kfree  *180 " "$tmp/r" || fail "the lists trace: $(cat "$tmp/r")"
python3 "$check" "$tmp/lists.html" || fail "the lists trace's page"
lists "$tmp/lists.html" >"$tmp/states" || fail "SLAB's lists after the lists trace"
for state in full partial free; do
	grep -qx "size-2048:$state" "$tmp/states" ||
		fail "size-2048 has no $state slab in the map: $(cat "$tmp/states")"
done
# The legend names the three, so a reader can tell them apart.
for state in full partial free; do
	grep -q "size-2048 ($state slab)" "$tmp/lists.html" ||
		fail "no legend entry for size-2048's $state slabs"
done

KMEM_SLAB=slub KMEM_QUIET=1 "$kmem" replay --map "$tmp/slub.html" \
	"$src/tests/data/trace-ftrace.txt" >"$tmp/r" ||
	fail "KMEM_SLAB=slub replay --map: exit $?"
if grep -q '"slab_state"' "$tmp/slub.html"; then fail "SLUB's page names SLAB's lists"; fi
exit 0
