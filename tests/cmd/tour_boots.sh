#!/bin/sh
# Every tour chapter that boots a machine says which ("[a fresh machine:
# x86-64, 256 MiB RAM, 2 CPUs]"), so that the addresses it prints are not read
# against the previous chapter's machine; a chapter run alone carries the
# number it has in the whole tour.
set -eu
kmem=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export KMEM_QUIET=1

"$kmem" tour >"$tmp/all" 2>&1 || { st=$?; fail "kmem tour exited $st"; }
# The x86-32 chapters, then the x86-64 ones: each switch is announced.
grep -q "^  \[a fresh machine: x86-32, 160 MiB RAM, 2 CPUs\]$" "$tmp/all" || fail "chapter 1's machine"
grep -q "^  \[a fresh machine: x86-64, 256 MiB RAM, 2 CPUs\]$" "$tmp/all" || fail "the slab chapters' machine"
grep -q "^  \[a fresh machine: x86-64, 64 MiB RAM, 2 CPUs, 32 MiB swap\]$" "$tmp/all" || fail "the process chapter's machine"
# Per chapter: the layout of the last announced machine is the one the
# chapter's own text names, whenever it names one.
awk '
	/^== [0-9]+\. / { ch = $0 }
	/^  \[a fresh machine: / { m = $0 }
	!/^== / && /x86-64 machine|x86-32 machine|x86-32 box|x86-64 box/ && ch != "" {
		want = /x86-64/ ? "x86-64" : "x86-32"
		if (index(m, want) == 0) { print ch ": text says " want ", machine is " m; bad = 1 }
	}
	END { exit bad }' "$tmp/all" || fail "a chapter runs on another machine than it says"
i=0
"$kmem" tour --list | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' >"$tmp/chapters"
while read -r ch; do
	i=$((i + 1))
	grep -q "^== $i\. " "$tmp/all" || fail "the whole tour has no chapter $i"
done <"$tmp/chapters"
for ch in fragment slab vmalloc process; do
	n=$(grep -n "^$ch\$" "$tmp/chapters" | cut -d: -f1)
	"$kmem" tour "$ch" >"$tmp/one" 2>&1 || fail "kmem tour $ch"
	grep -q "^== $n\. " "$tmp/one" || { head -5 "$tmp/one"; fail "tour $ch alone is not numbered $n"; }
	grep -q "^  \[a fresh machine: " "$tmp/one" || fail "tour $ch alone does not say its machine"
done
echo "ok tour_boots"
