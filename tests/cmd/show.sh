#!/bin/sh
# kmem --help and kmem show: the views print in the kernel's formats, an
# unknown view is an error that lists the views.
set -eu
kmem=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$kmem" --help >"$out/help" || fail "kmem --help exited $?"
grep -q "^  show " "$out/help" || fail "--help does not list show"
grep -q "^  tour" "$out/help" || fail "--help does not list tour"

KMEM_QUIET=1 KMEM_RAM=160M KMEM_LAYOUT=x86-32 "$kmem" show buddyinfo >"$out/b" ||
	fail "kmem show buddyinfo exited $?"
[ "$(wc -l <"$out/b")" -eq 2 ] || fail "x86-32 160M buddyinfo should have DMA and Normal"
grep -Eq '^Node 0, zone      DMA( +[0-9]+){11} $' "$out/b" || fail "buddyinfo DMA line: $(cat "$out/b")"
grep -Eq '^Node 0, zone   Normal( +[0-9]+){11} $' "$out/b" || fail "buddyinfo Normal line"

KMEM_QUIET=1 KMEM_RAM=160M KMEM_LAYOUT=x86-32 "$kmem" show /proc/meminfo >"$out/m" ||
	fail "kmem show /proc/meminfo exited $?"
grep -Eq '^MemTotal: +[0-9]+ kB$' "$out/m" || fail "meminfo MemTotal"
grep -Eq '^HighTotal: +0 kB$' "$out/m" || fail "160M x86-32 has no HighMem"

KMEM_QUIET=1 "$kmem" show zoneinfo pagetypeinfo >"$out/zp" || fail "show of two views"
grep -q "^Page block order: 9$" "$out/zp" || fail "pagetypeinfo header"
grep -q "^  start_pfn:           1$" "$out/zp" || fail "zoneinfo DMA start_pfn"

if KMEM_QUIET=1 "$kmem" show nosuchview >"$out/n" 2>&1; then
	fail "unknown view should fail"
fi
grep -q "no view named 'nosuchview'" "$out/n" || fail "unknown view message"
grep -q "^  buddyinfo$" "$out/n" || fail "unknown view lists the views"
echo "ok show"
