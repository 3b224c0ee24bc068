#!/bin/sh
# kmem replay and kmem map on input and options that must be refused or must
# not drive the machine's size: requests that can never succeed, CPU numbers
# beyond what a machine can have, a huge trace (the automatic sizing ceiling),
# garbage after an xz magic, align=0 on a vmap line, --caches abc, and output
# paths that cannot be written (checked before any work).
set -eu
kmem=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export KMEM_QUIET=1

# An ftrace kmalloc line: $1 timestamp suffix, $2 cpu, $3 ptr, $4 bytes_req,
# $5 bytes_alloc.
kmalloc() {
	printf '            bash-2460    [%s] .....   203.%06d: kmalloc: call_site=foo+0x1/0x20 ptr=%016x bytes_req=%s bytes_alloc=%s gfp_flags=GFP_KERNEL node=-1 accounted=false\n' \
		"$2" "$1" "$3" "$4" "$5"
}

# Six requests kmalloc can never serve (above KMALLOC_MAX_SIZE): replayed and
# reported as failures, but they do not size the machine (main booted 64 GiB).
for i in 1 2 3 4 5 6; do kmalloc $i 000 $((i * 4096)) 4294967295 4294967295; done >"$out/huge.txt"
set +e
"$kmem" replay --no-progress "$out/huge.txt" >"$out/r" 2>"$out/e"; rc=$?
set -e
[ $rc = 1 ] || fail "huge: exit $rc (the failures make it 1): $(cat "$out/e")"
grep -q "^machine: x86-64, 256 MiB RAM (sized to fit the trace), 1 CPUs" "$out/r" ||
	fail "huge: impossible requests sized the machine: $(grep machine "$out/r")"
grep -q "line 6: kmalloc(4294967295) returned NULL: above KMALLOC_MAX_SIZE (4194304)" "$out/r" ||
	fail "huge: failure not reported: $(grep -A7 ^failures "$out/r")"

# A trace that really wants more than the ceiling (600 live 4 MiB kmallocs:
# 3000 MiB estimated, 8 GiB wanted): booted with 4 GiB, and the report says so.
i=1
while [ $i -le 600 ]; do kmalloc $i 000 $((i * 8192)) 4194304 4194304; i=$((i + 1)); done >"$out/big.txt"
"$kmem" replay --no-progress "$out/big.txt" >"$out/r" 2>"$out/e" || fail "big: exit $?: $(cat "$out/e")"
grep -q "^machine: x86-64, 4096 MiB RAM (sized to fit the trace, CAPPED), 1 CPUs" "$out/r" ||
	fail "big: not capped at 4 GiB: $(grep machine "$out/r")"
grep -q "asks for 8192 MiB; automatic sizing stops at 4096 MiB: --ram SIZE for more" "$out/r" ||
	fail "big: the ceiling is not stated: $(sed -n 2,3p "$out/r")"
grep -q "^failures: 0$" "$out/r" || fail "big: failures"
"$kmem" replay --no-progress --json "$out/big.txt" >"$out/j" 2>"$out/e" || fail "big --json: exit $?"
grep -q '"ram_capped": true, "ram_wanted": 8589934592, "ram_auto_max": 4294967296' "$out/j" ||
	fail "big --json: $(grep machine "$out/j")"

# CPU [999]: no machine has it (the boot takes 1 to 256 CPUs); a malformed line
# with its number, and the machine has the trace's other CPUs (main: 64).
{
	kmalloc 1 000 4096 100 128
	kmalloc 2 999 8192 100 128
	kmalloc 3 001 12288 100 128
	kmalloc 4 99999999999999999999 16384 100 128
} >"$out/cpu.txt"
"$kmem" replay --no-progress "$out/cpu.txt" >"$out/r" 2>"$out/e" || fail "cpu: exit $?: $(cat "$out/e")"
grep -q "cpu.txt:2: malformed line skipped: CPU \[999\] out of range (kmem simulates CPUs 0-255)" "$out/e" ||
	fail "cpu: line 2 not malformed: $(cat "$out/e")"
grep -q "cpu.txt:4: malformed line skipped: CPU \[99999999999999999999\] out of range" "$out/e" ||
	fail "cpu: line 4 not malformed: $(cat "$out/e")"
grep -q "^machine: x86-64, 256 MiB RAM (sized to fit the trace), 2 CPUs" "$out/r" ||
	fail "cpu: $(grep machine "$out/r")"
grep -Eq "malformed lines +2 " "$out/r" || fail "cpu: count"

