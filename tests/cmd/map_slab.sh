#!/bin/sh
# kmem map on a SLAB machine (KMEM_SLAB=slab): every slab class names its
# list (full, partial or free: SLAB's slabs_full, slabs_partial, slabs_free),
# the page colours by it, and the classes of a slab agree with its objects;
# on SLUB no class carries a list.
set -eu
kmem=$1
src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is needed to parse the page"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
check=$src/tests/cmd/map_check.py
trace=$src/tests/data/trace-ftrace.txt

KMEM_SLAB=slab KMEM_QUIET=1 "$kmem" replay --map "$out/slab.html" "$trace" >"$out/r" ||
	fail "KMEM_SLAB=slab replay --map: exit $?"
python3 "$check" "$out/slab.html" || fail "the SLAB page"
grep -q "slab_state" "$src/tools/kmem/map.html" || fail "the page does not colour by list"
python3 - "$out/slab.html" <<'PY' || fail "SLAB's lists in the snapshot"
import json, re, sys
d = json.loads(re.search(r'<script id="kmem-data" type="application/json">(.*?)</script>',
                         open(sys.argv[1]).read(), re.S).group(1))
cls = d["classes"]
blocks = d["blocks"]
states = set()
for i in range(0, len(blocks), 5):
    pfn, order, c, inuse, objects = blocks[i:i + 5]
    k = cls[c]
    if k["kind"] != "slab" or "cache" not in k:
        continue
    want = "full" if inuse == objects else "partial" if inuse else "free"
    assert k.get("slab_state") == want, (k, inuse, objects)
    assert k["label"].endswith("(%s slab)" % want), k["label"]
    states.add(want)
assert {"full", "partial"} <= states, states
PY

KMEM_SLAB=slub KMEM_QUIET=1 "$kmem" replay --map "$out/slub.html" "$trace" >"$out/r" ||
	fail "KMEM_SLAB=slub replay --map: exit $?"
if grep -q '"slab_state"' "$out/slub.html"; then fail "SLUB's page names SLAB's lists"; fi
exit 0
