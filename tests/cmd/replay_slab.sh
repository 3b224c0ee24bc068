#!/bin/sh
# kmem replay --slab: the same trace on each slab allocator side by side.
# Every allocator named gets a column: numbers if this build has it, else a
# line saying it is not built (never a silent skip); a bad list is usage.
set -eu
kmem=$1
src=$2
data=$src/tests/data
. "$src/tests/cmd/lib/common.sh"
out=$tmp
export KMEM_QUIET=1

"$kmem" replay --help | grep -q -- "--slab LIST" || fail "--help does not list --slab"

"$kmem" replay --slab slub,slab,slob "$data/trace-ftrace.txt" >"$out/r" 2>"$out/e" ||
	fail "exit $?: $(cat "$out/e")"
grep -Eq "^slab allocators: the same 16 object operations on each" "$out/r" ||
	fail "no table: $(cat "$out/r")"
grep -Eq "^ +slub +slab +slob$" "$out/r" || fail "header row: $(cat "$out/r")"
# SLUB is always built: numbers in its column.
grep -Eq "^  slab memory at peak \(KiB\) +[0-9]+\.[0-9]" "$out/r" || fail "slub memory row"
grep -Eq "^  failures +0 " "$out/r" || fail "slub failures row"
grep -Eq "^  time per operation \(ns CPU, median\) +[0-9]+\.[0-9]" "$out/r" || fail "time row"
# The others: a column of numbers, or a line saying why not.
for a in slab slob; do
	if grep -q "^  $a: " "$out/r"; then
		grep -q "^  $a: not built in this kmem" "$out/r" || fail "$a: $(grep "^  $a: " "$out/r")"
		grep -q "skipping $a: not built" "$out/e" || fail "$a: no notice on stderr"
	fi
done
# SLAB's per-CPU and shared arrays hold objects after the first refill
# (16 taken from a slab, one handed out): the caches' column is not 0 there
# (it was: only SLUB's sheaves were counted, SLAB's arrays went into the
# external fragmentation); SLOB caches nothing.
if ! grep -q "^  slab: not built" "$out/r"; then
	grep -Eq "^  per-CPU\+shared caches, peak \(pages\) +[0-9.]+ +([1-9][0-9]*\.[0-9]|0\.[1-9]) " "$out/r" ||
		fail "SLAB's arrays not counted: $(grep "caches, peak" "$out/r")"
fi
if ! grep -q "^  slob: not built" "$out/r"; then
	grep -Eq "^  per-CPU\+shared caches, peak \(pages\) .* 0\.0$" "$out/r" ||
		fail "SLOB caches something: $(grep "caches, peak" "$out/r")"
fi
# SLAB's classes against the trace: of the 9 kmalloc events, 3 differ
# (SLUB gave 16, 96 and 16 bytes where SLAB gives 32, 128 and 32).
grep -q "SLAB's kmalloc classes (kmalloc_sizes.h) against the trace: 3 of 9 kmalloc bytes_alloc differ" "$out/r" ||
	fail "SLAB class fidelity: $(grep "SLAB's" "$out/r")"

# JSON: a slab_compare member with one entry per allocator.
"$kmem" replay --json --slab slub,slob "$data/trace-ftrace.txt" >"$out/j" 2>/dev/null ||
	fail "--json: exit $?"
python3 - "$out/j" <<'PY' || fail "--json: $(cat "$out/j")"
import json, sys
d = json.load(open(sys.argv[1]))["slab_compare"]
names = [a["name"] for a in d["allocators"]]
assert names == ["slub", "slob"], names
slub = d["allocators"][0]
assert slub["ran"] and slub["failures"] == 0, slub
assert slub["peak"]["slab_bytes"] > 0 and slub["peak"]["objects"] > 0, slub
assert d["slab_kmalloc_classes"]["kmalloc_events"] == 9, d
for a in d["allocators"][1:]:
    assert a["ran"] or "not built" in a["why"], a
PY
"$kmem" replay --json --slab slab "$data/trace-ftrace.txt" >"$out/j" 2>/dev/null ||
	fail "--json --slab slab: exit $?"
python3 - "$out/j" <<'PY' || fail "--json SLAB's cached bytes: $(cat "$out/j")"
import json, sys
a = json.load(open(sys.argv[1]))["slab_compare"]["allocators"][0]
assert a["name"] == "slab", a
if a["ran"]:
    p = a["peak"]
    assert p["cached_bytes"] > 0, p
    assert p["slab_bytes"] == p["block_bytes"] + p["cached_bytes"] + p["external_fragmentation_bytes"], p
PY

# Bad lists are usage errors.
st=0
"$kmem" replay --slab slub,slab9 "$data/trace-ftrace.txt" >/dev/null 2>"$out/e" || st=$?
[ "$st" = 2 ] || fail "unknown allocator: exit $st"
grep -q "unknown slab allocator 'slab9'" "$out/e" || fail "unknown allocator: $(cat "$out/e")"
st=0
"$kmem" replay --slab , "$data/trace-ftrace.txt" >/dev/null 2>"$out/e" || st=$?
[ "$st" = 2 ] || fail "empty list: exit $st"
echo ok