# align=0 (and a size that is no multiple of a page) on a vmap line:
# alloc_vmap_area() would BUG(); malformed.
{
	kmalloc 1 000 4096 100 128
	echo '             gcc-4242   [001] .....   203.600020: alloc_vmap_area: va_start: 18446683600570040320 size=20480 align=0 vstart=0xffffc90000000000 vend=0xffffe8ffffffffff failed=0'
	echo '             gcc-4242   [001] .....   203.600021: alloc_vmap_area: va_start: 18446683600570064896 size=20480 align=12288 vstart=0xffffc90000000000 vend=0xffffe8ffffffffff failed=0'
	echo '             gcc-4242   [001] .....   203.600022: alloc_vmap_area: va_start: 18446683600570089472 size=100 align=4096 vstart=0xffffc90000000000 vend=0xffffe8ffffffffff failed=0'
} >"$out/vmap.txt"
"$kmem" replay --no-progress "$out/vmap.txt" >"$out/r" 2>"$out/e" || fail "vmap: exit $?: $(cat "$out/e")"
grep -q "vmap.txt:2: malformed line skipped: alloc_vmap_area: align=0 is not a power of two" "$out/e" ||
	fail "vmap: align=0 not malformed: $(cat "$out/e")"
grep -q "vmap.txt:3: malformed line skipped: alloc_vmap_area: align=12288 is not a power of two" "$out/e" ||
	fail "vmap: align=12288 not malformed: $(cat "$out/e")"
grep -q "vmap.txt:4: malformed line skipped: alloc_vmap_area: size=100 is not a positive multiple of PAGE_SIZE" "$out/e" ||
	fail "vmap: size=100 not malformed: $(cat "$out/e")"
grep -q "^failures: 0$" "$out/r" || fail "vmap: failures: $(grep -A3 ^failures "$out/r")"

# Garbage after an xz magic is corrupt xz data, not an empty file.
printf '\3757zXZ\000this is not xz data at all, just garbage after the magic\n' >"$out/bad.xz"
set +e
"$kmem" replay --no-progress "$out/bad.xz" >"$out/r" 2>"$out/e"; rc=$?
set -e
[ $rc = 1 ] || fail "bad xz: exit $rc"
grep -q "kmem replay: $out/bad.xz: xz data corrupt$" "$out/e" || fail "bad xz: $(cat "$out/e")"

# --caches and --cpus take numbers.
for opt in "--caches abc" "--caches -1" "--caches 5x" "--cpus abc" "--cpus 0" "--cpus 257"; do
	set +e
	# shellcheck disable=SC2086
	"$kmem" replay $opt "$out/cpu.txt" >"$out/r" 2>"$out/e"; rc=$?
	set -e
	[ $rc = 2 ] || fail "$opt: exit $rc"
	grep -q "kmem replay: bad ${opt% *} '${opt#* }'" "$out/e" || fail "$opt: $(cat "$out/e")"
	[ ! -s "$out/r" ] || fail "$opt: a report was printed"
done
"$kmem" replay --no-progress --caches 0 --cpus 256 "$out/cpu.txt" >"$out/r" 2>/dev/null ||
	fail "--caches 0 --cpus 256: exit $?"
grep -q "^machine: x86-64, 256 MiB RAM (sized to fit the trace), 256 CPUs" "$out/r" ||
	fail "--cpus 256: $(grep machine "$out/r")"

# An output path that cannot be written fails at once, before any work
# (main: kmem map ran the whole tour first, 28 s; replay replayed first).
# No clock: the tour prints a progress line per chapter on stderr, so one
# line of stderr (the error) proves no chapter ran.
set +e
"$kmem" map -o /nonexistent/x.html >"$out/r" 2>"$out/e"; rc=$?
set -e
[ $rc = 1 ] || fail "map -o /nonexistent: exit $rc"
grep -q "^kmem map: /nonexistent/x.html: No such file or directory$" "$out/e" ||
	fail "map -o /nonexistent: $(cat "$out/e")"
[ "$(wc -l <"$out/e")" = 1 ] || fail "map -o /nonexistent: work before the error: $(cat "$out/e")"
[ ! -s "$out/r" ] || fail "map -o /nonexistent: output before the error"
set +e
"$kmem" replay --no-progress --map /nonexistent/x.html "$out/big.txt" >"$out/r" 2>"$out/e"; rc=$?
set -e
[ $rc = 1 ] || fail "replay --map /nonexistent: exit $rc"
grep -q "^kmem map: /nonexistent/x.html: No such file or directory$" "$out/e" ||
	fail "replay --map /nonexistent: $(cat "$out/e")"
[ ! -s "$out/r" ] || fail "replay --map /nonexistent: replayed first"
# Two zone modifiers at once (found by the replay fuzzer's author): replayed
# with the most restrictive zone, no gfp_zone WARNING on the console.
printf '            bash-2460    [000] .....   203.600002: mm_page_alloc: page=000000001 pfn=0x1234 order=0 migratetype=0 gfp_flags=GFP_DMA|__GFP_HIGHMEM\n' >"$out/zone.txt"
set +e
"$kmem" replay --no-progress "$out/zone.txt" >"$out/r" 2>"$out/e"; rc=$?
set -e
[ $rc = 0 ] || fail "zone conflict: exit $rc: $(cat "$out/e")"
! grep -q "WARNING" "$out/r" "$out/e" || fail "zone conflict: $(grep WARNING "$out/r" "$out/e")"
echo "ok replay_bad_input"
