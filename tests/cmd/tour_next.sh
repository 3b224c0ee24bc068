#!/bin/sh
# kmem tour next: the last chapter names kmem replay and kmem map, and the
# command lines it prints work as printed, from any directory (the example
# trace is named by its full path: tests/cmd/installed.sh checks the
# installed command names its share/kmem).
set -eu
kmem=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$kmem" tour --list | tail -1 | grep -q "^  next  *Next: kmem replay and kmem map" ||
	fail "next is not the last chapter"
"$kmem" tour next >"$out/t" 2>&1 || fail "kmem tour next: exit $?"
grep -q "kmem replay $src/tests/data/trace-ftrace.txt$" "$out/t" || fail "no replay command"
grep -q "kmem map -o vmalloc.html --scene vmalloc$" "$out/t" || fail "no map command"
cd "$out"
grep -E '^ +[^ ]+ *kmem (replay|map) ' "$out/t" | sed 's/^ *[^k]*kmem //' | grep -v 'TRACE' |
while read -r line; do
	# shellcheck disable=SC2086
	KMEM_QUIET=1 "$kmem" $line >/dev/null 2>"$out/e" || fail "kmem $line: exit $?: $(cat "$out/e")"
done
[ -s "$out/vmalloc.html" ] && [ -s "$out/process.html" ] && [ -s "$out/replay.html" ] ||
	fail "the map commands wrote no pages"
exit 0
